import type Database from "better-sqlite3";
import type { AgencyCode, DocId, PersonId } from "@countersign/crdt-model";
import {
  blob,
  bytes,
  exchangeValues,
  peerValues,
  toAssignment,
  toExchange,
  toOutbox,
  toPeer,
  type AssignmentDbRow,
  type ExchangeDbRow,
  type OutboxDbRow,
  type PeerDbRow,
} from "./rows.ts";
import type { SqliteBlobs } from "./sqlite-blobs.ts";
import { checkImportRecord, checkLoggedRecord } from "./exchange-rules.ts";
import type { Assignment, ExchangeQuery, ExchangeRecord, ExchangeStore, ImportBatch, OutboxItem, PeerAgency } from "./types.ts";

type Stmt = Database.Statement<unknown[], unknown>;

const instant = (sqlExpr: string): string => `unixepoch(${sqlExpr}, 'subsec')`;
const EXCHANGE_COLUMNS = "envelope, direction, peer, purpose, answers, docs, sha256, size, status, detail, at, code";

function statements(db: Database.Database) {
  const p = (sql: string): Stmt => db.prepare(sql);
  return {
    putPeer: p(`INSERT INTO peers (code, name, ca_pem, fingerprint, url, delegation, revoked_serials, added_at, removed_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (code) DO UPDATE SET name = excluded.name, ca_pem = excluded.ca_pem, fingerprint = excluded.fingerprint,
        url = excluded.url, delegation = excluded.delegation, revoked_serials = excluded.revoked_serials,
        added_at = excluded.added_at, removed_at = excluded.removed_at`),
    peer: p("SELECT * FROM peers WHERE code = ?"),
    peers: p("SELECT * FROM peers ORDER BY code"),
    appendUpdate: p("INSERT INTO updates (doc, data, at) VALUES (?, ?, ?)"),
    logExchange: p(`INSERT INTO exchanges (${EXCHANGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`),
    logDoc: p("INSERT OR IGNORE INTO exchange_docs (doc, seq) VALUES (?, ?)"),
    imported: p("SELECT * FROM exchanges WHERE envelope = ? AND direction = 'in' AND status = 'imported'"),
    keepEnvelope: p("INSERT INTO envelopes (envelope, sha256, data, at) VALUES (?, ?, ?, ?) ON CONFLICT (envelope) DO NOTHING"),
    envelopeBytes: p("SELECT data FROM envelopes WHERE envelope = ?"),
    enqueue: p(`INSERT INTO outbox (envelope, peer, data, attempts, next_attempt_at, last_error, status, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (envelope) DO NOTHING`),
    // An unparseable time gives NULL and so is never due: the caller's clock decides, as instants.
    due: p(`SELECT * FROM outbox WHERE status = 'pending' AND ${instant("next_attempt_at")} <= ${instant("@now")}
      ORDER BY ${instant("created_at")}, created_at, envelope LIMIT @limit`),
    updateOutbox: p("UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ?, status = ? WHERE envelope = ?"),
    outbox: p(`SELECT * FROM outbox WHERE @status IS NULL OR status = @status
      ORDER BY ${instant("created_at")} DESC, created_at DESC, envelope LIMIT @limit`),
    putAssignment: p("INSERT INTO assignments (doc, person, assigned_by, at, envelope) VALUES (?, ?, ?, ?, ?)"),
    assignment: p("SELECT * FROM assignments WHERE doc = ? ORDER BY seq DESC LIMIT 1"),
    assignmentsOf: p(`SELECT a.* FROM assignments a
      WHERE a.person = ? AND a.seq = (SELECT max(b.seq) FROM assignments b WHERE b.doc = a.doc) ORDER BY a.seq DESC`),
  };
}

const LOG_FILTERS = ["peer", "doc", "direction", "envelope", "status"] as const;
const limitOf = (limit: number | undefined): number => (limit === undefined ? -1 : Math.max(0, Math.floor(limit)));

/**
 * Federation, the exchange log, the outbox and 分文 in the SQLite store. Shares the store's connection:
 * every write here is ordered with the store's own, one transaction at a time.
 */
export class SqliteExchange implements ExchangeStore {
  private readonly s: ReturnType<typeof statements>;
  /** One statement per combination of filters, so each keeps its index-driven plan. */
  private readonly logQueries = new Map<string, Stmt>();

  /**
   * `flushAppends` writes the store's group-commit queue: an import runs it first, so updates accepted
   * before the import get the smaller seqs, as they would have without the 2 ms window.
   */
  constructor(
    private readonly db: Database.Database,
    private readonly blobs: SqliteBlobs,
    private readonly flushAppends: () => void,
  ) {
    this.s = statements(db);
  }

  async putPeer(p: PeerAgency): Promise<void> {
    this.s.putPeer.run(...peerValues(p));
  }

  async peer(code: AgencyCode): Promise<PeerAgency | undefined> {
    const r = this.s.peer.get(code) as PeerDbRow | undefined;
    return r && toPeer(r);
  }

  async peers(): Promise<PeerAgency[]> {
    return (this.s.peers.all() as PeerDbRow[]).map(toPeer);
  }

