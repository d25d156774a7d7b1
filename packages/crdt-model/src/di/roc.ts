import { fail, ok, type Result } from "../result.ts";

/** The Republic of China calendar counts years from 1912 (民國元年). */
const ROC_EPOCH = 1911;

/**
 * "2026-01-02" → "中華民國115年1月2日", the form the basic tag set's 年月日 example uses
 * (`<年月日>中華民國90年12月1日</年月日>`: no zero padding). Refuses a date that is not on the
 * calendar or falls before 民國元年.
 */
export function rocDate(iso: string): Result<string> {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return fail("di.date", `The date "${iso}" is not written YYYY-MM-DD.`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  // Date.UTC rolls 2026-02-30 over into March; reading the parts back catches that.
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return fail("di.date", `The date "${iso}" is not on the calendar.`);
  if (y <= ROC_EPOCH) return fail("di.date", `The date "${iso}" falls before 民國元年 (1912), so it has no ROC year.`);
  return ok(`中華民國${y - ROC_EPOCH}年${mo}月${d}日`);
}

/**
 * A 發文字號 split as the basic tag set's 字 and 文號 (年度, 流水號, 支號) elements want it:
 * 府教字第1150001234號 → 字 "府教字", 年度 "115", 流水號 "0001234". Digits stay strings, because
 * their leading zeros are part of the number.
 */
export interface DocNumber {
  /** 代字 with its closing 字, e.g. 府教字 — DI files carry it that way. */
  word: string;
  /** ROC year, three digits (099 for 民國99年). */
  year: string;
  /** Seven-digit serial. */
  serial: string;
  /** 支號, the one or two digits some agencies append for a branch of the same case; null when absent. */
  branch: string | null;
}

const FULL_WIDTH_DIGITS = /[０-９]/g;

/**
 * Parses 文號 text such as 府教字第1150001234號 or 臺教學(二)字第1150000001號: 代字 ending in 字,
 * then 第, three digits of ROC year, seven digits of serial, an optional 支號, then 號. Full-width
 * digits are read as digits, since people type them.
 */
export function parseDocNumber(text: string): Result<DocNumber> {
  const s = text.trim().replace(FULL_WIDTH_DIGITS, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 0x30));
  // Greedy (\S+字) so a 代字 holding 字 itself still splits at the last 字第.
  const m = /^(\S+字)第(\d{3})(\d{7})(\d{1,2})?號$/u.exec(s);
  if (!m || !m[1] || !m[2] || !m[3]) {
    return fail(
      "di.doc-number",
      `The document number "${text}" does not parse: a 文號 is written like 府教字第1150001234號 (代字, then 字第, three digits of ROC year, seven digits of serial, an optional one- or two-digit 支號, then 號).`,
    );
  }
  return ok({ word: m[1], year: m[2], serial: m[3], branch: m[4] ?? null });
}
