// The reports engine (issue 10): the SOP's eight reports and the KPIs as queries over time_facts and
// time_extensions, on SQLite and PostgreSQL alike. README.md says what each report and column counts
// and which indexes keep them fast. Formats, CLI and HTTP live beside it (csv.ts, ods.ts, routes.ts).
import { ok, type Result } from "@countersign/crdt-model";
import type { schemas } from "@countersign/contract";
import type { Store } from "../storage/types.ts";
import { COLUMNS, REPORTS, reportOf } from "./catalogue.ts";
import { checkRange, checkUnit, reportIdOf } from "./input.ts";
import { extensions, lateness, reminders } from "./lists.ts";
import { comparison, deadlines, monthly, paperOnline, timeliness } from "./summaries.ts";
import type { ReportBody, ReportContext } from "./types.ts";

export { REPORTS, reportOf, COLUMNS } from "./catalogue.ts";
export { kpis, kpiSeries, type KpiSet } from "./kpis.ts";
export { previousRange } from "./summaries.ts";
export { taiwanToday } from "./input.ts";

export type ReportTable = schemas.reports.ReportTable;
export type ReportId = schemas.reports.ReportId;

export interface ReportRequest {
  /** First and last day, YYYY-MM-DD or ROC (115/11/01). */
  from: string;
  to: string;
  /** A unit id: only its documents (the unit in force); absent: the whole agency, per unit. */
  unit?: string | null;
  /** The day open documents are judged on; default today in Taiwan. */
  asOf?: string;
}

const BUILDERS: Record<ReportId, (c: ReportContext) => Promise<ReportBody>> = {
  "1": deadlines,
  "2": reminders,
  "3": timeliness,
  "4": monthly,
  "5": comparison,
  "6": extensions,
  "7": lateness,
  "8": paperOnline,
};

/** One report over a range; `name` is its id (1–8) or word. Bad input: report.unknown, report.unit, report.day, report.range. */
export async function runReport(store: Store, name: string, q: ReportRequest, now: Date = new Date()): Promise<Result<ReportTable>> {
  const id = reportIdOf(name);
  if (!id.ok) return id;
  const range = checkRange({ from: q.from, to: q.to, asOf: q.asOf }, now);
  if (!range.ok) return range;
  const u = await checkUnit(store, q.unit);
  if (!u.ok) return u;
  const info = reportOf(id.value)!;
  const ctx: ReportContext = { store, range: { ...range.value, unit: u.value.unit }, units: u.value.units, people: await store.people() };
  const body = await BUILDERS[id.value](ctx);
  return ok({
    id: info.id,
    word: info.word,
    number: info.number,
    title: info.title,
    titleEn: info.titleEn,
    from: range.value.from,
    to: range.value.to,
    unit: u.value.unit,
    asOf: range.value.asOf,
    columns: [...COLUMNS[id.value]],
    rows: body.rows,
    totals: body.totals,
    chart: body.chart,
    ...(body.previous ? { previous: body.previous } : {}),
  });
}

/** The catalogue as listed (ids, words, titles). */
export const reportList = (): (typeof REPORTS)[number][] => [...REPORTS];
