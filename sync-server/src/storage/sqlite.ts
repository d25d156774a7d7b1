import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { type DocId, type PersonId, type Sha256Hex, uncheckedFromStore } from "@countersign/crdt-model";
import {
  prepareDatabase,
  SCHEMA_VERSION,
  storedSchemaVersion,
} from "./sqlite-schema.ts";
import {
  blob,
  bytes,
  currentEntry,
  toCertificate,
  toDeputy,
  toEnrollment,
  toIndexRow,
  indexNumbers,
  rocYearBounds,
  toArchiveView,
  type ArchiveViewDbRow,
  toPerson,
  toReceipt,
  toAudit,
  type AuditDbRow,
  type CertDbRow,
  type DeputyDbRow,
  type DirectoryColumns,
  type EnrollmentDbRow,
  type IndexDbRow,
  type PersonDbRow,
  type ReceiptDbRow,
} from "./rows.ts";
import { statements } from "./sqlite-statements.ts";
import { SqliteBlobs } from "./sqlite-blobs.ts";
import { SqliteExchange } from "./sqlite-exchange.ts";
import { SqliteTimeFacts } from "./sqlite-time-facts.ts";
import { SqliteMail } from "./sqlite-mail.ts";
import { GroupCommit } from "./sqlite-group-commit.ts";
import { cannotWrite } from "./write-failure.ts";
import type {
  AuditRecord,
  ArchiveView,
  CertificateRow,
  CertificateStanding,
  DeputyRow,
  DocIndexQuery,
  DocIndexRow,
  IndexSearch,
  EnrollmentRow,
  EntryReceipt,
  Person,
  Store,
  StoredUpdate,
  Unit,
} from "./types.ts";
import type { ReportParam } from "./types.ts";

type Stmt = Database.Statement<unknown[], unknown>;

const DELEGATION_KEY = "directory.delegation";

/** Pages copied per backup step: small enough that the relay keeps answering between steps. */
const BACKUP_PAGES_PER_STEP = 1024;
/** After this many restarts (another process kept writing) the rest is copied in one step. */
const BACKUP_RESTARTS_BEFORE_ONE_STEP = 2;

const GROUP_COMMIT_MS = 2;

export class SqliteStore implements Store {
  readonly kind = "sqlite" as const;
  readonly file: string;
  // Replaced together when the connection is reopened (reconnect): a store opened while its file
  // could not be written stays read-only until then.
  private db!: Database.Database;
  private s!: ReturnType<typeof statements>;
  /** One statement per combination of filters, so each keeps its index-driven plan. */
  private readonly queries = new Map<string, Stmt>();
  /** Appends, receipts and index rows: written in group commits (sqlite-group-commit.ts). */
  private writes!: GroupCommit;
  private blobs!: SqliteBlobs;
  private exchange!: SqliteExchange;
  private timeFacts!: SqliteTimeFacts;
  private mail!: SqliteMail;

  constructor(
    file: string,
    private readonly faults: SqliteFaults = {},
  ) {
    this.file = path.resolve(file);
    // The store holds the directory, sealed keys and every document: readable by its owner only.
    if (!fs.existsSync(this.file)) fs.closeSync(fs.openSync(this.file, "a", PRIVATE_FILE));
    this.connect();
    privateModes(this.file);
  }

  /** Opens the connection and prepares everything on it; the fields change only if it all worked. */
  private connect(): void {
    const db = new Database(this.file);
    try {
      prepareDatabase(db);
      if (this.faults.readOnly) db.pragma("query_only = ON");
    } catch (e) {
      db.close();
      throw e;
    }
    this.db = db;
    this.s = statements(db);
    this.writes = new GroupCommit(db, GROUP_COMMIT_MS);
    this.blobs = new SqliteBlobs(db);
    this.exchange = new SqliteExchange(db, this.blobs, () => this.writes.flush());
    this.timeFacts = new SqliteTimeFacts(db, this.writes);
    this.mail = new SqliteMail(db);
    this.queries.clear();
    for (const h of [false, true]) for (const pa of [false, true]) for (const st of [false, true]) for (const af of [false, true]) this.prepareQuery(h, pa, st, af);
  }

