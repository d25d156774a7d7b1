// The follow-up desk's list (稽催清單) as pure functions over the rows the server's follow-up listing
// gives (GET /api/follow-up/docs): filters, the order (most pressing first), the counts per unit the
// chart and the 稽催通知單 read. Kept free of Svelte and fetch so the rules are tested without a browser.
//
// What must stay true: the flag (期前 / 逾期) is the server's, computed with the model's deadline rule
// on the agency's calendar; this file never recomputes it, it only filters, orders and counts.

/** 期前 (due within N working days), 逾期 (past the due date), or neither. */
export type Flag = "due-soon" | "overdue" | "ok";

/** One open controlled document on the follow-up list. */
export interface FollowUpRow {
  doc: string;
  subject: string;
  unit: string | null;
  /** The unit's name as the server's directory gives it (null: unknown there). */
  unitName: string | null;
  caseOfficer: string | null;
  caseOfficerName: string | null;
  kind: string;
  speed: string;
  origin: "received" | "created";
  /** 收文 / 創稿 day (YYYY-MM-DD, Taiwan). */
  startDay: string;
  /** The 限辦日期 in force (after any approved 展期). */
  due: string;
  flag: Flag;
  /** Calendar days past the due date (0 when not overdue). */
  daysLate: number;
  /** Working days left until the due date (0 on the day; null when overdue or unknown). */
  daysLeft: number | null;
  /** Whom the document waits on now, by name (people; a unit's or a role's queue by its name). */
  holders: string[];
  receiptNumber: string | null;
  docNumber: string | null;
  extensionCount: number;
  projectControl: boolean;
}

export interface RowFilter {
  unit: string | null;
  officer: string | null;
  speed: string | null;
  kind: string | null;
  origin: "received" | "created" | null;
  flag: Flag | null;
}

export const NO_FILTER: RowFilter = { unit: null, officer: null, speed: null, kind: null, origin: null, flag: null };

export function matchesFilter(r: FollowUpRow, f: RowFilter): boolean {
  return (
    (f.unit === null || r.unit === f.unit) &&
    (f.officer === null || r.caseOfficer === f.officer) &&
    (f.speed === null || r.speed === f.speed) &&
    (f.kind === null || r.kind === f.kind) &&
    (f.origin === null || r.origin === f.origin) &&
    (f.flag === null || r.flag === f.flag)
  );
}

const FLAG_RANK: Record<Flag, number> = { overdue: 0, "due-soon": 1, ok: 2 };
const SPEED_RANK: Record<string, number> = { "most-urgent": 0, urgent: 1, ordinary: 2 };

/** By due date (earliest first), then 逾期 before 期前, then 速別, then the document id (a stable order). */
export function byDue(a: FollowUpRow, b: FollowUpRow): number {
  if (a.due !== b.due) return a.due < b.due ? -1 : 1;
  const fa = FLAG_RANK[a.flag] - FLAG_RANK[b.flag];
  if (fa !== 0) return fa;
  const sa = (SPEED_RANK[a.speed] ?? 3) - (SPEED_RANK[b.speed] ?? 3);
  if (sa !== 0) return sa;
  return a.doc < b.doc ? -1 : a.doc > b.doc ? 1 : 0;
}

export function filterRows(rows: readonly FollowUpRow[], f: RowFilter): FollowUpRow[] {
  return rows.filter((r) => matchesFilter(r, f)).sort(byDue);
}

export interface UnitCount {
  unit: string | null;
  open: number;
  overdue: number;
  dueSoon: number;
}

/** Per unit: open, 逾期 and 期前 counts, most overdue first (the chart and the 稽催通知單 list). */
export function countsByUnit(rows: readonly FollowUpRow[]): UnitCount[] {
  const by = new Map<string | null, UnitCount>();
  for (const r of rows) {
    const c = by.get(r.unit) ?? { unit: r.unit, open: 0, overdue: 0, dueSoon: 0 };
    c.open += 1;
    if (r.flag === "overdue") c.overdue += 1;
    if (r.flag === "due-soon") c.dueSoon += 1;
    by.set(r.unit, c);
  }
  return [...by.values()].sort((a, b) => b.overdue - a.overdue || b.dueSoon - a.dueSoon || String(a.unit).localeCompare(String(b.unit)));
}

/** The rows a unit's 稽催通知單 lists: its open documents that are 逾期 or 期前, by due date. */
export function noticeRows(rows: readonly FollowUpRow[], unit: string): FollowUpRow[] {
  return rows.filter((r) => r.unit === unit && r.flag !== "ok").sort(byDue);
}

/** The distinct values of a field, for a filter's choices (nulls left out), sorted. */
export function choices<K extends "unit" | "caseOfficer" | "speed" | "kind">(rows: readonly FollowUpRow[], key: K): string[] {
  const s = new Set<string>();
  for (const r of rows) {
    const v = r[key];
    if (typeof v === "string" && v) s.add(v);
  }
  return [...s].sort();
}
