import type { AgencyCode, CalendarYear, Code, DocId, EntryId, IndexRow, IsoDay, PersonId, Sha256Hex, TimeFacts, UnitId } from "@countersign/crdt-model";
import type { Role } from "@countersign/crdt-model";

/**
 * The agency server's durable state. Every method resolves only once the change is durable (on disk
 * for SQLite, committed for PostgreSQL): the relay acknowledges an update only after `appendUpdate`
 * resolves. SQLite commits appends, receipts and index rows that arrive together in one transaction
 * (group commit), so concurrent rooms share fsyncs; each promise still waits for its commit. Implementations: SQLite (embedded, default) and PostgreSQL (scaled out).
 */
export interface Store extends DocStore, DirectoryStore, IdentityStore, BlobStore, BlobRefStore, ExchangeStore, AuditStore {
  readonly kind: "sqlite" | "postgres";
  /** A consistent copy of everything, taken while serving. */
  backup(toFile: string): Promise<void>;
  /**
   * Writes and commits a probe row (what /healthz and the server's health check run): rejects when
   * the storage cannot be written now. Reconnects first if the connection itself can no longer write,
   * so writes resume once the storage can take them, without a restart.
   */
  probeWrite(at: string): Promise<void>;
  close(): Promise<void>;
}

// ---- documents ---------------------------------------------------------------------------------

export interface StoredUpdate {
  seq: number;
  data: Uint8Array;
}

/**
 * What the server indexes about a document as updates arrive: inbox, queues, search and
 * authorization — the model's IndexRow (crdt-model workflow/index-row.ts, built by indexRowOf).
 * The stores give back every field; the numbers and dates read null when unknown, and `attachments`
 * is never given back (it is what `blobDocs` answers by).
 */
export type DocIndexRow = IndexRow;

/**
 * 檔案查詢 (archive/routes.ts): rows of these statuses matching every given field. Text matches are
 * exact-case substrings (no wildcards: `%` and `_` are just characters).
 */
export interface IndexSearch {
  status: string[];
  /** The 檔號 starts with this. */
  fileNumber?: string;
  /** ROC year: the 檔號's 年度號 is it, or the document was archived (archivedAt) in it, Taipei time. */
  year?: number;
  /** A piece of the 主旨. */
  subject?: string;
  /** A piece of the 文號 / 發文字號. */
  docNumber?: string;
  unit?: UnitId;
  limit: number;
}

