import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { asDocId, ok, type Result } from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";
import type { Agency } from "../identity/agency.ts";
import { boundedChallenge, login, verifyToken, type Session } from "../identity/login.ts";
import { checkStanding } from "../identity/standing.ts";
import { issueTicket } from "../identity/ticket.ts";
import { revokeCertificate } from "../identity/enrollment.ts";
import type { Gates } from "./gates.ts";
import { enroll } from "../identity/enrollment.ts";
import { addPersonWithCode } from "../identity/enrollment.ts";
import { addDeputy, listDeputies, addUnit, listPeople, listUnits, setDelegation, getDelegation, getDeputyTable, registryGrantableRoles, setRegistryGrantableRoles } from "../directory/directory.ts";
import { ROLES } from "@countersign/crdt-model";
import type { Rooms } from "../relay/rooms.ts";
import { access, type Principal } from "../relay/authz.ts";
import { DOC_ID } from "../relay/ws.ts";
import { batchRequestSchema, batchSync } from "./batch.ts";
import { HttpError, parseBody, readJson, sendJson } from "./json.ts";
import type { TrustCache } from "./trust-cache.ts";
import { DEMO_ENVELOPE_PATH, NOT_DEMO, demoPeople, handleDemoEnvelope, type DemoData } from "./demo.ts";
import { handleBlobs } from "./blobs.ts";
import { REGISTRY_ROUTES } from "./registry-routes.ts";
import { handleExchange, type DeliveryContext } from "../exchange/http-routes.ts";
import type { Exchange } from "../exchange/service.ts";

export interface ApiContext {
  store: Store;
  agency: Agency;
  rooms: Rooms;
  trust: TrustCache;
  /**
   * Request body limits: ordinary JSON, the batch sync endpoint, an attachment upload (blobs.ts);
   * and `list`, the most index rows one page of /api/docs or /api/inbox holds.
   */
  limits: { json: number; batch: number; blob: number; list: number };
  /** The demo agency's people, one-time codes and peer envelope (`countersign demo`); absent for a real agency. */
  demo?: DemoData;
  /** Envelope delivery and the app's exchange API (/api/exchange/…: exchange/http-routes.ts). */
  delivery?: DeliveryContext;
  /** The agency's envelope exchange (exchange/service.ts): the same instance as `delivery.exchange`. */
  exchange?: Exchange;
  /** Per-address and per-person rate limits of login, enrollment and tickets (gates.ts). */
  gates: Gates;
  /** Closes this server's open sockets of a certificate at once (a revocation through the API). */
  endSessions?: (cert: string, reason: string) => void;
}

export function principalOf(s: Session): Principal {
  return { person: s.person, unit: s.unit, agency: s.agency, roles: s.roles };
}

/**
 * Verifies a bearer token (header "Authorization: Bearer …"; WebSockets use a ticket instead), and
 * that the certificate it was issued on is still in force: a revoked certificate or a deactivated
 * person ends the session at once, not when the token expires.
 */
export async function authenticate(ctx: Pick<ApiContext, "agency" | "store">, token: string | null | undefined): Promise<Result<Session>> {
  if (!token) return { ok: false, reason: "A login token is required." };
  const s = await verifyToken(ctx.agency, token);
  return s.ok ? checkStanding(ctx.store, s.value) : s;
}

const loginSchema = z.object({ nonce: z.string(), certificate: z.string(), signature: z.string(), alg: z.string() }).strict();
const enrollSchema = z.object({ code: z.string().max(64), csr: z.string().max(20000) }).strict();
const id = z.string().min(1).max(128);
const unitSchema = z.object({ id, name: z.string().min(1).max(200), parent: id.nullable().optional() }).strict();
const personSchema = z
  .object({ id, name: z.string().min(1).max(100), unit: id, level: z.number().int().min(1).max(20), roles: z.array(z.enum(ROLES)) })
  .strict();
const registryRolesSchema = z.object({ roles: z.array(z.string().max(32)).max(16) }).strict();
const deputySchema = z.object({ principal: id, deputy: id, from: z.string(), until: z.string() }).strict();

const pageQuery = z
  .object({
    after: z.string().max(128).optional(),
    limit: z.coerce.number().int().min(1).optional(),
  });

/**
 * One page of a listing, in document-id order: `?after=<doc id>` continues from the previous page's
 * `next`, `?limit=` asks for fewer rows than the server's page size. `next` is null on the last page,
 * so a client knows when it has read the whole listing (and only then may conclude that a document
 * it did not see has left its scope). Rows this person may not see are filtered out after the page
 * is cut, so a page may hold fewer rows than the limit and still not be the last.
 */
