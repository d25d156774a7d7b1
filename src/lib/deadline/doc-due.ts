// One document's deadline as its page shows it, from the derived (verified) workflow state: the due
// date in force (the last approved 展期's, else the first one), the first one, a 展期 request waiting
// for its decision, 專案管制, the 逾期原因, the 期前 / 逾期 flag, and whether closing it now needs a
// reason. Counted with the model's functions on the office calendar this device keeps.
//
// What must stay true: the due date in force moves only with an approved, signed 展期 entry; the first
// due date is the model's (baseDueFor, as the server's time facts count it): 收文 with a stated date,
// that date; otherwise the earlier of the stated date and 速別's working days after the start day —
// here the day of the first signed entry (the server uses its first receipt: the same day in practice).
// The flag is the model's deadlineOf; whether a closing needs a 逾期原因 is the relay's needsLateReason.
import {
  SPEEDS,
  UNCONTROLLED_KINDS,
  baseDueFor,
  deadlineOf,
  isIsoDay,
  needsLateReason,
  taipeiDay,
  type EntryId,
  type IsoDay,
  type Metadata,
  type PersonId,
  type OfficeCalendar,
  type WorkflowState,
} from "@countersign/crdt-model";
import { isTimeFinished, type DueFlag } from "./due.ts";

export interface PendingExtension {
  request: EntryId;
  requestedBy: PersonId;
  until: IsoDay;
  reason: string;
  project: boolean;
}

export interface DocDeadline {
  /** The 限辦日期 before any 展期. */
  base: IsoDay | null;
  /** The 限辦日期 in force. */
  due: IsoDay | null;
  /** Approved extensions (the due date in force is the last one's). */
  approved: number;
  pending: PendingExtension | null;
  project: boolean;
  lateReason: string | null;
  finished: boolean;
  flag: DueFlag;
}

type Deadlined = Pick<WorkflowState, "status" | "timeline" | "extensions" | "lateReason" | "projectControl">;

type DueMeta = Pick<Metadata, "dueDate" | "speed" | "kind" | "receiptNumber">;

/** The first 限辦日期 (the model's baseDueFor); null for a kind not controlled (便簽) or nothing to count from. */
export function baseDueOf(ws: Pick<WorkflowState, "timeline">, meta: DueMeta | null, cal: OfficeCalendar, today: IsoDay): IsoDay | null {
  if (!meta || UNCONTROLLED_KINDS.includes(meta.kind)) return null;
  const stated = meta.dueDate && isIsoDay(meta.dueDate) ? meta.dueDate : null;
  if (!SPEEDS.includes(meta.speed)) return stated;
  // 收文: registered by the registry desk (a 收文號) — its stated date rules.
  const origin = meta.receiptNumber ? "received" : "created";
  const first = ws.timeline.find((t) => t.outcome !== "invalid")?.at;
  try {
    return baseDueFor({ origin, stated, speed: meta.speed, startDay: first ? taipeiDay(first) : today, cal });
  } catch {
    return stated; // a claimed time that does not parse: the stated date rather than a wrong one
  }
}

export function docDeadline(ws: Deadlined, meta: DueMeta | null, cal: OfficeCalendar, today: IsoDay): DocDeadline {
  const base = baseDueOf(ws, meta, cal, today);
  const finished = isTimeFinished(ws.status);
  const d = deadlineOf({ baseDue: base, extensions: ws.extensions, finished, projectControl: ws.projectControl, today, cal });
  const waiting = ws.extensions.find((x) => x.decision === null);
  return {
    base,
    due: d.due,
    approved: ws.extensions.filter((x) => x.decision?.approved).length,
    pending: waiting ? { request: waiting.request, requestedBy: waiting.requestedBy, until: waiting.until, reason: waiting.reason, project: waiting.project } : null,
    project: ws.projectControl,
    lateReason: ws.lateReason,
    finished,
    flag: d.status,
  };
}

/**
 * The actions that finish a document (辦結: 發文, 存查, 歸檔) and so carry a 逾期原因 when late. 線上補登
 * does not finish one (the archives' 歸檔 of the paper document does), so it is not asked.
 */
export const CLOSING_KINDS: readonly string[] = ["dispatch", "close", "archive"];

/** Whether closing (發文, 存查, 歸檔, 線上補登) on `day` needs a 逾期原因: past the due date in force, and none given yet. */
export function closingNeedsReason(d: DocDeadline, day: IsoDay, cal: OfficeCalendar): boolean {
  return needsLateReason({ controlled: d.base !== null, due: d.due, closing: d.finished ? "close" : null, projectControl: d.project, lateReason: d.lateReason }, day, cal);
}
