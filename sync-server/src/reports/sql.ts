// The pieces every report's SQL shares: the unit filter, the three index-friendly ways to reach the
// documents open at a day, and turning the stores' answers (PostgreSQL gives bigint counts and numeric
// sums as text) into numbers. One SQL text serves both stores (Store.reportRows, ? placeholders):
// booleans are INTEGER 0/1 and days YYYY-MM-DD text in both (migration 8), so days compare as text.
import type { UnitId } from "@countersign/crdt-model";
import type { Person, ReportParam, Unit } from "../storage/types.ts";

/** `AND t.unit = ?` when a unit is asked for. */
export const unitFilter = (unit: UnitId | null, alias = "t"): { sql: string; params: ReportParam[] } =>
  unit === null ? { sql: "", params: [] } : { sql: ` AND ${alias}.unit = ?`, params: [unit] };

/**
 * The documents open at the end of day `end` (started by then, not closed by then), as three index
 * ranges joined by UNION ALL instead of one OR the planner would scan for: never closed (the partial
 * index time_facts_open_start), and closed after `end` (time_facts_close, which holds start_day too).
 * `cols` is the select list over alias t.
 */
export function openAt(cols: string, end: string, unit: UnitId | null, extraWhere = ""): { sql: string; params: ReportParam[] } {
  const u = unitFilter(unit);
  return {
    sql:
      `SELECT ${cols} FROM time_facts t WHERE t.close_day IS NULL AND t.start_day <= ?${u.sql}${extraWhere}` +
      ` UNION ALL SELECT ${cols} FROM time_facts t WHERE t.close_day > ? AND t.start_day <= ?${u.sql}${extraWhere}`,
    params: [end, ...u.params, end, end, ...u.params],
  };
}

/** A count, sum or null as a number (PostgreSQL answers bigint and numeric as text). */
export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
export const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export const round2 = (x: number): number => Math.round(x * 100) / 100;
/** n ÷ d × 100 with two decimals; null when d is 0. */
export const percent = (n: number, d: number): number | null => (d === 0 ? null : round2((n / d) * 100));
/** sum ÷ count with two decimals; null when count is 0. */
export const mean = (sum: number, count: number): number | null => (count === 0 ? null : round2(sum / count));

/** The key a unit's rows are grouped under: its id, or "" for documents with no unit yet. */
export const unitKey = (v: unknown): string => (v === null || v === undefined ? "" : String(v));

export const NO_UNIT_NAME = "（未分文）";

/**
 * The units a per-unit report has rows for, in the directory's order: those with data, plus the
 * unit asked for (a unit with nothing still gets its row of zeros). Documents with no unit come last.
 */
export function unitsWithData(units: readonly Unit[], keys: Iterable<string>, asked: UnitId | null): { key: string; id: string | null; name: string }[] {
  const have = new Set(keys);
  if (asked !== null) have.add(asked);
  const out: { key: string; id: string | null; name: string }[] = [];
  for (const u of units) {
    if (!have.has(u.id)) continue;
    out.push({ key: u.id, id: u.id, name: u.name });
    have.delete(u.id);
  }
  // A unit no longer in the directory keeps its id as its name; then the documents with no unit.
  for (const k of [...have].sort()) if (k !== "") out.push({ key: k, id: k, name: k });
  if (have.has("")) out.push({ key: "", id: null, name: NO_UNIT_NAME });
  return out;
}

/** Person id → name (an id no longer in the directory is shown as itself). */
export const nameOf = (people: readonly Person[]): ((id: unknown) => string | null) => {
  const names = new Map(people.map((p) => [p.id as string, p.name]));
  return (id) => (id === null || id === undefined ? null : (names.get(String(id)) ?? String(id)));
};

export const SPEED_WORDS: Record<string, string> = { "most-urgent": "最速件", urgent: "速件", ordinary: "普通件" };
