// The exchange's HTTP routes: the server-to-server receiving endpoint (no login; the envelope's
// signature authenticates it) and the app's exchange API (login token; http-api.ts). They answer
// with envelope files as well as JSON, so they have their own small dispatcher, called by
// http/api.ts's handleApi before its JSON routes.
import type { IncomingMessage, ServerResponse } from "node:http";
import { authenticate, type ApiContext } from "../http/api.ts";
import type { Session } from "../identity/login.ts";
import { HttpError, sendJson } from "../http/json.ts";
import { DELIVERY_PATH, ENVELOPE_HEADER, ENVELOPE_MEDIA_TYPE, OUTCOME_HEADER, type DeliveryJsonV1 } from "./http-contract.ts";
import { json, readBytes, requireEnvelopeType, type DeliveryContext, type ExchangeCtx, type ExchangeRoute, type Reply } from "./http-support.ts";

export type { DeliveryContext } from "./http-support.ts";
import { APP_ROUTES } from "./http-api.ts";

const refusedJson = (reason: string): DeliveryJsonV1 => ({ v: 1, status: "refused", reason });

/** POST /api/exchange/envelopes: another agency's server delivers an envelope (http-contract.ts). */
const RECEIVE: ExchangeRoute = {
  method: "POST",
  path: new RegExp(`^${DELIVERY_PATH.replaceAll("/", "\\/")}$`),
  auth: false,
  handle: async (ctx, req) => {
    const d = ctx.delivery;
    const address = req.socket.remoteAddress ?? "unknown";
    // A token first (cheap, per address), then the whole body, bounded in size, time and pace, and
    // only then an import slot (http-gate.ts): a sender trickling its body never holds a slot.
    const admitted = d.gate.admit(address);
    if (!admitted.ok) {
      req.resume(); // drain, so the connection can be reused
      return busy(admitted.reason, 429, admitted.retryAfterS);
    }
    let bytes: Uint8Array;
    try {
      requireEnvelopeType(req);
      const g = d.gate.options;
      bytes = await readBytes(req, d.limits.envelopeBytes, d.limits.bodyMs, { minBytesPerSecond: g.minBytesPerSecond, graceMs: g.rateGraceMs });
    } catch (e) {
      if (!(e instanceof HttpError)) throw e; // a 500: the sender retries
      if (e.status !== 408) d.gate.penalize(address);
      return json(refusedJson(e.message), e.status, { [OUTCOME_HEADER]: e.status === 408 ? "busy" : "refused", connection: "close" });
    }
    const pass = d.gate.slot();
    if (!pass.ok) return busy(pass.reason, 503, pass.retryAfterS);
    try {
      const r = await d.exchange.importEnvelope(bytes, "http");
      if (!r.ok) {
        d.gate.penalize(address);
        return json(refusedJson(r.reason), 400, { [OUTCOME_HEADER]: "refused" });
      }
      const o = r.value;
      if (o.status === "duplicate")
        return json({ v: 1, status: "duplicate", envelope: String(o.envelope), firstAt: o.firstAt } satisfies DeliveryJsonV1, 200, { [OUTCOME_HEADER]: "duplicate" });
      if (o.receipt && o.receipt.byteLength > 0)
        return { kind: "file", bytes: o.receipt, type: ENVELOPE_MEDIA_TYPE, name: null, headers: { [OUTCOME_HEADER]: "imported", [ENVELOPE_HEADER]: String(o.envelope) } };
      // A receipt is never answered with another receipt.
      return json({ v: 1, status: "imported", envelope: String(o.envelope), docs: o.docs.map(String) } satisfies DeliveryJsonV1, 200, { [OUTCOME_HEADER]: "imported" });
    } finally {
      pass.release();
    }
  },
};

function busy(reason: string, status: 429 | 503, retryAfterS: number): Reply {
  const body: DeliveryJsonV1 = { v: 1, status: "busy", reason };
  return json(body, status, { "retry-after": String(retryAfterS), [OUTCOME_HEADER]: "busy" });
}

export const EXCHANGE_ROUTES: readonly ExchangeRoute[] = [RECEIVE, ...APP_ROUTES];

function send(res: ServerResponse, reply: Reply): number {
  switch (reply.kind) {
    case "json":
      for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
      sendJson(res, reply.status, reply.body);
      return reply.status;
    case "file": {
      const headers: Record<string, string> = { "content-type": reply.type, "content-length": String(reply.bytes.byteLength), "cache-control": "no-store", "x-content-type-options": "nosniff", ...reply.headers };
      if (reply.name) headers["content-disposition"] = `attachment; filename="${reply.name.replace(/[^A-Za-z0-9._-]/g, "_")}"`;
      res.writeHead(200, headers);
      res.end(reply.bytes);
      return 200;
    }
  }
}

/**
 * Runs the matching exchange route; false when none matches (or the server has no exchange set up,
 * then the JSON routes answer 404). Errors are thrown as HttpError for the server's one catch.
 */
export async function handleExchange(ctx: ApiContext & { delivery?: DeliveryContext }, req: IncomingMessage, res: ServerResponse, path: string): Promise<{ route: string; status: number } | false> {
  if (!path.startsWith("/api/exchange/") || !ctx.delivery) return false;
  const full = ctx as ExchangeCtx;
  for (const route of EXCHANGE_ROUTES) {
    const m = route.path.exec(path);
    if (!m || req.method !== route.method) continue;
    const name = `${route.method} ${route.path.source}`;
    let session: Session | null = null;
    if (route.auth) {
      const header = req.headers.authorization;
      const who = await authenticate(ctx, header?.startsWith("Bearer ") ? header.slice(7) : null);
      if (!who.ok) {
        sendJson(res, 401, { error: who.reason });
        return { route: name, status: 401 };
      }
      session = who.value;
    }
    const reply = await route.handle(full, req, session, m.slice(1).map((p) => decodeURIComponent(p)));
    return { route: name, status: send(res, reply) };
  }
  return false;
}
