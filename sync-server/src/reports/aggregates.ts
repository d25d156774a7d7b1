// The counts the reports and the KPIs are made of, each one GROUP BY query over an index range of
// time_facts (migration 9), grouped by unit or by month. Sums come back per group; averages and rates
// are made from sums in JS, so a total row is the sum of its units' sums (never an average of averages).
//
// What must stay true: "started in [from, end]" reads start_day through time_facts_start; "closed in
// [from, end]" reads close_day through time_facts_close; no query here reads every document.
import type { UnitId } from "@countersign/crdt-model";
import type { ReportParam, Store } from "../storage/types.ts";
import { num, unitFilter, unitKey } from "./sql.ts";

export type GroupBy = "unit" | "month";
export type Sums = Record<string, number>;

/** A validated YYYY-MM-DD day as an SQL literal (safe: checked here, never raw input). */
export function lit(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`Not a day: ${day}`);
  return `'${day}'`;
}

const groupExpr = (by: GroupBy, dayCol: string): string => (by === "unit" ? "t.unit" : `SUBSTR(${dayCol}, 1, 7)`);

async function grouped(store: Store, sql: string, params: ReportParam[]): Promise<Map<string, Sums>> {
  const out = new Map<string, Sums>();
  for (const r of await store.reportRows(sql, params)) {
    const sums: Sums = {};
    for (const [k, v] of Object.entries(r)) if (k !== "g") sums[k] = num(v);
    out.set(unitKey(r.g), sums);
  }
  return out;
}

/**
 * Documents started (收文 / 創稿) in [from, end]: documents; received (收文), created (創稿); secret
 * (密等 not 普通, either origin); exchangeIn (received by electronic exchange); by 速別 (mostUrgent,
 * urgent, ordinary), and of those, closed by `closedBy` (closed_by, with days_by; the keys differ from
 * closedSums', so both can feed one row) with their days used (for (一)); extended.
 */
export function startedSums(store: Store, q: { from: string; end: string; unit: UnitId | null; by: GroupBy; closedBy?: string }): Promise<Map<string, Sums>> {
  const u = unitFilter(q.unit);
  const c = `t.close_day IS NOT NULL AND t.close_day <= ${lit(q.closedBy ?? q.end)}`;
  const bySpeed = (key: string, speed: string): string =>
    `SUM(CASE WHEN t.speed = '${speed}' THEN 1 ELSE 0 END) AS ${key},
     SUM(CASE WHEN t.speed = '${speed}' AND ${c} THEN 1 ELSE 0 END) AS ${key}_closed,
     SUM(CASE WHEN t.speed = '${speed}' AND ${c} THEN COALESCE(t.days_used, 0) ELSE 0 END) AS ${key}_days`;
  const sql = `SELECT ${groupExpr(q.by, "t.start_day")} AS g,
      COUNT(*) AS documents,
      SUM(CASE WHEN t.origin = 'received' THEN 1 ELSE 0 END) AS received,
      SUM(CASE WHEN t.origin = 'created' THEN 1 ELSE 0 END) AS created,
      SUM(CASE WHEN t.secrecy <> 'none' THEN 1 ELSE 0 END) AS secret,
      SUM(CASE WHEN t.incoming = 'exchange' THEN 1 ELSE 0 END) AS exchange_in,
      ${bySpeed("most_urgent", "most-urgent")},
      ${bySpeed("urgent", "urgent")},
      ${bySpeed("ordinary", "ordinary")},
      SUM(CASE WHEN ${c} THEN 1 ELSE 0 END) AS closed_by,
      SUM(CASE WHEN ${c} THEN COALESCE(t.days_used, 0) ELSE 0 END) AS days_by,
      MAX(CASE WHEN ${c} THEN t.days_used ELSE NULL END) AS max_days,
      SUM(CASE WHEN t.extension_count > 0 THEN 1 ELSE 0 END) AS extended
    FROM time_facts t WHERE t.start_day >= ? AND t.start_day <= ?${u.sql}
    GROUP BY ${groupExpr(q.by, "t.start_day")}`;
  return grouped(store, sql, [q.from, q.end, ...u.params]);
}

/**
 * Documents closed (辦結) in [from, end]: closed; late (closed after the due date in force, the stored
 * overdue); days (working days used, summed); online (signed online) with its days and late; dispatched
 * (發文, any channel) and exchangeOut (發文 by electronic exchange).
 */
