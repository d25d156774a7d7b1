import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { BaseLogger as Logger } from "pino";
import { VerifyCache, errorMessage, type DocId } from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";
import type { Agency } from "../identity/agency.ts";
import { signReceipt } from "../identity/receipts.ts";
import { Rooms } from "../relay/rooms.ts";
import { Relay } from "../relay/ws.ts";
import type { RoomDeps } from "../relay/room.ts";
import type { ApiContext } from "./context.ts";
import { HttpError, sendRefusal } from "./json.ts";
import { buildRouter } from "./routes.ts";
import type { Router } from "./router.ts";
import { Metrics } from "./metrics.ts";
import { TrustCache } from "./trust-cache.ts";
import { OutboxWorker, type OutboxOptions } from "../exchange/outbox.ts";
import { ReceiveGate, type GateOptions } from "../exchange/http-gate.ts";
import { Exchange } from "../exchange/service.ts";
import { OpenSockets } from "../relay/sessions.ts";
import { Gates, type GateLimits } from "./gates.ts";
import { relayAuthenticator, StandingSweep } from "./sessions.ts";
import { SECURITY_HEADERS, API_CSP, keepStoredPolicyOnNotModified } from "./headers.ts";
import { backfillBlobRefs } from "./blob-refs.ts";
import { StorageHealth } from "./health.ts";
import { cannotWrite } from "../storage/write-failure.ts";
import { resumeDispatches, sendDispatch, type DispatchSendDeps } from "../dispatch/send.ts";
import { AgencyMail, type MailOptions } from "../mail/setup.ts";
import { Deadlines } from "../deadline/service.ts";
import { lateReasonRefusal } from "../deadline/late-reason.ts";
import { resolveClientAddress, type TrustedProxies } from "../tls/forwarded.ts";

/** A request handler for everything that is not the API: the built SvelteKit app (adapter-node). */
export type AppHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export interface ServerOptions {
  store: Store;
  agency: Agency;
  log: Logger;
  port: number;
  host?: string;
  app?: AppHandler;
  /** Hooks for scale-out: called with every update this process stored. */
  onAccepted?: RoomDeps["onAccepted"];
  /** Scale-out across processes (fanout/redis.ts): publishes what this process stored, applies the rest. */
  fanout?: Fanout;
  limits?: Partial<Limits>;
  /** The demo listing for GET /api/demo (only for a data directory made by `countersign demo`). */
  demo?: ApiContext["demo"];
  /** Envelope delivery to and from peer agencies' servers (exchange/outbox.ts, exchange/http-routes.ts). */
  delivery?: DeliveryOptions;
  /** Rate limits of challenge, enrollment and ticket requests, and the cap on waiting challenges (gates.ts). */
  gates?: Partial<GateLimits>;
  /** Check every JSON answer against the API contract before sending it (tests; http/router.ts). */
  checkAnswers?: boolean;
  /** E-mail over SMTP (`serve --smtp`; mail/): the queue, reminders and 稽催通知單. Absent: no mail at all. */
  mail?: MailOptions;
  /** 期前: a document due within this many working days is flagged (follow-up listing; default 2). */
  dueSoonDays?: number;
  /** The clock of 時效管制 (today's 期前/逾期 flags, time facts' now); tests set it. Default: the real one. */
  deadlineClock?: () => Date;
  /** The version of the web app `app` serves (its build's _app/version.json; GET /api/version). */
  appVersion?: string;
  /** HTTPS and WSS on the one port (`serve --tls-cert --tls-key`; checked by tls/load.ts before). */
  tls?: { cert: Buffer; key: Buffer };
  /** Proxies whose X-Forwarded-For names the client (`serve --trust-proxy`; tls/forwarded.ts). */
  trustProxy?: TrustedProxies;
}

export interface DeliveryOptions {
  outbox?: Partial<OutboxOptions>;
  gate?: Partial<GateOptions>;
  /** The largest envelope taken over HTTP (pushed by a peer or uploaded in the app). */
  envelopeBytes?: number;
  /** How long an envelope's body may take to arrive. */
  bodyMs?: number;
  /** The outbox worker's clock (tests drive it). */
  now?: () => Date;
}

/**
 * Carries updates between server processes that share one store. `publish` gets every update this
 * process stored (after it is durable); `attach` gives it the rooms to apply other processes'
 * updates to; `stop` runs after the rooms have finished their in-flight updates.
 */
export interface Fanout {
  publish(doc: DocId, update: Uint8Array): void;
  attach(rooms: Rooms): void;
  stop(): Promise<void>;
}

export interface Limits {
  json: number;
  batch: number;
  /** The largest attachment taken by PUT /api/blobs/<sha256>. */
  blob: number;
  /** The most index rows one page of GET /api/docs or /api/inbox holds (clients page with `next`). */
  list: number;
  frame: number;
  idleMs: number;
  maxLoaded: number;
  compactAfter: number;
  heartbeatMs: number;
  /**
   * How often the certificates behind open sockets are re-read (one query for all of them): the
   * bound on how long a revocation made elsewhere (the CLI, another server process) leaves a socket
   * open. A revocation through this server's API closes its sockets at once.
   */
  standingMs: number;
  /** How often the server checks by itself that the store can be written (and reconnects it if not). */
  healthMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  json: 1024 * 1024,
  batch: 64 * 1024 * 1024,
  blob: 50 * 1024 * 1024,
  list: 1000,
  frame: 16 * 1024 * 1024,
  idleMs: 30_000,
  maxLoaded: 2000,
  compactAfter: 200,
  heartbeatMs: 30_000,
  standingMs: 1000,
  healthMs: 5000,
};

