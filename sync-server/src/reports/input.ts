// What a report or a KPI is asked for, checked once: the report's name, the range, the unit, the
// as-of day, the months. Bad input is refused with a report.* code and one sentence, before any query.
import { fail, ok, type Result, type UnitId } from "@countersign/crdt-model";
import { schemas } from "@countersign/contract";
import type { Store, Unit } from "../storage/types.ts";

const { parseReportDay, parseReportMonth, reportOf } = schemas.reports;

/** A report covers at most three years (the seeds' three-year totals), a KPI series 36 months. */
export const MAX_RANGE_DAYS = 3 * 366;
export const MAX_SERIES_MONTHS = 36;

export interface ReportRange {
  from: string;
  to: string;
  /** The day open documents are judged on (Taiwan); default today. */
  asOf: string;
  /** The end of what has happened: min(to, asOf). Closings and starts after it are not counted. */
  end: string;
  unit: UnitId | null;
}

/** Today in Taiwan (UTC+8, no daylight saving), YYYY-MM-DD. */
export const taiwanToday = (now: Date = new Date()): string => new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

/** Calendar days from a to b (b − a), both YYYY-MM-DD. */
export const dayDiff = (a: string, b: string): number => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

/** The day n calendar days after d (n may be negative). */
export const addDays = (d: string, n: number): string => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The first and last day of a YYYY-MM month. */
export function monthDays(month: string): { from: string; to: string } {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, "0")}` };
}

/** The month `n` months after a YYYY-MM month. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const t = new Date(Date.UTC(y, m - 1 + n, 1));
  return t.toISOString().slice(0, 7);
}

export function reportIdOf(name: string): Result<schemas.reports.ReportId> {
  const r = reportOf(name);
  return r ? ok(r.id) : fail("report.unknown", `There is no report "${name}": name one by its number 1–8 or its word (deadlines, reminders, timeliness, monthly, comparison, extensions, lateness, paper-online).`);
}

export async function checkUnit(store: Store, unit: string | undefined | null): Promise<Result<{ unit: UnitId | null; units: Unit[] }>> {
  const units = await store.units();
  if (unit === undefined || unit === null || unit === "") return ok({ unit: null, units });
  const found = units.find((u) => u.id === unit);
  return found ? ok({ unit: found.id, units }) : fail("report.unit", `There is no unit "${unit}" in the directory.`);
}

export function checkRange(q: { from: string; to: string; asOf?: string | undefined }, now: Date = new Date()): Result<{ from: string; to: string; asOf: string; end: string }> {
  const from = parseReportDay(q.from);
  if (!from) return fail("report.day", `"${q.from}" is not a day: write 115/11/01 or 2026-11-01.`);
  const to = parseReportDay(q.to);
  if (!to) return fail("report.day", `"${q.to}" is not a day: write 115/11/30 or 2026-11-30.`);
  if (from > to) return fail("report.range", `The range ends (${to}) before it starts (${from}).`);
  if (dayDiff(from, to) >= MAX_RANGE_DAYS) return fail("report.range", `The range from ${from} to ${to} is longer than three years.`);
  let asOf = taiwanToday(now);
  if (q.asOf !== undefined && q.asOf !== "") {
    const a = parseReportDay(q.asOf);
    if (!a) return fail("report.day", `"${q.asOf}" is not a day: write 115/12/01 or 2026-12-01.`);
    asOf = a;
  }
  return ok({ from, to, asOf, end: to < asOf ? to : asOf });
}

export function checkMonth(s: string): Result<string> {
  const m = parseReportMonth(s);
  return m ? ok(m) : fail("report.day", `"${s}" is not a month: write 115-11 or 2026-11.`);
}

export function checkMonths(fromS: string, toS: string): Result<string[]> {
  const from = checkMonth(fromS);
  if (!from.ok) return from;
  const to = checkMonth(toS);
  if (!to.ok) return to;
  if (from.value > to.value) return fail("report.range", `The months end (${to.value}) before they start (${from.value}).`);
  const months: string[] = [];
  for (let m = from.value; m <= to.value; m = addMonths(m, 1)) {
    months.push(m);
    if (months.length > MAX_SERIES_MONTHS) return fail("report.range", `From ${from.value} to ${to.value} is more than ${String(MAX_SERIES_MONTHS)} months.`);
  }
  return ok(months);
}