async function listPage(ctx: ApiContext, req: IncomingMessage, who: Session, filter: { holders?: string[]; participants?: string[] }) {
  const url = new URL(req.url ?? "/", "http://localhost");
  const q = parseBody(pageQuery, Object.fromEntries(url.searchParams));
  const limit = Math.min(q.limit ?? ctx.limits.list, ctx.limits.list);
  const rows = await ctx.store.queryIndex({ ...filter, after: q.after ?? "", limit });
  const next = rows.length === limit ? rows.at(-1)!.doc : null;
  return { docs: rows.filter((r) => access(principalOf(who), r) !== "none"), next };
}

type Handler = (ctx: ApiContext, req: IncomingMessage, res: ServerResponse, session: Session | null, params: string[]) => Promise<unknown>;

interface Route {
  method: string;
  path: RegExp;
  auth: boolean;
  handle: Handler;
}

const refused = <T>(r: Result<T>, status = 400): T => {
  if (!r.ok) throw new HttpError(status, r.reason);
  return r.value;
};

/** The JSON API. Every route but login, enrollment and the agency's public facts needs a token. */
export const ROUTES: Route[] = [
  {
    method: "GET",
    path: /^\/api\/agency$/,
    auth: false,
    handle: async (ctx) => ({ code: ctx.agency.code, name: ctx.agency.name, ca: ctx.agency.caPem, receiptKey: ctx.agency.receipt.publicKeyPem }),
  },
  {
    method: "GET",
    path: /^\/api\/demo$/,
    auth: false,
    handle: async (ctx) => {
      if (!ctx.demo) throw new HttpError(404, NOT_DEMO);
      return {
        agency: { code: ctx.agency.code, name: ctx.agency.name },
        people: await demoPeople(ctx.store, ctx.demo.people),
        envelope: ctx.demo.envelope ? DEMO_ENVELOPE_PATH : null,
      };
    },
  },
  {
    method: "POST",
    path: /^\/api\/login\/challenge$/,
    auth: false,
    handle: async (ctx, req) => {
      ctx.gates.pass("challenge", addressOf(req));
      const c = await boundedChallenge(ctx.store, new Date(), ctx.gates.maxChallenges);
      if (!c) throw new HttpError(503, "Too many login challenges are waiting to be answered; try again in a minute.", { "retry-after": "60" });
      return c;
    },
  },
  {
    method: "POST",
    path: /^\/api\/login$/,
    auth: false,
    handle: async (ctx, req) => refused(await login(ctx.store, ctx.agency, parseBody(loginSchema, await readJson(req, ctx.limits.json))), 401),
  },
  {
    method: "POST",
    path: /^\/api\/enroll$/,
    auth: false,
    handle: async (ctx, req) => {
      ctx.gates.pass("enroll", addressOf(req));
      const body = parseBody(enrollSchema, await readJson(req, ctx.limits.json));
      const r = refused(await enroll(ctx.store, ctx.agency, { code: body.code, csrPem: body.csr }));
      ctx.trust.invalidate();
      return r;
    },
  },
  { method: "GET", path: /^\/api\/me$/, auth: true, handle: async (_ctx, _req, _res, s) => s },
  {
    // A single-use ticket for opening one WebSocket (identity/ticket.ts): the login token stays out of URLs.
    method: "POST",
    path: /^\/api\/sync\/ticket$/,
    auth: true,
    handle: async (ctx, _req, _res, s) => {
      ctx.gates.pass("ticket", `person:${s!.person}`);
      return issueTicket(ctx.store, ctx.agency, s!);
    },
  },
  {
    // Revocation by an administrator: the certificate's sessions and open sockets end at once.
    method: "POST",
    path: /^\/api\/certificates\/([0-9A-Fa-f]{1,64})\/revoke$/,
    auth: true,
    handle: async (ctx, _req, _res, s, [serial]) => {
      const r = refused(await revokeCertificate(ctx.store, s!, serial!), 403);
      ctx.trust.invalidate();
      ctx.endSessions?.(r, "The certificate this session was opened with has been revoked.");
      return { revoked: r };
    },
  },
  {
    method: "GET",
    path: /^\/api\/inbox$/,
    auth: true,
    handle: async (ctx, req, _res, s) => {
      const who = s!;
      const holders = [`person:${who.person}`, `unit:${who.unit}`, `agency:${who.agency}`, ...who.roles.map((r) => `role:${r}`)];
      return listPage(ctx, req, who, { holders });
    },
  },
  {
    method: "GET",
    path: /^\/api\/docs$/,
    auth: true,
    handle: async (ctx, req, _res, s) => {
      const who = s!;
      return listPage(ctx, req, who, { participants: [`person:${who.person}`, `unit:${who.unit}`, `agency:${who.agency}`] });
    },
  },
  {
    method: "GET",
    path: /^\/api\/docs\/([^/]+)\/receipts$/,
    auth: true,
    handle: async (ctx, _req, _res, s, [id]) => {
      if (!id || !DOC_ID.test(id)) throw new HttpError(400, "The document id is not valid.");
      const doc = asDocId(id);
      if (access(principalOf(s!), await ctx.store.getIndex(doc)) === "none") throw new HttpError(404, "There is no such document for you.");
      return { receipts: await ctx.store.receipts(doc) };
    },
  },
  {
    method: "POST",
    path: /^\/api\/sync$/,
    auth: true,
    handle: async (ctx, req, _res, s) => {
      const body = parseBody(batchRequestSchema, await readJson(req, ctx.limits.batch));
      return batchSync(ctx.rooms, ctx.store, principalOf(s!), body);
    },
  },
  { method: "GET", path: /^\/api\/units$/, auth: true, handle: async (ctx) => ({ units: await listUnits(ctx.store) }) },
  { method: "GET", path: /^\/api\/people$/, auth: true, handle: async (ctx) => ({ people: await listPeople(ctx.store) }) },
  // Which roles the registry desk may grant when it adds people (an agency setting; administrators change it).
  { method: "GET", path: /^\/api\/directory\/registry-roles$/, auth: true, handle: async (ctx) => ({ roles: await registryGrantableRoles(ctx.store) }) },
  {
    method: "PUT",
    path: /^\/api\/directory\/registry-roles$/,
    auth: true,
    handle: async (ctx, req, _res, s) => ({
      roles: refused(await setRegistryGrantableRoles(ctx.store, s!, parseBody(registryRolesSchema, await readJson(req, ctx.limits.json)).roles), 403),
    }),
  },
  {
    method: "POST",
    path: /^\/api\/units$/,
    auth: true,
    handle: async (ctx, req, _res, s) => refused(await addUnit(ctx.store, s!, parseBody(unitSchema, await readJson(req, ctx.limits.json))), 403),
  },
  {
    method: "POST",
    path: /^\/api\/people$/,
    auth: true,
    handle: async (ctx, req, _res, s) => {
      const r = refused(await addPersonWithCode(ctx.store, s!, parseBody(personSchema, await readJson(req, ctx.limits.json))), 403);
      ctx.trust.invalidate();
      return r;
    },
  },
  { method: "GET", path: /^\/api\/deputies$/, auth: true, handle: async (ctx) => ({ deputies: await listDeputies(ctx.store) }) },
  {
    method: "POST",
    path: /^\/api\/deputies$/,
    auth: true,
    handle: async (ctx, req, _res, s) => {
      const r = refused(await addDeputy(ctx.store, s!, parseBody(deputySchema, await readJson(req, ctx.limits.json))), 403);
      // Deputies are verified from the trust store: rebuild it so the new arrangement counts at once.
      ctx.trust.invalidate();
      return r;
    },
  },
  // The whole deputy table (ended arrangements too), what replicas verify deputies' signatures with.
  { method: "GET", path: /^\/api\/deputies\/table$/, auth: true, handle: async (ctx) => ({ table: refused(await getDeputyTable(ctx.store)) }) },
  { method: "GET", path: /^\/api\/delegation$/, auth: true, handle: async (ctx) => ({ delegation: refused(await getDelegation(ctx.store)) ?? null }) },
  {
    method: "PUT",
    path: /^\/api\/delegation$/,
    auth: true,
    handle: async (ctx, req, _res, s) => {
      const r = refused(await setDelegation(ctx.store, s!, await readJson(req, ctx.limits.json)), 403);
      ctx.trust.invalidate();
      return r;
    },
  },
  ...REGISTRY_ROUTES,
];

