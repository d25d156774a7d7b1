// Rows as both SQL stores hold them, and back to the Store interface's shapes. SQLite and PostgreSQL
// share column names and meanings; only booleans differ (SQLite stores 0/1).
import { createHash } from "node:crypto";
import { uncheckedFromStore, type Role, type Sha256Hex, type UnitId } from "@countersign/crdt-model";
import { isCode } from "@countersign/crdt-model";
import type {
  AuditRecord,
  ArchiveView,
  Assignment,
  CertificateRow,
  DeputyRow,
  DocIndexRow,
  EnrollmentRow,
  EntryReceipt,
  ExchangeRecord,
  OutboxItem,
  PeerAgency,
  Person,
} from "./types.ts";

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
  /** Schema version 7 on (NULL in rows indexed before, until the document is indexed again). */
  doc_number?: string | null;
  receipt_number?: string | null;
  file_number?: string | null;
  retention?: string | null;
  decided_at?: string | null;
  dispatched_at?: string | null;
  archived_at?: string | null;
}

/** 保存年限 as a column: "permanent" or the years as digits. */
export const retentionText = (r: DocIndexRow["retention"]): string | null => (r === undefined || r === null ? null : String(r));
const retentionOf = (t: string | null | undefined): DocIndexRow["retention"] => (t === "permanent" ? "permanent" : t && /^\d+$/.test(t) ? Number(t) : null);

/**
 * A search's ROC year as what the columns hold: the 檔號's first four characters ("115-") and the
 * UTC instants (ISO text, as indexRowOf writes archivedAt) of its first and next year's 1 January in Taipei.
 */
export function rocYearBounds(year: number): { filePrefix: string; from: string; to: string } {
  const start = (y: number) => new Date(Date.UTC(y + 1911, 0, 1) - 8 * 3600_000).toISOString();
  return { filePrefix: `${String(year).padStart(3, "0")}-`, from: start(year), to: start(year + 1) };
}

/** The columns of schema version 7, by name (SQLite's named parameters; PostgreSQL's arrays in this order). */
export const indexNumbers = (r: DocIndexRow) => ({
  docNumber: r.docNumber ?? null,
  receiptNumber: r.receiptNumber ?? null,
  fileNumber: r.fileNumber ?? null,
  retention: retentionText(r.retention),
  decidedAt: r.decidedAt ?? null,
  dispatchedAt: r.dispatchedAt ?? null,
  archivedAt: r.archivedAt ?? null,
});

/** Views, not copies: both drivers hand out Buffers, and callers should see plain bytes. */
export const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
export const blob = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

export function toIndexRow(r: IndexDbRow): DocIndexRow {
  return {
    doc: uncheckedFromStore.doc(r.doc),
    kind: r.kind,
    subject: r.subject,
    status: r.status,
    secrecy: r.secrecy,
    unit: r.unit === null ? null : uncheckedFromStore.unit(r.unit),
    caseOfficer: r.case_officer === null ? null : uncheckedFromStore.person(r.case_officer),
    dueDate: r.due_date,
    participants: JSON.parse(r.participants) as string[],
    holders: JSON.parse(r.holders) as string[],
    updatedAt: r.updated_at,
    docNumber: r.doc_number ?? null,
    receiptNumber: r.receipt_number ?? null,
    fileNumber: r.file_number ?? null,
    retention: retentionOf(r.retention),
    decidedAt: r.decided_at ?? null,
    dispatchedAt: r.dispatched_at ?? null,
    archivedAt: r.archived_at ?? null,
  };
}

export interface ArchiveViewDbRow {
  seq: number | string;
  doc: string;
  person: string;
  at: string;
}
/** seq is BIGINT in PostgreSQL (text from pg). */
export const toArchiveView = (r: ArchiveViewDbRow): ArchiveView => ({
  seq: Number(r.seq),
  doc: uncheckedFromStore.doc(r.doc),
  person: uncheckedFromStore.person(r.person),
  at: r.at,
});