export interface DocIndexQuery {
  /** Documents whose holders include any of these keys. */
  holders?: string[];
  /** Documents whose participants include any of these keys. */
  participants?: string[];
  status?: string[];
  /**
   * Pages in document-id order (bytewise) instead of newest first: only ids sorting after this one
   * ("" for the first page). A stable cursor: an id never changes, so a document that stays listed
   * is never skipped by a later page, however often it is updated while a client pages.
   */
  after?: string;
  /**
   * Only rows indexed at or after this time (ISO 8601, as updatedAt is written): the incremental
   * listing's "changed since cursor" (http/docs-routes.ts). Compared as text, as updatedAt is stored.
   */
  changedSince?: string;
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
  /**
   * The largest seq stored for each of `docs` that has any, in one read. It only grows (compaction
   * keeps the largest seq it replaces), so a client that holds everything up to it lacks nothing.
   */
  latestSeqs(docs: readonly DocId[]): Promise<Map<DocId, number>>;
  /** Replaces every update with seq ≤ upToSeq by one merged update, atomically. */
  compact(doc: DocId, merged: Uint8Array, upToSeq: number): Promise<void>;
  hasDoc(doc: DocId): Promise<boolean>;
  putIndex(row: DocIndexRow): Promise<void>;
  /**
   * Many documents' rows in one transaction: all written or none, durable when this resolves. A
   * document listed twice keeps its last row. (An envelope import indexes all its documents at once.)
   */
  putIndexes(rows: DocIndexRow[]): Promise<void>;
  getIndex(doc: DocId): Promise<DocIndexRow | undefined>;
  queryIndex(q: DocIndexQuery): Promise<DocIndexRow[]>;
  /** Rows matching a search (IndexSearch), newest (updatedAt) first. */
  searchIndex(q: IndexSearch): Promise<DocIndexRow[]>;
  /** Records the first sighting; a second call for the same entry keeps and returns the first. */
  recordReceipt(r: EntryReceipt): Promise<EntryReceipt>;
  /**
   * recordReceipt for many entries in one transaction: for each receipt, in order, the one kept (its
   * own, or an earlier sighting's — also one earlier in this list). All recorded or none; durable when
   * this resolves.
   */
  recordReceipts(rs: EntryReceipt[]): Promise<EntryReceipt[]>;
  receipts(doc: DocId): Promise<EntryReceipt[]>;
  /**
   * Binds Yjs client ids to who writes under them in a document (relay/clients.ts): each of `clients`
   * not yet bound in `doc` is bound to `owner`, atomically; answers every one's owner afterwards. A
   * binding is never changed or removed, so it outlives the room that made it.
   */
  claimClients(doc: DocId, owner: string, clients: readonly number[]): Promise<Map<number, string>>;
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
  /** Where to reach the person (for the administrator's records); absent or null when none is known. */
  email?: string | null;
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

// ---- the audit log ---------------------------------------------------------------------------------

/**
 * One change made by an administrator, the registry desk or the command line (directory/audit.ts):
 * who, when, what (a stable action key such as "person.add"), to what, and the value before and after.
 */
export interface AuditRecord {
  /** Assigned by the store on insert (ignored when appending). */
  seq?: number;
  /** ISO 8601. */
  at: string;
  /** "person:ID" for a logged-in person, "system" for the command line. */
  actor: string;
  action: string;
  target: string;
  /** JSON text of the value before the change, or null (nothing before: an addition). */
  before: string | null;
  /** JSON text of the value after the change, or null (nothing after: a removal). */
  after: string | null;
}

export interface AuditStore {
  /** Appends a row (append-only: no row is ever changed or removed); returns its seq. */
  appendAudit(r: AuditRecord): Promise<number>;
  /** Newest (largest seq) first; with `before`, only rows older than that seq (the next page). */
  auditLog(q?: { before?: number; limit?: number }): Promise<AuditRecord[]>;
}

// ---- 調閱: archives opening archived documents -------------------------------------------------------

/** One 調閱 (archive/views.ts): an archives person opened an archived document. */
export interface ArchiveView {
  /** Assigned by the store on insert (ignored when recording). */
  seq?: number;
  doc: DocId;
  person: PersonId;
  /** ISO 8601 in UTC, as the server's clock wrote it (compared as text). */
  at: string;
}

export interface ArchiveStore {
  /** Appends a 調閱 (append-only: no row is ever changed or removed); returns its seq. */
  recordView(v: ArchiveView): Promise<number>;
  /** Newest (largest seq) first; filters combine with AND; `since`: at or after that time. */
  views(q?: { doc?: DocId; person?: PersonId; since?: string; limit?: number }): Promise<ArchiveView[]>;
}

/** Every Store keeps the 調閱 record (declared here, beside its types; merged into Store above). */
export interface Store {
  recordView: ArchiveStore["recordView"];
  views: ArchiveStore["views"];
}

// ---- 時效管制: time facts and the office calendar (migration 8) -----------------------------------

/** An imported year of the office calendar, with when and from what it was imported. */
export interface StoredCalendarYear extends CalendarYear {
  importedAt: string;
  /** What it was imported from (a file name, "admin"…), for `calendar show`. */
  source: string;
}

/** The follow-up desk's listing: open controlled documents, each filter combining with AND. */
export interface FollowUpQuery {
  /** Documents of any of these units (a unit head's); absent: every unit. */
  units?: UnitId[];
  officer?: PersonId;
  speed?: string;
  kind?: string;
  origin?: "received" | "created";
  /** Only documents due on or before this day (期前 and 逾期 listings). */
  dueOnOrBefore?: IsoDay;
  limit: number;
}

/**
 * The time facts of every document (deadline/, crdt-model's TimeFacts): one row per document in
 * `time_facts`, its 展期 in `time_extensions`; what reports read instead of re-verifying chains.
 */
export interface TimeFactsStore {
  /** Replaces each document's row and its extensions, all in one transaction (all or none). */
  putTimeFacts(rows: TimeFacts[]): Promise<void>;
  getTimeFacts(doc: DocId): Promise<TimeFacts | undefined>;
  /** Open controlled documents (no close day, controlled) by due date, then id. */
  followUpFacts(q: FollowUpQuery): Promise<TimeFacts[]>;
  /**
   * Documents to (re)derive, in id order after `after`: `missing` ones are indexed but have no time
   * facts row (the backfill at serve start); `open` ones have a row with no close day (a calendar import).
   */
  timeFactsWork(q: { kind: "missing" | "open"; after: string; limit: number }): Promise<DocId[]>;
  /** Every imported year, with every published day, by year. */
  calendarYears(): Promise<StoredCalendarYear[]>;
  /** Stores the years all or nothing; a year already imported is replaced with all its days. */
  putCalendar(years: StoredCalendarYear[]): Promise<void>;
}

/** Every Store keeps time facts and the calendar (declared beside their types; merged into Store). */
export interface Store {
  putTimeFacts: TimeFactsStore["putTimeFacts"];
  getTimeFacts: TimeFactsStore["getTimeFacts"];
  followUpFacts: TimeFactsStore["followUpFacts"];
  timeFactsWork: TimeFactsStore["timeFactsWork"];
  calendarYears: TimeFactsStore["calendarYears"];
  putCalendar: TimeFactsStore["putCalendar"];
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

/** Whether a certificate still speaks for its person: what every request with a token re-checks. */
export interface CertificateStanding {
  person: PersonId;
  revoked: boolean;
  /** False when the person was deactivated or is no longer in the directory. */
  active: boolean;
  /**
   * The person's directory entry as it stands now (null when the person is not in the directory):
   * a session takes its unit, level and roles from here on every request, not from its token, so a
   * change in the directory takes effect at once.
   */
  current: { unit: UnitId; level: number; roles: Role[] } | null;
}

export interface IdentityStore {
  /** Small named values: agency code and name, the encrypted CA key, the token secret, … */
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
  /**
   * Adds one to the integer setting `key` (absent counts as 0) and returns the new value, atomically
   * — also across server processes sharing one database: two callers never get the same number.
   */
  nextCounter(key: string): Promise<number>;
  /**
   * nextCounter, and in the same transaction the settings `records` makes of the new number (a
   * reserved 文號 and where it points): committed together or not at all, in one write (on SQLite,
   * in the group commit with the rooms' other writes). `records` must not throw.
   */
  reserveCounted(key: string, records: (n: number) => readonly (readonly [key: string, value: string])[]): Promise<number>;
  putCertificate(c: CertificateRow): Promise<void>;
  certificates(person?: PersonId): Promise<CertificateRow[]>;
  revokeCertificate(serial: string, at: string): Promise<boolean>;
  /** The standing of each known certificate among these serials, in one read (unknown ones are absent). */
  certificateStandings(serials: readonly string[]): Promise<Map<string, CertificateStanding>>;
  putEnrollment(e: EnrollmentRow): Promise<void>;
  /** Marks the code used and returns it, only if it exists, is unused and unexpired — atomically. */
  useEnrollment(codeHash: string, at: string): Promise<EnrollmentRow | undefined>;
  /**
   * Stores a challenge. With `bound`, first deletes those expired at `bound.at` and stores nothing
   * (false) when `bound.max` unexpired challenges are already waiting, so unanswered ones cannot pile up.
   * Rows named "ticket:…" (WebSocket tickets, identity/ticket.ts) are purged alike but not counted.
   */
  putChallenge(nonce: string, expiresAt: string, bound?: { at: string; max: number }): Promise<boolean>;
  /** Deletes and returns whether the challenge existed and had not expired — atomically. */
  takeChallenge(nonce: string, at: string): Promise<boolean>;
}

// ---- attachments ---------------------------------------------------------------------------------

/**
 * Attachment bytes, content-addressed: the key is the lower-case SHA-256 of the bytes, checked by the
 * store on the way in, so a blob can never be stored under a name that is not its hash.
 */
export interface BlobStore {
  /** Stores the bytes; the same bytes again change nothing. Rejects when `sha256` is not their hash. */
  putBlob(sha256: Sha256Hex, data: Uint8Array): Promise<void>;
  getBlob(sha256: Sha256Hex): Promise<Uint8Array | undefined>;
  /** Which of these the store holds. */
  hasBlobs(sha256: readonly Sha256Hex[]): Promise<Set<Sha256Hex>>;
}

/** Which documents reference an attachment: what decides who may download it (http/blobs.ts). */
export interface BlobRefStore {
  /** The documents whose index row references the attachment (DocIndexRow.attachments), by id. */
  blobDocs(sha256: Sha256Hex): Promise<DocId[]>;
}

// ---- federation and envelope exchange -------------------------------------------------------------

/** Another agency in our federation trust list (`countersign trust add`). */
export interface PeerAgency {
  code: AgencyCode;
  name: string;
  /** Its CA certificate, PEM. */
  caPem: string;
  /** SHA-256 of the CA certificate's DER, lower-case hex: what the administrator confirmed. */
  fingerprint: string;
  /** Its server's base address for HTTP delivery (https://…), or null: files only. */
  url: string | null;
  /** Its delegation table (crdt-model's DelegationTable as JSON), when it sent one; validated by the caller. */
  delegation: string | null;
  /** Serials (hex) of its certificates it told us are revoked. */
  revokedSerials: string[];
  addedAt: string;
  /** Set when we stopped trusting it: its envelopes are refused from then on. */
  removedAt: string | null;
}

export type ExchangeDirection = "in" | "out";

/**
 * One line of the exchange log (交換紀錄): every envelope sent or received, and every refused one.
 * A refused envelope that could not even be parsed has no id; `sha256` (of the envelope's bytes)
 * always identifies what arrived.
 */
export interface ExchangeRecord {
  /** Assigned by the store on insert (ignored when logging). */
  seq?: number;
  envelope: string | null;
  direction: ExchangeDirection;
  /** The other agency (sender for "in", recipient for "out"), when known. */
  peer: string | null;
  purpose: string | null;
  answers: string | null;
  docs: DocId[];
  sha256: string;
  size: number;
  /** in: imported | duplicate | refused; out: queued | delivered | failed | exported. */
  status: "imported" | "duplicate" | "refused" | "queued" | "delivered" | "failed" | "exported";
  /** The refusal or delivery error as a sentence, or null. */
  detail: string | null;
  at: string;
  /** A refused envelope's refusal code (what the app explains it by); absent otherwise, and on older rows. */
  code?: Code;
}

/** What an import writes, all in one transaction (all or nothing). */
export interface ImportBatch {
  /** The log line, status "imported". */
  record: ExchangeRecord;
  updates: { doc: DocId; update: Uint8Array }[];
  blobs: { sha256: Sha256Hex; data: Uint8Array }[];
  /** The envelope bytes themselves, kept so a receipt or a re-delivery can refer to them. */
  envelope: Uint8Array;
}

/** An envelope waiting to be pushed to another agency's server (the visible outbox). */
export interface OutboxItem {
  envelope: string;
  peer: AgencyCode;
  /** The envelope file's bytes as they will be POSTed. */
  data: Uint8Array;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  status: "pending" | "delivered" | "failed";
  createdAt: string;
}

/** 分文: which officer of ours handles a document another agency sent us (by the registry desk). */
export interface Assignment {
  doc: DocId;
  person: PersonId;
  by: PersonId;
  at: string;
  /** The envelope that brought the document, when it came by envelope. */
  envelope: string | null;
}

export interface ExchangeQuery {
  peer?: string;
  doc?: DocId;
  direction?: ExchangeDirection;
  /** Every line about this envelope id (queued, delivered, …). */
  envelope?: string;
  /** Only lines of this status (the exchange fuzzer's snapshot reads the imported ones among thousands refused). */
  status?: ExchangeRecord["status"];
  limit?: number;
}

export interface ExchangeStore {
  putPeer(p: PeerAgency): Promise<void>;
  peer(code: AgencyCode): Promise<PeerAgency | undefined>;
  peers(): Promise<PeerAgency[]>;

