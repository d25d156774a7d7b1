// The time facts of one document (時效管制): its 限辦日期, 展期 history, 辦結, days used and 逾期, from
// the derived (verified) workflow state, the agency's trusted times and the office calendar. The
// server writes one `time_facts` row per document from `timeFactsOf`; the app flags due dates with
// `deadlineOf`; the relay asks `needsLateReason` of a closing entry. One copy of each rule, here.
//
// What must stay true:
// - times are trusted ones (the agency's receipts: `startedAt`, `trustedAt(entry)`), a signer's
//   claimed time only where no receipt exists yet;
// - the due date in force moves only with an approved, signed 展期 (`WorkflowState.extendedDue`);
// - days are counted by days.ts (see its comment for the rule); 逾期 is `isPastDue`, never a plain
//   date comparison, and a document under 專案管制 is never counted 逾期.
import type { CountersignDocument } from "../schema/document.ts";
import type { WorkflowState } from "../workflow/derive.ts";
import type { EntryId } from "../ids.ts";
import type { Speed } from "../schema/metadata.ts";
import { SPEEDS } from "../schema/metadata.ts";
import type { Channel, Closing, ExtensionFact, IsoDay, OfficeCalendar, TimeFacts } from "./types.ts";
import { daysUsed, dueDateFor, isPastDue, workingDaysBetween } from "./days.ts";
import { isIsoDay, taipeiDay } from "./iso-day.ts";

/**
 * Kinds without a time limit: a 便簽 (note) is an internal jotting, not a 公文 to be handled by a
 * date. Their rows count in totals (and days used) but have no due date and are never 逾期. Every
 * other kind is controlled, also before its workflow starts (a received letter waiting on its case
 * officer is already counting days).
 */
export const UNCONTROLLED_KINDS: readonly string[] = ["note"];

/** 期前 by default: due within this many working days (today included when it is the due day). */
export const DEFAULT_DUE_SOON_DAYS = 2;

/**
 * The first 限辦日期 (before any 展期). 收文 with a stated date (來文限期, as registered): that date.
 * Otherwise the earlier of a stated date and 速別's working days after the start day: a drafter may
 * set a shorter limit than 速別's, never a longer one.
 */
export function baseDueFor(input: { origin: "received" | "created"; stated: IsoDay | null; speed: Speed; startDay: IsoDay; cal: OfficeCalendar }): IsoDay {
  const stated = input.stated !== null && isIsoDay(input.stated) ? input.stated : null;
  if (input.origin === "received" && stated) return stated;
  const bySpeed = dueDateFor(input.cal, input.speed, input.startDay);
  return stated && stated < bySpeed ? stated : bySpeed;
}

/** What `timeFactsOf` takes: the server gathers it (sync-server/src/deadline/). */
export interface TimeFactsInput {
  doc: CountersignDocument;
  state: WorkflowState;
  /** When the server first stored the document (its first receipt): the trusted 收文 / 創稿 time. */
  startedAt: string;
  origin: "received" | "created";
  incoming: Channel | null;
  outgoing: Channel | null;
  /** The agency's receipt time of an entry, if it has one. */
  trustedAt: (entry: EntryId) => string | undefined;
  calendar: OfficeCalendar;
  now: Date;
}

