// The mail queue's rows as both SQL stores hold them (schema 10): addresses and document ids as JSON
// text, so one row shape serves SQLite and PostgreSQL.
import { uncheckedFromStore } from "@countersign/crdt-model";
import type { MailCandidate, MailItem } from "./types.ts";

export interface MailDbRow {
  id: number | string;
  dedupe: string | null;
  to_addrs: string;
  subject: string;
  text_body: string;
  html_body: string;
  kind: string;
  person: string | null;
  unit: string | null;
  docs: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  status: MailItem["status"];
  sent_at: string | null;
  created_at: string;
}

export const MAIL_COLUMNS = "dedupe, to_addrs, subject, text_body, html_body, kind, person, unit, docs, attempts, next_attempt_at, last_error, status, sent_at, created_at";

export const mailValues = (m: MailItem): unknown[] => [
  m.dedupe,
  JSON.stringify(m.to),
  m.subject,
  m.text,
  m.html,
  m.kind,
  m.person,
  m.unit,
  JSON.stringify(m.docs),
  m.attempts,
  m.nextAttemptAt,
  m.lastError,
  m.status,
  m.sentAt,
  m.createdAt,
];

export const toMail = (r: MailDbRow): MailItem => ({
  id: Number(r.id),
  dedupe: r.dedupe,
  to: JSON.parse(r.to_addrs) as string[],
  subject: r.subject,
  text: r.text_body,
  html: r.html_body,
  kind: r.kind,
  person: r.person,
  unit: r.unit,
  docs: JSON.parse(r.docs) as string[],
  attempts: Number(r.attempts),
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  status: r.status,
  sentAt: r.sent_at,
  createdAt: r.created_at,
});

export interface CandidateDbRow {
  doc: string;
  unit: string | null;
  case_officer: string | null;
  due: string;
  subject: string;
  holders: string;
  receipt_number: string | null;
  doc_number: string | null;
}

/** time_facts ⋈ doc_index: the same text on both stores (booleans are INTEGER 0/1 on both). `?` placeholders: dueBy, then unit when given. */
export const candidateSql = (withUnit: boolean, ph: (i: number) => string): string =>
  `SELECT t.doc, t.unit, t.case_officer, t.due, d.subject, d.holders, d.receipt_number, d.doc_number
     FROM time_facts t JOIN doc_index d ON d.doc = t.doc
    WHERE t.close_day IS NULL AND t.controlled = 1 AND t.project_control = 0 AND t.due IS NOT NULL AND t.due <= ${ph(1)}
      ${withUnit ? `AND t.unit = ${ph(2)}` : ""}
    ORDER BY t.due, t.doc`;

export const toCandidate = (r: CandidateDbRow): MailCandidate => ({
  doc: uncheckedFromStore.doc(r.doc),
  unit: r.unit === null ? null : uncheckedFromStore.unit(r.unit),
  caseOfficer: r.case_officer === null ? null : uncheckedFromStore.person(r.case_officer),
  due: r.due,
  subject: r.subject,
  holders: JSON.parse(r.holders) as string[],
  receiptNumber: r.receipt_number,
  docNumber: r.doc_number,
});
