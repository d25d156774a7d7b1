import type pg from "pg";
import type { AgencyCode, DocId, PersonId, Sha256Hex } from "@countersign/crdt-model";
import { LOCK_DOC, seqOf } from "./postgres-schema.ts";
import {
  blob,
  bytes,
  checkBlobHash,
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
import { checkImportRecord, checkLoggedRecord } from "./exchange-rules.ts";
import type {
  Assignment,
  BlobStore,
  ExchangeQuery,
  ExchangeRecord,
  ExchangeStore,
  ImportBatch,
  OutboxItem,
  PeerAgency,
} from "./types.ts";

/** Runs fn in one transaction on one connection; any throw rolls everything back (PostgresStore.tx). */
export type Tx = <T>(fn: (c: pg.PoolClient) => Promise<T>) => Promise<T>;

const EXCHANGE_COLUMNS = "envelope, direction, peer, purpose, answers, docs, sha256, size, status, detail, at, code";
const EXCHANGE_PARAMS = "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12";
/** LIMIT NULL is no limit, as SQLite's LIMIT -1. */
const limitOf = (limit: number | undefined): number | null => (limit === undefined ? null : Math.max(0, Math.floor(limit)));

const insertBlob = async (c: pg.Pool | pg.ClientBase, sha256: Sha256Hex, data: Uint8Array, at: string): Promise<void> => {
  checkBlobHash(sha256, data);
  // The same bytes again change nothing: the hash names them, so the stored copy is already right.
  await c.query("INSERT INTO blobs (sha256, data, size, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING", [
    sha256,
    blob(data),
    data.byteLength,
    at,
  ]);
};

/** The log line and its document keys, on the caller's connection (inside its transaction). */
const logLine = async (c: pg.ClientBase, r: ExchangeRecord, onConflict = ""): Promise<number | undefined> => {
  const ins = await c.query<{ seq: string }>(`INSERT INTO exchanges (${EXCHANGE_COLUMNS}) VALUES (${EXCHANGE_PARAMS}) ${onConflict} RETURNING seq`, exchangeValues(r));
  const seq = ins.rows[0] && seqOf(ins.rows[0].seq);
  if (seq !== undefined && r.docs.length) {
    await c.query("INSERT INTO exchange_docs (doc, seq) SELECT DISTINCT unnest($1::text[]), $2::bigint", [r.docs, seq]);
  }
  return seq;
};

const keepEnvelope = (c: pg.ClientBase, envelope: string, sha256: string, data: Uint8Array, at: string) =>
  c.query("INSERT INTO envelopes (envelope, sha256, data, at) VALUES ($1, $2, $3, $4) ON CONFLICT (envelope) DO NOTHING", [envelope, sha256, blob(data), at]);

/**
 * Attachments, federation, the exchange log, the outbox and 分文 in the PostgreSQL store: the same
 * semantics as sqlite-blobs.ts and sqlite-exchange.ts, for several processes sharing one database.
 */
export class PostgresExchange implements BlobStore, ExchangeStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly tx: Tx,
  ) {}

  // ---- attachments -------------------------------------------------------------------------------

  async putBlob(sha256: Sha256Hex, data: Uint8Array): Promise<void> {
    await insertBlob(this.pool, sha256, data, new Date().toISOString());
  }

  async getBlob(sha256: Sha256Hex): Promise<Uint8Array | undefined> {
    const r = await this.pool.query<{ data: Buffer }>("SELECT data FROM blobs WHERE sha256 = $1", [sha256]);
    return r.rows[0] && bytes(r.rows[0].data);
  }

  async hasBlobs(sha256: readonly Sha256Hex[]): Promise<Set<Sha256Hex>> {
    if (!sha256.length) return new Set();
    const r = await this.pool.query<{ sha256: Sha256Hex }>("SELECT sha256 FROM blobs WHERE sha256 = ANY($1::text[])", [sha256]);
    return new Set(r.rows.map((x) => x.sha256));
  }

  // ---- federation --------------------------------------------------------------------------------

  async putPeer(p: PeerAgency): Promise<void> {
    await this.pool.query(
      `INSERT INTO peers (code, name, ca_pem, fingerprint, url, delegation, revoked_serials, added_at, removed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (code) DO UPDATE SET name = excluded.name, ca_pem = excluded.ca_pem, fingerprint = excluded.fingerprint,
         url = excluded.url, delegation = excluded.delegation, revoked_serials = excluded.revoked_serials,
         added_at = excluded.added_at, removed_at = excluded.removed_at`,
      peerValues(p),
    );
  }

  async peer(code: AgencyCode): Promise<PeerAgency | undefined> {
    const r = await this.pool.query<PeerDbRow>("SELECT * FROM peers WHERE code = $1", [code]);
    return r.rows[0] && toPeer(r.rows[0]);
  }

  async peers(): Promise<PeerAgency[]> {
    return (await this.pool.query<PeerDbRow>("SELECT * FROM peers ORDER BY code")).rows.map(toPeer);
  }

  // ---- envelopes ---------------------------------------------------------------------------------

  /**
   * One transaction. The log line goes first: against the partial unique index, a concurrent import of
   * the same envelope (from any process) waits for this one's commit and then conflicts, so it is
   * imported once. Each document's advisory lock (appendUpdate's, taken in a fixed order so two
   * imports cannot deadlock) is held to commit, so that document's seqs still commit in order.
   */
  async importEnvelope(b: ImportBatch): Promise<{ imported: true; seqs: number[] } | { imported: false; first: ExchangeRecord }> {
    const envelope = checkImportRecord(b.record);
    return this.tx(async (c): Promise<{ imported: true; seqs: number[] } | { imported: false; first: ExchangeRecord }> => {
      const seq = await logLine(c, b.record, "ON CONFLICT (envelope) WHERE direction = 'in' AND status = 'imported' DO NOTHING");
      if (seq === undefined) {
        // READ COMMITTED: this statement's snapshot sees the import that won.
        const first = await c.query<ExchangeDbRow>("SELECT * FROM exchanges WHERE envelope = $1 AND direction = 'in' AND status = 'imported'", [envelope]);
        return { imported: false, first: toExchange(first.rows[0]!) };
      }
      const at = new Date().toISOString();
      // Ordered by the lock key itself (two ids may share a hash), so every import takes them in one order.
      await c.query("SELECT pg_advisory_xact_lock($1, k) FROM (SELECT DISTINCT hashtext(d) AS k FROM unnest($2::text[]) AS d) t ORDER BY k", [
        LOCK_DOC,
        [...new Set(b.updates.map((u) => u.doc))],
      ]);
      const seqs: number[] = [];
      for (const u of b.updates) {
        const r = await c.query<{ seq: string }>("INSERT INTO updates (doc, data, at) VALUES ($1, $2, $3) RETURNING seq", [u.doc, blob(u.update), at]);
        seqs.push(seqOf(r.rows[0]!.seq));
      }
      for (const x of b.blobs) await insertBlob(c, x.sha256, x.data, at);
      await keepEnvelope(c, envelope, b.record.sha256, b.envelope, at);
      return { imported: true, seqs };
    });
  }

  async importedEnvelope(envelope: string): Promise<ExchangeRecord | undefined> {
    const r = await this.pool.query<ExchangeDbRow>("SELECT * FROM exchanges WHERE envelope = $1 AND direction = 'in' AND status = 'imported'", [envelope]);
    return r.rows[0] && toExchange(r.rows[0]);
  }

  async envelopeBytes(envelope: string): Promise<Uint8Array | undefined> {
    const r = await this.pool.query<{ data: Buffer }>("SELECT data FROM envelopes WHERE envelope = $1", [envelope]);
    return r.rows[0] && bytes(r.rows[0].data);
  }

  async logExchange(r: ExchangeRecord, envelope?: Uint8Array): Promise<number> {
    const keep = checkLoggedRecord(r, envelope);
    return this.tx(async (c) => {
      const seq = (await logLine(c, r))!;
      if (keep) await keepEnvelope(c, keep.envelope, r.sha256, keep.data, r.at);
      return seq;
    });
  }

  async exchanges(q: ExchangeQuery = {}): Promise<ExchangeRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (v: unknown): string => `$${params.push(v)}`;
    if (q.peer !== undefined) where.push(`x.peer = ${param(q.peer)}`);
    if (q.doc !== undefined) where.push(`x.seq IN (SELECT d.seq FROM exchange_docs d WHERE d.doc = ${param(q.doc)})`);
    if (q.direction !== undefined) where.push(`x.direction = ${param(q.direction)}`);
    if (q.envelope !== undefined) where.push(`x.envelope = ${param(q.envelope)}`);
    if (q.status !== undefined) where.push(`x.status = ${param(q.status)}`);
    const limit = param(limitOf(q.limit));
    const r = await this.pool.query<ExchangeDbRow>(
      `SELECT x.* FROM exchanges x ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY x.seq DESC LIMIT ${limit}`,
      params,
    );
    return r.rows.map(toExchange);
  }

  // ---- outbox ------------------------------------------------------------------------------------

  async enqueueOutbox(o: OutboxItem): Promise<void> {
    await this.pool.query(
      `INSERT INTO outbox (envelope, peer, data, attempts, next_attempt_at, last_error, status, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (envelope) DO NOTHING`,
      [o.envelope, o.peer, blob(o.data), o.attempts, o.nextAttemptAt, o.lastError, o.status, o.createdAt],
    );
  }

  /** Times compared as instants, as SQLite does; an unparseable time is never due. */
  async dueOutbox(now: string, limit: number): Promise<OutboxItem[]> {
    const r = await this.pool.query<OutboxDbRow>(
      `SELECT * FROM outbox WHERE status = 'pending' AND countersign_instant(next_attempt_at) <= countersign_instant($1)
       ORDER BY countersign_instant(created_at), created_at, envelope LIMIT $2`,
      [now, limitOf(limit)],
    );
    return r.rows.map(toOutbox);
  }

  async updateOutbox(envelope: string, patch: Pick<OutboxItem, "attempts" | "nextAttemptAt" | "lastError" | "status">): Promise<void> {
    const r = await this.pool.query("UPDATE outbox SET attempts = $1, next_attempt_at = $2, last_error = $3, status = $4 WHERE envelope = $5", [
      patch.attempts,
      patch.nextAttemptAt,
      patch.lastError,
      patch.status,
      envelope,
    ]);
    if (!r.rowCount) throw new Error(`There is no envelope ${envelope} in the outbox.`);
  }

  async outbox(q: { status?: OutboxItem["status"]; limit?: number } = {}): Promise<OutboxItem[]> {
    const r = await this.pool.query<OutboxDbRow>(
      `SELECT * FROM outbox WHERE $1::text IS NULL OR status = $1
       ORDER BY countersign_instant(created_at) DESC, created_at DESC, envelope LIMIT $2`,
      [q.status ?? null, limitOf(q.limit)],
    );
    return r.rows.map(toOutbox);
  }

  // ---- 分文 ----------------------------------------------------------------------------------------

  async putAssignment(a: Assignment): Promise<void> {
    await this.pool.query("INSERT INTO assignments (doc, person, assigned_by, at, envelope) VALUES ($1, $2, $3, $4, $5)", [a.doc, a.person, a.by, a.at, a.envelope]);
  }

  async assignment(doc: DocId): Promise<Assignment | undefined> {
    const r = await this.pool.query<AssignmentDbRow>("SELECT * FROM assignments WHERE doc = $1 ORDER BY seq DESC LIMIT 1", [doc]);
    return r.rows[0] && toAssignment(r.rows[0]);
  }

  async assignmentsOf(person: PersonId): Promise<Assignment[]> {
    const r = await this.pool.query<AssignmentDbRow>(
      `SELECT a.* FROM assignments a
       WHERE a.person = $1 AND a.seq = (SELECT max(b.seq) FROM assignments b WHERE b.doc = a.doc) ORDER BY a.seq DESC`,
      [person],
    );
    return r.rows.map(toAssignment);
  }
}
