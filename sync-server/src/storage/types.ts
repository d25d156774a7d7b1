import type { AgencyCode, DocId, EntryId, PersonId, UnitId } from "@countersign/crdt-model";
import type { Role } from "@countersign/crdt-model";

/**
 * The agency server's durable state. Every method resolves only once the change is durable (on disk
 * for SQLite, committed for PostgreSQL): the relay acknowledges an update only after `appendUpdate`
 * resolves. Implementations: SQLite (embedded, default) and PostgreSQL (scaled out).
 */
export interface Store extends DocStore, DirectoryStore, IdentityStore {
  readonly kind: "sqlite" | "postgres";
  /** A consistent copy of everything, taken while serving. */
  backup(toFile: string): Promise<void>;
  close(): Promise<void>;
}

// ---- documents ---------------------------------------------------------------------------------

export interface StoredUpdate {
  seq: number;
  data: Uint8Array;
}

/** What the server indexes about a document as updates arrive: inbox, search and authorization. */
export interface DocIndexRow {
  doc: DocId;
  kind: string;
  subject: string;
  status: string;
  secrecy: string;
  unit: UnitId | null;
  caseOfficer: PersonId | null;
  dueDate: string | null;
  /** People, units and agencies named anywhere in the plan or the chain (for authorization). */
  participants: string[];
  /** Whom the document waits on now, as "person:ID", "unit:ID", "agency:CODE", "role:ROLE". */
  holders: string[];
  updatedAt: string;
}

export interface DocIndexQuery {
  /** Documents whose holders include any of these keys. */
  holders?: string[];
  /** Documents whose participants include any of these keys. */
  participants?: string[];
  status?: string[];
  limit?: number;
}

export interface EntryReceipt {
  doc: DocId;
  entry: EntryId;
  /** When this server first saw the entry (ISO 8601): the trusted "received at" time. */
  receivedAt: string;
  /** The server's signature over the receipt's canonical JSON, base64. */
  signature: string;
}

export interface DocStore {
  appendUpdate(doc: DocId, update: Uint8Array): Promise<number>;
  readUpdates(doc: DocId): Promise<StoredUpdate[]>;
  /** Replaces every update with seq ≤ upToSeq by one merged update, atomically. */
  compact(doc: DocId, merged: Uint8Array, upToSeq: number): Promise<void>;
  hasDoc(doc: DocId): Promise<boolean>;
  putIndex(row: DocIndexRow): Promise<void>;
  getIndex(doc: DocId): Promise<DocIndexRow | undefined>;
  queryIndex(q: DocIndexQuery): Promise<DocIndexRow[]>;
  /** Records the first sighting; a second call for the same entry keeps and returns the first. */
  recordReceipt(r: EntryReceipt): Promise<EntryReceipt>;
  receipts(doc: DocId): Promise<EntryReceipt[]>;
}

// ---- directory -----------------------------------------------------------------------------------

export interface Unit {
  id: UnitId;
  name: string;
  parent: UnitId | null;
}

export interface Person {
  id: PersonId;
  name: string;
  unit: UnitId;
  level: number;
  roles: Role[];
  active: boolean;
}

export interface DeputyRow {
  principal: PersonId;
  deputy: PersonId;
  from: string;
  until: string;
}

export interface DirectoryStore {
  putUnit(u: Unit): Promise<void>;
  units(): Promise<Unit[]>;
  putPerson(p: Person): Promise<void>;
  person(id: PersonId): Promise<Person | undefined>;
  people(): Promise<Person[]>;
  putDeputy(d: DeputyRow): Promise<void>;
  deputies(): Promise<DeputyRow[]>;
  /** The delegation table as JSON (crdt-model's DelegationTable); validated by the caller. */
  putDelegation(json: string): Promise<void>;
  delegation(): Promise<string | undefined>;
}

// ---- identity ------------------------------------------------------------------------------------

export interface CertificateRow {
  serial: string;
  person: PersonId;
  /** DER, base64. */
  cert: string;
  issuedAt: string;
  revokedAt: string | null;
  /** "issued" by this agency's CA, or "registered" (a PKCS#12 certificate from elsewhere). */
  origin: "issued" | "registered";
}

export interface EnrollmentRow {
  /** SHA-256 of the one-time code; the code itself is never stored. */
  codeHash: string;
  person: PersonId;
  expiresAt: string;
  usedAt: string | null;
}

export interface IdentityStore {
  /** Small named values: agency code and name, the encrypted CA key, the token secret, … */
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
  putCertificate(c: CertificateRow): Promise<void>;
  certificates(person?: PersonId): Promise<CertificateRow[]>;
  revokeCertificate(serial: string, at: string): Promise<boolean>;
  putEnrollment(e: EnrollmentRow): Promise<void>;
  /** Marks the code used and returns it, only if it exists, is unused and unexpired — atomically. */
  useEnrollment(codeHash: string, at: string): Promise<EnrollmentRow | undefined>;
  putChallenge(nonce: string, expiresAt: string): Promise<void>;
  /** Deletes and returns whether the challenge existed and had not expired — atomically. */
  takeChallenge(nonce: string, at: string): Promise<boolean>;
}

export type { AgencyCode };
