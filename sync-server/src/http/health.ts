import type { BaseLogger as Logger } from "pino";
import type { Store } from "../storage/types.ts";

export interface StorageState {
  writable: boolean;
  /** Why not, when not. */
  reason?: string;
  /** ISO 8601: when this was checked. */
  checkedAt: string;
}

/**
 * Whether the store can be written, by a real committed write (Store.probeWrite), at most once per
 * `maxAgeMs` however often /healthz is asked. The server also runs it every few seconds by itself
 * (http/server.ts), so a store that became writable again is reconnected and writes resume without a
 * restart or anyone polling. Changes are logged once each way.
 */
export class StorageHealth {
  private last: StorageState | undefined;
  private running: Promise<StorageState> | undefined;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly maxAgeMs = 1000,
  ) {}

  check(): Promise<StorageState> {
    if (this.last && Date.now() - new Date(this.last.checkedAt).getTime() < this.maxAgeMs) return Promise.resolve(this.last);
    this.running ??= this.probe().finally(() => (this.running = undefined));
    return this.running;
  }

  private async probe(): Promise<StorageState> {
    const checkedAt = new Date().toISOString();
    let state: StorageState;
    try {
      await this.store.probeWrite(checkedAt);
      state = { writable: true, checkedAt };
    } catch (e) {
      state = { writable: false, reason: `The store cannot be written: ${(e as Error).message}`, checkedAt };
    }
    if (state.writable && this.last && !this.last.writable) this.log.info("the store can be written again");
    if (!state.writable && (!this.last || this.last.writable)) this.log.error({ reason: state.reason }, "the store cannot be written");
    this.last = state;
    return state;
  }
}
