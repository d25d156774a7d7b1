// One server's 時效管制 parts, made once per server (http/server.ts) and shared by its rooms (time
// facts as entries arrive), its routes (calendar, 展期 policy, follow-up listing) and its start
// (the backfill). Instance state only: a second server in the same process has its own.
import type { BaseLogger as Logger } from "pino";
import {
  deriveFromReport,
  errorMessage,
  verify,
  type AgencyCode,
  type CountersignDocument,
  type DocId,
  type TimeFacts,
  type TrustStore,
  type VerifyCache,
  type WorkflowState,
} from "@countersign/crdt-model";
import type { EntryReceipt, Store } from "../storage/types.ts";
import type { Rooms } from "../relay/rooms.ts";
import { currentDoc } from "../exchange/docs.ts";
import { CalendarCache } from "./calendar.ts";
import { TimeFactsDeriver } from "./facts.ts";
import type { ComputeTimeFacts } from "./compute.ts";
import { DEFAULT_DUE_SOON_DAYS } from "./follow-up.ts";

/** Set by a calendar import made without this server (the CLI): open documents are derived again at the next start. */
export const RECOMPUTE_SETTING = "deadline.recompute-open";
/** Documents derived per batch of the backfill: bounded memory and store round trips. */
const BATCH = 100;

export interface DeadlineOptions {
  store: Store;
  agency: AgencyCode;
  now?: () => Date;
  /** N of 期前 (due within N working days). */
  dueSoonDays?: number;
  compute?: ComputeTimeFacts;
  log?: Logger;
}

export class Deadlines {
  readonly calendar: CalendarCache;
  readonly facts: TimeFactsDeriver;
  readonly dueSoonDays: number;
  readonly now: () => Date;

  constructor(private readonly o: DeadlineOptions) {
    this.now = o.now ?? (() => new Date());
    this.calendar = new CalendarCache(o.store);
    this.facts = new TimeFactsDeriver({ store: o.store, agency: o.agency, calendar: this.calendar, now: this.now, compute: o.compute });
    this.dueSoonDays = o.dueSoonDays ?? DEFAULT_DUE_SOON_DAYS;
  }

  /** What a room calls with a change it committed (relay/room.ts RoomDeps.timeFacts); never throws. */
  readonly roomFacts = async (doc: CountersignDocument, state: WorkflowState, fresh: readonly EntryReceipt[]): Promise<TimeFacts | undefined> => {
    try {
      return await this.facts.derive(doc, state, fresh);
    } catch (e) {
      this.o.log?.warn({ doc: doc.id, err: errorMessage(e) }, "time facts could not be derived; the next change or start writes them");
      return undefined;
    }
  };

  /**
   * Derives and writes the time facts of documents, in bounded batches: those with none (`missing`:
   * an old data directory, or a row the model could not derive before) and, when asked, every open
   * one (`open`: after a calendar import, since their due dates depend on it). Each document is read
   * as this agency holds it now and its chain verified once, here only. Answers how many were written.
   */
  async backfill(kind: "missing" | "open", d: { rooms?: Rooms; trust: () => Promise<TrustStore>; cache: VerifyCache }): Promise<number> {
    let after = "";
    let written = 0;
    for (;;) {
      const ids = await this.o.store.timeFactsWork({ kind, after, limit: BATCH });
      if (!ids.length) break;
      const rows: TimeFacts[] = [];
      for (const id of ids) {
        const f = await this.derivedFromStore(id, d).catch((e: unknown) => {
          this.o.log?.warn({ doc: id, err: errorMessage(e) }, "time facts: the document could not be derived");
          return undefined;
        });
        if (f) rows.push(f);
      }
      await this.o.store.putTimeFacts(rows);
      written += rows.length;
      after = ids.at(-1)!;
      // Missing rows the model cannot derive stay missing: the cursor moves past them, so no loop.
    }
    if (written) this.o.log?.info({ documents: written, kind }, "time facts derived");
    return written;
  }

  private async derivedFromStore(id: DocId, d: { rooms?: Rooms; trust: () => Promise<TrustStore>; cache: VerifyCache }): Promise<TimeFacts | undefined> {
    const doc = await currentDoc(this.o.store, d.rooms, id);
    if (!doc) return undefined;
    const state = deriveFromReport(doc, await verify(doc, await d.trust(), { cache: d.cache }));
    return this.facts.derive(doc, state);
  }

  /** At serve start: the missing rows, then (after a CLI import) the open ones; logged, never fatal. */
  async startup(d: { rooms?: Rooms; trust: () => Promise<TrustStore>; cache: VerifyCache }): Promise<void> {
    try {
      await this.backfill("missing", d);
      if (await this.o.store.getSetting(RECOMPUTE_SETTING)) {
        await this.backfill("open", d);
        await this.o.store.setSetting(RECOMPUTE_SETTING, "");
      }
    } catch (e) {
      this.o.log?.error({ err: errorMessage(e) }, "time facts: the backfill failed; it runs again at the next start");
    }
  }
}