  /**
   * Writes a probe (health, http/health.ts). When the connection cannot write — the file was read-only
   * when it was opened, and SQLite then keeps it read-only for good — it is reopened once and the
   * probe tried again: once the file or disk can be written again, writes resume without a restart.
   */
  async probeWrite(at: string): Promise<void> {
    try {
      this.s.setSetting.run(PROBE_SETTING, at);
      return;
    } catch (e) {
      if (!cannotWrite(e)) throw e;
    }
    const old = { db: this.db, writes: this.writes };
    this.connect();
    try {
      old.writes.flush(); // anything still queued is refused by the old connection, not lost silently
    } catch {
      // each queued write's promise has its own refusal
    }
    old.db.close();
    this.s.setSetting.run(PROBE_SETTING, at);
  }

  private prepareQuery(holders: boolean, participants: boolean, status: boolean, after: boolean, since = false): Stmt {
    const key = `${+holders}${+participants}${+status}${+after}${+since}`;
    let stmt = this.queries.get(key);
    if (stmt) return stmt;
    const where: string[] = [];
    const byKey = (kind: string, param: string) =>
      `d.doc IN (SELECT k.doc FROM doc_keys k WHERE k.kind = '${kind}' AND k.key IN (SELECT value FROM json_each(@${param})))`;
    if (holders) where.push(byKey("holder", "holders"));
    if (participants) where.push(byKey("participant", "participants"));
    if (status) where.push("d.status IN (SELECT value FROM json_each(@status))");
    if (after) where.push("d.doc > @after");
    if (since) where.push("d.updated_at >= @since");
    stmt = this.db.prepare(
      `SELECT d.* FROM doc_index d ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${after ? "d.doc" : "d.updated_at DESC, d.doc"} LIMIT @limit`,
    );
    this.queries.set(key, stmt);
    return stmt;
  }

  // ---- documents ---------------------------------------------------------------------------------

  /**
   * Group commit (sqlite-group-commit.ts): appends arriving within a couple of milliseconds (from any
   * room) share one transaction and one fsync with each other and with receipts and index rows. The
   * promise resolves only after the commit that holds the row — with synchronous = FULL, on disk — so
   * "acknowledged only once durable" is kept, at a fraction of the disk work under load.
   */
  appendUpdate(doc: DocId, update: Uint8Array): Promise<number> {
    const data = blob(update);
    return this.writes.write(() => Number(this.s.append.run(doc, data, new Date().toISOString()).lastInsertRowid));
  }

  async latestSeqs(docs: readonly DocId[]): Promise<Map<DocId, number>> {
    const rows = new Map((this.s.latestSeqs.all(JSON.stringify(docs)) as { doc: string; seq: number }[]).map((r) => [r.doc, r.seq]));
    // Keyed by the ids asked about (already parsed), not by what the database gives back.
    return new Map(docs.flatMap((d) => (rows.has(d) ? [[d, rows.get(d)!] as const] : [])));
  }

  async readUpdates(doc: DocId): Promise<StoredUpdate[]> {
    return (this.s.read.all(doc) as { seq: number; data: Buffer }[]).map((r) => ({ seq: r.seq, data: bytes(r.data) }));
  }

  async compact(doc: DocId, merged: Uint8Array, upToSeq: number): Promise<void> {
    this.db.transaction(() => {
      const { seq } = this.s.maxSeqUpTo.get(doc, upToSeq) as { seq: number | null };
      if (seq === null) throw new Error(`Document ${doc} has no update at or before seq ${upToSeq} to compact.`);
      this.s.deleteUpTo.run(doc, upToSeq);
      // The merged update takes the largest seq it replaces: still before every newer update of this
      // document, and unused by any other document.
      this.s.insertAt.run(seq, doc, blob(merged), new Date().toISOString());
    }).immediate();
  }

  async hasDoc(doc: DocId): Promise<boolean> {
    return this.s.hasDoc.get(doc) !== undefined;
  }

  /** In the group commit, like appendUpdate: durable when this resolves. */
  putIndex(row: DocIndexRow): Promise<void> {
    return this.writes.write(() => this.writeIndex(row));
  }

