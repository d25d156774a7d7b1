// The exchange page's state (公文交換): outbox, log, incoming documents with their 分文, the upload
// box and the people an incoming document can be assigned to. One instance per page visit.
import type { Code } from "@countersign/crdt-model";
import { Unreachable } from "$lib/api/client.ts";
import { app } from "$lib/app.svelte.ts";
import { refusalOf } from "$lib/refusals/decode.ts";
import { explained } from "$lib/refusals/explained.ts";
import { EMPTY_BOOK, type NameBook } from "$lib/names/names.ts";
import { loadNames } from "$lib/names/load.ts";
import { i18n } from "$lib/locale.svelte.ts";
import { exchangeApi, importEnvelopeFile, downloadEnvelope, saveBytes, base64ToBlob, envelopeFileName, type Api, type ImportResult, type IncomingDoc, type LogRecord, type OutboxRow, type Peer } from "./api.ts";

const DESK = ["registry", "mail-room", "admin"];
const ASSIGNERS = ["registry"];

export type Problem = { kind: "offline" } | { kind: "failed"; code: Code; reason: string };

export function problemFrom(e: unknown): Problem {
  if (e instanceof Unreachable) return { kind: "offline" };
  const { code, reason } = refusalOf(e);
  return { kind: "failed", code, reason };
}

/** A failed call in words: the code's explanation in the current locale, the server's sentence after it. */
export const failedText = (p: Extract<Problem, { kind: "failed" }>): string => explained(p);

export class ExchangeState {
  peers = $state.raw<Peer[]>([]);
  outbox = $state.raw<OutboxRow[]>([]);
  log = $state.raw<LogRecord[]>([]);
  incoming = $state.raw<IncomingDoc[]>([]);
  people = $state.raw<{ id: string; name: string }[]>([]);
  /** Names from the directory cached on this device (someone who may not assign still reads who was assigned). */
  book = $state.raw<NameBook>(EMPTY_BOOK);
  /** 主旨 of the documents this page names (incoming, imported, logged): documents are named by subject, never by id. */
  subjects = $state.raw<Record<string, string>>({});
  loading = $state(false);
  problem = $state.raw<Problem | null>(null);
  importing = $state(false);
  imported = $state.raw<ImportResult | null>(null);
  notice = $state<string | null>(null);

  readonly roles = $derived(app.identity.current?.profile.roles ?? []);
  readonly isDesk = $derived(this.roles.some((r) => DESK.includes(r)));
  readonly mayAssign = $derived(this.roles.some((r) => ASSIGNERS.includes(r)));

  private readonly api: Api = (path, o) => app.identity.api(path, o);
  private readonly token = () => app.identity.token();

  personName = (id: string): string => this.people.find((p) => p.id === id)?.name ?? this.book.people[id] ?? i18n.t("exUnknownPerson");
  /** A peer's name from the trust list ("高雄市政府教育局"); the bare code only for an agency it does not list. */
  agencyName = (code: string | null): string => {
    const p = code ? this.peers.find((x) => x.code === code) : undefined;
    return p ? p.name : code ? (this.book.agencies[code] ?? code) : "—";
  };
  /** A document by its 主旨 (the incoming list's, else this device's index). */
  docTitle = (doc: string): string => this.subjects[doc] || i18n.t("exUntitledDoc");

  /** 主旨 of `docs` from the incoming list and this device's index. */
  async #subjectsOf(docs: readonly string[]): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const d of this.incoming) if (d.subject) out[d.doc] = d.subject;
    const rows = app.local ? await app.local.db.docs.bulkGet(docs.filter((d) => !out[d])).catch(() => []) : [];
    for (const r of rows) if (r?.subject) out[r.doc] = r.subject;
    return out;
  }

  async load(): Promise<void> {
    this.loading = true;
    try {
      const [peers, incoming, log, outbox, people] = await Promise.all([
        exchangeApi.peers(this.api),
        exchangeApi.incoming(this.api),
        this.isDesk ? exchangeApi.log(this.api) : Promise.resolve({ records: [] }),
        this.isDesk ? exchangeApi.outbox(this.api) : Promise.resolve({ items: [] }),
        this.mayAssign ? exchangeApi.people(this.api) : Promise.resolve({ people: [] }),
      ]);
      this.peers = peers.peers;
      this.incoming = incoming.docs;
      this.log = log.records;
      this.outbox = outbox.items;
      this.people = people.people.filter((p) => p.active).map((p) => ({ id: p.id, name: p.name }));
      const store = app.local;
      const agency = app.identity.agency;
      if (store) this.book = await loadNames(store, (p, o) => app.identity.api(p, o), agency ? { code: agency.code, name: agency.name } : null).catch(() => EMPTY_BOOK);
      const imported = this.imported?.status === "imported" ? this.imported.docs : [];
      this.subjects = await this.#subjectsOf([...new Set([...this.log.flatMap((r) => r.docs), ...imported])]);
      this.problem = null;
    } catch (e) {
      this.problem = problemFrom(e);
    } finally {
      this.loading = false;
    }
  }

  async retry(envelope: string, done: string): Promise<void> {
    try {
      await exchangeApi.retry(this.api, envelope);
      this.notice = done;
      // The worker pushes at once; give it a moment before showing the new state.
      setTimeout(() => void this.load(), 800);
    } catch (e) {
      this.problem = problemFrom(e);
    }
  }

  async assign(doc: string, person: string): Promise<boolean> {
    try {
      await exchangeApi.assign(this.api, doc, person);
      await this.load();
      return true;
    } catch (e) {
      this.problem = problemFrom(e);
      return false;
    }
  }

  async importFile(file: File): Promise<void> {
    this.importing = true;
    this.imported = null;
    try {
      this.imported = await importEnvelopeFile(this.token, await file.arrayBuffer());
      await this.load();
    } catch (e) {
      this.problem = problemFrom(e);
    } finally {
      this.importing = false;
    }
  }

  async download(path: string, envelope: string): Promise<void> {
    try {
      await downloadEnvelope(this.token, path, envelopeFileName(envelope));
    } catch (e) {
      this.problem = problemFrom(e);
    }
  }

  /** The receipt of the last import: a stored envelope to download, or the bytes the answer carried. */
  async downloadReceipt(): Promise<void> {
    const r = this.imported;
    if (r?.status !== "imported") return;
    if (r.receipt.file && r.receipt.envelope) return this.download(r.receipt.file, r.receipt.envelope);
    if (r.receipt.base64) saveBytes(base64ToBlob(r.receipt.base64), envelopeFileName(`receipt-${r.envelope}`));
  }
}