  /**
   * Imports an envelope atomically: appends every update, stores every blob, keeps the envelope and
   * writes its log line in one transaction, durable when this resolves. Returns false and writes
   * nothing when an envelope with this id was already imported, even by a concurrent import in another
   * process (the duplicate is for the caller to log); otherwise the seqs, one per update in order.
   * Rejects, writing nothing, when a blob's hash is wrong or the record is not "in"/"imported" with an id.
   * Concurrent appendUpdate calls are neither lost nor misordered: each document's seqs commit in order.
   */
  importEnvelope(b: ImportBatch): Promise<{ imported: true; seqs: number[] } | { imported: false; first: ExchangeRecord }>;
  /** The "in" record with status "imported" for this envelope id, if any. */
  importedEnvelope(envelope: string): Promise<ExchangeRecord | undefined>;
  /** The bytes of an envelope we imported or sent (the first bytes kept under that id). */
  envelopeBytes(envelope: string): Promise<Uint8Array | undefined>;
  /**
   * Appends a log line (refusals, duplicates, exports, deliveries); returns its seq. `envelope` bytes
   * are kept only for an "out" record with an id: received bytes are kept only by importEnvelope, so
   * a refused or forged envelope never stands under a genuine id. Rejects status "imported" (that
   * line is importEnvelope's) and a status that does not fit the direction.
   */
  logExchange(r: ExchangeRecord, envelope?: Uint8Array): Promise<number>;
  /** Newest first (by seq); filters combine with AND; `doc` matches records listing that document. */
  exchanges(q?: ExchangeQuery): Promise<ExchangeRecord[]>;