  /** All rows in one savepoint of one group commit: every row written, or none. */
  putIndexes(rows: DocIndexRow[]): Promise<void> {
    if (!rows.length) return Promise.resolve();
    return this.writes.write(() => {
      for (const row of rows) this.writeIndex(row);
    });
  }

  /** Inside the caller's transaction. */
  private writeIndex(row: DocIndexRow): void {
    this.s.putIndex.run({
      ...row,
      participants: JSON.stringify(row.participants),
      holders: JSON.stringify(row.holders),
      ...indexNumbers(row),
    });
    this.s.clearKeys.run(row.doc);
    for (const k of row.holders) this.s.putKey.run(row.doc, "holder", k);
    for (const k of row.participants) this.s.putKey.run(row.doc, "participant", k);
    if (row.attachments) {
      this.s.clearBlobRefs.run(row.doc);
      for (const h of row.attachments) this.s.putBlobRef.run(row.doc, h);
    }
  }

  async getIndex(doc: DocId): Promise<DocIndexRow | undefined> {
    const r = this.s.getIndex.get(doc) as IndexDbRow | undefined;
    return r && toIndexRow(r);
  }

  /** instr and substr, never LIKE: a search for "100%" finds exactly that. */
  async searchIndex(q: IndexSearch): Promise<DocIndexRow[]> {
    const where = ["d.status IN (SELECT value FROM json_each(@status))"];
    const params: Record<string, unknown> = { status: JSON.stringify(q.status), limit: Math.max(0, Math.floor(q.limit)) };
    if (q.fileNumber) {
      where.push("substr(d.file_number, 1, length(@fileNumber)) = @fileNumber");
      params.fileNumber = q.fileNumber;
    }
    if (q.year !== undefined) {
      const y = rocYearBounds(q.year);
      where.push("(substr(d.file_number, 1, 4) = @filePrefix OR (d.archived_at >= @from AND d.archived_at < @to))");
      Object.assign(params, y);
    }
    if (q.subject) {
      where.push("instr(d.subject, @subject) > 0");
      params.subject = q.subject;
    }
    if (q.docNumber) {
      where.push("instr(d.doc_number, @docNumber) > 0");
      params.docNumber = q.docNumber;
    }
    if (q.unit) {
      where.push("d.unit = @unit");
      params.unit = q.unit;
    }
    const sql = `SELECT d.* FROM doc_index d WHERE ${where.join(" AND ")} ORDER BY d.updated_at DESC, d.doc LIMIT @limit`;
    return (this.db.prepare(sql).all(params) as IndexDbRow[]).map(toIndexRow);
  }

  /**
   * Filters combine with AND; within one filter any listed value matches. An empty list matches
   * nothing (a person with no keys sees no documents), an absent one does not filter.
   */
  async queryIndex(q: DocIndexQuery): Promise<DocIndexRow[]> {
    const stmt = this.prepareQuery(q.holders !== undefined, q.participants !== undefined, q.status !== undefined, q.after !== undefined, q.changedSince !== undefined);
    const params: Record<string, unknown> = { limit: q.limit === undefined ? -1 : Math.max(0, Math.floor(q.limit)) };
    if (q.holders !== undefined) params.holders = JSON.stringify(q.holders);
    if (q.participants !== undefined) params.participants = JSON.stringify(q.participants);
    if (q.status !== undefined) params.status = JSON.stringify(q.status);
    if (q.after !== undefined) params.after = q.after;
    if (q.changedSince !== undefined) params.since = q.changedSince;
    return (stmt.all(params) as IndexDbRow[]).map(toIndexRow);
  }

  /** In the group commit: two sightings of one entry there keep the one queued first. */
  recordReceipt(r: EntryReceipt): Promise<EntryReceipt> {
    return this.writes.write(() => this.writeReceipt(r));
  }

  /** One savepoint of one group commit; in order, so a second sighting in the list keeps the first. */
  recordReceipts(rs: EntryReceipt[]): Promise<EntryReceipt[]> {
    if (!rs.length) return Promise.resolve([]);
    return this.writes.write(() => rs.map((r) => this.writeReceipt(r)));
  }

