// The follow-up desk's state (稽催管制, /follow-up): the open controlled documents from the server's
// follow-up listing (kept on this device, so the list and the notices still read offline), the
// filters, names for units and people from the directory, and sending a unit's 稽催通知單.
//
// What must stay true: who may see the list is the server's decision (the follow-up role agency-wide,
// a unit head over the unit); a refusal is shown as it came (its code explained), never hidden as
// an empty list. Ids are never shown: units and people are named from the directory.
import type { Refusal } from "@countersign/crdt-model";
import { Unreachable } from "$lib/api/client.ts";
import { followUpApi, type NoticeSent } from "$lib/api/follow-up.ts";
import type { App } from "$lib/app.svelte.ts";
import { loadDirectory, type DirUnit } from "$lib/draft/directory.ts";
import { refusalOf } from "$lib/refusals/decode.ts";
import { DUE_SOON_DAYS } from "$lib/notices/notices.ts";
import { NO_FILTER, countsByUnit, filterRows, type FollowUpRow, type RowFilter } from "./rows.ts";
import { readKept, writeKept } from "./kept.ts";

export type SendState = { phase: "sending" } | { phase: "done"; result: NoticeSent } | { phase: "failed"; refusal: Refusal };

export class FollowUpDesk {
  rows = $state.raw<FollowUpRow[]>([]);
  loaded = $state(false);
  loading = $state(false);
  /** The server answered this time (false: what is shown is the kept copy). */
  fromServer = $state(false);
  /** When the shown listing was fetched (ISO), null before any. */
  fetchedAt = $state<string | null>(null);
  failure = $state.raw<Refusal | null>(null);
  dueSoonDays = $state(DUE_SOON_DAYS);
  filter = $state<RowFilter>({ ...NO_FILTER });
  units = $state.raw<DirUnit[]>([]);
  #people = $state.raw<ReadonlyMap<string, string>>(new Map());
  sending = $state<Record<string, SendState>>({});

  readonly shown = $derived(filterRows(this.rows, this.filter));
  readonly byUnit = $derived(countsByUnit(this.rows));
  readonly counts = $derived({
    all: this.shown.length,
    overdue: this.shown.filter((r) => r.flag === "overdue").length,
    soon: this.shown.filter((r) => r.flag === "due-soon").length,
  });

  constructor(private readonly app: App) {}

  get #call() {
    return <T>(path: string, o?: Parameters<App["identity"]["api"]>[1]) => this.app.identity.api<T>(path, o);
  }

  /** A person's name ("—" for none; a person the directory does not know keeps a neutral word, not the id). */
  nameOf = (person: string | null | undefined): string => (person ? (this.#people.get(person) ?? "—") : "—");
  /** A unit's name from the directory ("—" for none). */
  unitOf = (unit: string | null | undefined): string => (unit ? (this.units.find((u) => u.id === unit)?.name ?? "—") : "—");

  async load(): Promise<void> {
    const store = this.app.local;
    if (!store) return;
    this.loading = true;
    try {
      const dir = await loadDirectory(store, navigator.onLine ? this.#call : null);
      this.#people = new Map(dir.people.map((p) => [p.id, p.name]));
      this.units = dir.units;
      try {
        const r = await followUpApi.docs(this.#call);
        const at = new Date().toISOString();
        this.rows = r.rows;
        this.dueSoonDays = r.dueSoonDays ?? DUE_SOON_DAYS;
        this.fromServer = true;
        this.fetchedAt = at;
        this.failure = null;
        await writeKept(store.db, { at, rows: r.rows, dueSoonDays: r.dueSoonDays });
      } catch (e) {
        if (!(e instanceof Unreachable)) {
          this.failure = refusalOf(e);
          this.rows = [];
          return;
        }
        const kept = await readKept(store.db);
        this.rows = kept?.rows ?? [];
        this.fetchedAt = kept?.at ?? null;
        this.dueSoonDays = kept?.dueSoonDays ?? DUE_SOON_DAYS;
        this.fromServer = false;
        this.failure = null;
      }
    } finally {
      this.loaded = true;
      this.loading = false;
    }
  }

  clearFilter(): void {
    this.filter = { ...NO_FILTER };
  }

  /** Sends a unit's 稽催通知單 now (to the unit head and the officers concerned; H7's mail queue). */
  async sendNotice(unit: string): Promise<void> {
    this.sending = { ...this.sending, [unit]: { phase: "sending" } };
    try {
      const result = await followUpApi.sendNotice(this.#call, unit);
      this.sending = { ...this.sending, [unit]: { phase: "done", result } };
    } catch (e) {
      this.sending = { ...this.sending, [unit]: { phase: "failed", refusal: refusalOf(e) } };
    }
  }
}
