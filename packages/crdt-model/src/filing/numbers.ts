import { z } from "zod";
import { fail, ok, type Result } from "../result.ts";

/**
 * The numbers a document is filed under once it leaves the signing desk. Their shapes are checked
 * here, once, by the rules (a signed 發文 or 歸檔 entry with a malformed number is invalid on every
 * replica) and by the forms that ask for them. Which number is really this agency's is the server's
 * to say (it assigns 發文字號); this module says only what a well-formed one looks like.
 */

/**
 * 發文字號: the agency's 代字 (one to ten Han characters, e.g. 示教), 字第, the ROC year in three
 * digits, a seven-digit serial that restarts every year, 號 — 示教字第1150000001號. Sorting by the
 * digits sorts by year, then serial.
 */
export interface DispatchNumber {
  prefix: string;
  year: number;
  serial: number;
}

const SERIAL_DIGITS = 7;
const DISPATCH_NUMBER = /^(\p{Script=Han}{1,10})字第(\d{3})(\d{7})號$/u;

export function formatDispatchNumber(n: DispatchNumber): string {
  return `${n.prefix}字第${String(n.year).padStart(3, "0")}${String(n.serial).padStart(SERIAL_DIGITS, "0")}號`;
}

export function parseDispatchNumber(raw: unknown): Result<DispatchNumber> {
  if (typeof raw !== "string" || raw.length === 0) return fail("filing.dispatch-number", "A 發文字號 is required.");
  const m = DISPATCH_NUMBER.exec(raw);
  if (!m)
    return fail(
      "filing.dispatch-number",
      `The 發文字號 ${JSON.stringify(raw.slice(0, 40))} is not 代字 + 字第 + a 3-digit ROC year + a 7-digit serial + 號 (e.g. 示教字第1150000001號).`,
    );
  const year = Number(m[2]);
  const serial = Number(m[3]);
  if (year === 0) return fail("filing.dispatch-number", `The 發文字號 ${raw} names ROC year 0.`);
  if (serial === 0) return fail("filing.dispatch-number", `The 發文字號 ${raw} has serial 0; serials start at 1.`);
  return ok({ prefix: m[1]!, year, serial });
}

/** A calendar date written YYYY-MM-DD that exists (2026-02-30 does not). */
export function parseIsoDate(raw: unknown, what: string): Result<string> {
  if (typeof raw !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(raw)) return fail("filing.date", `The ${what} must be a date written YYYY-MM-DD.`);
  const d = new Date(`${raw}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== raw) return fail("filing.date", `The ${what} ${raw} is not a calendar date.`);
  return ok(raw);
}

/**
 * 檔號, following the agency's file classification (檔案分類表): 年度號-分類號-案次號-卷次號-目次號,
 * e.g. 115-0101-000012-001-00003. 年度號 is the ROC year in three digits; 分類號 is the class code
 * (digits and capital letters, as the classification table writes it); 案次號, 卷次號 and 目次號 are
 * the case, volume and item serials, all from 1.
 */
export interface FileNumber {
  year: number;
  classification: string;
  caseNo: number;
  volume: number;
  item: number;
}

const FILE_PARTS = [
  { name: "年度號", rule: /^\d{3}$/, says: "three digits, the ROC year (e.g. 115)" },
  { name: "分類號", rule: /^[0-9A-Z]{1,12}$/, says: "1 to 12 digits or capital letters" },
  { name: "案次號", rule: /^\d{1,6}$/, says: "1 to 6 digits" },
  { name: "卷次號", rule: /^\d{1,4}$/, says: "1 to 4 digits" },
  { name: "目次號", rule: /^\d{1,6}$/, says: "1 to 6 digits" },
] as const;

export function parseFileNumber(raw: unknown): Result<FileNumber> {
  if (typeof raw !== "string" || raw.trim() === "") return fail("filing.file-number", "A 檔號 is required.");
  const parts = raw.split("-");
  if (parts.length !== FILE_PARTS.length)
    return fail(
      "filing.file-number",
      `The 檔號 ${JSON.stringify(raw.slice(0, 60))} has ${parts.length} part${parts.length === 1 ? "" : "s"}; it needs five, 年度號-分類號-案次號-卷次號-目次號 (e.g. 115-0101-000012-001-00003).`,
    );
  for (const [i, p] of FILE_PARTS.entries()) {
    const v = parts[i]!;
    if (!p.rule.test(v)) return fail("filing.file-number", `The 檔號's ${p.name} ${JSON.stringify(v.slice(0, 20))} must be ${p.says}.`);
    if (i !== 1 && Number(v) === 0) return fail("filing.file-number", `The 檔號's ${p.name} is 0; it starts at 1.`);
  }
  return ok({ year: Number(parts[0]), classification: parts[1]!, caseNo: Number(parts[2]), volume: Number(parts[3]), item: Number(parts[4]) });
}

/** 保存年限: a number of years from 1 to 30, or 永久 (kept for ever). */
export type Retention = number | "permanent";
export const MAX_RETENTION_YEARS = 30;

export const retentionSchema = z.union([z.number().int().min(1).max(MAX_RETENTION_YEARS), z.literal("permanent")]);

export function parseRetention(raw: unknown): Result<Retention> {
  if (raw === "permanent" || raw === "永久") return ok("permanent");
  const n = typeof raw === "string" && /^\d{1,3}$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= MAX_RETENTION_YEARS) return ok(n);
  return fail("filing.retention", `The 保存年限 must be a whole number of years from 1 to ${MAX_RETENTION_YEARS}, or 永久.`);
}

export function retentionLabel(r: Retention): string {
  return r === "permanent" ? "永久" : `${r}年`;
}
