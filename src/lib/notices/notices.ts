// Notices (期限提醒): which documents are 逾期 or 期前 for the person looking — pure functions over what
// this device keeps (the local index rows and, for the follow-up officer, the last follow-up listing),
// so the header's badge and the list work offline too.
//
// What must stay true: a flag is counted with the model's working-day rule on the office calendar
// the device keeps (the same years the server counts on), never with a date comparison of its own:
// 逾期 ⇔ the model's isPastDue(due, today); 期前 ⇔ not past due and at most N working days left
// (the model's deadlineOf: workingDaysBetween(today, due) ≤ N; N = the agency's 期前 days, 2 by default, as the server's
// follow-up listing and reminders use).
import { deadlineOf, type OfficeCalendar } from "@countersign/crdt-model";

/**
 * The statuses that end a document's time limit (辦結): 發文 for a letter, 存查 for a 簽, 歸檔 of a
 * paper document. A decided letter still waiting for 發文, or a document on paper not yet archived, is
 * still open for 稽催 (the model's OPEN_STATUSES stop at 決行, which is not 辦結).
 */
const CLOSED = new Set(["dispatched", "closed", "archived"]);
export const isUnclosed = (status: string): boolean => !CLOSED.has(status);

/** How many working days before the due date a document is 期前 (the server's default). */
export const DUE_SOON_DAYS = 2;

export type NoticeFlag = "overdue" | "due-soon";

/** One document a notice names. */
export interface Notice {
  doc: string;
  subject: string;
  due: string;
  flag: NoticeFlag;
  /** Working days left (期前) or working days past the due date (逾期). */
  days: number;
  unit: string | null;
  caseOfficer: string | null;
}

/** 逾期, 期前 or neither for a due date seen on `today`: the model's deadlineOf, as the server's listing flags it. */
export function flagOf(cal: OfficeCalendar, due: string, today: string, soonDays: number = DUE_SOON_DAYS, projectControl = false): { flag: NoticeFlag | null; days: number } {
  const d = deadlineOf({ baseDue: due, due, today, cal, dueSoonDays: soonDays, projectControl });
  const left = d.workingDaysLeft ?? 0;
  if (d.status === "overdue") return { flag: "overdue", days: -left };
  if (d.status === "due-soon") return { flag: "due-soon", days: Math.max(0, left) };
  return { flag: null, days: left };
}

/** What a notice needs from a local index row (LocalDocRow has it all). */
export interface NoticeSource {
  doc: string;
  subject: string;
  status: string;
  dueDate: string | null;
  unit: string | null;
  caseOfficer: string | null;
  holders: readonly string[];
  /** Under 專案管制: reported apart, never 逾期 or 期前. */
  projectControl?: boolean;
}

/** Who is looking: the person, their roles, and whether they follow up the agency (稽催管制). */
export interface NoticeViewer {
  person: string;
  roles: readonly string[];
}

/** Whether the document is the viewer's to act on: it waits on them (or their role), or they are its case officer. */
export function isMine(r: NoticeSource, v: NoticeViewer): boolean {
  if (r.caseOfficer === v.person) return true;
  return r.holders.some((h) => h === `person:${v.person}` || v.roles.some((role) => h === `role:${role}`));
}

/**
 * The notices of `rows` for `viewer` on `today`: open documents with a due date that are 逾期 or
 * 期前, the viewer's own (all of them for the follow-up officer: `agencyWide`), most overdue first.
 * A row seen twice (the local index and the follow-up listing) counts once.
 */
export function noticesOf(rows: readonly NoticeSource[], viewer: NoticeViewer, today: string, cal: OfficeCalendar, opts: { agencyWide: boolean; soonDays?: number }): Notice[] {
  const out = new Map<string, Notice>();
  // Thousands of rows share a few dozen due dates: each (due date, 專案管制) is counted once.
  const flags = new Map<string, ReturnType<typeof flagOf>>();
  for (const r of rows) {
    if (!r.dueDate || !isUnclosed(r.status) || out.has(r.doc)) continue;
    if (!opts.agencyWide && !isMine(r, viewer)) continue;
    const key = `${r.dueDate}|${r.projectControl ? 1 : 0}`;
    let known = flags.get(key);
    if (!known) flags.set(key, (known = flagOf(cal, r.dueDate, today, opts.soonDays, r.projectControl)));
    const { flag, days } = known;
    if (!flag) continue;
    out.set(r.doc, { doc: r.doc, subject: r.subject, due: r.dueDate, flag, days, unit: r.unit, caseOfficer: r.caseOfficer });
  }
  return [...out.values()].sort((a, b) => (a.flag !== b.flag ? (a.flag === "overdue" ? -1 : 1) : a.due < b.due ? -1 : a.due > b.due ? 1 : a.doc < b.doc ? -1 : 1));
}

export function countFlags(notices: readonly Notice[]): { overdue: number; soon: number } {
  let overdue = 0;
  let soon = 0;
  for (const n of notices) {
    if (n.flag === "overdue") overdue++;
    else soon++;
  }
  return { overdue, soon };
}
