// The mail queue on SQLite (schema 10; mail/ is its only user). Plain statements: the queue is small
// and written by one worker; an enqueue of several items is one transaction.
import type Database from "better-sqlite3";
import type { UnitId } from "@countersign/crdt-model";
import { MAIL_COLUMNS, candidateSql, mailValues, toCandidate, toMail, type CandidateDbRow, type MailDbRow } from "./mail-rows.ts";
import type { MailCandidate, MailItem, MailStore } from "./types.ts";

export class SqliteMail implements MailStore {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      insert: p(`INSERT INTO mail_queue (${MAIL_COLUMNS}) VALUES (${MAIL_COLUMNS.split(",").map(() => "?").join(", ")}) ON CONFLICT (dedupe) DO NOTHING RETURNING id`),
      due: p("SELECT * FROM mail_queue WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?"),
      lease: p("UPDATE mail_queue SET next_attempt_at = ? WHERE id = ?"),
      update: p("UPDATE mail_queue SET attempts = ?, next_attempt_at = ?, last_error = ?, status = ?, sent_at = ? WHERE id = ?"),
      list: p("SELECT * FROM mail_queue WHERE (@status IS NULL OR status = @status) ORDER BY id DESC LIMIT @limit"),
      counts: p("SELECT status, COUNT(*) AS n FROM mail_queue GROUP BY status"),
      candidates: p(candidateSql(false, () => "?")),
      candidatesOfUnit: p(candidateSql(true, () => "?")),
    };
  }

  async enqueueMail(items: MailItem[]): Promise<MailItem[]> {
    return this.db.transaction(() => {
      const added: MailItem[] = [];
      for (const m of items) {
        const r = this.s.insert.get(...mailValues(m)) as { id: number } | undefined;
        if (r) added.push({ ...m, id: Number(r.id) });
      }
      return added;
    })();
  }

  async claimMail(now: string, leaseUntil: string, limit: number): Promise<MailItem[]> {
    // One write transaction: a second process waits for it and then no longer finds these due.
    return this.db
      .transaction(() => {
        const rows = this.s.due.all(now, limit) as MailDbRow[];
        for (const r of rows) this.s.lease.run(leaseUntil, r.id);
        return rows.map(toMail);
      })
      .immediate();
  }

  async updateMail(id: number, patch: Pick<MailItem, "attempts" | "nextAttemptAt" | "lastError" | "status" | "sentAt">): Promise<void> {
    const r = this.s.update.run(patch.attempts, patch.nextAttemptAt, patch.lastError, patch.status, patch.sentAt, id);
    if (r.changes === 0) throw new Error(`There is no message ${id} in the mail queue.`);
  }

  async mailQueue(q: { status?: MailItem["status"]; limit?: number } = {}): Promise<MailItem[]> {
    return (this.s.list.all({ status: q.status ?? null, limit: q.limit ?? 1000 }) as MailDbRow[]).map(toMail);
  }

  async mailCounts(): Promise<Record<MailItem["status"], number>> {
    const counts = { pending: 0, sent: 0, failed: 0 };
    for (const r of this.s.counts.all() as { status: MailItem["status"]; n: number }[]) counts[r.status] = Number(r.n);
    return counts;
  }

  async mailCandidates(dueBy: string, unit?: UnitId): Promise<MailCandidate[]> {
    const rows = unit === undefined ? this.s.candidates.all(dueBy) : this.s.candidatesOfUnit.all(dueBy, unit);
    return (rows as CandidateDbRow[]).map(toCandidate);
  }
}
