// One document's deadline as its page shows it, from the derived (verified) workflow state: the due
// date in force (the last approved 展期's, else the first one), the first one, a 展期 request waiting
// for its decision, 專案管制, the 逾期原因, the 期前 / 逾期 flag, and whether closing it now needs a
// reason. Counted with the model's functions on the office calendar this device keeps.
//
// What must stay true: the due date in force moves only with an approved, signed 展期 entry; the first
// due date is the one the document states (收文: as registered; 創稿: as drafted), else its 速別's
// working days after the day of its first signed entry.
import { SPEEDS, dueDateFor, isIsoDay, isPastDue, taipeiDay, type EntryId, type IsoDay, type Metadata, type PersonId, type OfficeCalendar, type WorkflowState } from "@countersign/crdt-model";
import { dueFlag, isTimeFinished, type DueFlag } from "./due.ts";

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

/** The first 限辦日期: the stated one, else 速別's working days after the first signed entry's day. */
export function baseDueOf(ws: Pick<WorkflowState, "timeline">, meta: Pick<Metadata, "dueDate" | "speed"> | null, cal: OfficeCalendar): IsoDay | null {
  if (meta?.dueDate && isIsoDay(meta.dueDate)) return meta.dueDate;
  const first = ws.timeline.find((t) => t.outcome !== "invalid")?.at;
  if (!meta || !first || !SPEEDS.includes(meta.speed)) return null;
  try {
    return dueDateFor(cal, meta.speed, taipeiDay(first));
  } catch {
    return null; // a claimed time that does not parse: no due date rather than a wrong one
  }
}

export function docDeadline(ws: Deadlined, meta: Pick<Metadata, "dueDate" | "speed"> | null, cal: OfficeCalendar, today: IsoDay): DocDeadline {
  const base = baseDueOf(ws, meta, cal);
  let due = base;
  let approved = 0;
  for (const x of ws.extensions)
    if (x.decision?.approved) {
      due = x.until;
      approved++;
    }
  const waiting = ws.extensions.find((x) => x.decision === null);
  const finished = isTimeFinished(ws.status);
  return {
    base,
    due,
    approved,
    pending: waiting ? { request: waiting.request, requestedBy: waiting.requestedBy, until: waiting.until, reason: waiting.reason, project: waiting.project } : null,
    project: ws.projectControl,
    lateReason: ws.lateReason,
    finished,
    flag: dueFlag(cal, due, today, finished),
  };
}

/**
 * The actions that finish a document (辦結: 發文, 存查, 歸檔) and so carry a 逾期原因 when late. 線上補登
 * does not finish one (the archives' 歸檔 of the paper document does), so it is not asked.
 */
export const CLOSING_KINDS: readonly string[] = ["dispatch", "close", "archive"];

/** Whether closing (發文, 存查, 歸檔, 線上補登) on `day` needs a 逾期原因: past the due date in force, and none given yet. */
export function closingNeedsReason(d: DocDeadline, day: IsoDay, cal: OfficeCalendar): boolean {
  return !d.finished && d.due !== null && d.lateReason === null && isPastDue(cal, d.due, day);
}
