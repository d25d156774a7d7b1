import type Database from "better-sqlite3";

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Queued {
  run: () => unknown;
  resolve: (value: never) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for the SQLite store: the writes that arrive within a couple of milliseconds — update
 * appends, receipts and index rows, from any room or import — share one transaction and so one
 * fsync, instead of one each. What must stay true:
 * - a write's promise resolves only after the COMMIT that holds it (synchronous = FULL: on disk), so
 *   nothing is ever reported written before it is durable;
 * - each write runs in its own savepoint, so one that throws is undone and rejected alone, and the
 *   others commit; if the COMMIT itself fails, every write of the batch is rejected;
 * - writes are applied in the order they were queued (seqs, and "first sighting wins", follow it).
 */
export class GroupCommit {
  private queue: Queued[] = [];
  /**
   * One write in a savepoint (better-sqlite3 runs a transaction function called inside another as a
   * savepoint). Made once: `db.transaction(fn)` builds a new wrapper and its four variants on every
   * call, and an envelope's import queues thousands of writes.
   */
  private readonly inSavepoint: (run: () => unknown) => unknown;

  constructor(
    private readonly db: Database.Database,
    private readonly windowMs: number,
  ) {
    this.inSavepoint = db.transaction((run: () => unknown) => run());
  }

  /** Runs `run` in the next group commit; resolves with its result once that commit is durable. */
  write<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (value: never) => void, reject });
      // A short window gathers the writes of many rooms into one commit; the latency it adds is far
      // below what the fsync it saves costs under load.
      if (this.queue.length === 1) setTimeout(() => this.flush(), this.windowMs);
    });
  }

  /**
   * Commits everything queued, now and synchronously: before an import's own transaction (so writes
   * accepted earlier get the smaller seqs) and on close (nothing accepted may be left unwritten).
   */
  flush(): void {
    const batch = this.queue;
    if (!batch.length) return;
    this.queue = [];
    let outcomes: Outcome[];
    try {
      outcomes = this.db.transaction(() =>
        batch.map((w): Outcome => {
          try {
            // Nested, better-sqlite3 runs it as a savepoint: rolled back alone if it throws.
            return { ok: true, value: this.inSavepoint(w.run) };
          } catch (error) {
            // Some errors (disk full, I/O) roll back the whole transaction: then nothing of the
            // batch can commit, and the rest must not run outside a transaction.
            if (!this.db.inTransaction) throw error;
            return { ok: false, error };
          }
        }),
      ).immediate();
    } catch (e) {
      for (const w of batch) w.reject(e);
      return;
    }
    batch.forEach((w, i) => {
      const o = outcomes[i]!;
      if (o.ok) w.resolve(o.value as never);
      else w.reject(o.error);
    });
  }
}
