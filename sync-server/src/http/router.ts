// The one router of the agency server's HTTP routes. Each feature registers a handler for routes of
// the contract (@countersign/contract ROUTES: method, path, auth, body and its limit, answer); the
// router finds the route, answers a wrong method with 405 and Allow, checks the login token, parses
// the path parameters, query and JSON body with the contract's schemas, runs the handler and sends
// its answer — and every refusal as `{ ok: false, code, reason }`.
//
// What must stay true: a handler of a "session" route runs only with a Session whose certificate is
// in force (never null); a JSON body reaches a handler only parsed by its route's schema and within
// its route's limit; a route is served only if the contract has it (`add` takes a contract key).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import { ok, type Result } from "@countersign/crdt-model";
import { PROTOCOL_HEADER, ROUTES, matchRoute, outdatedClient, type AnswerInput, type BodyLimit, type RouteKey, type Routes, type RouteSpec } from "@countersign/contract";
import type { Session } from "../identity/login.ts";
import { bearerToken, addressOf } from "./auth.ts";
import { HttpError, parseBody, readJson, sendJson, sendRefusal } from "./json.ts";

type SessionOf<R> = R extends { auth: "session" } ? Session : undefined;
type ParamsOf<R> = R extends { params: infer P extends z.ZodType } ? z.output<P> : Record<string, never>;
type QueryOf<R> = R extends { query: infer Q extends z.ZodType } ? z.output<Q> : Record<string, never>;
type BodyOf<R> = R extends { body: { kind: "json"; schema: infer S extends z.ZodType } } ? z.output<S> : undefined;

/** What a handler gets: the request, and everything the contract lets the router check for it. */
export interface Call<K extends RouteKey> {
  req: IncomingMessage;
  res: ServerResponse;
  /** The caller, for a "session" route (its certificate in force); undefined for an open route. */
  session: SessionOf<Routes[K]>;
  params: ParamsOf<Routes[K]>;
  query: QueryOf<Routes[K]>;
  /** The JSON body, parsed by the route's schema (undefined for routes without a JSON body). */
  body: BodyOf<Routes[K]>;
  /** The route's body limit in bytes, for a handler that reads raw bytes itself. */
  limit: number;
  /** The TCP peer's address (rate limits). */
  address: string;
}

/** An answer other than "200 with this JSON": another status or headers, a file, or no body. */
export class Reply {
  private constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly json: unknown,
    readonly bytes: Uint8Array | undefined,
  ) {}

  static json(body: unknown, status = 200, headers: Record<string, string> = {}): Reply {
    return new Reply(status, headers, body, undefined);
  }

  /** File bytes of this media type; `name` makes it a download (`Content-Disposition: attachment`). */
  static file(bytes: Uint8Array, type: string, o: { name?: string | null; headers?: Record<string, string>; status?: number } = {}): Reply {
    const headers: Record<string, string> = { "content-type": type, "content-length": String(bytes.byteLength), "cache-control": "no-store", "x-content-type-options": "nosniff" };
    if (o.name) headers["content-disposition"] = `attachment; filename="${o.name.replace(/[^A-Za-z0-9._-]/g, "_")}"`;
    return new Reply(o.status ?? 200, { ...headers, ...o.headers }, undefined, bytes);
  }

  static empty(status: number, headers: Record<string, string> = {}): Reply {
    return new Reply(status, headers, undefined, undefined);
  }

  send(res: ServerResponse): void {
    if (this.bytes) {
      res.writeHead(this.status, this.headers);
      res.end(this.bytes);
    } else if (this.json !== undefined) sendJson(res, this.status, this.json, this.headers);
    else {
      res.writeHead(this.status, this.headers);
      res.end();
    }
  }
}

export type Handler<K extends RouteKey> = (call: Call<K>) => Promise<AnswerInput<K> | Reply>;

export interface RouterOptions {
  /** Checks a login token (http/auth.ts authenticate). */
  authenticate: (token: string | null) => Promise<Result<Session>>;
  /** The bytes of each body-limit class. */
  limits: Record<BodyLimit, number>;
  /**
   * Checks every JSON answer against its route's schema before sending it, and fails the request
   * (500, logged) when it does not fit: the tests run the server so, since the app refuses such an
   * answer (http.unexpected-answer). Off in production: the types already hold handlers to the schema.
   */
  checkAnswers?: boolean;
}

