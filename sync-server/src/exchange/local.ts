import type { BaseLogger as Logger } from "pino";
import { VerifyCache } from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";
import type { Agency } from "../identity/agency.ts";
import { signReceipt } from "../identity/receipts.ts";
import { Rooms } from "../relay/rooms.ts";
import { TrustCache } from "../http/trust-cache.ts";
import { Exchange } from "./service.ts";

/** An Exchange outside the server (the CLI, tests): its own rooms and trust cache over a store. */
export interface LocalExchange {
  exchange: Exchange;
  rooms: Rooms;
  trust: TrustCache;
  /** Finishes what the rooms are writing and unloads them; the store stays open. */
  close(): Promise<void>;
}

export function localExchange(store: Store, agency: Agency, log: Logger, now?: () => Date): LocalExchange {
  const trust = new TrustCache(store);
  const rooms = new Rooms(
    { store, trust: () => trust.get(), signReceipt: (r) => signReceipt(agency, r), cache: new VerifyCache(), now: now ?? (() => new Date()), compactAfter: 200, agency: agency.code },
    { idleMs: 30_000, maxLoaded: 2000 },
  );
  const exchange = new Exchange({ store, agency, rooms, trust, log, now });
  return { exchange, rooms, trust, close: () => rooms.closeAll() };
}
