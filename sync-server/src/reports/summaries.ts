// The per-unit reports: (一) 限辦日期及使用日數, (三) 時效統計, (四) 成績月報, (五) 成績比較, (八) 紙本／電子簽核.
// Each is one or a few grouped queries (aggregates.ts); rows per unit with data, and the agency total
// made from the same sums. README.md says what each column counts.
import type { UnitId } from "@countersign/crdt-model";
import type { Unit } from "../storage/types.ts";
import { closedSums, extensionSums, handledSums, startedSums, total, type Sums } from "./aggregates.ts";
import { addDays, addMonths, dayDiff, monthDays } from "./input.ts";
import { mean, percent, round2, unitsWithData } from "./sql.ts";
import type { ReportContext, ReportBody } from "./types.ts";

type Row = Record<string, string | number | null>;

const TOTAL_NAME = "合計";

/** Rows per unit with data (and the unit asked for) and the total row, each made by `make` from its sums. */
function perUnit(units: readonly Unit[], unit: UnitId | null, groups: readonly Map<string, Sums>[], make: (s: (k: string) => number) => Row): { rows: Row[]; totals: Row } {
  const keys = new Set<string>();
  for (const g of groups) for (const k of g.keys()) keys.add(k);
  const rows = unitsWithData(units, keys, unit).map((u) => {
    const sums = groups.map((g) => g.get(u.key) ?? {});
    return { unitId: u.id, unitName: u.name, ...make((k) => sumOf(sums, k)) };
  });
  const totals = groups.map((g) => total(g.values()));
  return { rows, totals: { unitId: null, unitName: TOTAL_NAME, ...make((k) => sumOf(totals, k)) } };
}

/** A key's value from the first group that has it (each key lives in one query's sums). */
function sumOf(groups: readonly Sums[], k: string): number {
  for (const g of groups) if (k in g) return g[k]!;
  return 0;
}

const bar = (series: string[]): ReportBody["chart"] => ({ type: "bar", x: "unitName", series, columns: null, points: null });

/** (一) documents started in the range by 速別, and the working days they used (closed by the as-of day). */
export async function deadlines(c: ReportContext): Promise<ReportBody> {
  const started = await startedSums(c.store, { from: c.range.from, end: c.range.end, unit: c.range.unit, by: "unit", closedBy: c.range.asOf });
  const { rows, totals } = perUnit(c.units, c.range.unit, [started], (s) => ({
    documents: s("documents"),
    mostUrgent: s("most_urgent"),
    mostUrgentDays: mean(s("most_urgent_days"), s("most_urgent_closed")),
    urgent: s("urgent"),
    urgentDays: mean(s("urgent_days"), s("urgent_closed")),
    ordinary: s("ordinary"),
    ordinaryDays: mean(s("ordinary_days"), s("ordinary_closed")),
    closed: s("closed_by"),
    open: s("documents") - s("closed_by"),
    averageDays: mean(s("days_by"), s("closed_by")),
    maxDays: s("closed_by") === 0 ? null : s("max_days"),
    extended: s("extended"),
  }));
  return { rows, totals, chart: bar(["mostUrgentDays", "urgentDays", "ordinaryDays"]) };
}

/** (三) the documents to handle in the range (carried over, received, created) and how they stood at its end. */
export async function timeliness(c: ReportContext): Promise<ReportBody> {
  const h = await handledSums(c.store, { from: c.range.from, end: c.range.end, unit: c.range.unit });
  const { rows, totals } = perUnit(c.units, c.range.unit, [h], (s) => {
    const totalN = s("carried") + s("received") + s("created");
    const open = totalN - s("closed");
    return {
      carried: s("carried"),
      received: s("received"),
      created: s("created"),
      total: totalN,
      closedOnTime: s("closed") - s("late"),
      closedLate: s("late"),
      openOnTime: open - s("open_late"),
      openLate: s("open_late"),
      projectControl: s("project"),
      averageDays: mean(s("days"), s("closed")),
      onTimeRate: percent(s("closed") - s("late"), s("closed")),
    };
  });
  return { rows, totals, chart: bar(["closedOnTime", "closedLate", "openOnTime", "openLate"]) };
}

/** The counts of (四) and (五) over one range: started, closed and approved extensions, by unit. */
async function results(c: ReportContext, from: string, end: string): Promise<Map<string, Sums>[]> {
  const q = { from, end, unit: c.range.unit, by: "unit" as const };
  // Independent queries: on PostgreSQL each takes its own connection, so they run side by side.
  return Promise.all([startedSums(c.store, q), closedSums(c.store, q), extensionSums(c.store, q)]);
}

const onlineRateOf = (s: (k: string) => number): number | null => percent(s("online"), s("received") - s("secret") + s("created"));