/**
 * One agency's server: the JSON API, the y-websocket relay, /healthz, /metrics and the web app, on one
 * port. Holds no module-level state: everything lives on this instance.
 */
export class AgencyServer {
  readonly metrics = new Metrics();
  readonly rooms: Rooms;
  /** Envelope exchange with other agencies (exchange/service.ts). */
  readonly exchange: Exchange;
  private readonly http: Server;
  private readonly relay: Relay;
  private readonly router: Router;
  private readonly limits: Limits;
  /** The outbox worker pushing queued envelopes to peers; runs between start() and stop(). */
  readonly outbox: OutboxWorker;
  /** This server's open relay sockets by certificate (closed on revocation and token expiry). */
  readonly sockets = new OpenSockets();
  private standingTimer: ReturnType<typeof setInterval> | undefined;
  /** Whether the store can be written (/healthz); checked every `healthMs` too, so writes resume by themselves. */
  readonly health: StorageHealth;
  private healthTimer: ReturnType<typeof setInterval> | undefined;
  /** The mail queue, reminders and 稽催通知單 (mail/setup.ts); null without SMTP. */
  readonly mail: AgencyMail | null;
  /** 時效管制: the calendar, time facts as entries arrive, the backfill at start (deadline/service.ts). */
  readonly deadlines: Deadlines;
  private readonly deadlineDeps: Parameters<Deadlines["startup"]>[0];