  /** Inside the caller's transaction: the first sighting stays, and is what comes back. */
  private writeReceipt(r: EntryReceipt): EntryReceipt {
    // A row inserted is this receipt, as given: only an entry seen before needs reading back (an
    // envelope's import records ten thousand at once, nearly all new).
    if (this.s.putReceipt.run(r.entry, r.doc, r.receivedAt, r.signature).changes === 1) return { entry: r.entry, doc: r.doc, receivedAt: r.receivedAt, signature: r.signature };
    return toReceipt(this.s.getReceipt.get(r.entry) as ReceiptDbRow);
  }

  async receipts(doc: DocId): Promise<EntryReceipt[]> {
    return (this.s.receipts.all(doc) as ReceiptDbRow[]).map(toReceipt);
  }

  // ---- directory ---------------------------------------------------------------------------------

  async putUnit(u: Unit): Promise<void> {
    this.s.putUnit.run(u.id, u.name, u.parent);
  }

  async units(): Promise<Unit[]> {
    return this.s.units.all() as Unit[];
  }

  async putPerson(p: Person): Promise<void> {
    this.s.putPerson.run(p.id, p.name, p.unit, p.level, JSON.stringify(p.roles), p.active ? 1 : 0, p.email ?? null);
  }

  async person(id: PersonId): Promise<Person | undefined> {
    const r = this.s.person.get(id) as PersonDbRow | undefined;
    return r && toPerson(r);
  }

  async people(): Promise<Person[]> {
    return (this.s.people.all() as PersonDbRow[]).map(toPerson);
  }

  async putDeputy(d: DeputyRow): Promise<void> {
    this.s.putDeputy.run(d.principal, d.deputy, d.from, d.until);
  }

  async deputies(): Promise<DeputyRow[]> {
    return (this.s.deputies.all() as DeputyDbRow[]).map(toDeputy);
  }

  async putDelegation(json: string): Promise<void> {
    await this.setSetting(DELEGATION_KEY, json);
  }

  async delegation(): Promise<string | undefined> {
    return this.getSetting(DELEGATION_KEY);
  }

  // ---- the audit log -----------------------------------------------------------------------------

  async appendAudit(r: AuditRecord): Promise<number> {
    return Number(this.s.appendAudit.run(r.at, r.actor, r.action, r.target, r.before, r.after).lastInsertRowid);
  }

  async auditLog(q: { before?: number; limit?: number } = {}): Promise<AuditRecord[]> {
    return (this.s.auditLog.all(q.before ?? Number.MAX_SAFE_INTEGER, q.limit ?? 100) as AuditDbRow[]).map(toAudit);
  }

  // ---- 調閱 ------------------------------------------------------------------------------------------

  async recordView(v: ArchiveView): Promise<number> {
    return Number(this.s.recordView.run(v.doc, v.person, v.at).lastInsertRowid);
  }

  async views(q: { doc?: DocId; person?: PersonId; since?: string; limit?: number } = {}): Promise<ArchiveView[]> {
    const rows = this.db
      .prepare(
        `SELECT seq, doc, person, at FROM archive_views
         WHERE (@doc IS NULL OR doc = @doc) AND (@person IS NULL OR person = @person) AND (@since IS NULL OR at >= @since)
         ORDER BY seq DESC LIMIT @limit`,
      )
      .all({ doc: q.doc ?? null, person: q.person ?? null, since: q.since ?? null, limit: Math.max(0, Math.floor(q.limit ?? 100)) }) as ArchiveViewDbRow[];
    return rows.map(toArchiveView);
  }

  // ---- reports (sync-server/src/reports/) -------------------------------------------------------

  async reportRows(sql: string, params: readonly ReportParam[]): Promise<Record<string, unknown>[]> {
    return this.db.prepare(sql).all(...params) as Record<string, unknown>[];
  }

  // ---- identity ----------------------------------------------------------------------------------

  async getSetting(key: string): Promise<string | undefined> {
    return (this.s.getSetting.get(key) as { value: string } | undefined)?.value;
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.s.setSetting.run(key, value);
  }

