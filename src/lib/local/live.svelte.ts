// A Dexie live query as a reactive value. createSubscriber starts the query when a component (or
// effect) first reads `current` and stops it when the last reader goes away, so an unused query
// never keeps IndexedDB busy.
import { createSubscriber } from "svelte/reactivity";
import { liveQuery } from "dexie";

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
