// The mail room page's state (收發文): 待發文 from the server's queue when it answers (kept for offline
// use) or else from this device's index by the model's rule; 已發文 by me from this device's index, with
// the recipients each letter must reach on paper (not on the exchange trust list); the directory's
// names for units and case officers; and the ZIP of paper dispatch files.
import type { Recipient, Refusal } from "@countersign/crdt-model";
import { Unreachable } from "$lib/api/client.ts";
import { fetchDispatchFiles, filingApi, type FiledRow } from "$lib/api/filing.ts";
import type { App } from "$lib/app.svelte.ts";
import { loadDirectory } from "$lib/draft/directory.ts";
import type { LocalDocRow } from "$lib/local/db.ts";
import type { LocalStore } from "$lib/local/local-store.ts";
import { refusalOf } from "$lib/refusals/decode.ts";
import { byDispatchUrgency, dispatchedBy, offlineMerge, paperRecipients, withLocalFacts, type MailRow } from "./queue.ts";

const QUEUE_KEY = "dispatch:queue";
const DONE_KEY = "dispatch:done";

export class MailRoom {
  queue = $state.raw<MailRow[]>([]);
  /** False when the queue shown comes from this device (offline, or the server's last answer). */
  fromServer = $state(false);
  /** The server refused the queue (not the mail room, a server error): shown instead of a list. */
  failure = $state.raw<Refusal | null>(null);
  dispatched = $state.raw<MailRow[]>([]);
  /** Per dispatched document, the recipients to reach on paper (from the local copy's 受文者). */
  paper = $state.raw<ReadonlyMap<string, Recipient[]>>(new Map());
  loaded = $state(false);
  #people = $state.raw<ReadonlyMap<string, string>>(new Map());
  #units = $state.raw<ReadonlyMap<string, string>>(new Map());
  #trusted: ReadonlySet<string> = new Set();
  /** The directory came from the server on this page: the reload after each sync does not ask again. */
  #directoryFresh = false;

  constructor(private readonly app: App) {}

  nameOf = (person: string | null | undefined): string => (person ? (this.#people.get(person) ?? person) : "—");
  unitOf = (unit: string | null | undefined): string => (unit ? (this.#units.get(unit) ?? unit) : "—");

  async load(person: string): Promise<void> {
    const store = this.app.local;
    const agency = this.app.identity.current?.agency;
    if (!store || !agency) return;
    const call = <T>(path: string, o?: Parameters<App["identity"]["api"]>[1]) => this.app.identity.api<T>(path, o);
    if (!this.#directoryFresh) {
      const dir = await loadDirectory(store, navigator.onLine ? call : null);
      this.#people = new Map(dir.people.map((p) => [p.id, p.name]));
      this.#units = new Map(dir.units.map((u) => [u.id, u.name]));
      this.#trusted = new Set(dir.agencies.map((a) => a.code));
      this.#directoryFresh = dir.fresh;
    }
    const local = await store.db.docs.toArray();
    await this.#loadQueue(store, call, local);
    this.dispatched = await this.#loadDispatched(store, call, local, person);
    this.paper = await this.#paperOf(store, this.dispatched, local, this.#trusted, agency);
    this.loaded = true;
  }

  async #loadQueue(store: LocalStore, call: <T>(path: string) => Promise<T>, local: LocalDocRow[]): Promise<void> {
    try {
      const r = await filingApi.dispatchQueue(call);
      this.queue = withLocalFacts(r.docs, local).sort(byDispatchUrgency);
      this.fromServer = true;
      this.failure = null;
      await store.db.setMeta(QUEUE_KEY, JSON.stringify(r.docs));
    } catch (e) {
      if (!(e instanceof Unreachable)) {
        this.failure = refusalOf(e);
        this.queue = [];
        return;
      }
      const cached = await store.db.getMeta(QUEUE_KEY);
      this.queue = offlineMerge(cached ? (JSON.parse(cached) as FiledRow[]) : [], local);
      this.fromServer = false;
      this.failure = null;
    }
  }

  /**
   * 已發文 by me: from the server's listing when it answers (its rows carry the 發文字號 and the date;
   * kept for offline use), else the last one with what this device's index adds.
   */
  async #loadDispatched(store: LocalStore, call: <T>(path: string) => Promise<T>, local: LocalDocRow[], person: string): Promise<MailRow[]> {
    try {
      const rows = dispatchedBy(withLocalFacts(await filingApi.allDocs(call), local), person);
      await store.db.setMeta(DONE_KEY, JSON.stringify(rows));
      return rows;
    } catch {
      const cached = await store.db.getMeta(DONE_KEY);
      const byDoc = new Map<string, MailRow>(dispatchedBy(local, person).map((r) => [r.doc, r]));
      for (const r of cached ? (JSON.parse(cached) as MailRow[]) : []) byDoc.set(r.doc, r);
      return dispatchedBy([...byDoc.values()], person);
    }
  }

  /** Reads each dispatched letter's 受文者 from the local copy; a copy not on this device names nobody. */
  async #paperOf(store: LocalStore, rows: readonly MailRow[], local: readonly LocalDocRow[], trusted: ReadonlySet<string>, agency: string): Promise<Map<string, Recipient[]>> {
    const out = new Map<string, Recipient[]>();
    const downloaded = new Set(local.filter((r) => r.sv).map((r) => r.doc));
    for (const r of rows) {
      if (!downloaded.has(r.doc) || r.status !== "dispatched") continue;
      const local = store.openDoc(r.doc);
      try {
        await local.ready;
        const meta = local.doc.metadata();
        const paper = meta.ok ? paperRecipients(meta.value.recipients ?? [], trusted, agency) : [];
        if (paper.length) out.set(r.doc, paper);
      } catch {
        // a damaged copy: the document page explains it; no paper links here
      } finally {
        await local.release();
      }
    }
    return out;
  }

  /** Downloads the paper dispatch files (DI + SW in a ZIP) as a file in the browser. */
  async downloadPaper(doc: string): Promise<Refusal | null> {
    try {
      const { blob, name } = await fetchDispatchFiles(await this.app.identity.token(), doc);
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      return null;
    } catch (e) {
      return refusalOf(e);
    }
  }
}