  async nextCounter(key: string): Promise<number> {
    // One statement: SQLite's write lock makes the read and the increment one step for every connection.
    return Number((this.s.nextCounter.get(key) as { value: string }).value);
  }

  reserveCounted(key: string, records: (n: number) => readonly (readonly [string, string])[]): Promise<number> {
    // In the group commit: a batch sync storing hundreds of new documents numbers them all in the
    // few commits their updates take, not in three fsyncs each.
    return this.writes.write(() => {
      const n = Number((this.s.nextCounter.get(key) as { value: string }).value);
      for (const [k, v] of records(n)) this.s.setSetting.run(k, v);
      return n;
    });
  }

  async putCertificate(c: CertificateRow): Promise<void> {
    this.s.putCert.run(c.serial, c.person, c.cert, c.issuedAt, c.revokedAt, c.origin);
  }

  async certificates(person?: PersonId): Promise<CertificateRow[]> {
    const rows = (person === undefined ? this.s.certs.all() : this.s.certsOf.all(person)) as CertDbRow[];
    return rows.map(toCertificate);
  }

  /** True when this call revoked it; false when unknown or already revoked (the first time stays). */
  async revokeCertificate(serial: string, at: string): Promise<boolean> {
    return this.s.revoke.run(at, serial).changes > 0;
  }

  async certificateStandings(serials: readonly string[]): Promise<Map<string, CertificateStanding>> {
    const out = new Map<string, CertificateStanding>();
    if (!serials.length) return out;
    const rows = this.s.standings.all(JSON.stringify(serials)) as ({ serial: string; person: string; revoked_at: string | null; active: number | null } & DirectoryColumns)[];
    for (const r of rows) out.set(r.serial, { person: uncheckedFromStore.person(r.person), revoked: r.revoked_at !== null, active: r.active === 1, current: currentEntry(r) });
    return out;
  }

  async putEnrollment(e: EnrollmentRow): Promise<void> {
    this.s.putEnrollment.run(e.codeHash, e.person, e.expiresAt, e.usedAt);
  }

  async useEnrollment(codeHash: string, at: string): Promise<EnrollmentRow | undefined> {
    const r = this.s.useEnrollment.get({ codeHash, at }) as EnrollmentDbRow | undefined;
    return r && toEnrollment(r);
  }

  async putChallenge(nonce: string, expiresAt: string, bound?: { at: string; max: number }): Promise<boolean> {
    if (!bound) {
      this.s.putChallenge.run(nonce, expiresAt);
      return true;
    }
    return this.db.transaction(() => {
      this.s.purgeChallenges.run({ at: bound.at });
      if ((this.s.countChallenges.get() as { n: number }).n >= bound.max) return false;
      this.s.putChallenge.run(nonce, expiresAt);
      return true;
    }).immediate();
  }

  async takeChallenge(nonce: string, at: string): Promise<boolean> {
    return this.db.transaction(() => {
      const r = this.s.takeChallenge.get({ nonce, at }) as { live: number | null } | undefined;
      this.s.purgeChallenges.run({ at });
      return r?.live === 1;
    }).immediate();
  }

  // ---- attachments and exchange (sqlite-blobs.ts, sqlite-exchange.ts) ----------------------------

  readonly putBlob: Store["putBlob"] = (h, data) => this.blobs.putBlob(h, data);
  readonly getBlob: Store["getBlob"] = (h) => this.blobs.getBlob(h);
  readonly hasBlobs: Store["hasBlobs"] = (hs) => this.blobs.hasBlobs(hs);
  async blobDocs(sha256: Sha256Hex): Promise<DocId[]> {
    return (this.s.blobDocs.all(sha256) as { doc: string }[]).map((r) => uncheckedFromStore.doc(r.doc));
  }