  constructor(private readonly o: ServerOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...o.limits };
    this.health = new StorageHealth(o.store, o.log);
    const trust = new TrustCache(o.store);
    this.deadlines = new Deadlines({ store: o.store, agency: o.agency.code, log: o.log, dueSoonDays: o.dueSoonDays, now: o.deadlineClock });
    this.rooms = new Rooms(
      {
        store: o.store,
        trust: () => trust.get(),
        signReceipt: (r) => signReceipt(o.agency, r),
        cache: new VerifyCache(),
        now: () => new Date(),
        compactAfter: this.limits.compactAfter,
        agency: o.agency.code,
        log: o.log,
        onAccepted:
          o.onAccepted || o.fanout
            ? (doc, update) => {
                o.onAccepted?.(doc, update);
                o.fanout?.publish(doc, update);
              }
            : undefined,
        // 發文 to the recipient agencies, once the entry is committed (dispatch/send.ts); never awaited by the room.
        onDispatched: (doc) =>
          void sendDispatch(this.dispatchDeps(), doc).catch((e: unknown) => o.log.error({ doc, err: errorMessage(e) }, "dispatch: sending to the recipient agencies failed")),
        timeFacts: this.deadlines.roomFacts,
        lateReason: (doc, before, after) => lateReasonRefusal(this.deadlines, doc, before, after),
      },
      { idleMs: this.limits.idleMs, maxLoaded: this.limits.maxLoaded },
    );
    this.exchange = new Exchange({ store: o.store, agency: o.agency, rooms: this.rooms, trust, log: o.log });
    this.deadlineDeps = { rooms: this.rooms, trust: () => trust.get(), cache: new VerifyCache() };
    o.fanout?.attach(this.rooms);
    this.outbox = new OutboxWorker(
      { store: o.store, log: o.log, importReceipt: (bytes) => this.exchange.importEnvelope(bytes, "http"), now: o.delivery?.now },
      o.delivery?.outbox,
    );
    const delivery = {
      exchange: this.exchange,
      outbox: this.outbox,
      gate: new ReceiveGate(o.delivery?.gate),
      limits: { envelopeBytes: o.delivery?.envelopeBytes ?? 128 * 1024 * 1024, bodyMs: o.delivery?.bodyMs ?? 120_000 },
    };
    this.mail = o.mail
      ? new AgencyMail(o.mail, {
          store: o.store,
          agency: o.agency.name,
          log: o.log,
          metrics: this.metrics,
          calendar: () => this.deadlines.calendar.get(),
          dueSoonDays: this.deadlines.dueSoonDays,
        })
      : null;
    const ctx: ApiContext = {
      store: o.store,
      agency: o.agency,
      rooms: this.rooms,
      trust,
      limits: { json: this.limits.json, batch: this.limits.batch, blob: this.limits.blob, list: this.limits.list },
      demo: o.demo,
      delivery,
      exchange: this.exchange,
      gates: new Gates(o.gates),
      endSessions: (cert, reason) => void this.sockets.closeCert(cert, reason),
      mail: this.mail?.service,
      deadlines: this.deadlines,
    };
    this.router = buildRouter(ctx, { storeKind: o.store.kind, health: this.health, metrics: this.metrics, appVersion: o.appVersion }, { checkAnswers: o.checkAnswers });
    this.relay = new Relay({
      rooms: this.rooms,
      store: o.store,
      authenticate: relayAuthenticator(o.store, o.agency, o.log),
      sessions: this.sockets,
      metrics: this.metrics,
      log: o.log,
      maxPayload: this.limits.frame,
      heartbeatMs: this.limits.heartbeatMs,
    });
    const onRequest = (req: IncomingMessage, res: ServerResponse) => void this.onRequest(req, res);
    this.http = o.tls ? createHttpsServer({ cert: o.tls.cert, key: o.tls.key }, onRequest) : createServer(onRequest);
    this.http.on("upgrade", (req, socket, head) => {
      resolveClientAddress(req, o.trustProxy);
      socket.on("error", () => socket.destroy());
      if (!this.relay.handleUpgrade(req, socket, head)) {
        this.metrics.refuse("bad-request");
        socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      }
    });
  }

  /** What sending a dispatched letter to other agencies needs (dispatch/send.ts). */
  private dispatchDeps(): DispatchSendDeps {
    return { store: this.o.store, rooms: this.rooms, exchange: this.exchange, outbox: this.outbox, agency: this.o.agency.code, log: this.o.log };
  }

  async start(): Promise<number> {
    await backfillBlobRefs(this.o.store, this.o.log);
    await new Promise<void>((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(this.o.port, this.o.host ?? "0.0.0.0", () => resolve());
    });
    const port = (this.http.address() as AddressInfo).port;
    this.outbox.start();
    this.mail?.start();
    // 發文 envelopes a stop may have cut short (dispatch/send.ts); in the background, never holding up serving.
    void resumeDispatches(this.dispatchDeps(), new Date()).catch((e: unknown) => this.o.log.error({ err: errorMessage(e) }, "dispatch: resuming failed"));
    // Time facts for documents that have none yet (an older data directory), and open ones after a
    // calendar import from the command line (deadline/service.ts); in the background, logged.
    void this.deadlines.startup(this.deadlineDeps);
    const sweep = new StandingSweep(this.o.store, this.sockets, this.o.log);
    this.standingTimer = setInterval(() => void sweep.run(), this.limits.standingMs);
    this.standingTimer.unref();
    this.healthTimer = setInterval(() => void this.health.check(), this.limits.healthMs);
    this.healthTimer.unref();
    this.o.log.info({ port, agency: this.o.agency.code, store: this.o.store.kind, tls: Boolean(this.o.tls), trustProxy: this.o.trustProxy?.entries }, "serving");
    return port;
  }

  /** Graceful: stop accepting, tell clients to come back, finish in-flight updates, close storage. */
  async stop(): Promise<void> {
    await this.outbox.stop();
    await this.mail?.stop();
    clearInterval(this.standingTimer);
    clearInterval(this.healthTimer);
    this.relay.close();
    this.sockets.clear();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
    await this.rooms.closeAll();
    await this.o.fanout?.stop();
    await this.o.store.close();
    this.o.log.info("stopped");
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let path = "/";
    // Once per request: rate limits (http/auth.ts addressOf) and the logs below read this address.
    const address = resolveClientAddress(req, this.o.trustProxy);
    // On every answer, the app's pages too (SvelteKit adds the pages' full policy: svelte.config.js).
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      path = url.pathname;
      // Not a page: nothing in an answer of the API or the server's own endpoints may run or be framed.
      if (path.startsWith("/api/") || path === "/healthz" || path === "/metrics") res.setHeader("content-security-policy", API_CSP);
      else keepStoredPolicyOnNotModified(res);
      const handled = await this.router.handle(req, res, url);
      if (handled) {
        if (handled.status === 429) this.o.log.warn({ route: handled.route, address }, "rate limited");
        if (handled.status === 401) this.metrics.refuse("unauthenticated");
        else if (handled.status >= 400 && handled.status < 500) this.metrics.refuse("bad-request");
        return void this.metrics.http.inc({ route: handled.route, status: String(handled.status) });
      }
      const notFound = () => sendRefusal(res, new HttpError(404, "http.not-found", "Not found."));
      if (this.o.app) return this.o.app(req, res, notFound);
      notFound();
    } catch (e) {
      // The trust boundary of HTTP: answer with the sentence, log with context, keep serving.
      const unwritable = cannotWrite(e);
      const refusal =
        e instanceof URIError
          ? new HttpError(400, "http.malformed-request", "The request path is malformed.")
          : unwritable
            ? new HttpError(503, "http.unavailable", "The agency's storage cannot be written at the moment; try again shortly.")
            : new HttpError(500, "http.internal", "The server failed; the error is logged.");
      if (unwritable) void this.health.check(); // reconnects the store as soon as it can write again
      if (refusal.status >= 500) this.o.log.error({ path, address, err: (e as Error).message, stack: (e as Error).stack }, "request failed");
      else this.metrics.refuse("bad-request");
      this.metrics.http.inc({ route: path.startsWith("/api/") ? "api" : "other", status: String(refusal.status) });
      if (!res.headersSent) sendRefusal(res, refusal);
      else res.end();
    }
  }
}
