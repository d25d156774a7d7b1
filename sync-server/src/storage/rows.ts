// Rows as both SQL stores hold them, and back to the Store interface's shapes. SQLite and PostgreSQL
// share column names and meanings; only booleans differ (SQLite stores 0/1).
import type { DocId, EntryId, PersonId, Role, UnitId } from "@countersign/crdt-model";
import type { CertificateRow, DeputyRow, DocIndexRow, EnrollmentRow, EntryReceipt, Person } from "./types.ts";

export interface IndexDbRow {
  doc: string;
  kind: string;
  subject: string;
  status: string;
  secrecy: string;
  unit: string | null;
  case_officer: string | null;
  due_date: string | null;
  participants: string;
  holders: string;
  updated_at: string;
}

/** Views, not copies: both drivers hand out Buffers, and callers should see plain bytes. */
export const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
export const blob = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

export function toIndexRow(r: IndexDbRow): DocIndexRow {
  return {
    doc: r.doc as DocId,
    kind: r.kind,
    subject: r.subject,
    status: r.status,
    secrecy: r.secrecy,
    unit: r.unit as UnitId | null,
    caseOfficer: r.case_officer as PersonId | null,
    dueDate: r.due_date,
    participants: JSON.parse(r.participants) as string[],
    holders: JSON.parse(r.holders) as string[],
    updatedAt: r.updated_at,
  };
}

export interface ReceiptDbRow {
  entry: string;
  doc: string;
  received_at: string;
  signature: string;
}
export const toReceipt = (r: ReceiptDbRow): EntryReceipt => ({
  doc: r.doc as DocId,
  entry: r.entry as EntryId,
  receivedAt: r.received_at,
  signature: r.signature,
});

export interface PersonDbRow {
  id: string;
  name: string;
  unit: string;
  level: number;
  roles: string;
  /** 0/1 in SQLite, a boolean in PostgreSQL. */
  active: number | boolean;
}
export const toPerson = (r: PersonDbRow): Person => ({
  id: r.id as PersonId,
  name: r.name,
  unit: r.unit as UnitId,
  level: r.level,
  roles: JSON.parse(r.roles) as Role[],
  active: r.active === 1 || r.active === true,
});

export interface CertDbRow {
  serial: string;
  person: string;
  cert: string;
  issued_at: string;
  revoked_at: string | null;
  origin: "issued" | "registered";
}

export const toCertificate = (r: CertDbRow): CertificateRow => ({
  serial: r.serial,
  person: r.person as PersonId,
  cert: r.cert,
  issuedAt: r.issued_at,
  revokedAt: r.revoked_at,
  origin: r.origin,
});

export interface DeputyDbRow {
  principal: string;
  deputy: string;
  from_at: string;
  until_at: string;
}
export const toDeputy = (r: DeputyDbRow): DeputyRow => ({
  principal: r.principal as PersonId,
  deputy: r.deputy as PersonId,
  from: r.from_at,
  until: r.until_at,
});

export interface EnrollmentDbRow {
  code_hash: string;
  person: string;
  expires_at: string;
  used_at: string | null;
}
export const toEnrollment = (r: EnrollmentDbRow): EnrollmentRow => ({
  codeHash: r.code_hash,
  person: r.person as PersonId,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
});