export function closedSums(store: Store, q: { from: string; end: string; unit: UnitId | null; by: GroupBy }): Promise<Map<string, Sums>> {
  const u = unitFilter(q.unit);
  const sql = `SELECT ${groupExpr(q.by, "t.close_day")} AS g,
      COUNT(*) AS closed,
      SUM(CASE WHEN t.overdue = 1 THEN 1 ELSE 0 END) AS late,
      SUM(COALESCE(t.days_used, 0)) AS days,
      SUM(CASE WHEN t.mode = 'online' THEN 1 ELSE 0 END) AS online,
      SUM(CASE WHEN t.mode = 'online' THEN COALESCE(t.days_used, 0) ELSE 0 END) AS online_days,
      SUM(CASE WHEN t.mode = 'online' AND t.overdue = 1 THEN 1 ELSE 0 END) AS online_late,
      SUM(CASE WHEN t.outgoing IS NOT NULL THEN 1 ELSE 0 END) AS dispatched,
      SUM(CASE WHEN t.outgoing = 'exchange' THEN 1 ELSE 0 END) AS exchange_out
    FROM time_facts t WHERE t.close_day >= ? AND t.close_day <= ?${u.sql}
    GROUP BY ${groupExpr(q.by, "t.close_day")}`;
  return grouped(store, sql, [q.from, q.end, ...u.params]);
}

/** Approved 展期 requested in [from, end] (the request's day), by the document's unit: extensions. */
export function extensionSums(store: Store, q: { from: string; end: string; unit: UnitId | null; by: GroupBy }): Promise<Map<string, Sums>> {
  const u = unitFilter(q.unit);
  const sql = `SELECT ${groupExpr(q.by, "x.request_day")} AS g, COUNT(*) AS extensions
    FROM time_extensions x JOIN time_facts t ON t.doc = x.doc
    WHERE x.request_day >= ? AND x.request_day <= ? AND x.approved = 1${u.sql}
    GROUP BY ${groupExpr(q.by, "x.request_day")}`;
  return grouped(store, sql, [q.from, q.end, ...u.params]);
}

/**
 * (三)'s base: every document to handle in [from, end] — closed in it, or open at its end (started by
 * then) — as closed-in-range plus the two open-at-end ranges: carried (started before from), received,
 * created (started in it), closed, late, days, openLate (open at end, controlled, not 專案管制, due
 * before end), project (專案管制).
 */
export function handledSums(store: Store, q: { from: string; end: string; unit: UnitId | null }): Promise<Map<string, Sums>> {
  const u = unitFilter(q.unit);
  const cols = "t.unit, t.origin, t.start_day, t.controlled, t.project_control, t.due, t.overdue, t.days_used";
  const sql = `SELECT h.unit AS g,
      SUM(CASE WHEN h.start_day < ${lit(q.from)} THEN 1 ELSE 0 END) AS carried,
      SUM(CASE WHEN h.start_day >= ${lit(q.from)} AND h.origin = 'received' THEN 1 ELSE 0 END) AS received,
      SUM(CASE WHEN h.start_day >= ${lit(q.from)} AND h.origin = 'created' THEN 1 ELSE 0 END) AS created,
      SUM(h.closed) AS closed,
      SUM(CASE WHEN h.closed = 1 AND h.overdue = 1 THEN 1 ELSE 0 END) AS late,
      SUM(CASE WHEN h.closed = 1 THEN COALESCE(h.days_used, 0) ELSE 0 END) AS days,
      SUM(CASE WHEN h.closed = 0 AND h.controlled = 1 AND h.project_control = 0 AND h.due IS NOT NULL AND h.due < ${lit(q.end)} THEN 1 ELSE 0 END) AS open_late,
      SUM(h.project_control) AS project
    FROM (
      SELECT ${cols}, 1 AS closed FROM time_facts t WHERE t.close_day >= ? AND t.close_day <= ?${u.sql}
      UNION ALL SELECT ${cols}, 0 AS closed FROM time_facts t WHERE t.close_day IS NULL AND t.start_day <= ?${u.sql}
      UNION ALL SELECT ${cols}, 0 AS closed FROM time_facts t WHERE t.close_day > ? AND t.start_day <= ?${u.sql}
    ) h
    GROUP BY h.unit`;
  return grouped(store, sql, [q.from, q.end, ...u.params, q.end, ...u.params, q.end, q.end, ...u.params]);
}

/** The sum of every group's sums (a total row). */
export function total(groups: Iterable<Sums>): Sums {
  const t: Sums = {};
  for (const g of groups) for (const [k, v] of Object.entries(g)) t[k] = k.startsWith("max_") ? Math.max(t[k] ?? 0, v) : (t[k] ?? 0) + v;
  return t;
}
