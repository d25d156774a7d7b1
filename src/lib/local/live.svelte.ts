// A Dexie live query as a reactive value. createSubscriber starts the query when a component (or
// effect) first reads `current` and stops it when the last reader goes away, so an unused query
// never keeps IndexedDB busy.
import { createSubscriber } from "svelte/reactivity";
import { liveQuery, type Dexie } from "dexie";
import { watchTables } from "./watch-tables.ts";

export class Live<T> {
  #value: T;
  #failed: unknown = null;
  readonly #subscribe: () => void;

  constructor(query: () => Promise<T>, initial: T) {
    this.#value = initial;
    this.#subscribe = createSubscriber((update) => {
      const sub = liveQuery(query).subscribe({
        next: (v) => {
          this.#value = v;
          this.#failed = null;
          update();
        },
        error: (e: unknown) => {
          this.#failed = e;
          update();
        },
      });
      return () => sub.unsubscribe();
    });
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

/**
 * A live query over whole tables that re-reads at most once per `everyMs` (watch-tables.ts): for
 * queries that read a whole table (the inbox, the notices: 10,000 rows), where liveQuery would
 * re-read after every write of a sync.
 */
export class ThrottledLive<T> {
  #value: T;
  #failed: unknown = null;
  readonly #subscribe: () => void;

  constructor(db: Dexie, tables: readonly string[], query: () => Promise<T>, initial: T, everyMs?: number) {
    this.#value = initial;
    this.#subscribe = createSubscriber((update) =>
      watchTables(
        db,
        tables,
        query,
        (r) => {
          if (r.ok) {
            this.#value = r.value;
            this.#failed = null;
          } else this.#failed = r.error;
          update();
        },
        everyMs,
      ),
    );
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