/** The TCP peer's address (X-Forwarded-For is not trusted: anyone can send it). */
function addressOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? "unknown";
}

/** Finds and runs the route; returns false when no API route matches (the app handles the rest). */
export async function handleApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, path: string): Promise<{ route: string; status: number } | false> {
  const exchanged = await handleExchange(ctx, req, res, path);
  if (exchanged) return exchanged;
  const blobs = await handleBlobs(ctx, req, res, path);
  if (blobs) return blobs;
  const demoEnvelope = handleDemoEnvelope(ctx.demo, req, res, path);
  if (demoEnvelope) return demoEnvelope;
  for (const route of ROUTES) {
    const m = route.path.exec(path);
    if (!m || req.method !== route.method) continue;
    const name = `${route.method} ${route.path.source}`;
    let session: Session | null = null;
    if (route.auth) {
      const header = req.headers.authorization;
      const token = header?.startsWith("Bearer ") ? header.slice(7) : null;
      const who = await authenticate(ctx, token);
      if (!who.ok) {
        sendJson(res, 401, { error: who.reason });
        return { route: name, status: 401 };
      }
      session = who.value;
    }
    const body = await route.handle(ctx, req, res, session, m.slice(1).map((p) => decodeURIComponent(p)));
    sendJson(res, 200, body ?? ok(undefined));
    return { route: name, status: 200 };
  }
  if (path.startsWith("/api/")) {
    sendJson(res, 404, { error: "There is no such API route." });
    return { route: "unknown", status: 404 };
  }
  return false;
}
