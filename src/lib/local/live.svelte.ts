// Local database reads as reactive values. createSubscriber starts watching when a component (or
// effect) first reads `current` and stops when the last reader goes away, so an unused read never
// keeps IndexedDB busy.
import { createSubscriber } from "svelte/reactivity";
import { liveQuery, type Dexie } from "dexie";
import { watchTables, type Watch, type WatchResult } from "./watch-tables.ts";

/** The reactive value of a watched read: the last result, or the last error, of `watch`. */
abstract class Watched<T> {
  #value: T;
  #failed: unknown = null;
  readonly #subscribe: () => void;
  #watch: Pick<Watch, "refresh"> | null = null;

  /** `watch` starts watching, hands each result over, and returns how to stop it (and read at once). */
  constructor(initial: T, watch: (onResult: (r: WatchResult<T>) => void) => Pick<Watch, "stop"> & Partial<Pick<Watch, "refresh">>) {
    this.#value = initial;
    this.#subscribe = createSubscriber((update) => {
      const w = watch((r) => {
        if (r.ok) {
          this.#value = r.value;
          this.#failed = null;
        } else this.#failed = r.error;
        update();
      });
      this.#watch = w.refresh ? { refresh: w.refresh } : null;
      return () => {
        this.#watch = null;
        w.stop();
      };
    });
  }

  /**
   * Resolves once what was written before the call is read and shown (at once, not after the
   * interval), or at once when nothing reads this value now.
   */
  refresh(): Promise<void> {
    return this.#watch?.refresh() ?? Promise.resolve();
  }

  get current(): T {
    this.#subscribe();
    return this.#value;
  }

  /** The last query error (a corrupted or blocked local database), or null. */
  get error(): unknown {
    this.#subscribe();
    return this.#failed;
  }
}

/** A Dexie live query: re-read after every write to what it read (for small, precise reads). */
export class Live<T> extends Watched<T> {
  constructor(query: () => Promise<T>, initial: T) {
    super(initial, (onResult) => {
      const sub = liveQuery(query).subscribe({
        next: (value) => onResult({ ok: true, value }),
        error: (error: unknown) => onResult({ ok: false, error }),
      });
      return { stop: () => sub.unsubscribe() };
    });
  }
}

/**
 * A read of whole tables, re-read at most once per interval (watch-tables.ts): for reads of the whole
 * index (10,000 rows), where a liveQuery would re-read after every write of a sync.
 */
export class ThrottledLive<T> extends Watched<T> {
  constructor(db: Dexie, tables: readonly string[], query: () => Promise<T>, initial: T, everyMs?: number) {
    super(initial, (onResult) => watchTables(db, tables, query, onResult, everyMs));
  }
}
