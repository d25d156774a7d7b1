// The KPIs per month (issue 10 §7; seed 000's 線上簽核比率 and 公文效率提升, seed 003's paper saved):
// three grouped queries by month over the whole series (started, closed, approved 展期), so a
// 36-month series costs the same three index ranges as one month. README.md says which rows each counts.
import { ok, type Result, type UnitId } from "@countersign/crdt-model";
import type { schemas } from "@countersign/contract";
import type { Store } from "../storage/types.ts";
import { closedSums, extensionSums, startedSums, type Sums } from "./aggregates.ts";
import { checkMonth, checkMonths, checkUnit, monthDays } from "./input.ts";
import { mean, percent, round2 } from "./sql.ts";
import { PAPER_SHEETS_PER_DOCUMENT } from "./summaries.ts";

export type KpiSet = schemas.reports.KpiSet;

async function monthSums(store: Store, months: readonly string[], unit: UnitId | null): Promise<(k: string, month: string) => number> {
  const from = monthDays(months[0]!).from;
  const end = monthDays(months[months.length - 1]!).to;
  const q = { from, end, unit, by: "month" as const };
  // Independent queries: on PostgreSQL each takes its own connection, so they run side by side.
  const groups: Map<string, Sums>[] = await Promise.all([startedSums(store, q), closedSums(store, q), extensionSums(store, q)]);
  return (k, month) => {
    for (const g of groups) {
      const s = g.get(month);
      if (s && k in s) return s[k]!;
    }
    return 0;
  };
}

function kpiOf(month: string, unit: string | null, s: (k: string) => number, baseline: { month: string; rawAverage: number | null } | null): KpiSet {
  const averageDays = mean(s("days"), s("closed"));
  // The gain is made from the unrounded means, so it does not inherit their rounding.
  const raw = s("closed") === 0 ? null : s("days") / s("closed");
  const b = baseline?.rawAverage ?? null;
  return {
    month,
    unit,
    received: s("received"),
    secret: s("secret"),
    created: s("created"),
    onlineSigned: s("online"),
    onlineRate: percent(s("online"), s("received") - s("secret") + s("created")),
    exchangeIn: s("exchange_in"),
    exchangeInRate: percent(s("exchange_in"), s("received")),
    dispatched: s("dispatched"),
    exchangeOut: s("exchange_out"),
    exchangeOutRate: percent(s("exchange_out"), s("dispatched")),
    closed: s("closed"),
    averageDays,
    closedLate: s("late"),
    overdueRate: percent(s("late"), s("closed")),
    extensions: s("extensions"),
    baseline: baseline?.month ?? null,
    baselineAverageDays: b === null ? null : round2(b),
    efficiencyGain: b === null || b === 0 || raw === null ? null : round2(((b - raw) / b) * 100),
    paperSavedSheets: s("online") * PAPER_SHEETS_PER_DOCUMENT,
  };
}

/** The KPIs of every month from `from` to `to` (YYYY-MM or ROC 115-11; at most 36 months), oldest first. */
export async function kpiSeries(store: Store, q: { from: string; to: string; unit?: string | null; baseline?: string | null }): Promise<Result<KpiSet[]>> {
  const months = checkMonths(q.from, q.to);
  if (!months.ok) return months;
  const baseline = baselineMonth(q.baseline);
  if (!baseline.ok) return baseline;
  const u = await checkUnit(store, q.unit);
  if (!u.ok) return u;
  const [get, base] = await Promise.all([monthSums(store, months.value, u.value.unit), baselineOf(store, baseline.value, u.value.unit)]);
  return ok(months.value.map((m) => kpiOf(m, u.value.unit, (k) => get(k, m), base)));
}

function baselineMonth(raw: string | null | undefined): Result<string | null> {
  if (raw === undefined || raw === null || raw === "") return ok(null);
  return checkMonth(raw);
}

/** The baseline month's unrounded 平均處理日數 (null: no baseline asked, or nothing closed in it). */
async function baselineOf(store: Store, month: string | null, unit: UnitId | null): Promise<{ month: string; rawAverage: number | null } | null> {
  if (month === null) return null;
  const get = await monthSums(store, [month], unit);
  const closed = get("closed", month);
  return { month, rawAverage: closed === 0 ? null : get("days", month) / closed };
}

/** The KPIs of one month; with a baseline month, 公文效率提升 against its 平均處理日數. */
export async function kpis(store: Store, q: { month: string; unit?: string | null; baseline?: string | null }): Promise<Result<KpiSet>> {
  const month = checkMonth(q.month);
  if (!month.ok) return month;
  const baseline = baselineMonth(q.baseline);
  if (!baseline.ok) return baseline;
  const u = await checkUnit(store, q.unit);
  if (!u.ok) return u;
  const [get, base] = await Promise.all([monthSums(store, [month.value], u.value.unit), baselineOf(store, baseline.value, u.value.unit)]);
  return ok(kpiOf(month.value, u.value.unit, (k) => get(k, month.value), base));
}
