// The app's shared state: who is using the device, their local store, and the sync schedule. One
// instance per page load (the app renders in the browser only: see routes/+layout.ts).
import { Unreachable, callApi } from "$lib/api/client.ts";
import { VerifyCache } from "@countersign/crdt-model";
import { Identity } from "$lib/identity/identity.svelte.ts";
import { problemOf } from "$lib/identity/problems.ts";
import { LocalStore } from "$lib/local/local-store.ts";
import { ThrottledLive } from "$lib/local/live.svelte.ts";
import type { LocalDocRow } from "$lib/local/db.ts";
import { SyncState } from "$lib/local/sync-state.svelte.ts";
import { pushOnce, syncOnce, type SyncReport } from "$lib/local/sync.ts";
import { rowDeriver } from "$lib/local/local-rows.ts";
import { trustTables } from "$lib/local/trust-tables.ts";
import { sentLive } from "$lib/sync/live-ack.ts";
import { probeDelay, reachedBy } from "$lib/sync/status.ts";
import { deadlines } from "$lib/deadline/calendar.svelte.ts";
import { update } from "$lib/update/update.svelte.ts";

/** Background sync while the app is open; also on start, on coming online and on returning to the tab. */
export const SYNC_EVERY_MS = 60_000;
/** A sync asks about every document held at least this often (the others ask about what the listing says changed). */
export const FULL_SYNC_EVERY_MS = 10 * 60_000;

/** The local index's rows, with the store they were read from (a switch of person makes them stale). */
export interface IndexRows {
  store: LocalStore;
  rows: LocalDocRow[];
}

export class App {
  readonly identity = new Identity();
  readonly sync = new SyncState();
  local = $state.raw<LocalStore | null>(null);
  /**
   * The whole local index, read live and shared by every reader on the page (the inbox, the notices):
   * one read of 10,000 rows per change, spaced out while a sync writes round after round.
   */
  readonly index = $derived.by(() => {
    const store = this.local;
    return store ? new ThrottledLive<IndexRows | null>(store.db, ["docs"], async () => ({ store, rows: await store.db.docs.toArray() }), null) : null;
  });
  /** True once start() has settled who is here (pages wait for it before deciding what to show). */
  started = $state(false);
  /** What verification learned this session (parsed entries, certificates, keys, signatures): opening a document again re-verifies nothing. */
  readonly verifyCache = new VerifyCache();

  #running: Promise<SyncReport | null> | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #probe: ReturnType<typeof setTimeout> | undefined;
  #startOnce: Promise<void> | null = null;

  start(): Promise<void> {
    this.#startOnce ??= this.#start();
    return this.#startOnce;
  }

  async #start(): Promise<void> {
    await this.identity.start();
    await this.#bind();
    this.started = true;
    // Every call through the identity says whether the agency server answered (a refusal is an answer).
    this.identity.onReach = (answered) => this.sync.note(answered ? "answered" : "unreachable");
    this.sync.watch((after, before, state) => {
      // Cut off from the server with a network: ask again soon, and sync the moment it answers.
      if (after === "unreachable") this.#probeSoon(state.failures);
      // (After a sync under way, which may have failed before the server came back.)
      else if (after === "online" && before !== "online") void (this.#running ?? Promise.resolve()).then(() => this.syncNow({ full: true }));
    });
    window.addEventListener("online", () => this.sync.note("device-online"));
    window.addEventListener("offline", () => this.sync.note("device-offline"));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState !== "visible") return;
      // Seen again: ask now, not at the hidden tab's slow probe (a failure schedules a short one).
      clearTimeout(this.#probe);
      this.#probe = undefined;
      void this.syncNow();
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
    const store = this.local;
    // The inbox follows changes made here at once, offline too: their rows are the model's
    // derivation of the local copy, verified as the document page verifies (local-rows.ts).
    if (store && who)
      store.deriveRow = rowDeriver({ agency: who.agency, ca: () => this.identity.agency?.ca, tables: () => trustTables(store), cache: this.verifyCache });
    // What waits to be sent shows as derived from the start (a page closed before deriving it).
    if (store) void store.rederivePending().catch((e: unknown) => console.error("Deriving the rows of queued changes failed:", e));
    await this.sync.bind(this.local);
    // The office calendar this person's device kept, so due dates count right offline from the start.
    await deadlines.load(this.local);
  }

  /**
   * Asks the agency server whether it answers again (GET /api/agency: small, no login), after a
   * short back-off (at most a second) while the device is online and the page is seen; every 30 s
   * while it is hidden. An answer flips the status at once and starts a sync (the watcher above); a
   * failure schedules the next probe.
   */
  #probeSoon(failures: number): void {
    if (this.#probe !== undefined) return;
    this.#probe = setTimeout(() => {
      this.#probe = undefined;
      if (this.sync.link !== "unreachable") return;
      callApi("/api/agency", { timeoutMs: 5_000 }).then(
        () => this.sync.note("answered"),
        (e: unknown) => this.sync.note(reachedBy(e) === false ? "unreachable" : "answered"),
      );
    }, probeDelay(failures, Math.random, document.visibilityState === "hidden"));
  }

  /** Runs a sync unless one is under way (then waits for that one). Never throws: the state says how it went. */
  syncNow(o: { full?: boolean } = {}): Promise<SyncReport | null> {
    this.#running ??= this.#sync(o.full || Date.now() - this.#fullAt >= FULL_SYNC_EVERY_MS).finally(() => (this.#running = null));
    return this.#running;
  }
  #fullAt = 0;

  /**
   * After an action made here: sends the queued changes only — no listing, no state vectors — and
   * leaves out those of documents whose live connection is sending them. Waits for a sync under way
   * (which sends them). Never throws.
   */
  async pushNow(): Promise<SyncReport | null> {
    const store = this.local;
    if (!store || !this.identity.current || !navigator.onLine || update.blocking) return null;
    await store.settled(); // the change is stored (and queued) before the queue is read
    if (this.#running) return this.#running;
    if (!(await store.db.pending.filter((p) => !p.refused && !sentLive(p.doc)).count())) return null;
    try {
      return await pushOnce(store, (path, o) => this.identity.api(path, o), { sentLive });
    } catch (e) {
      if (!(e instanceof Unreachable)) this.sync.problem = problemOf(e);
      return null;
    }
  }

  async #sync(full: boolean): Promise<SyncReport | null> {
    const store = this.local;
    if (!store || !this.identity.current) return null;
    if (!navigator.onLine) return null;
    // A server this build cannot speak to, or local data of a newer build: no writes until reloaded.
    if (update.blocking) return null;
    this.sync.syncing = true;
    try {
      const report = await syncOnce(store, (path, o) => this.identity.api(path, o), {
        full,
        sentLive,
        onProgress: (p) => {
          if (store === this.local) this.sync.progress = p;
        },
      });
      if (full) this.#fullAt = Date.now();
      if (store !== this.local) return null; // the user switched identity meanwhile
      // The office calendar, kept for offline due dates (never fails the sync: what is kept stays).
      await deadlines.refresh(store, (path, o) => this.identity.api(path, o));
      // 已同步 is said once the inbox and the notices show what the sync wrote (they read the index
      // a moment after writes: watch-tables.ts), so the header and the list never disagree.
      await this.index?.refresh();
      this.sync.problem = null;
      this.sync.lastSyncedAt = new Date();
      return report;
    } catch (e) {
      // Being unreachable was noted by the identity's call; anything else is a problem to show.
      if (!(e instanceof Unreachable)) this.sync.problem = problemOf(e);
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
    clearTimeout(this.#probe);
  }
}

export const app = new App();
