// The registry desk page's state: the directory (units and people, cached for offline use), the
// unit's documents (from the server's index when it answers, else from this device's index), the
// proposed 收文號, and the two things the desk does — register and assign (收文 / 分文), re-assign (改分).
import { fail, ok, type Result } from "@countersign/crdt-model";
import { Unreachable } from "$lib/api/client.ts";
import { refusalOf } from "$lib/refusals/decode.ts";
import type { ServerIndexRow } from "$lib/api/types.ts";
import type { App } from "$lib/app.svelte.ts";
import { pullDoc } from "$lib/local/sync.ts";
import { uploader } from "$lib/attachments/uploader.svelte.ts";
import { checkIncoming, createRegistered, type IncomingInput } from "./register.ts";
import { localTrust, reassign, type ReassignInput } from "./reassign.ts";
import { readDirectory, type DeskPerson, type DeskUnit } from "./directory.ts";

export type { DeskPerson, DeskUnit };

const DIRECTORY_KEY = "registry:directory";
const DOCS_KEY = "registry:docs";

export interface Registered {
  doc: string;
  receiptNumber: string;
  officer: string;
  /** The proposed number was taken meanwhile: the one used instead. */
  renumbered: boolean;
  offline: boolean;
}

export class RegistryDesk {
  people = $state.raw<DeskPerson[]>([]);
  units = $state.raw<DeskUnit[]>([]);
  /** False when the directory shown is the cached copy (or none). */
  directoryFresh = $state(false);
  docs = $state.raw<ServerIndexRow[]>([]);
  docsFromServer = $state(false);
  /** The 收文號 the next registration would get, when the server answered. */
  proposed = $state<string | null>(null);

  constructor(private readonly app: App) {}

  get #api() {
    return <T>(path: string, o?: Parameters<App["identity"]["api"]>[1]) => this.app.identity.api<T>(path, o);
  }

  nameOf(person: string | null): string {
    if (!person) return "—";
    return this.people.find((p) => p.id === person)?.name ?? person;
  }

  /** Active people of a unit, case officers first. */
  officersOf(unit: string): DeskPerson[] {
    const rank = (p: DeskPerson) => (p.roles.includes("case-officer") ? 0 : 1);
    return this.people.filter((p) => p.unit === unit && p.active).sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name, "zh-Hant"));
  }

  async loadDirectory(): Promise<void> {
    const store = this.app.local;
    if (!store) return;
    try {
      const [p, u] = await Promise.all([this.#api<{ people: unknown }>("/api/people"), this.#api<{ units: unknown }>("/api/units")]);
      const d = readDirectory(p.people, u.units);
      this.people = d.people;
      this.units = d.units;
      this.directoryFresh = true;
      await store.db.setMeta(DIRECTORY_KEY, JSON.stringify(d));
    } catch {
      const cached = await store.db.getMeta(DIRECTORY_KEY);
      if (cached) {
        const d = JSON.parse(cached) as { people: unknown; units: unknown };
        const read = readDirectory(d.people, d.units);
        this.people = read.people;
        this.units = read.units;
      }
      this.directoryFresh = false;
    }
  }

  /**
   * My unit's documents: the server's list when it answers (kept for offline use), else the last
   * list with what this device's index adds (registrations made here and not yet sent).
   */
  async loadDocs(unit: string): Promise<void> {
    const store = this.app.local;
    if (!store) return;
    try {
      const r = await this.#api<{ docs: ServerIndexRow[] }>("/api/registry/docs");
      this.docs = r.docs;
      this.docsFromServer = true;
      await store.db.setMeta(DOCS_KEY, JSON.stringify(r.docs));
    } catch {
      const cached = await store.db.getMeta(DOCS_KEY);
      const byDoc = new Map<string, ServerIndexRow>((cached ? (JSON.parse(cached) as ServerIndexRow[]) : []).map((d) => [d.doc, d]));
      for (const d of await store.db.docs.toArray()) if (d.unit === unit && d.access === "edit") byDoc.set(d.doc, d);
      this.docs = [...byDoc.values()].sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1));
      this.docsFromServer = false;
    }
  }

  async proposeNumber(): Promise<void> {
    try {
      this.proposed = (await this.#api<{ receiptNumber: string }>("/api/registry/receipt-numbers/next")).receiptNumber;
    } catch {
      this.proposed = null;
    }
  }

  /**
   * Registers and assigns. When the form still holds the proposed 收文號 (or none) and the server
   * answers, the number is reserved now, so two desks never register the same one.
   */
  async register(input: IncomingInput): Promise<Result<Registered>> {
    const store = this.app.local;
    const agency = this.app.identity.current?.agency;
    if (!store || !agency) return fail("local.not-enrolled", "此裝置尚未註冊。");
    const typed = input.receiptNumber.trim();
    let receiptNumber = typed;
    let renumbered = false;
    let offline = !navigator.onLine;
    // Checked before a number is reserved, so a form with a mistake does not use one up.
    const precheck = checkIncoming(input, agency);
    if (!precheck.ok) return precheck;
    if (!offline && (typed === "" || typed === this.proposed)) {
      try {
        receiptNumber = (await this.#api<{ receiptNumber: string }>("/api/registry/receipt-numbers", { body: {} })).receiptNumber;
        renumbered = typed !== "" && receiptNumber !== typed;
      } catch (e) {
        if (!(e instanceof Unreachable)) return refusalOf(e);
        offline = true;
      }
    }
    const checked = checkIncoming({ ...input, receiptNumber }, agency);
    if (!checked.ok) return checked;
    const created = await createRegistered(store, checked.value);
    if (!created.ok) return created;
    if (!offline) {
      void uploader.uploadNow().then(() => this.app.syncNow());
      void this.proposeNumber();
    }
    return ok({ doc: created.value, receiptNumber, officer: this.nameOf(input.caseOfficer), renumbered, offline });
  }

  /** 改分: downloads the newest copy first when online, then signs the re-assignment. */
  async reassign(input: ReassignInput): Promise<Result<void>> {
    const store = this.app.local;
    if (!store) return fail("local.not-enrolled", "此裝置尚未註冊。");
    if (navigator.onLine) await pullDoc(store, this.#api, input.doc).catch(() => false);
    const trust = await localTrust(store, this.app.identity.agency?.ca);
    if (!trust.ok) return trust;
    const r = await reassign(store, this.app.identity.signer(), trust.value, input);
    if (r.ok && navigator.onLine) await this.app.syncNow();
    return r;
  }
}