  /** Adds an item; an envelope already in the outbox keeps its first item (use updateOutbox). */
  enqueueOutbox(o: OutboxItem): Promise<void>;
  /** Pending items whose next attempt is due at `now`, oldest (createdAt) first; times compared as instants. */
  dueOutbox(now: string, limit: number): Promise<OutboxItem[]>;
  /** Rejects when the envelope is not in the outbox. */
  updateOutbox(envelope: string, patch: Pick<OutboxItem, "attempts" | "nextAttemptAt" | "lastError" | "status">): Promise<void>;
  /** Newest (createdAt) first. */
  outbox(q?: { status?: OutboxItem["status"]; limit?: number }): Promise<OutboxItem[]>;

  /** Adds to the document's assignment history; the last one put is the current one. */
  putAssignment(a: Assignment): Promise<void>;
  /** The current assignment of a document (the last put), if any. */
  assignment(doc: DocId): Promise<Assignment | undefined>;
  /** The documents whose current assignment is this person, most recently assigned first. */
  assignmentsOf(person: PersonId): Promise<Assignment[]>;
}

export type { AgencyCode };

// ---- mail (sync-server/src/mail/; schema 10) ------------------------------------------------------

/** One message in the mail queue (mail_queue): sent by the mail worker over SMTP, retried until sent. */
export interface MailItem {
  /** Assigned by the store on insert (ignored when enqueuing). */
  id?: number;
  /** Never the same key twice (a reminder digest per person per day, a weekly notice per unit per week); null: no dedupe. */
  dedupe: string | null;
  /** Recipient addresses. */
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** What it is: "reminder" (期前/逾期 digest), "notice" (稽催通知單), … */
  kind: string;
  /** The person it is for ("person:ID"), the unit it is about, or null. */
  person: string | null;
  unit: string | null;
  /** The documents it lists. */
  docs: string[];
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  status: "pending" | "sent" | "failed";
  sentAt: string | null;
  createdAt: string;
}

/** An open controlled document due by a day, with what a reminder or a 稽催通知單 shows (time_facts ⋈ doc_index). */
export interface MailCandidate {
  doc: DocId;
  unit: UnitId | null;
  caseOfficer: PersonId | null;
  due: string;
  subject: string;
  holders: string[];
  receiptNumber: string | null;
  docNumber: string | null;
}

export interface MailStore {
  /** Adds items in one transaction; an item whose dedupe key is already queued is skipped. Answers the items added, with ids. */
  enqueueMail(items: MailItem[]): Promise<MailItem[]>;
  /**
   * Claims pending items whose next attempt is due at `now`, oldest first: their next attempt moves to
   * `leaseUntil` in the same step, so another server sharing the store does not send them too (a
   * sender that dies leaves them to be retried once the lease ends). Answers them as they were.
   */
  claimMail(now: string, leaseUntil: string, limit: number): Promise<MailItem[]>;
  updateMail(id: number, patch: Pick<MailItem, "attempts" | "nextAttemptAt" | "lastError" | "status" | "sentAt">): Promise<void>;
  /** Items newest first, optionally of one status. */
  mailQueue(q?: { status?: MailItem["status"]; limit?: number }): Promise<MailItem[]>;
  /** How many items of each status. */
  mailCounts(): Promise<Record<MailItem["status"], number>>;
  /** Open (no close day), controlled, not 專案管制 documents with a due date on or before `dueBy`, by due date. */
  mailCandidates(dueBy: string, unit?: UnitId): Promise<MailCandidate[]>;
}

/** Every Store keeps the mail queue (declared here, beside its types; merged into Store above). */
export interface Store {
  enqueueMail: MailStore["enqueueMail"];
  claimMail: MailStore["claimMail"];
  updateMail: MailStore["updateMail"];
  mailQueue: MailStore["mailQueue"];
  mailCounts: MailStore["mailCounts"];
  mailCandidates: MailStore["mailCandidates"];
}

// ---- reports (sync-server/src/reports/) -------------------------------------------------------------

/** A bound value of a report query. */
export type ReportParam = string | number | null;

/**
 * Read-only SQL for the reports engine only (sync-server/src/reports/), which writes one text for both
 * stores over time_facts and time_extensions: `?` placeholders, no `?` inside literals, portable
 * SQL (the PostgreSQL store numbers the placeholders). Nothing else may call it: every other read is
 * a named method.
 */
export interface Store {
  reportRows(sql: string, params: readonly ReportParam[]): Promise<Record<string, unknown>[]>;
}