/** The document's time facts (one `time_facts` row). */
export function timeFactsOf(input: TimeFactsInput): TimeFacts {
  const { doc, state, calendar: cal } = input;
  const meta = doc.metadata();
  const kind = meta.ok ? meta.value.kind : "other";
  const speed: Speed = meta.ok && SPEEDS.includes(meta.value.speed) ? meta.value.speed : "ordinary";
  const controlled = !UNCONTROLLED_KINDS.includes(kind);
  const startDay = taipeiDay(input.startedAt);
  const claimed = new Map(state.timeline.map((t) => [t.id, t.at]));
  const timeOf = (entry: EntryId): string => input.trustedAt(entry) ?? claimed.get(entry) ?? input.startedAt;

  const baseDue = controlled ? baseDueFor({ origin: input.origin, stated: meta.ok ? meta.value.dueDate : null, speed, startDay, cal }) : null;
  const due = controlled ? (state.extendedDue ?? baseDue) : null;
  const extensions: ExtensionFact[] = state.extensions.map((x) => ({
    ...x,
    requestedAt: input.trustedAt(x.request) ?? x.requestedAt,
    decision: x.decision ? { ...x.decision, at: input.trustedAt(x.decision.entry) ?? x.decision.at } : null,
  }));

  const closed = closingOf(state);
  const closedAt = closed ? timeOf(closed.entry) : null;
  const closeDay = closedAt ? taipeiDay(closedAt) : null;
  const today = taipeiDay(input.now);
  const endDay = closeDay ?? today;
  // A close (or a clock) before the start is counted as a same-day completion rather than refused.
  const used = daysUsed(cal, startDay, endDay < startDay ? startDay : endDay);
  const paper = state.status === "on-paper" || state.paperRecord !== null || state.timeline.some((t) => t.action === "switch-to-paper" && t.outcome === "applied");

  return {
    doc: doc.id,
    unit: state.unit,
    caseOfficer: state.caseOfficer,
    kind,
    speed,
    secrecy: state.secrecy,
    origin: input.origin,
    incoming: input.origin === "received" ? input.incoming : null,
    outgoing: closed?.closing === "dispatch" ? input.outgoing : null,
    startedAt: input.startedAt,
    startDay,
    controlled,
    baseDue,
    due,
    extensions,
    projectControl: state.projectControl,
    closedAt,
    closeDay,
    closing: closed?.closing ?? null,
    mode: paper ? "paper" : "online",
    daysUsed: used,
    overdue: controlled && due !== null && !state.projectControl && isPastDue(cal, due, endDay),
    lateReason: state.lateReason,
    updatedAt: input.now.toISOString(),
  };
}

/** 辦結: 發文 for a letter, 存查 for a 簽, else the 歸檔 of a paper document; null while open. */
function closingOf(s: WorkflowState): { closing: Closing; entry: EntryId } | null {
  if (s.dispatch) return { closing: "dispatch", entry: s.dispatch.entry };
  if (s.closed) return { closing: "close", entry: s.closed.entry };
  if (s.archive) return { closing: "archive", entry: s.archive.entry };
  return null;
}

export type DeadlineStatus = "ok" | "due-soon" | "overdue" | "none";

export interface Deadline {
  baseDue: IsoDay | null;
  /** The due date in force (the last approved 展期's, else baseDue). */
  due: IsoDay | null;
  status: DeadlineStatus;
  /** Working days from today to the due date (0 on the due day, negative once past); null without one. */
  workingDaysLeft: number | null;
}

/**
 * A due date as the app flags it on `today`: "none" without a due date, once 辦結 or under 專案管制;
 * "overdue" once a working day after it has begun (`isPastDue`); "due-soon" (期前) when it is at most
 * `dueSoonDays` working days away (the due day itself included); else "ok". `due` defaults to the
 * last approved extension's `until`, else `baseDue`.
 */
export function deadlineOf(input: {
  baseDue: IsoDay | null;
  due?: IsoDay | null;
  extensions?: readonly Pick<ExtensionFact, "until" | "decision">[];
  finished?: boolean;
  projectControl?: boolean;
  today: IsoDay;
  cal: OfficeCalendar;
  dueSoonDays?: number;
}): Deadline {
  let due = input.due ?? input.baseDue;
  if (input.due === undefined) for (const x of input.extensions ?? []) if (x.decision?.approved) due = x.until;
  if (due === null) return { baseDue: input.baseDue, due: null, status: "none", workingDaysLeft: null };
  const left = workingDaysBetween(input.cal, input.today, due);
  let status: DeadlineStatus;
  if (input.finished || input.projectControl) status = "none";
  else if (isPastDue(input.cal, due, input.today)) status = "overdue";
  else status = left <= (input.dueSoonDays ?? DEFAULT_DUE_SOON_DAYS) ? "due-soon" : "ok";
  return { baseDue: input.baseDue, due, status, workingDaysLeft: left };
}

/**
 * Whether a closing entry (發文, 存查, 歸檔) made on `closingDay` must carry a 逾期原因: a controlled,
 * still open document, not under 專案管制, past its due date in force on that day, and no 逾期原因 given
 * yet (a 逾期原因 entry before the closing counts). Pass the calendar so a closing on the day off
 * right after the due date is treated as days.ts counts it (in time); without one, any later day is late.
 */
export function needsLateReason(facts: Pick<TimeFacts, "controlled" | "due" | "closing" | "projectControl" | "lateReason">, closingDay: IsoDay, cal?: OfficeCalendar): boolean {
  if (!facts.controlled || facts.due === null || facts.closing !== null || facts.projectControl || facts.lateReason !== null) return false;
  return cal ? isPastDue(cal, facts.due, closingDay) : closingDay > facts.due;
}