  /** In the group commit, like appendUpdate: durable when this resolves. */
  claimClients(doc: DocId, owner: string, clients: readonly number[]): Promise<Map<number, string>> {
    return this.writes.write(() => {
      const owners = new Map<number, string>();
      for (const c of clients) {
        this.s.claimClient.run(doc, c, owner);
        owners.set(c, (this.s.clientOwner.get(doc, c) as { owner: string }).owner);
      }
      return owners;
    });
  }
  readonly putPeer: Store["putPeer"] = (p) => this.exchange.putPeer(p);
  readonly peer: Store["peer"] = (code) => this.exchange.peer(code);
  readonly peers: Store["peers"] = () => this.exchange.peers();
  readonly importEnvelope: Store["importEnvelope"] = (b) => this.exchange.importEnvelope(b);
  readonly importedEnvelope: Store["importedEnvelope"] = (id) => this.exchange.importedEnvelope(id);
  readonly envelopeBytes: Store["envelopeBytes"] = (id) => this.exchange.envelopeBytes(id);
  readonly logExchange: Store["logExchange"] = (r, envelope) => this.exchange.logExchange(r, envelope);
  readonly exchanges: Store["exchanges"] = (q) => this.exchange.exchanges(q);
  // ---- the mail queue (sqlite-mail.ts; mail/) ----
  readonly enqueueMail: Store["enqueueMail"] = (items) => this.mail.enqueueMail(items);
  readonly claimMail: Store["claimMail"] = (now, until, limit) => this.mail.claimMail(now, until, limit);
  readonly updateMail: Store["updateMail"] = (id, patch) => this.mail.updateMail(id, patch);
  readonly mailQueue: Store["mailQueue"] = (q) => this.mail.mailQueue(q);
  readonly mailCounts: Store["mailCounts"] = () => this.mail.mailCounts();
  readonly mailCandidates: Store["mailCandidates"] = (dueBy, unit) => this.mail.mailCandidates(dueBy, unit);
  readonly enqueueOutbox: Store["enqueueOutbox"] = (o) => this.exchange.enqueueOutbox(o);
  readonly dueOutbox: Store["dueOutbox"] = (now, limit) => this.exchange.dueOutbox(now, limit);
  readonly updateOutbox: Store["updateOutbox"] = (id, patch) => this.exchange.updateOutbox(id, patch);
  readonly outbox: Store["outbox"] = (q) => this.exchange.outbox(q);
  readonly putAssignment: Store["putAssignment"] = (a) => this.exchange.putAssignment(a);
  readonly assignment: Store["assignment"] = (doc) => this.exchange.assignment(doc);
  readonly assignmentsOf: Store["assignmentsOf"] = (p) => this.exchange.assignmentsOf(p);

  // ---- 時效管制: time facts and the office calendar (sqlite-time-facts.ts; deadline/) ----
  readonly putTimeFacts: Store["putTimeFacts"] = (rows) => this.timeFacts.putTimeFacts(rows);
  readonly getTimeFacts: Store["getTimeFacts"] = (doc) => this.timeFacts.getTimeFacts(doc);
  readonly followUpFacts: Store["followUpFacts"] = (q) => this.timeFacts.followUpFacts(q);
  readonly timeFactsWork: Store["timeFactsWork"] = (q) => this.timeFacts.timeFactsWork(q);
  readonly calendarYears: Store["calendarYears"] = () => this.timeFacts.calendarYears();
  readonly putCalendar: Store["putCalendar"] = (years) => this.timeFacts.putCalendar(years);

  // ---- whole store -------------------------------------------------------------------------------

  /**
   * SQLite's online backup: pages are copied in steps so the relay keeps serving, and writes made
   * through this connection meanwhile are carried into the copy. A write by another process restarts
   * the copy; if that keeps happening, the rest is copied in one step under one read snapshot (WAL
   * lets the writer go on meanwhile).
   */
  async backup(toFile: string): Promise<void> {
    const target = path.resolve(toFile);
    if (target === this.file) throw new Error("A backup cannot overwrite the store it is taken from.");
    let restarts = 0;
    let lastRemaining = Infinity;
    // Created owner-only before SQLite writes into it: a backup is the whole agency.
    fs.closeSync(fs.openSync(target, "a", PRIVATE_FILE));
    fs.chmodSync(target, PRIVATE_FILE);
    await this.db.backup(target, {
      progress: ({ remainingPages }) => {
        // After a restart the step re-copies the first pages, so what remains stops shrinking.
        if (remainingPages >= lastRemaining) restarts++;
        lastRemaining = remainingPages;
        return restarts >= BACKUP_RESTARTS_BEFORE_ONE_STEP ? 0x7fffffff : BACKUP_PAGES_PER_STEP;
      },
    });
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.writes.flush(); // nothing accepted may be left unwritten
    this.db.pragma("optimize");
    this.db.close();
  }
}

