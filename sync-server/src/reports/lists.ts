// The per-document reports: (二) 未辦結公文稽催通知單, (六) 展期原因彙整表, (七) 逾限原因彙整表. Rows are
// documents (or 展期 requests), by unit in the directory's order; the chart counts them per unit.
// Days late are calendar days (the due date in force to the closing day, or to the as-of day).
import type { ReportParam } from "../storage/types.ts";
import { LIST_CHART_COLUMNS } from "./catalogue.ts";
import { dayDiff } from "./input.ts";
import { lit } from "./aggregates.ts";
import { nameOf, num, numOrNull, SPEED_WORDS, str, unitFilter, unitKey, unitsWithData } from "./sql.ts";
import type { ReportContext, ReportBody } from "./types.ts";

type Row = Record<string, string | number | null>;

/** Sorts rows by their unit in the directory's order (then as the query ordered them) and charts the count per unit. */
function byUnit(c: ReportContext, raw: { unitKey: string; row: Row }[]): ReportBody {
  const units = unitsWithData(c.units, raw.map((r) => r.unitKey), null);
  const order = new Map(units.map((u, i) => [u.key, i]));
  const name = new Map(units.map((u) => [u.key, u]));
  const sorted = raw.map((r, i) => ({ ...r, i })).sort((a, b) => order.get(a.unitKey)! - order.get(b.unitKey)! || a.i - b.i);
  const rows = sorted.map((r) => ({ unitId: name.get(r.unitKey)!.id, unitName: name.get(r.unitKey)!.name, ...r.row }));
  const counts = new Map<string, number>();
  for (const r of sorted) counts.set(r.unitKey, (counts.get(r.unitKey) ?? 0) + 1);
  const points = units.filter((u) => counts.has(u.key)).map((u) => ({ unitName: u.name, count: counts.get(u.key)! }));
  return { rows, totals: null, chart: { type: "bar", x: "unitName", series: ["count"], columns: [...LIST_CHART_COLUMNS], points } };
}

const DOC_COLS = "t.doc AS doc, t.unit AS unit, t.case_officer AS case_officer, d.subject AS subject, d.doc_number AS doc_number";

/** (二) controlled documents started in the range and still open at the as-of day, by due date. */
export async function reminders(c: ReportContext): Promise<ReportBody> {
  const { from, to, asOf, unit } = c.range;
  const u = unitFilter(unit);
  const cols = `${DOC_COLS}, t.speed AS speed, t.start_day AS start_day, t.due AS due, t.extension_count AS extension_count, t.project_control AS project_control`;
  const where = `t.controlled = 1 AND t.due IS NOT NULL AND t.start_day >= ? AND t.start_day <= ? AND t.start_day <= ${lit(asOf)}${u.sql}`;
  const params: ReportParam[] = [from, to, ...u.params];
  const sql = `SELECT * FROM (
      SELECT ${cols} FROM time_facts t LEFT JOIN doc_index d ON d.doc = t.doc WHERE t.close_day IS NULL AND ${where}
      UNION ALL SELECT ${cols} FROM time_facts t LEFT JOIN doc_index d ON d.doc = t.doc WHERE t.close_day > ${lit(asOf)} AND ${where}
    ) r ORDER BY r.due, r.doc`;
  const person = nameOf(c.people);
  const raw = (await c.store.reportRows(sql, [...params, ...params])).map((r) => {
    const due = String(r.due);
    const project = num(r.project_control) === 1;
    const late = !project && due < asOf;
    return {
      unitKey: unitKey(r.unit),
      row: {
        doc: String(r.doc),
        docNumber: str(r.doc_number),
        subject: str(r.subject),
        caseOfficerName: person(r.case_officer),
        speed: SPEED_WORDS[String(r.speed)] ?? String(r.speed),
        startDay: str(r.start_day),
        due,
        status: project ? "專案管制" : late ? "逾期" : "未逾期",
        daysLate: late ? dayDiff(due, asOf) : null,
        extensionCount: num(r.extension_count),
      },
    };
  });
  return byUnit(c, raw);
}