  /**
   * One IMMEDIATE transaction: the write lock is taken before the duplicate check, so another process
   * importing the same envelope either committed first (and this one finds its record) or waits.
   * better-sqlite3 runs the transaction synchronously, so no append of this connection can fall
   * between its statements, and with synchronous = FULL the commit is on disk when this resolves.
   */
  async importEnvelope(b: ImportBatch): Promise<{ imported: true; seqs: number[] } | { imported: false; first: ExchangeRecord }> {
    const envelope = checkImportRecord(b.record);
    this.flushAppends();
    return this.db.transaction((): { imported: true; seqs: number[] } | { imported: false; first: ExchangeRecord } => {
      const first = this.s.imported.get(envelope) as ExchangeDbRow | undefined;
      if (first) return { imported: false, first: toExchange(first) };
      const at = new Date().toISOString();
      this.log(b.record);
      const seqs = b.updates.map((u) => Number(this.s.appendUpdate.run(u.doc, blob(u.update), at).lastInsertRowid));
      for (const x of b.blobs) this.blobs.insert(x.sha256, x.data, at);
      this.s.keepEnvelope.run(envelope, b.record.sha256, blob(b.envelope), at);
      return { imported: true, seqs };
    }).immediate();
  }

  /** The log line and its document keys; inside the caller's transaction. */
  private log(r: ExchangeRecord): number {
    const { seq } = this.s.logExchange.get(...exchangeValues(r)) as { seq: number };
    for (const d of r.docs) this.s.logDoc.run(d, seq);
    return seq;
  }

  async importedEnvelope(envelope: string): Promise<ExchangeRecord | undefined> {
    const r = this.s.imported.get(envelope) as ExchangeDbRow | undefined;
    return r && toExchange(r);
  }

  async envelopeBytes(envelope: string): Promise<Uint8Array | undefined> {
    const r = this.s.envelopeBytes.get(envelope) as { data: Buffer } | undefined;
    return r && bytes(r.data);
  }

  async logExchange(r: ExchangeRecord, envelope?: Uint8Array): Promise<number> {
    const keep = checkLoggedRecord(r, envelope);
    return this.db.transaction(() => {
      const seq = this.log(r);
      if (keep) this.s.keepEnvelope.run(keep.envelope, r.sha256, blob(keep.data), r.at);
      return seq;
    }).immediate();
  }

  async exchanges(q: ExchangeQuery = {}): Promise<ExchangeRecord[]> {
    const stmt = this.logQuery(q);
    const params: Record<string, unknown> = { limit: limitOf(q.limit) };
    for (const k of LOG_FILTERS) if (q[k] !== undefined) params[k] = q[k];
    return (stmt.all(params) as ExchangeDbRow[]).map(toExchange);
  }

  private logQuery(q: ExchangeQuery): Stmt {
    const key = LOG_FILTERS.map((k) => +(q[k] !== undefined)).join("");
    let stmt = this.logQueries.get(key);
    if (stmt) return stmt;
    const where: string[] = [];
    if (q.peer !== undefined) where.push("x.peer = @peer");
    if (q.doc !== undefined) where.push("x.seq IN (SELECT d.seq FROM exchange_docs d WHERE d.doc = @doc)");
    if (q.direction !== undefined) where.push("x.direction = @direction");
    if (q.envelope !== undefined) where.push("x.envelope = @envelope");
    if (q.status !== undefined) where.push("x.status = @status");
    stmt = this.db.prepare(`SELECT x.* FROM exchanges x ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY x.seq DESC LIMIT @limit`);
    this.logQueries.set(key, stmt);
    return stmt;
  }

  async enqueueOutbox(o: OutboxItem): Promise<void> {
    this.s.enqueue.run(o.envelope, o.peer, blob(o.data), o.attempts, o.nextAttemptAt, o.lastError, o.status, o.createdAt);
  }

  async dueOutbox(now: string, limit: number): Promise<OutboxItem[]> {
    return (this.s.due.all({ now, limit: limitOf(limit) }) as OutboxDbRow[]).map(toOutbox);
  }

  async updateOutbox(envelope: string, patch: Pick<OutboxItem, "attempts" | "nextAttemptAt" | "lastError" | "status">): Promise<void> {
    const r = this.s.updateOutbox.run(patch.attempts, patch.nextAttemptAt, patch.lastError, patch.status, envelope);
    if (r.changes === 0) throw new Error(`There is no envelope ${envelope} in the outbox.`);
  }

  async outbox(q: { status?: OutboxItem["status"]; limit?: number } = {}): Promise<OutboxItem[]> {
    return (this.s.outbox.all({ status: q.status ?? null, limit: limitOf(q.limit) }) as OutboxDbRow[]).map(toOutbox);
  }

  async putAssignment(a: Assignment): Promise<void> {
    this.s.putAssignment.run(a.doc, a.person, a.by, a.at, a.envelope);
  }

  async assignment(doc: DocId): Promise<Assignment | undefined> {
    const r = this.s.assignment.get(doc) as AssignmentDbRow | undefined;
    return r && toAssignment(r);
  }

  async assignmentsOf(person: PersonId): Promise<Assignment[]> {
    return (this.s.assignmentsOf.all(person) as AssignmentDbRow[]).map(toAssignment);
  }
}
