// Which inbox tabs a document belongs to, for whom — pure functions over local index rows, so the
// inbox renders from IndexedDB alone, offline, and the rules can be tested without a browser.
// Which statuses are open or finished is the model's (OPEN_STATUSES / FINISHED_STATUSES).
import { isFinishedStatus, isOpenStatus } from "@countersign/crdt-model";

export const TABS = ["todo", "countersign", "mine", "done", "overdue"] as const;
export type Tab = (typeof TABS)[number];

/** Who is looking: from the login session, or the certificate's profile when offline. */
export interface Viewer {
  person: string;
  unit: string;
  agency: string;
  roles: readonly string[];
}

/** What classification needs from a row (LocalDocRow has all of it). */
export interface ClassifiableRow {
  doc: string;
  kind: string;
  subject: string;
  status: string;
  dueDate: string | null;
  speed: string | null;
  docNumber: string | null;
  /** 收文號 and 檔號, when the row carries them (searched like the 文號). */
  receiptNumber?: string | null;
  fileNumber?: string | null;
  caseOfficer: string | null;
  participants: readonly string[];
  holders: readonly string[];
  updatedAt: string;
}


/** The holder keys that mean "me, in person": my person id and my roles (the mail room, archives…). */
const personalKeys = (v: Viewer): Set<string> => new Set([`person:${v.person}`, ...v.roles.map((r) => `role:${r}`)]);

export function tabsOf(row: ClassifiableRow, v: Viewer, today: string): Set<Tab> {
  const tabs = new Set<Tab>();
  const mine = personalKeys(v);
  // 待辦: the document waits on me (a step assigned to me, my draft or returned document, my role's queue).
  if (row.holders.some((h) => mine.has(h))) tabs.add("todo");
  // 會辦: a countersign step assigned to my unit is pending.
  if (row.status === "countersigning" && row.holders.includes(`unit:${v.unit}`)) tabs.add("countersign");
  // 承辦中: I am the case officer and it is not finished.
  if (row.caseOfficer === v.person && isOpenStatus(row.status)) tabs.add("mine");
  // 已辦: decided, dispatched, filed (存查) or archived, and I took part.
  if (isFinishedStatus(row.status) && (row.caseOfficer === v.person || row.participants.includes(`person:${v.person}`))) tabs.add("done");
  // 逾期: the due date has passed and it is not decided (paper ones included: 稽催 follows them too).
  if (row.dueDate !== null && row.dueDate < today && !isFinishedStatus(row.status)) tabs.add("overdue");
  return tabs;
}

const SPEED_RANK: Record<string, number> = { "most-urgent": 0, urgent: 1, ordinary: 2 };

/** Most pressing first: earliest due date, then 速別, then most recently changed. */
export function byUrgency(a: ClassifiableRow, b: ClassifiableRow): number {
  const da = a.dueDate ?? "9999-12-31";
  const db = b.dueDate ?? "9999-12-31";
  if (da !== db) return da < db ? -1 : 1;
  const sa = SPEED_RANK[a.speed ?? ""] ?? 3;
  const sb = SPEED_RANK[b.speed ?? ""] ?? 3;
  if (sa !== sb) return sa - sb;
  return a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0;
}

export function classify<R extends ClassifiableRow>(rows: readonly R[], v: Viewer, today: string): Record<Tab, R[]> {
  const out = Object.fromEntries(TABS.map((t) => [t, [] as R[]])) as Record<Tab, R[]>;
  for (const r of rows) for (const t of tabsOf(r, v, today)) out[t].push(r);
  for (const t of TABS) out[t].sort(byUrgency);
  return out;
}

export interface Filter {
  /** Matched against 主旨 and every number the row carries (文號, 收文號, 檔號), ignoring case, spaces and full-width/half-width differences. */
  query: string;
  kind: string | null;
  speed: string | null;
}

const fold = (s: string): string => s.normalize("NFKC").toLowerCase().replace(/\s+/g, "");

export function matches(row: ClassifiableRow, f: Filter): boolean {
  if (f.kind && row.kind !== f.kind) return false;
  if (f.speed && row.speed !== f.speed) return false;
  const q = fold(f.query);
  if (!q) return true;
  const numbers = [row.docNumber, row.receiptNumber, row.fileNumber];
  return fold(row.subject).includes(q) || numbers.some((n) => !!n && fold(n).includes(q)) || fold(row.doc).includes(q);
}

/** Today's date in Taiwan (UTC+8, no daylight saving) as YYYY-MM-DD, the form due dates take. */
export function taipeiToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/**
 * A registered incoming document (收文) its case officer has not acted on yet: it carries a 收文號 and
 * is still a draft with nothing signed. Shown as 收文, not 草稿 (presentation only: the model's status
 * stays "draft"). `signed`: the entries signed in it, when known (the document page knows; an index
 * row does not, and a draft with a 收文號 has had none unless it was withdrawn after submitting).
 */
export function isUnactedIncoming(row: { status: string; receiptNumber?: string | null }, signed = 0): boolean {
  return row.status === "draft" && !!row.receiptNumber?.trim() && signed === 0;
}
