// 時效管制 rows (migration 8) as both SQL stores hold them, and back to the model's shapes. The same
// columns and meanings on SQLite and PostgreSQL; booleans are INTEGER 0/1 on both, so reports' SQL
// (reports engine) is one text for both stores.
import { uncheckedFromStore, type CalendarDay, type Closing, type ExtensionFact, type IsoDay, type TimeFacts } from "@countersign/crdt-model";

/** A `time_facts` row, as both drivers give it back (PostgreSQL's INTEGER is a number too). */
export interface TimeFactsDbRow {
  doc: string;
  unit: string | null;
  case_officer: string | null;
  kind: string;
  speed: string;
  secrecy: string;
  origin: string;
  incoming: string | null;
  outgoing: string | null;
  started_at: string;
  start_day: string;
  controlled: number;
  base_due: string | null;
  due: string | null;
  extension_count: number;
  extension_days: number;
  project_control: number;
  closed_at: string | null;
  close_day: string | null;
  closing: string | null;
  mode: string;
  days_used: number | null;
  overdue: number;
  late_reason: string | null;
  updated_at: string;
}

export interface ExtensionDbRow {
  doc: string;
  request: string;
  requested_by: string;
  requested_at: string;
  request_day: string;
  reason: string;
  until: string;
  project: number;
  decision: string | null;
  decided_by: string | null;
  decided_at: string | null;
  approved: number | null;
}

/** The column order both stores write time_facts in (SQLite's positional parameters, PostgreSQL's unnest arrays). */
export const TIME_FACTS_COLUMNS = [
  "doc", "unit", "case_officer", "kind", "speed", "secrecy", "origin", "incoming", "outgoing", "started_at", "start_day",
  "controlled", "base_due", "due", "extension_count", "extension_days", "project_control", "closed_at", "close_day", "closing",
  "mode", "days_used", "overdue", "late_reason", "updated_at",
] as const;

export const EXTENSION_COLUMNS = [
  "doc", "request", "requested_by", "requested_at", "request_day", "reason", "until", "project", "decision", "decided_by", "decided_at", "approved",
] as const;

const bit = (b: boolean): number => (b ? 1 : 0);
const DAY_MS = 86_400_000;

/**
 * The Taipei calendar day of an instant (UTC+8 all year: Taiwan keeps no daylight saving). A bad
 * instant keeps its first ten characters, so a row is never refused for it.
 */
export function taipeiDayOf(at: string): IsoDay {
  const t = Date.parse(at);
  return Number.isNaN(t) ? at.slice(0, 10) : new Date(t + 8 * 3600_000).toISOString().slice(0, 10);
}

/** Calendar days from one day to a later one (0 when either is missing or `to` is not later). */
export function calendarDaysAfter(from: IsoDay | null, to: IsoDay | null): number {
  if (!from || !to) return 0;
  const d = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
  return Number.isFinite(d) && d > 0 ? d : 0;
}

/**
 * What must stay true: extension_count is the number of approved 展期; extension_days the calendar
 * days the due date in force lies after the first due date (baseDue), 0 when it does not.
 */
export function timeFactsColumns(f: TimeFacts): unknown[] {
  return [
    f.doc, f.unit, f.caseOfficer, f.kind, f.speed, f.secrecy, f.origin, f.incoming, f.outgoing, f.startedAt, f.startDay,
    bit(f.controlled), f.baseDue, f.due, f.extensions.filter((e) => e.decision?.approved).length, calendarDaysAfter(f.baseDue, f.due),
    bit(f.projectControl), f.closedAt, f.closeDay, f.closing, f.mode, f.daysUsed, bit(f.overdue), f.lateReason, f.updatedAt,
  ];
}

export function extensionColumns(doc: string, e: ExtensionFact): unknown[] {
  return [
    doc, e.request, e.requestedBy, e.requestedAt, taipeiDayOf(e.requestedAt), e.reason, e.until, bit(e.project),
    e.decision?.entry ?? null, e.decision?.by ?? null, e.decision?.at ?? null, e.decision ? bit(e.decision.approved) : null,
  ];
}

export function toExtension(r: ExtensionDbRow): ExtensionFact {
  return {
    request: uncheckedFromStore.entry(r.request),
    requestedBy: uncheckedFromStore.person(r.requested_by),
    requestedAt: r.requested_at,
    reason: r.reason,
    until: r.until,
    project: r.project === 1,
    decision:
      r.decision !== null && r.decided_by !== null && r.decided_at !== null && r.approved !== null
        ? { entry: uncheckedFromStore.entry(r.decision), by: uncheckedFromStore.person(r.decided_by), at: r.decided_at, approved: Number(r.approved) === 1 }
        : null,
  };
}

export function toTimeFacts(r: TimeFactsDbRow, extensions: ExtensionFact[]): TimeFacts {
  return {
    doc: uncheckedFromStore.doc(r.doc),
    unit: r.unit === null ? null : uncheckedFromStore.unit(r.unit),
    caseOfficer: r.case_officer === null ? null : uncheckedFromStore.person(r.case_officer),
    kind: r.kind,
    speed: r.speed,
    secrecy: r.secrecy,
    origin: r.origin === "received" ? "received" : "created",
    incoming: r.incoming === "exchange" || r.incoming === "paper" ? r.incoming : null,
    outgoing: r.outgoing === "exchange" || r.outgoing === "paper" ? r.outgoing : null,
    startedAt: r.started_at,
    startDay: r.start_day,
    controlled: Number(r.controlled) === 1,
    baseDue: r.base_due,
    due: r.due,
    extensions,
    projectControl: Number(r.project_control) === 1,
    closedAt: r.closed_at,
    closeDay: r.close_day,
    closing: (r.closing as Closing | null) ?? null,
    mode: r.mode === "paper" ? "paper" : "online",
    daysUsed: r.days_used === null ? null : Number(r.days_used),
    overdue: Number(r.overdue) === 1,
    lateReason: r.late_reason,
    updatedAt: r.updated_at,
  };
}

export const toCalendarDay = (r: { day: string; off: number; note: string }): CalendarDay => ({ day: r.day, off: Number(r.off) === 1, note: r.note });

/** A document listed twice keeps its last row (one statement must not write a row twice). */
export const lastPerDoc = (rows: readonly TimeFacts[]): TimeFacts[] => [...new Map(rows.map((r) => [r.doc, r])).values()];
