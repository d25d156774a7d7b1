// The router on a real HTTP server: 405 with Allow, 404 under /api/, the login token checked once,
// body limits and schemas from the contract, and every refusal as { ok: false, code, reason }. And the
// server's routes against the contract's table, both ways.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fail, ok, type Result } from "@countersign/crdt-model";
import { ROUTES, type RouteKey } from "@countersign/contract";
import type { Session } from "../identity/login.ts";
import type { ApiContext } from "./context.ts";
import { buildRouter } from "./routes.ts";
import { Router } from "./router.ts";
import { HttpError } from "./json.ts";

const SESSION = { person: "p1", unit: "u1", roles: ["registry"], level: 1, agency: "A", cert: "01", expiresAt: "2099-01-01T00:00:00Z" } as unknown as Session;

describe("the server's routes and the contract", () => {
  it("registers a handler for every route of the contract, and only those", () => {
    // Only the registrations are read: no handler runs, so the context needs only its limits.
    const ctx = { limits: { json: 1, batch: 1, blob: 1, list: 1 }, delivery: { limits: { envelopeBytes: 1, bodyMs: 1 } } } as unknown as ApiContext;
    const router = buildRouter(ctx, {} as Parameters<typeof buildRouter>[1]);
    expect(router.registered().sort()).toEqual((Object.keys(ROUTES) as RouteKey[]).sort());
  });
});

describe("checking answers against the contract (as the tests run the server)", () => {
  it("fails a request whose JSON answer does not fit its route's schema", async () => {
    const router = new Router({ authenticate: async () => fail("http.unauthenticated", "no"), limits: { json: 1, batch: 1, blob: 1, envelope: 1 }, checkAnswers: true });
    router.add("agency", async () => ({ code: "A" }) as never);
    const server = createServer((req, res) => void router.handle(req, res, new URL(req.url ?? "/", "http://localhost")).catch(() => res.writeHead(500).end()));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      expect((await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/agency`)).status).toBe(500);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe("the router", () => {
  let server: Server;
  let base: string;
  const seen: { session?: Session; body?: unknown }[] = [];

  beforeAll(async () => {
    const router = new Router({
      authenticate: async (token): Promise<Result<Session>> =>
        token === "good" ? ok(SESSION) : token ? fail("token.invalid", "The login token is not valid.") : fail("http.unauthenticated", "A login token is required."),
      limits: { json: 200, batch: 1000, blob: 10, envelope: 10 },
    });
    router.add("me", async ({ session }) => {
      seen.push({ session });
      return session;
    });
    router.add("addUnit", async ({ session, body }) => {
      seen.push({ session, body });
      return { id: body.id, name: body.name, parent: null };
    });
    router.add("agency", async () => {
      throw new HttpError(409, "http.conflict", "Not now.", { "x-test": "1" });
    });
    router.add("version", async () => ({ app: "b", protocol: 1, minProtocol: 1 }));
    server = createServer((req, res) => {
      void router.handle(req, res, new URL(req.url ?? "/", "http://localhost")).then((h) => {
        if (!h) res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const call = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(base + path, init);
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  };
  const auth = { authorization: "Bearer good" };

  it("answers a route's path with another method 405, with Allow", async () => {
    const r = await call("/api/units", { method: "DELETE", headers: auth });
    expect(r.status).toBe(405);
    expect(r.headers.get("allow")).toBe("GET, POST");
    expect(r.json).toMatchObject({ ok: false, code: "http.method-not-allowed" });
    // HEAD is GET without the body.
    expect(await call("/api/me", { method: "HEAD", headers: auth })).toMatchObject({ status: 200, json: null });
  });

  it("answers an unknown path under /api/ 404 with a code, and leaves other paths to the app", async () => {
    expect(await call("/api/nothing")).toMatchObject({ status: 404, json: { ok: false, code: "http.not-found", reason: "There is no such API route." } });
    expect((await call("/some/page")).status).toBe(204);
  });

  it("checks the token before anything else, forwarding the refusal's code", async () => {
    expect(await call("/api/me")).toMatchObject({ status: 401, json: { ok: false, code: "http.unauthenticated", reason: "A login token is required." } });
    expect(await call("/api/me", { headers: { authorization: "Bearer bad" } })).toMatchObject({ status: 401, json: { code: "token.invalid" } });
    expect(await call("/api/me", { headers: { authorization: "Basic good" } })).toMatchObject({ status: 401 });
    // The body is not even read for someone not logged in.
    expect(await call("/api/units", { method: "POST", body: "not json" })).toMatchObject({ status: 401 });
    expect(await call("/api/me", { headers: auth })).toMatchObject({ status: 200, json: { person: "p1" } });
    expect(seen.at(-1)?.session).toEqual(SESSION);
  });

  it("takes a JSON body only within the route's limit, as JSON, in the contract's shape", async () => {
    const post = (body: string) => call("/api/units", { method: "POST", headers: { ...auth, "content-type": "application/json" }, body });
    expect(await post("x".repeat(201))).toMatchObject({ status: 413, json: { code: "http.body-too-large", reason: "The request body is larger than 200 bytes." } });
    expect(await post("{")).toMatchObject({ status: 400, json: { code: "http.malformed-json" } });
    const extra = await post(JSON.stringify({ id: "U1", name: "學務", extra: 1 }));
    expect(extra).toMatchObject({ status: 400, json: { code: "http.malformed-request" } });
    expect(extra.json?.reason).toMatch(/^The request is malformed: /);
    expect(await post(JSON.stringify({ id: "U1", name: "學務" }))).toMatchObject({ status: 200, json: { id: "U1", name: "學務", parent: null } });
    expect(seen.at(-1)?.body).toEqual({ id: "U1", name: "學務" });
  });

  it("answers a handler's refusal with its status, code, sentence and headers", async () => {
    const r = await call("/api/agency");
    expect(r).toMatchObject({ status: 409, json: { ok: false, code: "http.conflict", reason: "Not now." } });
    expect(r.headers.get("x-test")).toBe("1");
  });

  it("refuses an app announcing an older protocol (426 http.outdated-client) before anything runs, and still tells it the version", async () => {
    const n = seen.length;
    const old = { ...auth, "x-countersign-protocol": "0", "content-type": "application/json" };
    const r = await call("/api/units", { method: "POST", headers: old, body: JSON.stringify({ id: "U2", name: "總務" }) });
    expect(r).toMatchObject({ status: 426, json: { ok: false, code: "http.outdated-client" } });
    expect(seen.length).toBe(n); // the handler never ran
    expect(await call("/api/version", { headers: { "x-countersign-protocol": "0" } })).toMatchObject({ status: 200, json: { protocol: 1, minProtocol: 1 } });
    // This build's protocol, or none announced (an app from before protocol versions): taken.
    expect(await call("/api/me", { headers: { ...auth, "x-countersign-protocol": "1" } })).toMatchObject({ status: 200 });
    expect(await call("/api/me", { headers: auth })).toMatchObject({ status: 200 });
  });

  it("answers 404 for a contract route this server does not handle", async () => {
    expect(await call("/api/people", { headers: auth })).toMatchObject({ status: 404, json: { code: "http.not-found" } });
  });
});
