// What the server gives the exchange's HTTP routes beside the ordinary ApiContext. A leaf: the
// server's context (http/context.ts) names it without importing the routes.
import type { Exchange } from "./service.ts";
import type { OutboxWorker } from "./outbox.ts";
import type { ReceiveGate } from "./http-gate.ts";

/** The part of the exchange service (service.ts) these routes use. */
export type ExchangePort = Pick<Exchange, "exportEnvelope" | "importEnvelope" | "assign">;

export interface DeliveryContext {
  exchange: ExchangePort;
  outbox: OutboxWorker;
  gate: ReceiveGate;
  limits: {
    /** The largest envelope accepted over HTTP, pushed or uploaded (bigger ones: the CLI). */
    envelopeBytes: number;
    /** A body must arrive within this long (a slow sender must not hold a connection forever). */
    bodyMs: number;
  };
}
