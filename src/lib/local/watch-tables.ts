// Watching whole tables of the local database, with reads spaced out: the first change after a
// quiet spell is read at once, a burst of changes (a sync writing the index round after round) is
// read again only once `everyMs` (or four times the last read's duration, if longer) has passed
// since the last read began, and a change during a read is read again after it. So a reader of 10,000 rows costs a few reads per second at most, never one per write.
import { Dexie, type ObservabilitySet } from "dexie";

export type WatchResult<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** How long a burst of changes waits between reads by default. */
export const WATCH_EVERY_MS = 150;

/**
 * Runs `query` now and again after changes to `tables` of `db` (this page's writes and, through
 * Dexie's storagemutated event, those of the other tabs of this origin), handing each result to
 * `onResult`.
 */
export interface Watch {
  /** Stops watching; no result is handed over after it. */
  stop(): void;
  /**
   * Reads now, without waiting for the interval, and resolves once that read's result is handed
   * over (a read under way is followed by another): what was written before the call is shown.
   */
  refresh(): Promise<void>;
}

export function watchTables<T>(db: Dexie, tables: readonly string[], query: () => Promise<T>, onResult: (r: WatchResult<T>) => void, everyMs = WATCH_EVERY_MS): Watch {
  const prefixes = tables.map((t) => `idb://${db.name}/${t}/`);
  let stopped = false;
  let running = false;
  let again = false;
  let lastRead = -Infinity;
  let lastTook = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // refresh() callers: those the next read answers, and those the read under way answers.
  let waiting: (() => void)[] = [];
  let answering: (() => void)[] = [];

  const read = async () => {
    running = true;
    again = false;
    answering = waiting;
    waiting = [];
    lastRead = performance.now();
    let r: WatchResult<T>;
    try {
      r = { ok: true, value: await query() };
    } catch (error) {
      r = { ok: false, error };
    }
    lastTook = performance.now() - lastRead;
    running = false;
    const answered = answering;
    answering = [];
    if (stopped) {
      for (const done of [...answered, ...waiting]) done();
      return;
    }
    onResult(r);
    for (const done of answered) done();
    if (waiting.length) void read();
    else if (again) schedule();
  };
  const schedule = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    if (timer !== undefined) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        void read();
      },
      // Reads take at most a quarter of a burst: a slow read (a big index on a busy device) waits longer.
      Math.max(0, lastRead + Math.max(everyMs, 4 * lastTook) - performance.now()),
    );
  };
  const onChange = (parts: ObservabilitySet) => {
    if (Object.keys(parts).some((k) => prefixes.some((p) => k.startsWith(p)))) schedule();
  };
  Dexie.on("storagemutated", onChange);
  void read();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      Dexie.on("storagemutated").unsubscribe(onChange);
      if (!running) for (const done of waiting.splice(0)) done();
    },
    refresh: () =>
      new Promise<void>((done) => {
        if (stopped) return done();
        waiting.push(done);
        if (running) return;
        clearTimeout(timer);
        timer = undefined;
        void read();
      }),
  };
}