export interface ReceiptDbRow {
  entry: string;
  doc: string;
  received_at: string;
  signature: string;
}
export const toReceipt = (r: ReceiptDbRow): EntryReceipt => ({
  doc: uncheckedFromStore.doc(r.doc),
  entry: uncheckedFromStore.entry(r.entry),
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
  email?: string | null;
}
/** A person's unit, level and roles as joined onto another row (null columns: no such person). */
export interface DirectoryColumns {
  unit: string | null;
  level: number | null;
  roles: string | null;
}
export const currentEntry = (r: DirectoryColumns): { unit: UnitId; level: number; roles: Role[] } | null =>
  r.unit === null || r.level === null || r.roles === null ? null : { unit: uncheckedFromStore.unit(r.unit), level: r.level, roles: JSON.parse(r.roles) as Role[] };

export const toPerson = (r: PersonDbRow): Person => ({
  id: uncheckedFromStore.person(r.id),
  name: r.name,
  unit: uncheckedFromStore.unit(r.unit),
  level: r.level,
  roles: JSON.parse(r.roles) as Role[],
  active: r.active === 1 || r.active === true,
  // Left out when none is known, so a person reads back as it was put whether or not it had one.
  ...(r.email ? { email: r.email } : {}),
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
  person: uncheckedFromStore.person(r.person),
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
  principal: uncheckedFromStore.person(r.principal),
  deputy: uncheckedFromStore.person(r.deputy),
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
  person: uncheckedFromStore.person(r.person),
  expiresAt: r.expires_at,
  usedAt: r.used_at,
});

// ---- attachments and exchange --------------------------------------------------------------------

/**
 * Throws unless `sha256` is the lower-case SHA-256 of `data`: what keeps every blob under its own
 * hash. node:crypto rather than crdt-model's sha256Hex (the same digest): attachments run to tens of
 * MiB, and the native hash is an order of magnitude faster on the server's event loop.
 */
export function checkBlobHash(sha256: Sha256Hex, data: Uint8Array): void {
  if (!(data instanceof Uint8Array)) throw new Error(`The attachment ${String(sha256)} has no bytes.`);
  const actual = createHash("sha256").update(data).digest("hex");
  if (actual !== sha256) throw new Error(`The attachment's bytes hash to ${actual}, not to the name it was given (${String(sha256)}).`);
}

export interface PeerDbRow {
  code: string;
  name: string;
  ca_pem: string;
  fingerprint: string;
  url: string | null;
  delegation: string | null;
  revoked_serials: string;
  added_at: string;
  removed_at: string | null;
}
export const toPeer = (r: PeerDbRow): PeerAgency => ({
  code: uncheckedFromStore.agency(r.code),
  name: r.name,
  caPem: r.ca_pem,
  fingerprint: r.fingerprint,
  url: r.url,
  delegation: r.delegation,
  revokedSerials: JSON.parse(r.revoked_serials) as string[],
  addedAt: r.added_at,
  removedAt: r.removed_at,
});
/** Column values in table order, for both engines' INSERTs. */
export const peerValues = (p: PeerAgency): unknown[] => [
  p.code,
  p.name,
  p.caPem,
  p.fingerprint,
  p.url,
  p.delegation,
  JSON.stringify(p.revokedSerials),
  p.addedAt,
  p.removedAt,
];

export interface ExchangeDbRow {
  /** INTEGER in SQLite, BIGINT (text) in PostgreSQL. */
  seq: number | string;
  envelope: string | null;
  direction: ExchangeRecord["direction"];
  peer: string | null;
  purpose: string | null;
  answers: string | null;
  docs: string;
  sha256: string;
  size: number | string;
  status: ExchangeRecord["status"];
  detail: string | null;
  at: string;
  /** NULL in rows written before schema version 5. */
  code: string | null;
}
export const toExchange = (r: ExchangeDbRow): ExchangeRecord => ({
  seq: Number(r.seq),
  envelope: r.envelope,
  direction: r.direction,
  peer: r.peer,
  purpose: r.purpose,
  answers: r.answers,
  docs: (JSON.parse(r.docs) as string[]).map((d) => uncheckedFromStore.doc(d)),
  sha256: r.sha256,
  size: Number(r.size),
  status: r.status,
  detail: r.detail,
  at: r.at,
  // Only a known code is given back (a row written by a newer program may hold one this one lacks).
  ...(isCode(r.code) ? { code: r.code } : {}),
});
/** (envelope, direction, peer, purpose, answers, docs, sha256, size, status, detail, at, code). */
export const exchangeValues = (r: ExchangeRecord): unknown[] => [
  r.envelope,
  r.direction,
  r.peer,
  r.purpose,
  r.answers,
  JSON.stringify(r.docs),
  r.sha256,
  r.size,
  r.status,
  r.detail,
  r.at,
  r.code ?? null,
];

export interface OutboxDbRow {
  envelope: string;
  peer: string;
  data: Buffer;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  status: OutboxItem["status"];
  created_at: string;
}
export const toOutbox = (r: OutboxDbRow): OutboxItem => ({
  envelope: r.envelope,
  peer: uncheckedFromStore.agency(r.peer),
  data: bytes(r.data),
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  status: r.status,
  createdAt: r.created_at,
});

export interface AssignmentDbRow {
  doc: string;
  person: string;
  assigned_by: string;
  at: string;
  envelope: string | null;
}
export const toAssignment = (r: AssignmentDbRow): Assignment => ({
  doc: uncheckedFromStore.doc(r.doc),
  person: uncheckedFromStore.person(r.person),
  by: uncheckedFromStore.person(r.assigned_by),
  at: r.at,
  envelope: r.envelope,
});

export interface AuditDbRow {
  seq: number | string;
  at: string;
  actor: string;
  action: string;
  target: string;
  before_json: string | null;
  after_json: string | null;
}
/** seq is BIGINT in PostgreSQL (text from pg); seqs stay far below 2^53. */
export const toAudit = (r: AuditDbRow): AuditRecord => ({
  seq: Number(r.seq),
  at: r.at,
  actor: r.actor,
  action: r.action,
  target: r.target,
  before: r.before_json,
  after: r.after_json,
});