/** (六) every 展期 requested in the range, with its decision and reason. */
export async function extensions(c: ReportContext): Promise<ReportBody> {
  const { from, end, unit } = c.range;
  const u = unitFilter(unit);
  const sql = `SELECT ${DOC_COLS}, t.base_due AS base_due, x.request_day AS request_day, x.until AS until, x.approved AS approved,
      x.decided_by AS decided_by, x.project AS project, x.reason AS reason
    FROM time_extensions x JOIN time_facts t ON t.doc = x.doc LEFT JOIN doc_index d ON d.doc = t.doc
    WHERE x.request_day >= ? AND x.request_day <= ?${u.sql}
    ORDER BY x.request_day, t.doc, x.request`;
  const person = nameOf(c.people);
  const raw = (await c.store.reportRows(sql, [from, end, ...u.params])).map((r) => {
    const approved = numOrNull(r.approved);
    return {
      unitKey: unitKey(r.unit),
      row: {
        doc: String(r.doc),
        docNumber: str(r.doc_number),
        subject: str(r.subject),
        caseOfficerName: person(r.case_officer),
        requestDay: str(r.request_day),
        baseDue: str(r.base_due),
        until: str(r.until),
        decision: approved === null ? "待核定" : approved === 1 ? "核准" : "不准",
        decidedByName: person(r.decided_by),
        project: num(r.project) === 1 ? "是" : "否",
        reason: str(r.reason),
      },
    };
  });
  return byUnit(c, raw);
}

/** (七) documents closed late in the range, and those open and overdue at its end, with their reasons. */
export async function lateness(c: ReportContext): Promise<ReportBody> {
  const { from, end, unit } = c.range;
  const u = unitFilter(unit);
  const cols = `${DOC_COLS}, t.speed AS speed, t.start_day AS start_day, t.due AS due, t.days_used AS days_used, t.late_reason AS late_reason`;
  const overdueOpen = `t.controlled = 1 AND t.project_control = 0 AND t.due IS NOT NULL AND t.due < ${lit(end)} AND t.start_day <= ${lit(end)}${u.sql}`;
  const sql = `SELECT * FROM (
      SELECT ${cols}, t.close_day AS close_day FROM time_facts t LEFT JOIN doc_index d ON d.doc = t.doc
        WHERE t.close_day >= ? AND t.close_day <= ? AND t.overdue = 1${u.sql}
      UNION ALL SELECT ${cols}, NULL AS close_day FROM time_facts t LEFT JOIN doc_index d ON d.doc = t.doc
        WHERE t.close_day IS NULL AND ${overdueOpen}
      UNION ALL SELECT ${cols}, NULL AS close_day FROM time_facts t LEFT JOIN doc_index d ON d.doc = t.doc
        WHERE t.close_day > ${lit(end)} AND ${overdueOpen}
    ) r ORDER BY r.due, r.doc`;
  const person = nameOf(c.people);
  const raw = (await c.store.reportRows(sql, [from, end, ...u.params, ...u.params, ...u.params])).map((r) => {
    const due = String(r.due);
    const closeDay = str(r.close_day);
    return {
      unitKey: unitKey(r.unit),
      row: {
        doc: String(r.doc),
        docNumber: str(r.doc_number),
        subject: str(r.subject),
        caseOfficerName: person(r.case_officer),
        speed: SPEED_WORDS[String(r.speed)] ?? String(r.speed),
        startDay: str(r.start_day),
        due,
        closeDay,
        daysUsed: closeDay === null ? null : numOrNull(r.days_used),
        daysLate: dayDiff(due, closeDay ?? end),
        lateReason: str(r.late_reason),
      },
    };
  });
  return byUnit(c, raw);
}
