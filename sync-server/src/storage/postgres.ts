import pg from "pg";
import { type DocId, type PersonId, type Sha256Hex, uncheckedFromStore } from "@countersign/crdt-model";
import { LOCK_DOC, prepareDatabase, seqOf } from "./postgres-schema.ts";
import { writeBackup } from "./postgres-backup.ts";
import { PostgresExchange } from "./postgres-exchange.ts";
import { PostgresTimeFacts } from "./postgres-time-facts.ts";
import { PostgresMail } from "./postgres-mail.ts";
import { insertReceipts, upsertIndexRows } from "./postgres-index.ts";
import {
  blob,
  bytes,
  currentEntry,
  toCertificate,
  toDeputy,
  toEnrollment,
  toIndexRow,
  rocYearBounds,
  toArchiveView,
  type ArchiveViewDbRow,
  toPerson,
  toAudit,
  type AuditDbRow,
  toReceipt,
  type CertDbRow,
  type DeputyDbRow,
  type DirectoryColumns,
  type EnrollmentDbRow,
  type IndexDbRow,
  type PersonDbRow,
  type ReceiptDbRow,
} from "./rows.ts";
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

const DELEGATION_KEY = "directory.delegation";
/** Connections per process: the relay serialises each document, so this bounds concurrent documents. */
const POOL_SIZE = 10;

/** Whether a --store value names a PostgreSQL database. */
export const isPostgresUrl = (s: string): boolean => /^postgres(ql)?:\/\//i.test(s);

/** The URL without its password, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(a malformed URL)";
  }
}


/**
 * The PostgreSQL store: the same tables and the same semantics as the SQLite store, for an agency
 * that runs several relay processes against one database. Every method resolves once its statement
 * or transaction has committed (synchronous_commit is the server's business: keep it on).
 */
export class PostgresStore implements Store {
  readonly kind = "postgres" as const;
  private closed = false;
  private readonly exchange: PostgresExchange;
  private readonly timeFacts: PostgresTimeFacts;
  private readonly mail: PostgresMail;

  constructor(private readonly pool: pg.Pool) {
    this.exchange = new PostgresExchange(pool, (fn) => this.tx(fn));
    this.timeFacts = new PostgresTimeFacts(pool, (fn) => this.tx(fn));
    this.mail = new PostgresMail(pool, (fn) => this.tx(fn));
  }

