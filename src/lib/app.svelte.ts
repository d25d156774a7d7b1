// The app's shared state: who is using the device, their local store, and the sync schedule. One
// instance per page load (the app renders in the browser only: see routes/+layout.ts).
import { Unreachable } from "$lib/api/client.ts";
import { VerifyCache } from "@countersign/crdt-model";
import { Identity } from "$lib/identity/identity.svelte.ts";
import { problemOf } from "$lib/identity/problems.ts";
import { LocalStore } from "$lib/local/local-store.ts";
import { SyncState } from "$lib/local/sync-state.svelte.ts";
import { syncOnce, type SyncReport } from "$lib/local/sync.ts";

/** Background sync while the app is open; also on start, on coming online and on returning to the tab. */
export const SYNC_EVERY_MS = 60_000;

export class App {
  readonly identity = new Identity();
  readonly sync = new SyncState();
  local = $state.raw<LocalStore | null>(null);
  /** True once start() has settled who is here (pages wait for it before deciding what to show). */
  started = $state(false);
  /** What verification learned this session (parsed entries, certificates, keys, signatures): opening a document again re-verifies nothing. */
  readonly verifyCache = new VerifyCache();

  #running: Promise<SyncReport | null> | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #startOnce: Promise<void> | null = null;

  start(): Promise<void> {
    this.#startOnce ??= this.#start();
    return this.#startOnce;
  }

  async #start(): Promise<void> {
    await this.identity.start();
    await this.#bind();
    this.started = true;
    window.addEventListener("online", () => void this.syncNow());
    window.addEventListener("offline", () => (this.sync.reachable = false));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") void this.syncNow();
    });
    this.#timer = setInterval(() => void this.syncNow(), SYNC_EVERY_MS);
    void this.syncNow();
  }

  async #bind(): Promise<void> {
    const who = this.identity.current;
    const same = this.local && who && this.local.agency === who.agency && this.local.person === who.person;
    if (same) return;
    await this.local?.close();
    this.local = who ? new LocalStore(who.agency, who.person) : null;
    await this.sync.bind(this.local);
  }

  /** Runs a sync unless one is under way (then waits for that one). Never throws: the state says how it went. */
  syncNow(): Promise<SyncReport | null> {
    this.#running ??= this.#sync().finally(() => (this.#running = null));
    return this.#running;
  }

  async #sync(): Promise<SyncReport | null> {
    const store = this.local;
    if (!store || !this.identity.current) return null;
    if (!navigator.onLine) {
      this.sync.reachable = false;
      return null;
    }
    this.sync.syncing = true;
    try {
      const report = await syncOnce(
        store,
        (path, o) => this.identity.api(path, o),
        (p) => {
          if (store === this.local) this.sync.progress = p;
        },
      );
      if (store !== this.local) return null; // the user switched identity meanwhile
      this.sync.reachable = true;
      this.sync.problem = null;
      this.sync.lastSyncedAt = new Date();
      return report;
    } catch (e) {
      if (e instanceof Unreachable) this.sync.reachable = false;
      else this.sync.problem = problemOf(e);
      return null;
    } finally {
      this.sync.syncing = false;
      this.sync.progress = null;
    }
  }

  /**
   * Enrolls this device and returns as soon as the identity is stored: the first sync runs in the
   * background (with thousands of documents it takes tens of seconds), the header shows its
   * progress and the inbox fills in as the index arrives.
   */
  async enroll(code: string): Promise<boolean> {
    const done = await this.identity.enroll(code);
    if (done) {
      await this.#bind();
      void this.syncNow();
    }
    return done;
  }

  async switchTo(id: string): Promise<void> {
    await this.identity.switchTo(id);
    await this.#bind();
    void this.syncNow();
  }

  async forget(id: string): Promise<void> {
    await this.identity.forget(id);
    await this.#bind();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

export const app = new App();
