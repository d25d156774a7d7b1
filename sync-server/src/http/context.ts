// What every route handler may use: the server's store, agency, rooms and settings. A leaf module
// (types only, and principalOf), so feature routes import it without importing each other.
import type { Store } from "../storage/types.ts";
import type { Agency } from "../identity/agency.ts";
import type { Session } from "../identity/login.ts";
import type { Rooms } from "../relay/rooms.ts";
import type { Principal } from "../relay/authz.ts";
import type { Exchange } from "../exchange/service.ts";
import type { DeliveryContext } from "../exchange/http-delivery.ts";
import type { TrustCache } from "./trust-cache.ts";
import type { DemoData } from "./demo.ts";
import type { Gates } from "./gates.ts";
import type { MailService } from "../mail/service.ts";
import type { Deadlines } from "../deadline/service.ts";

export interface ApiContext {
  store: Store;
  agency: Agency;
  rooms: Rooms;
  trust: TrustCache;
  /**
   * Request body limits by class (a route names its class in the contract): ordinary JSON, batch
   * sync, an attachment upload; and `list`, the most index rows one page of /api/docs or /api/inbox holds.
   */
  limits: { json: number; batch: number; blob: number; list: number };
  /** The demo agency's people, one-time codes and peer envelope (`countersign demo`); absent for a real agency. */
  demo?: DemoData;
  /** Envelope delivery and the app's exchange API (/api/exchange/…: exchange/http-routes.ts). */
  delivery: DeliveryContext;
  /** The agency's envelope exchange (exchange/service.ts): the same instance as `delivery.exchange`. */
  exchange: Exchange;
  /** Per-address and per-person rate limits of login, enrollment and tickets (gates.ts). */
  gates: Gates;
  /** Closes this server's open sockets of a certificate at once (a revocation through the API). */
  endSessions?: (cert: string, reason: string) => void;
  /** E-mail (mail/service.ts): absent when the agency configured no SMTP. */
  mail?: MailService;
  /** 時效管制 (deadline/service.ts): the calendar cache, time facts and the 期前 setting; made by the router when absent. */
  deadlines?: Deadlines;
}

export function principalOf(s: Session): Principal {
  return { person: s.person, unit: s.unit, agency: s.agency, roles: s.roles };
}
