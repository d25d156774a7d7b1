// The archives page's state (檔案管理): 待歸檔 from the server's queue when it answers (else this
// device's index, by the model's rule), 檔案查詢 over the archived documents (online only: the archive
// is the server's), 調閱 (each opening of an archived document is recorded by the server first), and
// the 調閱紀錄, with the directory's names for units and people.
import type { Refusal } from "@countersign/crdt-model";
import { Unreachable } from "$lib/api/client.ts";
import { filingApi, type ArchiveQuery, type FiledRow, type ViewRecord } from "$lib/api/filing.ts";
import type { App } from "$lib/app.svelte.ts";
import { loadDirectory, type DirUnit } from "$lib/draft/directory.ts";
import type { LocalStore } from "$lib/local/local-store.ts";
import { refusalOf } from "$lib/refusals/decode.ts";
import { instant } from "$lib/dispatch/queue.ts";
import { byWaiting, offlineArchiveQueue } from "./queue.ts";

const QUEUE_KEY = "archives:queue";

export class ArchivesDesk {
  queue = $state.raw<FiledRow[]>([]);
  queueFromServer = $state(false);
  queueFailure = $state.raw<Refusal | null>(null);
  loaded = $state(false);
  /** The last search's results; null before any search. */
  results = $state.raw<FiledRow[] | null>(null);
  searchFailure = $state.raw<Refusal | null>(null);
  searching = $state(false);
  views = $state.raw<ViewRecord[]>([]);
  viewsFailure = $state.raw<Refusal | null>(null);
  units = $state.raw<DirUnit[]>([]);
  #people = $state.raw<ReadonlyMap<string, string>>(new Map());
  /** The directory came from the server on this page: the reload after each sync does not ask again. */
  #directoryFresh = false;
  #subjects = $state.raw<ReadonlyMap<string, string>>(new Map());

  constructor(private readonly app: App) {}

  get #call() {
    return <T>(path: string, o?: Parameters<App["identity"]["api"]>[1]) => this.app.identity.api<T>(path, o);
  }

  nameOf = (person: string | null | undefined): string => (person ? (this.#people.get(person) ?? person) : "—");
  unitOf = (unit: string | null | undefined): string => (unit ? (this.units.find((u) => u.id === unit)?.name ?? unit) : "—");
  /** A document's 主旨 as far as this page knows it (queue, results, this device's index), else its id. */
  subjectOf = (doc: string): string => this.#subjects.get(doc) || doc;

  async load(): Promise<void> {
    const store = this.app.local;
    if (!store) return;
    if (!this.#directoryFresh) {
      const dir = await loadDirectory(store, navigator.onLine ? this.#call : null);
      this.#people = new Map(dir.people.map((p) => [p.id, p.name]));
      this.units = dir.units;
      this.#directoryFresh = dir.fresh;
    }
    await this.#loadQueue(store);
    await this.loadViews();
    this.loaded = true;
  }

  async #loadQueue(store: LocalStore): Promise<void> {
    const local = await store.db.docs.toArray();
    this.#learn(local);
    try {
      const r = await filingApi.archiveQueue(this.#call);
      this.queue = [...r.docs].sort(byWaiting);
      this.queueFromServer = true;
      this.queueFailure = null;
      this.#learn(r.docs);
      await store.db.setMeta(QUEUE_KEY, JSON.stringify(r.docs));
    } catch (e) {
      if (!(e instanceof Unreachable)) {
        this.queueFailure = refusalOf(e);
        this.queue = [];
        return;
      }
      const cached = await store.db.getMeta(QUEUE_KEY);
      this.queue = offlineArchiveQueue(cached ? (JSON.parse(cached) as FiledRow[]) : [], local);
      this.queueFromServer = false;
      this.queueFailure = null;
    }
  }

  async loadViews(): Promise<void> {
    try {
      this.views = [...(await filingApi.views(this.#call)).views].sort((a, b) => instant(b.at) - instant(a.at));
      this.viewsFailure = null;
    } catch (e) {
      this.viewsFailure = refusalOf(e);
    }
  }

  async search(q: ArchiveQuery): Promise<void> {
    this.searching = true;
    this.searchFailure = null;
    try {
      const r = await filingApi.archiveSearch(this.#call, q);
      this.results = r.docs;
      this.#learn(r.docs);
    } catch (e) {
      this.searchFailure = refusalOf(e);
    } finally {
      this.searching = false;
    }
  }

  /**
   * 調閱: the server records who opens which archived document before it is opened; without that
   * record (offline, refused) it is not opened. The caller goes to the document on null.
   */
  async recordView(doc: string): Promise<Refusal | null> {
    try {
      await filingApi.recordView(this.#call, doc);
      void this.loadViews();
      return null;
    } catch (e) {
      return refusalOf(e);
    }
  }

  #learn(rows: readonly { doc: string; subject: string }[]): void {
    const next = new Map(this.#subjects);
    for (const r of rows) if (r.subject) next.set(r.doc, r.subject);
    this.#subjects = next;
  }
}