/** (四) the month's results per unit: the KPIs' counts. */
export async function monthly(c: ReportContext): Promise<ReportBody> {
  const groups = await results(c, c.range.from, c.range.end);
  const { rows, totals } = perUnit(c.units, c.range.unit, groups, (s) => ({
    received: s("received"),
    created: s("created"),
    secret: s("secret"),
    closed: s("closed"),
    closedOnTime: s("closed") - s("late"),
    closedLate: s("late"),
    averageDays: mean(s("days"), s("closed")),
    onTimeRate: percent(s("closed") - s("late"), s("closed")),
    onlineSigned: s("online"),
    onlineRate: onlineRateOf(s),
    exchangeIn: s("exchange_in"),
    exchangeOut: s("exchange_out"),
    dispatched: s("dispatched"),
    extensions: s("extensions"),
  }));
  return { rows, totals, chart: bar(["onTimeRate", "onlineRate"]) };
}

/**
 * The range (五) compares against: the same number of whole months before, when the range is whole
 * months (2026-11-01..2026-11-30 → October); else the same number of days just before.
 */
export function previousRange(from: string, to: string): { from: string; to: string } {
  const wholeMonths = from.endsWith("-01") && monthDays(to.slice(0, 7)).to === to;
  if (wholeMonths) {
    const months = (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7)) + 1;
    const first = addMonths(from.slice(0, 7), -months);
    return { from: `${first}-01`, to: addDays(from, -1) };
  }
  const days = dayDiff(from, to) + 1;
  return { from: addDays(from, -days), to: addDays(from, -1) };
}

/** (五) this range against the one before it, per unit, ranked by the on-time rate. */
export async function comparison(c: ReportContext): Promise<ReportBody & { previous: { from: string; to: string } }> {
  const prev = previousRange(c.range.from, c.range.to);
  const prevEnd = prev.to < c.range.asOf ? prev.to : c.range.asOf;
  const [cur, prevGroups] = await Promise.all([results(c, c.range.from, c.range.end), results(c, prev.from, prevEnd)]);
  const before = prevGroups.map((g) => new Map([...g].map(([k, s]) => [k, prefixed(s)])));
  const { rows, totals } = perUnit(c.units, c.range.unit, [...cur, ...before], (s) => {
    const averageDays = mean(s("days"), s("closed"));
    const averageDaysPrev = mean(s("p_days"), s("p_closed"));
    return {
      closed: s("closed"),
      closedPrev: s("p_closed"),
      averageDays,
      averageDaysPrev,
      averageDaysChange: averageDays === null || averageDaysPrev === null ? null : round2(averageDays - averageDaysPrev),
      onTimeRate: percent(s("closed") - s("late"), s("closed")),
      onTimeRatePrev: percent(s("p_closed") - s("p_late"), s("p_closed")),
      onlineRate: onlineRateOf(s),
      onlineRatePrev: percent(s("p_online"), s("p_received") - s("p_secret") + s("p_created")),
      rank: null,
    };
  });
  // 名次: by on-time rate (highest first), then mean days (fewest first); units that closed nothing are unranked.
  const ranked = rows.filter((r) => r.onTimeRate !== null);
  ranked.sort((a, b) => (b.onTimeRate as number) - (a.onTimeRate as number) || ((a.averageDays as number | null) ?? 0) - ((b.averageDays as number | null) ?? 0));
  ranked.forEach((r, i) => (r.rank = i + 1));
  return { rows, totals, chart: bar(["averageDaysPrev", "averageDays"]), previous: prev };
}

const prefixed = (s: Sums): Sums => Object.fromEntries(Object.entries(s).map(([k, v]) => [`p_${k}`, v]));

/** (八) the documents closed in the range, signed online or handled on paper. */
export async function paperOnline(c: ReportContext): Promise<ReportBody> {
  const closed = await closedSums(c.store, { from: c.range.from, end: c.range.end, unit: c.range.unit, by: "unit" });
  const { rows, totals } = perUnit(c.units, c.range.unit, [closed], (s) => ({
    closed: s("closed"),
    online: s("online"),
    onlineDays: mean(s("online_days"), s("online")),
    onlineLate: s("online_late"),
    paper: s("closed") - s("online"),
    paperDays: mean(s("days") - s("online_days"), s("closed") - s("online")),
    paperLate: s("late") - s("online_late"),
    onlineShare: percent(s("online"), s("closed")),
    paperSavedSheets: s("online") * PAPER_SHEETS_PER_DOCUMENT,
  }));
  return { rows, totals, chart: bar(["online", "paper"]) };
}

/** Sheets of paper a document signed online saves (seed 003: four per document). */
export const PAPER_SHEETS_PER_DOCUMENT = 4;
