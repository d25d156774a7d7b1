// Gathering a document's time-facts inputs on the server: the agency's receipts (trusted times), how
// it came in and goes out, the calendar; then the model's derivation (compute.ts). Used by the relay
// as entries arrive (relay/room.ts: the row is written with the receipts and the index row), by the
// backfill at serve start and by the recomputation after a calendar import (backfill.ts).
//
// What must stay true: no chain is verified here — the caller hands in the state it already derived;
// times come from receipts (the server's first sighting), never from a signer's clock alone.
import { parseAgencyCode, type AgencyCode, type CountersignDocument, type EntryId, type TimeFacts, type WorkflowState } from "@countersign/crdt-model";
import type { DirectoryStore, EntryReceipt, ExchangeStore, DocStore } from "../storage/types.ts";
import type { CalendarCache } from "./calendar.ts";
import { computeTimeFacts, type ComputeTimeFacts, type TimeFactsInput } from "./compute.ts";

export interface FactsDeps {
  store: Pick<DocStore, "receipts"> & Pick<ExchangeStore, "peers" | "assignment"> & Pick<DirectoryStore, "person">;
  agency: AgencyCode;
  calendar: CalendarCache;
  now: () => Date;
  /** The derivation (compute.ts); tests may hand in another. */
  compute?: ComputeTimeFacts;
}

/** How a document came in: another agency's document arrived as an envelope; one with a 收文號 was registered from paper. */
export function originOf(doc: CountersignDocument, agency: AgencyCode): Pick<TimeFactsInput, "origin" | "incoming"> {
  const meta = doc.metadata();
  if (!meta.ok) return { origin: "created", incoming: null };
  if (meta.value.agency !== agency) return { origin: "received", incoming: "exchange" };
  if (meta.value.receiptNumber) return { origin: "received", incoming: "paper" };
  return { origin: "created", incoming: null };
}

/**
 * How a 發文 of this document goes out: "exchange" when a recipient is an agency in the trust list
 * (dispatch/send.ts sends each of those an envelope), else "paper". The model keeps it only once the
 * document is dispatched.
 */
export async function outgoingOf(doc: CountersignDocument, agency: AgencyCode, store: Pick<ExchangeStore, "peers">): Promise<TimeFactsInput["outgoing"]> {
  const meta = doc.metadata();
  if (!meta.ok) return null;
  const codes = new Set<string>();
  for (const r of meta.value.recipients ?? []) {
    if (r.kind !== "agency" || !r.agencyCode) continue;
    const code = parseAgencyCode(r.agencyCode);
    if (code.ok && code.value !== agency) codes.add(code.value);
  }
  if (!codes.size) return "paper";
  const peers = await store.peers();
  return peers.some((p) => p.removedAt === null && codes.has(p.code)) ? "exchange" : "paper";
}

export class TimeFactsDeriver {
  private readonly compute: ComputeTimeFacts;

  constructor(private readonly deps: FactsDeps) {
    this.compute = deps.compute ?? computeTimeFacts;
  }

  /**
   * The time facts of `doc` in `state`. `fresh` are receipts signed for entries just added (not yet
   * recorded): their time counts unless the store already holds an earlier sighting.
   */
  async derive(doc: CountersignDocument, state: WorkflowState, fresh: readonly EntryReceipt[] = []): Promise<TimeFacts | undefined> {
    const stored = await this.deps.store.receipts(doc.id);
    const times = new Map<EntryId, string>();
    for (const r of [...stored, ...fresh]) if (!times.has(r.entry)) times.set(r.entry, r.receivedAt);
    const now = this.deps.now();
    let startedAt: string | undefined;
    for (const at of times.values()) if (startedAt === undefined || Date.parse(at) < Date.parse(startedAt)) startedAt = at;
    const facts = this.compute({
      doc,
      state,
      startedAt: startedAt ?? now.toISOString(),
      ...originOf(doc, this.deps.agency),
      outgoing: await outgoingOf(doc, this.deps.agency, this.deps.store),
      trustedAt: (entry) => times.get(entry),
      calendar: await this.deps.calendar.get(),
      now,
    });
    return facts && (await this.scoped(doc, facts));
  }

  /**
   * Another agency's document is counted where 分文 put it here: under the officer it was assigned to
   * and that officer's unit, never under the sender's unit and case officer (which name nobody of
   * ours), as its index row is scoped (relay/foreign-index.ts). Not yet assigned: no unit, no officer.
   */
  private async scoped(doc: CountersignDocument, facts: TimeFacts): Promise<TimeFacts> {
    const meta = doc.metadata();
    if (!meta.ok || meta.value.agency === this.deps.agency) return facts;
    const person = (await this.deps.store.assignment(doc.id))?.person;
    const unit = person ? ((await this.deps.store.person(person))?.unit ?? null) : null;
    return { ...facts, unit, caseOfficer: person ?? null };
  }
}
