// The one sync status, read by the header (SyncIndicator) and the document page (LiveStatus) alike:
// this device offline, the agency server unreachable, connected with changes and attachments
// waiting, or synced at a time; and how many changes wait to be sent. Nothing here blocks work:
// offline is a state to show, not an error to stop for. The transitions are $lib/sync/status.ts's.
import type { Problem } from "$lib/identity/problems.ts";
import { initialLink, linkAfter, linkOf, modeOf, type Link, type LinkEvent, type LinkState, type SyncMode, type Waiting } from "$lib/sync/status.ts";
import { Live } from "./live.svelte.ts";
import type { LocalStore } from "./local-store.ts";
import type { SyncProgress } from "./sync.ts";

export type { SyncMode };

/** Told of every event: the link before and after it, and the state it left (a probe's back-off reads `failures`). */
export type LinkListener = (after: Link, before: Link, state: LinkState) => void;

export class SyncState {
  #link = $state.raw<LinkState>(initialLink(typeof navigator === "undefined" || navigator.onLine));
  #listeners = new Set<LinkListener>();
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
  #pendingDocs = $state.raw<Live<number> | null>(null);

  /** Follows the current person's local store (or none). */
  async bind(store: LocalStore | null): Promise<void> {
    this.#pending = store ? new Live(() => store.db.pending.count(), 0) : null;
    this.#refused = store ? new Live(() => store.db.pending.filter((p) => p.refused !== undefined).count(), 0) : null;
    this.#uploads = store ? new Live(() => store.db.blobs.where("state").equals("pending").count(), 0) : null;
    // Documents, not queue rows: every keystroke is a row, and "8 changes" after typing one word misleads.
    this.#pendingDocs = store ? new Live(async () => (await store.db.pending.orderBy("doc").uniqueKeys()).length, 0) : null;
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

  /** Documents with changes made here that the server has not acknowledged. */
  get pendingDocs(): number {
    return this.#pendingDocs?.current ?? 0;
  }

  /** What waits to be sent, as the header counts it: documents with changes, and attachments. */
  get waiting(): Waiting {
    return { docs: this.pendingDocs, uploads: this.pendingUploads };
  }

  /**
   * Something happened to the connection: the browser went offline or online, the agency server
   * answered (any answer, a refusal too), or a request or socket to it failed. Listeners hear of
   * every event, changed or not (a failed probe schedules the next one).
   */
  note(e: LinkEvent): void {
    const was = this.#link;
    const next = linkAfter(was, e);
    // Every answer is noted: the state is replaced (and the pages re-read) only when it changed.
    if (next.device !== was.device || next.server !== was.server || next.failures !== was.failures) this.#link = next;
    for (const l of this.#listeners) l(linkOf(next), linkOf(was), next);
  }

  /** Calls `l` on every event; returns the way to stop. */
  watch(l: LinkListener): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  /** This device offline, the agency server unreachable, or online with the server answering (or not asked yet). */
  get link(): Link {
    return linkOf(this.#link);
  }

  /** The browser has a network and the agency server answers. */
  get online(): boolean {
    return this.link === "online";
  }

  get mode(): SyncMode {
    return modeOf(this.link, { syncing: this.syncing, waiting: this.waiting, lastSyncedAt: this.lastSyncedAt });
  }
}
