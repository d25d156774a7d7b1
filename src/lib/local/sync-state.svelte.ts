// What the header shows on every page: online or not, how many changes wait to be sent, when we last
// synced. Nothing here blocks work: offline is a state to show, not an error to stop for.
import { online } from "svelte/reactivity/window";
import type { Problem } from "$lib/identity/problems.ts";
import { Live } from "./live.svelte.ts";
import type { LocalStore } from "./local-store.ts";
import type { SyncProgress } from "./sync.ts";

export type SyncMode = "offline" | "syncing" | "pending" | "synced" | "never";

export class SyncState {
  /** Whether the last attempt to reach the agency server got an answer. */
  reachable = $state(true);
  syncing = $state(false);
  /** How far the running sync has come (null when none runs). */
  progress = $state.raw<SyncProgress | null>(null);
  lastSyncedAt = $state.raw<Date | null>(null);
  /** A sync that failed for a reason other than being offline (a refusal, a server error). */
  problem = $state.raw<Problem | null>(null);
  #pending = $state.raw<Live<number> | null>(null);
  #refused = $state.raw<Live<number> | null>(null);
  #damaged = $state.raw<Live<string[]> | null>(null);
  #refusedDocs = $state.raw<Live<{ doc: string; subject: string }[]> | null>(null);
  /** Why this person's local index cannot be opened (a damaged or unknown database), or null. */
  localBroken = $state<string | null>(null);
  #uploads = $state.raw<Live<number> | null>(null);

  /** Follows the current person's local store (or none). */
  async bind(store: LocalStore | null): Promise<void> {
    this.#pending = store ? new Live(() => store.db.pending.count(), 0) : null;
    this.#refused = store ? new Live(() => store.db.pending.filter((p) => p.refused !== undefined).count(), 0) : null;
    this.#uploads = store ? new Live(() => store.db.blobs.where("state").equals("pending").count(), 0) : null;
    this.#damaged = store ? new Live(async () => Object.keys(await store.damaged()), []) : null;
    this.#refusedDocs = store
      ? new Live(async () => {
          const docs = [...new Set((await store.db.pending.filter((p) => p.refused !== undefined).toArray()).map((p) => p.doc))];
          const rows = await store.db.docs.bulkGet(docs);
          return docs.map((doc, i) => ({ doc, subject: rows[i]?.subject ?? "" }));
        }, [])
      : null;
    this.problem = null;
    this.localBroken = null;
    let last: string | undefined;
    try {
      last = store ? await store.db.getMeta("lastSyncedAt") : undefined;
    } catch (e) {
      // The index does not open or read: said on every page, with the way out (download again).
      this.localBroken = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    this.lastSyncedAt = last ? new Date(last) : null;
  }

  /** The documents those refused changes belong to, to open and decide on. */
  get refusedDocs(): { doc: string; subject: string }[] {
    return this.#refusedDocs?.current ?? [];
  }

  /** Documents whose local copy is damaged (their ids). */
  get damaged(): string[] {
    return this.#damaged?.current ?? [];
  }

  /** The local index failed under a live query (it opened, then could not be read). */
  get indexError(): string | null {
    const e = this.#pending?.error;
    return this.localBroken ?? (e ? (e instanceof Error ? `${e.name}: ${e.message}` : String(e)) : null);
  }

  /** What waits to be sent: unacknowledged changes plus attachments not uploaded yet. */
  get pending(): number {
    return this.pendingChanges + this.pendingUploads;
  }

  /** Changes made on this device that the server has not acknowledged. */
  get pendingChanges(): number {
    return this.#pending?.current ?? 0;
  }

  /** Attachments attached on this device whose bytes the server does not hold yet. */
  get pendingUploads(): number {
    return this.#uploads?.current ?? 0;
  }

  /** Of those, the ones the server refused (kept until the user decides). */
  get refused(): number {
    return this.#refused?.current ?? 0;
  }

  /** The browser has a network and the agency server answers. */
  get online(): boolean {
    return online.current !== false && this.reachable;
  }

  get mode(): SyncMode {
    if (!this.online) return "offline";
    if (this.syncing) return "syncing";
    if (this.pending > 0) return "pending";
    return this.lastSyncedAt ? "synced" : "never";
  }
}