/** What was answered, for the metrics: the route's contract path and the status. */
export interface Handled {
  route: string;
  status: number;
}

export class Router {
  // Typed per key by `add`; stored without the key's types.
  private readonly handlers = new Map<RouteKey, (call: Call<RouteKey>) => Promise<unknown>>();

  constructor(private readonly o: RouterOptions) {}

  /** Registers the handler of one contract route; a route registered twice is a bug. */
  add<K extends RouteKey>(key: K, handler: Handler<K>): this {
    if (this.handlers.has(key)) throw new Error(`The route ${key} is registered twice.`);
    this.handlers.set(key, handler as unknown as (call: Call<RouteKey>) => Promise<unknown>);
    return this;
  }

  /** The contract's routes this router has a handler for. */
  registered(): RouteKey[] {
    return [...this.handlers.keys()];
  }

  /**
   * Answers the request when its path is a route of the contract (or under /api/); false when it is
   * not (the web app answers it). Refusals (HttpError) are answered here; anything else thrown is
   * the server's to answer (500, or 503 when storage cannot be written).
   */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<Handled | false> {
    // HEAD is GET without the body (Node leaves the body out by itself): probes and caches use it.
    const method = req.method === "HEAD" ? "GET" : (req.method ?? "GET");
    const path = url.pathname;
    const found = matchRoute(ROUTES, method, path);
    const api = path.startsWith("/api/");
    if (!found && !api) return false;
    let name = api ? "unknown" : "other";
    try {
      if (!found) throw new HttpError(404, "http.not-found", "There is no such API route.");
      if ("allowed" in found) {
        name = `* ${path}`;
        throw new HttpError(405, "http.method-not-allowed", `${path} takes ${found.allowed.join(", ")}, not ${method}.`, { allow: found.allowed.join(", ") });
      }
      const { key, route, params: raw } = found;
      name = `${route.method} ${route.path}`;
      // An app of an older protocol than this server takes (contract protocol.ts) writes nothing: refused
      // before anything runs. The server's own routes still answer it, so it learns the version to reload for.
      if (route.tag !== "server" && outdatedClient(req.headers[PROTOCOL_HEADER] as string | undefined)) {
        throw new HttpError(426, "http.outdated-client", "This app speaks an older protocol than the agency server takes; reload it to get the new version.");
      }
      const handler = this.handlers.get(key);
      if (!handler) throw new HttpError(404, "http.not-found", "There is no such API route.");

      let session: Session | undefined;
      if (route.auth === "session") {
        const who = await this.o.authenticate(bearerToken(req));
        if (!who.ok) throw HttpError.of(401, who);
        session = who.value;
      }
      const decoded = decodeParams(raw);
      const params = route.params ? parseBody(route.params, decoded) : decoded;
      const query = route.query ? parseBody(route.query, Object.fromEntries(url.searchParams)) : {};
      const limit = route.body ? this.o.limits[route.body.limit] : this.o.limits.json;
      const body = route.body?.kind === "json" ? parseBody(route.body.schema, await readJson(req, limit)) : undefined;

      const answer = await handler({ req, res, session, params, query, body, limit, address: addressOf(req) } as Call<RouteKey>);
      if (this.o.checkAnswers) checkAnswer(key, answer);
      if (answer instanceof Reply) {
        answer.send(res);
        return { route: name, status: answer.status };
      }
      sendJson(res, 200, answer ?? ok(undefined));
      return { route: name, status: 200 };
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      if (res.headersSent) res.end();
      else sendRefusal(res, e);
      return { route: name, status: e.status };
    }
  }
}

/** Throws (a 500) when a JSON success answer does not fit its route's schema in the contract. */
function checkAnswer(key: RouteKey, answer: unknown): void {
  const schema = (ROUTES[key] as RouteSpec).response.json;
  const json = answer instanceof Reply ? (answer.status < 300 ? answer.json : undefined) : answer;
  if (!schema || json === undefined) return;
  const r = schema.safeParse(json);
  if (!r.success) throw new Error(`The answer of ${key} does not fit the contract: ${r.error.issues.map((i) => `${i.message} at ${i.path.join(".")}`).join("; ")}`);
}

function decodeParams(raw: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    for (const [k, v] of Object.entries(raw)) out[k] = decodeURIComponent(v);
  } catch {
    throw new HttpError(400, "http.malformed-request", "The request path is malformed.");
  }
  return out;
}