  /** Runs fn in one transaction on one connection; any throw rolls everything back. */
  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>, begin = "BEGIN"): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query(begin);
      const r = await fn(c);
      await c.query("COMMIT");
      return r;
    } catch (e) {
      await c.query("ROLLBACK").catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  // ---- documents ---------------------------------------------------------------------------------

  /**
   * One statement, so one round trip and its own transaction. The per-document advisory lock is taken
   * before the seq is drawn and held until commit, so one document's seqs commit in order. Without it
   * two processes could commit seq 11 before seq 10, a reader would see 11 alone, and a compaction
   * "up to 11" would delete 10 unread: an acknowledged update lost.
   */
  async appendUpdate(doc: DocId, update: Uint8Array): Promise<number> {
    const r = await this.pool.query<{ seq: string }>(
      `WITH l AS MATERIALIZED (SELECT pg_advisory_xact_lock($1, hashtext($2)))
       INSERT INTO updates (doc, data, at) SELECT $2::text, $3::bytea, $4::text FROM l RETURNING seq`,
      [LOCK_DOC, doc, blob(update), new Date().toISOString()],
    );
    return seqOf(r.rows[0]!.seq);
  }

  async latestSeqs(docs: readonly DocId[]): Promise<Map<DocId, number>> {
    const r = await this.pool.query<{ doc: DocId; seq: string }>("SELECT doc, max(seq) AS seq FROM updates WHERE doc = ANY($1) GROUP BY doc", [docs]);
    return new Map(r.rows.map((u) => [u.doc, seqOf(u.seq)]));
  }

  async readUpdates(doc: DocId): Promise<StoredUpdate[]> {
    const r = await this.pool.query<{ seq: string; data: Buffer }>("SELECT seq, data FROM updates WHERE doc = $1 ORDER BY seq", [doc]);
    return r.rows.map((u) => ({ seq: seqOf(u.seq), data: bytes(u.data) }));
  }

  async compact(doc: DocId, merged: Uint8Array, upToSeq: number): Promise<void> {
    await this.tx(async (c) => {
      // The same lock as appendUpdate: two processes compacting one document take turns, each seeing
      // what the other committed.
      await c.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [LOCK_DOC, doc]);
      const r = await c.query<{ seq: string | null }>("SELECT max(seq) AS seq FROM updates WHERE doc = $1 AND seq <= $2", [doc, upToSeq]);
      const seq = r.rows[0]?.seq ?? null;
      if (seq === null) throw new Error(`Document ${doc} has no update at or before seq ${upToSeq} to compact.`);
      await c.query("DELETE FROM updates WHERE doc = $1 AND seq <= $2", [doc, upToSeq]);
      // The merged update takes the largest seq it replaces, as in SQLite: still before every newer
      // update of this document, and unused by any other document.
      await c.query("INSERT INTO updates (seq, doc, data, at) VALUES ($1, $2, $3, $4)", [seq, doc, blob(merged), new Date().toISOString()]);
    });
  }

  async hasDoc(doc: DocId): Promise<boolean> {
    return ((await this.pool.query("SELECT 1 FROM updates WHERE doc = $1 LIMIT 1", [doc])).rowCount ?? 0) > 0;
  }

  async putIndex(row: DocIndexRow): Promise<void> {
    await this.putIndexes([row]);
  }

  /** One transaction for all the rows (postgres-index.ts). */
  async putIndexes(rows: DocIndexRow[]): Promise<void> {
    if (!rows.length) return;
    await this.tx((c) => upsertIndexRows(c, rows));
  }

  async getIndex(doc: DocId): Promise<DocIndexRow | undefined> {
    const r = await this.pool.query<IndexDbRow>("SELECT * FROM doc_index WHERE doc = $1", [doc]);
    return r.rows[0] && toIndexRow(r.rows[0]);
  }

  /** As in SQLite: filters AND together, any listed value matches, an empty list matches nothing. */
  async queryIndex(q: DocIndexQuery): Promise<DocIndexRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (v: unknown): string => `$${params.push(v)}`;
    const byKey = (kind: string, keys: string[]) => `d.doc IN (SELECT k.doc FROM doc_keys k WHERE k.kind = '${kind}' AND k.key = ANY(${param(keys)}::text[]))`;
    if (q.holders !== undefined) where.push(byKey("holder", q.holders));
    if (q.participants !== undefined) where.push(byKey("participant", q.participants));
    if (q.status !== undefined) where.push(`d.status = ANY(${param(q.status)}::text[])`);
    // doc is COLLATE "C" (postgres-schema.ts): compared and ordered bytewise, as in SQLite.
    if (q.after !== undefined) where.push(`d.doc > ${param(q.after)}`);
    if (q.changedSince !== undefined) where.push(`d.updated_at >= ${param(q.changedSince)}`);
    // LIMIT NULL is no limit, as SQLite's LIMIT -1.
    const limit = param(q.limit === undefined ? null : Math.max(0, Math.floor(q.limit)));
    const r = await this.pool.query<IndexDbRow>(
      `SELECT d.* FROM doc_index d ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${q.after !== undefined ? "d.doc" : "d.updated_at DESC, d.doc"} LIMIT ${limit}`,
      params,
    );
    return r.rows.map(toIndexRow);
  }

  /** strpos and left, never LIKE: a search for "100%" finds exactly that. */
  async searchIndex(q: IndexSearch): Promise<DocIndexRow[]> {
    const params: unknown[] = [];
    const param = (v: unknown): string => `$${params.push(v)}`;
    const where = [`d.status = ANY(${param(q.status)}::text[])`];
    if (q.fileNumber) where.push(`left(d.file_number, length(${param(q.fileNumber)}::text)) = $${params.length}`);
    if (q.year !== undefined) {
      const y = rocYearBounds(q.year);
      where.push(`(left(d.file_number, 4) = ${param(y.filePrefix)} OR (d.archived_at COLLATE "C" >= ${param(y.from)} AND d.archived_at COLLATE "C" < ${param(y.to)}))`);
    }
    if (q.subject) where.push(`strpos(d.subject, ${param(q.subject)}) > 0`);
    if (q.docNumber) where.push(`strpos(d.doc_number, ${param(q.docNumber)}) > 0`);
    if (q.unit) where.push(`d.unit = ${param(q.unit)}`);
    const limit = param(Math.max(0, Math.floor(q.limit)));
    const r = await this.pool.query<IndexDbRow>(`SELECT d.* FROM doc_index d WHERE ${where.join(" AND ")} ORDER BY d.updated_at DESC, d.doc LIMIT ${limit}`, params);
    return r.rows.map(toIndexRow);
  }

  /** As recordReceipts (postgres-index.ts): a concurrent first sighting of the entry wins, and is returned. */
  async recordReceipt(r: EntryReceipt): Promise<EntryReceipt> {
    return (await insertReceipts(this.pool, [r]))[0]!;
  }

  readonly recordReceipts: Store["recordReceipts"] = (rs) => insertReceipts(this.pool, rs);

  async receipts(doc: DocId): Promise<EntryReceipt[]> {
    const r = await this.pool.query<ReceiptDbRow>("SELECT entry, doc, received_at, signature FROM receipts WHERE doc = $1 ORDER BY received_at, entry", [doc]);
    return r.rows.map(toReceipt);
  }

  // ---- directory ---------------------------------------------------------------------------------

  async putUnit(u: Unit): Promise<void> {
    await this.pool.query("INSERT INTO units (id, name, parent) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET name = excluded.name, parent = excluded.parent", [
      u.id,
      u.name,
      u.parent,
    ]);
  }

  async units(): Promise<Unit[]> {
    return (await this.pool.query<Unit>("SELECT id, name, parent FROM units ORDER BY id")).rows;
  }

  async putPerson(p: Person): Promise<void> {
    await this.pool.query(
      `INSERT INTO people (id, name, unit, level, roles, active, email) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, unit = excluded.unit, level = excluded.level,
         roles = excluded.roles, active = excluded.active, email = excluded.email`,
      [p.id, p.name, p.unit, p.level, JSON.stringify(p.roles), p.active, p.email ?? null],
    );
  }

  async person(id: PersonId): Promise<Person | undefined> {
    const r = await this.pool.query<PersonDbRow>("SELECT * FROM people WHERE id = $1", [id]);
    return r.rows[0] && toPerson(r.rows[0]);
  }

  async people(): Promise<Person[]> {
    return (await this.pool.query<PersonDbRow>("SELECT * FROM people ORDER BY id")).rows.map(toPerson);
  }

  async putDeputy(d: DeputyRow): Promise<void> {
    await this.pool.query(
      `INSERT INTO deputies (principal, deputy, from_at, until_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (principal, deputy, from_at) DO UPDATE SET until_at = excluded.until_at`,
      [d.principal, d.deputy, d.from, d.until],
    );
  }

  async deputies(): Promise<DeputyRow[]> {
    const r = await this.pool.query<DeputyDbRow>("SELECT principal, deputy, from_at, until_at FROM deputies ORDER BY principal, from_at, deputy");
    return r.rows.map(toDeputy);
  }

  async putDelegation(json: string): Promise<void> {
    await this.setSetting(DELEGATION_KEY, json);
  }

  async delegation(): Promise<string | undefined> {
    return this.getSetting(DELEGATION_KEY);
  }

  // ---- the audit log -----------------------------------------------------------------------------

  async appendAudit(r: AuditRecord): Promise<number> {
    const q = await this.pool.query<{ seq: string }>(
      "INSERT INTO audit_log (at, actor, action, target, before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq",
      [r.at, r.actor, r.action, r.target, r.before, r.after],
    );
    return seqOf(q.rows[0]!.seq);
  }

  async auditLog(q: { before?: number; limit?: number } = {}): Promise<AuditRecord[]> {
    const r = await this.pool.query<AuditDbRow>("SELECT * FROM audit_log WHERE seq < $1 ORDER BY seq DESC LIMIT $2", [
      q.before ?? Number.MAX_SAFE_INTEGER,
      q.limit ?? 100,
    ]);
    return r.rows.map(toAudit);
  }

  // ---- 調閱 ------------------------------------------------------------------------------------------

  async recordView(v: ArchiveView): Promise<number> {
    const q = await this.pool.query<{ seq: string }>("INSERT INTO archive_views (doc, person, at) VALUES ($1, $2, $3) RETURNING seq", [v.doc, v.person, v.at]);
    return seqOf(q.rows[0]!.seq);
  }

  async views(q: { doc?: DocId; person?: PersonId; since?: string; limit?: number } = {}): Promise<ArchiveView[]> {
    const r = await this.pool.query<ArchiveViewDbRow>(
      `SELECT seq, doc, person, at FROM archive_views
       WHERE ($1::text IS NULL OR doc = $1) AND ($2::text IS NULL OR person = $2) AND ($3::text IS NULL OR at >= $3)
       ORDER BY seq DESC LIMIT $4`,
      [q.doc ?? null, q.person ?? null, q.since ?? null, Math.max(0, Math.floor(q.limit ?? 100))],
    );
    return r.rows.map(toArchiveView);
  }

  // ---- reports (sync-server/src/reports/) -------------------------------------------------------

  async reportRows(sql: string, params: readonly ReportParam[]): Promise<Record<string, unknown>[]> {
    // The reports write one SQL text for both stores with ? placeholders (none inside literals).
    let n = 0;
    const text = sql.replace(/\?/g, () => `$${String(++n)}`);
    // A report's grouped query over a month of millions of rows looks costly enough to the planner
    // for JIT, whose compiling (100–180 ms a query) costs more than it saves here: off, for this
    // query only (SET LOCAL ends with the transaction).
    const c = await this.pool.connect();
    try {
      await c.query("BEGIN READ ONLY");
      await c.query("SET LOCAL jit = off");
      const r = await c.query(text, params as ReportParam[]);
      await c.query("COMMIT");
      return r.rows as Record<string, unknown>[];
    } catch (e) {
      await c.query("ROLLBACK").catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  // ---- identity ----------------------------------------------------------------------------------

  async getSetting(key: string): Promise<string | undefined> {
    return (await this.pool.query<{ value: string }>("SELECT value FROM settings WHERE key = $1", [key])).rows[0]?.value;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.pool.query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value]);
  }

  async nextCounter(key: string): Promise<number> {
    // The upsert locks the row, so concurrent increments from any process serialize on it.
    const r = await this.pool.query<{ value: string }>(
      "INSERT INTO settings (key, value) VALUES ($1, '1') ON CONFLICT (key) DO UPDATE SET value = ((settings.value)::bigint + 1)::text RETURNING value",
      [key],
    );
    return Number(r.rows[0]!.value);
  }

  reserveCounted(key: string, records: (n: number) => readonly (readonly [string, string])[]): Promise<number> {
    return this.tx(async (c) => {
      const r = await c.query<{ value: string }>(
        "INSERT INTO settings (key, value) VALUES ($1, '1') ON CONFLICT (key) DO UPDATE SET value = ((settings.value)::bigint + 1)::text RETURNING value",
        [key],
      );
      const n = Number(r.rows[0]!.value);
      for (const [k, v] of records(n)) await c.query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [k, v]);
      return n;
    });
  }

  async putCertificate(c: CertificateRow): Promise<void> {
    // A revocation is final: putting the certificate again must not lift it.
    await this.pool.query(
      `INSERT INTO certificates (serial, person, cert, issued_at, revoked_at, origin) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (serial) DO UPDATE SET person = excluded.person, cert = excluded.cert, issued_at = excluded.issued_at,
         origin = excluded.origin, revoked_at = coalesce(certificates.revoked_at, excluded.revoked_at)`,
      [c.serial, c.person, c.cert, c.issuedAt, c.revokedAt, c.origin],
    );
  }

  async certificates(person?: PersonId): Promise<CertificateRow[]> {
    const r =
      person === undefined
        ? await this.pool.query<CertDbRow>("SELECT * FROM certificates ORDER BY issued_at, serial")
        : await this.pool.query<CertDbRow>("SELECT * FROM certificates WHERE person = $1 ORDER BY issued_at, serial", [person]);
    return r.rows.map(toCertificate);
  }

  async certificateStandings(serials: readonly string[]): Promise<Map<string, CertificateStanding>> {
    const out = new Map<string, CertificateStanding>();
    if (!serials.length) return out;
    const r = await this.pool.query<{ serial: string; person: string; revoked_at: string | null; active: boolean | null } & DirectoryColumns>(
      "SELECT c.serial, c.person, c.revoked_at, p.active, p.unit, p.level, p.roles FROM certificates c LEFT JOIN people p ON p.id = c.person WHERE c.serial = ANY($1::text[])",
      [[...serials]],
    );
    for (const row of r.rows) out.set(row.serial, { person: uncheckedFromStore.person(row.person), revoked: row.revoked_at !== null, active: row.active === true, current: currentEntry(row) });
    return out;
  }

  /** The pool opens new connections as it needs them: a failed write leaves nothing to reconnect. */
  async probeWrite(at: string): Promise<void> {
    await this.pool.query("INSERT INTO settings (key, value) VALUES ('health.write-probe', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [at]);
  }

  /** True when this call revoked it; false when unknown or already revoked (the first time stays). */
  async revokeCertificate(serial: string, at: string): Promise<boolean> {
    const r = await this.pool.query("UPDATE certificates SET revoked_at = $1 WHERE serial = $2 AND revoked_at IS NULL", [at, serial]);
    return (r.rowCount ?? 0) > 0;
  }

  async putEnrollment(e: EnrollmentRow): Promise<void> {
    // A used code stays used if the same hash is put again.
    await this.pool.query(
      `INSERT INTO enrollments (code_hash, person, expires_at, used_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (code_hash) DO UPDATE SET person = excluded.person, expires_at = excluded.expires_at,
         used_at = coalesce(enrollments.used_at, excluded.used_at)`,
      [e.codeHash, e.person, e.expiresAt, e.usedAt],
    );
  }

  /**
   * One UPDATE … RETURNING: a concurrent use of the same code waits on the row lock, then re-checks
   * "used_at IS NULL" against the committed row and matches nothing, so a code is used once.
   */
  async useEnrollment(codeHash: string, at: string): Promise<EnrollmentRow | undefined> {
    const r = await this.pool.query<EnrollmentDbRow>(
      `UPDATE enrollments SET used_at = $2
       WHERE code_hash = $1 AND used_at IS NULL AND countersign_instant(expires_at) > countersign_instant($2)
       RETURNING code_hash, person, expires_at, used_at`,
      [codeHash, at],
    );
    return r.rows[0] && toEnrollment(r.rows[0]);
  }

  /**
   * With a bound: one transaction that purges the stale, counts under a lock on the table (two
   * processes must not both see room for the last one) and inserts only below the cap.
   */
  async putChallenge(nonce: string, expiresAt: string, bound?: { at: string; max: number }): Promise<boolean> {
    const insert = "INSERT INTO challenges (nonce, expires_at) VALUES ($1, $2) ON CONFLICT (nonce) DO UPDATE SET expires_at = excluded.expires_at";
    if (!bound) {
      await this.pool.query(insert, [nonce, expiresAt]);
      return true;
    }
    return this.tx(async (c) => {
      await c.query("LOCK TABLE challenges IN SHARE ROW EXCLUSIVE MODE");
      await c.query("DELETE FROM challenges WHERE countersign_instant(expires_at) <= countersign_instant($1) OR countersign_instant(expires_at) IS NULL", [bound.at]);
      const n = Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM challenges WHERE nonce NOT LIKE 'ticket:%'")).rows[0]!.n);
      if (n >= bound.max) return false;
      await c.query(insert, [nonce, expiresAt]);
      return true;
    });
  }

  /**
   * One statement: the DELETE … RETURNING takes the challenge (a concurrent take waits and then finds
   * nothing), and stale challenges are purged alongside, as SQLite does, so unanswered ones do not
   * pile up. The purge skips the taken nonce: one statement must not delete a row twice.
   */
  async takeChallenge(nonce: string, at: string): Promise<boolean> {
    const r = await this.pool.query<{ live: boolean | null }>(
      `WITH taken AS (
         DELETE FROM challenges WHERE nonce = $1
         RETURNING countersign_instant(expires_at) > countersign_instant($2) AS live
       ), purged AS (
         DELETE FROM challenges WHERE nonce <> $1
           AND (countersign_instant(expires_at) <= countersign_instant($2) OR countersign_instant(expires_at) IS NULL)
       )
       SELECT live FROM taken`,
      [nonce, at],
    );
    return r.rows[0]?.live === true;
  }

  // ---- attachments and exchange (postgres-exchange.ts) --------------------------------------------

  readonly putBlob: Store["putBlob"] = (h, data) => this.exchange.putBlob(h, data);
  readonly getBlob: Store["getBlob"] = (h) => this.exchange.getBlob(h);
  readonly hasBlobs: Store["hasBlobs"] = (hs) => this.exchange.hasBlobs(hs);
  async blobDocs(sha256: Sha256Hex): Promise<DocId[]> {
    return (await this.pool.query<{ doc: DocId }>("SELECT doc FROM doc_blobs WHERE sha256 = $1 ORDER BY doc", [sha256])).rows.map((r) => r.doc);
  }

  /** One statement: inserts what is unbound, then reads every owner (ON CONFLICT keeps the first). */
  async claimClients(doc: DocId, owner: string, clients: readonly number[]): Promise<Map<number, string>> {
    if (!clients.length) return new Map();
    await this.pool.query("INSERT INTO doc_clients (doc, client, owner) SELECT $1, c, $2 FROM unnest($3::bigint[]) AS c ON CONFLICT (doc, client) DO NOTHING", [doc, owner, clients]);
    const r = await this.pool.query<{ client: string; owner: string }>("SELECT client, owner FROM doc_clients WHERE doc = $1 AND client = ANY($2::bigint[])", [doc, clients]);
    return new Map(r.rows.map((x) => [Number(x.client), x.owner]));
  }
  readonly putPeer: Store["putPeer"] = (p) => this.exchange.putPeer(p);
  readonly peer: Store["peer"] = (code) => this.exchange.peer(code);
  readonly peers: Store["peers"] = () => this.exchange.peers();
  readonly importEnvelope: Store["importEnvelope"] = (b) => this.exchange.importEnvelope(b);
  readonly importedEnvelope: Store["importedEnvelope"] = (id) => this.exchange.importedEnvelope(id);
  readonly envelopeBytes: Store["envelopeBytes"] = (id) => this.exchange.envelopeBytes(id);
  readonly logExchange: Store["logExchange"] = (r, envelope) => this.exchange.logExchange(r, envelope);
  readonly exchanges: Store["exchanges"] = (q) => this.exchange.exchanges(q);
  // ---- the mail queue (postgres-mail.ts; mail/) ----
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

  // ---- 時效管制: time facts and the office calendar (postgres-time-facts.ts; deadline/) ----
  readonly putTimeFacts: Store["putTimeFacts"] = (rows) => this.timeFacts.putTimeFacts(rows);
  readonly getTimeFacts: Store["getTimeFacts"] = (doc) => this.timeFacts.getTimeFacts(doc);
  readonly followUpFacts: Store["followUpFacts"] = (q) => this.timeFacts.followUpFacts(q);
  readonly timeFactsWork: Store["timeFactsWork"] = (q) => this.timeFacts.timeFactsWork(q);
  readonly calendarYears: Store["calendarYears"] = () => this.timeFacts.calendarYears();
  readonly putCalendar: Store["putCalendar"] = (years) => this.timeFacts.putCalendar(years);

  // ---- whole store -------------------------------------------------------------------------------

  /** A consistent dump as JSON lines, taken while serving (postgres-backup.ts). */
  async backup(toFile: string): Promise<void> {
    await writeBackup((fn) => this.tx(fn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"), toFile);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/**
 * Connects to the database at `url` (postgres://user:pass@host:port/db), creates or upgrades the
 * schema, and resolves once the store is usable; a database it cannot reach is a rejection with the
 * reason, not a store that fails later.
 */
export async function openPostgresStore(url: string): Promise<Store> {
  if (!isPostgresUrl(url)) throw new Error(`${redactUrl(url)} is not a PostgreSQL URL (postgres://user@host:port/database).`);
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, application_name: "countersign" });
  // An idle connection that breaks (the database restarted) is dropped by the pool; without a
  // listener the 'error' event would end the whole server process.
  pool.on("error", () => undefined);
  try {
    await prepareDatabase(pool);
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new Error(`The PostgreSQL store at ${redactUrl(url)} cannot be opened: ${(e as Error).message}`, { cause: e });
  }
  return new PostgresStore(pool);
}
