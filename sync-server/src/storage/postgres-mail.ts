// The mail queue on PostgreSQL (schema 10; mail/ is its only user): the same rows as SQLite's.
import type pg from "pg";
import type { UnitId } from "@countersign/crdt-model";
import { MAIL_COLUMNS, candidateSql, mailValues, toCandidate, toMail, type CandidateDbRow, type MailDbRow } from "./mail-rows.ts";
import type { MailCandidate, MailItem, MailStore } from "./types.ts";

type Tx = <T>(fn: (c: pg.PoolClient) => Promise<T>) => Promise<T>;

export class PostgresMail implements MailStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly tx: Tx,
  ) {}

  async enqueueMail(items: MailItem[]): Promise<MailItem[]> {
    const placeholders = MAIL_COLUMNS.split(",").map((_, i) => `$${i + 1}`).join(", ");
    return this.tx(async (c) => {
      const added: MailItem[] = [];
      for (const m of items) {
        const r = await c.query<{ id: string }>(`INSERT INTO mail_queue (${MAIL_COLUMNS}) VALUES (${placeholders}) ON CONFLICT (dedupe) DO NOTHING RETURNING id`, mailValues(m));
        if (r.rows[0]) added.push({ ...m, id: Number(r.rows[0].id) });
      }
      return added;
    });
  }

  async claimMail(now: string, leaseUntil: string, limit: number): Promise<MailItem[]> {
    // SKIP LOCKED: two servers claiming at once take different items; the old row is what is answered.
    const r = await this.pool.query<MailDbRow>(
      `WITH due AS (
         SELECT * FROM mail_queue WHERE status = 'pending' AND next_attempt_at <= $1
         ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE mail_queue m SET next_attempt_at = $2 FROM due WHERE m.id = due.id RETURNING m.id
       )
       SELECT due.* FROM due JOIN claimed ON claimed.id = due.id ORDER BY due.next_attempt_at, due.id`,
      [now, leaseUntil, limit],
    );
    return r.rows.map(toMail);
  }

  async updateMail(id: number, patch: Pick<MailItem, "attempts" | "nextAttemptAt" | "lastError" | "status" | "sentAt">): Promise<void> {
    const r = await this.pool.query("UPDATE mail_queue SET attempts = $1, next_attempt_at = $2, last_error = $3, status = $4, sent_at = $5 WHERE id = $6", [
      patch.attempts,
      patch.nextAttemptAt,
      patch.lastError,
      patch.status,
      patch.sentAt,
      id,
    ]);
    if (r.rowCount === 0) throw new Error(`There is no message ${id} in the mail queue.`);
  }

  async mailQueue(q: { status?: MailItem["status"]; limit?: number } = {}): Promise<MailItem[]> {
    const r = await this.pool.query<MailDbRow>("SELECT * FROM mail_queue WHERE ($1::text IS NULL OR status = $1) ORDER BY id DESC LIMIT $2", [q.status ?? null, q.limit ?? 1000]);
    return r.rows.map(toMail);
  }

  async mailCounts(): Promise<Record<MailItem["status"], number>> {
    const counts = { pending: 0, sent: 0, failed: 0 };
    const r = await this.pool.query<{ status: MailItem["status"]; n: string }>("SELECT status, COUNT(*) AS n FROM mail_queue GROUP BY status");
    for (const row of r.rows) counts[row.status] = Number(row.n);
    return counts;
  }

  async mailCandidates(dueBy: string, unit?: UnitId): Promise<MailCandidate[]> {
    const params: unknown[] = unit === undefined ? [dueBy] : [dueBy, unit];
    const r = await this.pool.query<CandidateDbRow>(candidateSql(unit !== undefined, (i) => `$${i}`), params);
    return r.rows.map(toCandidate);
  }
}
