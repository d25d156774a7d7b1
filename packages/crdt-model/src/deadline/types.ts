// 時效管制: the shapes shared by the model's calendar and deadline functions, the server's time-facts
// table and reports, and the app's due dates, follow-up desk and notices. Written first, as the
// contract the parts are built against; the functions live beside this file.
//
// What must stay true: a day is a calendar day in Taiwan written YYYY-MM-DD ("IsoDay"); an instant is
// ISO 8601 UTC. Time facts are derived from the verified chain and the agency's receipts (the
// server's signed "first seen" times), never from a signer's claimed clock alone.
import type { DocId, EntryId, PersonId, UnitId } from "../ids.ts";

/** A calendar day in Taiwan, YYYY-MM-DD. */
export type IsoDay = string;

/** One day of the government's office calendar (政府行政機關辦公日曆表) that differs from a plain week. */
export interface CalendarDay {
  day: IsoDay;
  /** true: a day off (是否放假 = 2); false: a workday (是否放假 = 0). */
  off: boolean;
  /** 備註 as published: 開國紀念日, 補行上班, 調整放假 … ("" when none). */
  note: string;
}

/**
 * One imported year (Gregorian `year`; the ROC year is year − 1911): every day of it as published.
 * A year not imported falls back to weekends plus the fixed-date national holidays.
 */
export interface CalendarYear {
  year: number;
  days: CalendarDay[];
}

/** The working-day calendar as every part reads it. */
export interface OfficeCalendar {
  isWorkday(day: IsoDay): boolean;
  /** Whether `year` (Gregorian) came from an import; false: weekends and fixed holidays only. */
  imported(year: number): boolean;
}

/** 展期 limits and who approves (the agency's policy, carried with its delegation table). */
export interface ExtensionPolicy {
  /** The level that approves a 展期 (經機關首長核准: the agency head's level by default). */
  approverLevel: number;
  /** How many approved extensions a document may have. */
  maxCount: number;
  /** How many calendar days in all the approved extensions may add to the first due date. */
  maxDays: number;
}

/** One 展期 as the chain records it: the request and, once signed, its decision. */
export interface ExtensionFact {
  request: EntryId;
  requestedBy: PersonId;
  /** Trusted time of the request (its receipt), else its claimed time. */
  requestedAt: string;
  reason: string;
  /** The due date asked for. */
  until: IsoDay;
  /** 專案管制 asked for (beyond the limits). */
  project: boolean;
  decision: { entry: EntryId; by: PersonId; at: string; approved: boolean } | null;
}

/** How a document came in and went out, for the 電子交換比率. */
export type Channel = "exchange" | "paper";

/** Which signed action finished it (辦結): 發文 for a letter, 存查 for a 簽, 歸檔 of a paper document. */
export type Closing = "dispatch" | "close" | "archive";

/**
 * The time facts of one document: one row of the server's `time_facts` table, and what the app shows
 * beside a due date. Counted by `daysUsed` (deadline/days.ts): see its comment for the rule.
 */
export interface TimeFacts {
  doc: DocId;
  unit: UnitId | null;
  caseOfficer: PersonId | null;
  kind: string;
  speed: string;
  secrecy: string;
  /** 收文 (registered or received by exchange) or 創稿 (created here). */
  origin: "received" | "created";
  /** How a received document came in: by electronic exchange or registered from paper; null for 創稿. */
  incoming: Channel | null;
  /** How a dispatched letter went out; null until 發文 and for documents not dispatched. */
  outgoing: Channel | null;
  /** Trusted start: when the server first stored the document (收文 / 創稿 time). */
  startedAt: string;
  startDay: IsoDay;
  /** Not controlled (no deadline): e.g. a plain note; such rows count in totals but never overdue. */
  controlled: boolean;
  /** The 限辦日期 from 速別 or a stated date, before any 展期. */
  baseDue: IsoDay | null;
  /** The 限辦日期 in force: the last approved 展期's, else baseDue. */
  due: IsoDay | null;
  extensions: ExtensionFact[];
  /** Under 專案管制 (an approved extension beyond the limits): reported apart, not counted 逾期. */
  projectControl: boolean;
  /** Trusted time of the closing entry (辦結), null while open. */
  closedAt: string | null;
  closeDay: IsoDay | null;
  closing: Closing | null;
  /** Signed online from the start, or handled on paper (改紙本). */
  mode: "online" | "paper";
  /** Working days used, by `daysUsed`, to closeDay (closed) or to the day the row was written (open). */
  daysUsed: number | null;
  /** closeDay (or, open, today) after due. */
  overdue: boolean;
  /** 逾期原因, from the closing entry or a 逾期原因 entry; null if none. */
  lateReason: string | null;
  updatedAt: string;
}