/**
 * Test-only faults, for what a test running as root cannot cause with file modes: `readOnly` opens
 * every connection with `PRAGMA query_only`, so every write fails as on a read-only file.
 */
export interface SqliteFaults {
  readOnly?: boolean;
}

/** The setting the write probe rewrites (a real write, committed: the cheapest honest check). */
export const PROBE_SETTING = "health.write-probe";

/** Owner-only: the store, its WAL and shared-memory files, backups. */
export const PRIVATE_FILE = 0o600;

/**
 * Brings the store's files to 0600 (a file made by an older version or another tool may be 0644).
 * SQLite gives the -wal and -shm files the database file's mode when it creates them.
 */
function privateModes(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if ((fs.statSync(f).mode & 0o777) !== PRIVATE_FILE) fs.chmodSync(f, PRIVATE_FILE);
    } catch (e) {
      // Absent (no WAL yet), or not ours to change (then the owner's modes stand).
      if ((e as NodeJS.ErrnoException).code !== "ENOENT" && (e as NodeJS.ErrnoException).code !== "EPERM") throw e;
    }
  }
}

export function openSqliteStore(file: string, faults?: SqliteFaults): Store {
  return new SqliteStore(file, faults);
}

/**
 * Copies a backup into place as a new store. Refuses to overwrite anything, and refuses a source
 * that is not a Countersign store, so a mistyped path cannot destroy or masquerade as data.
 */
export async function restoreSqliteStore(fromFile: string, toFile: string): Promise<void> {
  const target = path.resolve(toFile);
  for (const f of [target, `${target}-wal`]) {
    // A leftover WAL beside an absent database would be replayed into the restored copy.
    if (fs.existsSync(f) && fs.statSync(f).size > 0) throw new Error(`Refusing to restore over ${f}: it exists and is not empty.`);
  }
  if (!fs.existsSync(fromFile)) throw new Error(`The backup ${fromFile} does not exist.`);

  let source: Database.Database;
  let version: number | undefined;
  try {
    source = new Database(fromFile, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new Error(`${fromFile} cannot be opened as an SQLite database: ${(e as Error).message}.`, { cause: e });
  }
  try {
    try {
      version = storedSchemaVersion(source);
    } catch {
      version = undefined;
    }
    if (version === undefined) throw new Error(`${fromFile} is not a Countersign store (it has no schema_version setting).`);
    if (version > SCHEMA_VERSION) {
      throw new Error(`${fromFile} has schema version ${version}, newer than this program knows (${SCHEMA_VERSION}); upgrade the program.`);
    }
    // Copy beside the target and rename: an interrupted restore leaves no file that looks like a store.
    const partial = `${target}.restoring-${process.pid}`;
    fs.rmSync(partial, { force: true });
    try {
      await source.backup(partial);
      const check = new Database(partial);
      try {
        const result = check.pragma("quick_check", { simple: true });
        if (result !== "ok") throw new Error(`The restored copy of ${fromFile} failed SQLite's quick check: ${String(result)}.`);
        // Fold any WAL content into the file itself: only the file is renamed into place.
        const [cp] = check.pragma("wal_checkpoint(TRUNCATE)") as { busy: number }[];
        if (cp && cp.busy !== 0) throw new Error(`The restored copy of ${fromFile} could not be checkpointed.`);
      } finally {
        check.close();
      }
      if (fs.existsSync(target) && fs.statSync(target).size > 0) throw new Error(`Refusing to restore over ${target}: it appeared during the restore.`);
      fs.chmodSync(partial, PRIVATE_FILE);
      fs.renameSync(partial, target);
    } finally {
      for (const f of [partial, `${partial}-wal`, `${partial}-shm`]) fs.rmSync(f, { force: true });
    }
  } finally {
    source.close();
  }
}
