// A thin fetch wrapper for the agency server's JSON API. Two kinds of failure matter to the app and
// are kept apart: the server answered "no" (ApiError, with its status, code and reason), or the
// server could not be reached at all (Unreachable) — the second means "work offline", never an error page.
//
// What must stay true: every answer is parsed with the contract's schema of its route
// (@countersign/contract), never taken on trust; a refusal's code is a Code of the catalogue (one this
// app does not know becomes `http.unrecognised`), and the app decides by the code, never the sentence.
import { isCode, type Code } from "@countersign/crdt-model";
import { PROTOCOL, PROTOCOL_HEADER, ROUTES, matchRoute, type Answer, type BodyInput, type RouteKey, type RouteSpec } from "@countersign/contract";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The server's sentence, for people and logs. */
    readonly reason: string,
    /** What programs decide by (`http.unrecognised` when the server gave none this app knows). */
    readonly code: Code = "http.unrecognised",
  ) {
    super(reason);
    this.name = "ApiError";
  }
}

export class Unreachable extends Error {
  constructor(message = "The agency server cannot be reached.") {
    super(message);
    this.name = "Unreachable";
  }
}

export interface CallOptions {
  method?: "GET" | "POST" | "PUT";
  body?: unknown;
  token?: string | null;
  /** Abort a call that hangs (a captive portal, a half-dead uplink) instead of waiting forever. */
  timeoutMs?: number;
}

/** The refusal in a non-2xx answer's body (`{ ok:false, code, reason }`), whatever else it holds. */
export function apiErrorOf(status: number, body: unknown): ApiError {
  const b = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const reason = typeof b.reason === "string" ? b.reason : `HTTP ${status}`;
  return new ApiError(status, reason, isCode(b.code) ? b.code : "http.unrecognised");
}

/** The route of the contract a call names; a path the contract lacks is a bug in the app. */
function routeOf(method: string, path: string) {
  const found = matchRoute(ROUTES, method, new URL(path, "http://app.invalid").pathname);
  if (!found || "allowed" in found) throw new Error(`${method} ${path} is not a route of the agency server's API (packages/contract).`);
  return found;
}

/**
 * A JSON answer checked against its route's schema, for the few calls that fetch by themselves (raw
 * uploads): a server of another version is told apart from a bug (http.unexpected-answer).
 */
export function parseAnswer<K extends RouteKey>(key: K, status: number, json: unknown): Answer<K> {
  return parsed(key, status, json) as Answer<K>;
}

function parsed(key: RouteKey, status: number, json: unknown): unknown {
  const route: RouteSpec = ROUTES[key];
  const schema = route.response.json;
  if (!schema) return json;
  const r = schema.safeParse(json);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue?.path.length ? ` (at ${issue.path.join(".")})` : "";
  throw new ApiError(status, `The server's answer to ${route.method} ${route.path} does not have the expected shape: ${issue?.message ?? "invalid"}${where}.`, "http.unexpected-answer");
}

/**
 * Calls a JSON route of the server by its path (query string allowed). The answer is parsed with the
 * route's schema from the contract; `T` names what that schema gives (the contract's types: types.ts).
 */
export async function callApi<T>(path: string, o: CallOptions = {}): Promise<T> {
  const method = o.method ?? (o.body === undefined ? "GET" : "POST");
  const { key } = routeOf(method, path);
  // The protocol this build speaks: a server that no longer takes it refuses (http.outdated-client).
  const headers: Record<string, string> = { [PROTOCOL_HEADER]: String(PROTOCOL) };
  if (o.body !== undefined) headers["content-type"] = "application/json";
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
      cache: "no-store",
      signal: AbortSignal.timeout(o.timeoutMs ?? 20_000),
    });
  } catch {
    throw new Unreachable();
  }
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    // A proxy's HTML error page or a truncated answer: the agency server did not really answer.
    throw res.ok ? new Unreachable("The server's answer is not JSON.") : new ApiError(res.status, `HTTP ${res.status}`);
  }
  if (!res.ok) throw apiErrorOf(res.status, json);
  return parsed(key, res.status, json) as T;
}

/**
 * Calls a route by its key in the contract, typed end to end: `params` fill the path's `:names`,
 * the body is the route's, and the answer is the route's parsed answer.
 */
export function callRoute<K extends RouteKey>(
  key: K,
  o: { params?: Record<string, string>; query?: Record<string, string | undefined>; body?: BodyInput<K>; token?: string | null; timeoutMs?: number } = {},
): Promise<Answer<K>> {
  return callApi<Answer<K>>(routePath(key, o), { method: ROUTES[key].method, body: o.body, token: o.token, timeoutMs: o.timeoutMs });
}

/**
 * The path of a route of the contract by its key: `params` fill its `:names`, `query` the query
 * string (undefined values left out). For calls made through the identity's token-refreshing `api`.
 */
export function routePath(key: RouteKey, o: { params?: Record<string, string>; query?: Record<string, string | undefined> } = {}): string {
  let path: string = ROUTES[key].path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => encodeURIComponent(o.params?.[name] ?? ""));
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) q.set(k, v);
  if ([...q].length) path += `?${q}`;
  return path;
}

// Attachment bytes (PUT/GET /api/blobs/<sha256>): raw bodies, not JSON. The server checks that the
// bytes hash to the name; the app checks again what it downloads (the relay is not trusted).

async function failure(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // not JSON: the status says enough
  }
  return apiErrorOf(res.status, body);
}

/** Stores an attachment's bytes on the agency server (the same bytes again change nothing). */
export async function putBlob(sha256: string, bytes: Uint8Array, token: string, timeoutMs = 120_000): Promise<void> {
  let res: Response;
  try {
    res = await fetch(`/api/blobs/${sha256}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
      body: bytes as Uint8Array<ArrayBuffer>,
      cache: "no-store",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    throw new Unreachable();
  }
  if (!res.ok) throw await failure(res);
}

/** An attachment's bytes from the agency server, or null when it does not hold them (yet). */
export async function getBlob(sha256: string, mime: string, token: string, timeoutMs = 120_000): Promise<Uint8Array | null> {
  let res: Response;
  try {
    res = await fetch(`/api/blobs/${sha256}?type=${encodeURIComponent(mime)}`, {
      headers: { authorization: `Bearer ${token}` },
      cache: "no-store",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    throw new Unreachable();
  }
  if (res.status === 404) return null;
  if (!res.ok) throw await failure(res);
  try {
    return new Uint8Array(await res.arrayBuffer());
  } catch {
    throw new Unreachable("The attachment's download was cut off.");
  }
}

/** An authenticated call (the identity's `api`: token attached, one re-login on 401). */
export type AuthedCall = <T>(path: string, o?: Omit<CallOptions, "token">) => Promise<T>;

// The directory, as the routing-plan builder reads it. Each answer is parsed with its route's schema
// by callApi; the caller (src/lib/draft/directory.ts) still checks what it builds plans from, and
// keeps what it read last when a call fails, so these hand on plain values.
export const fetchPeople = async (call: AuthedCall): Promise<unknown> => (await call<Answer<"people">>("/api/people")).people;
export const fetchUnits = async (call: AuthedCall): Promise<unknown> => (await call<Answer<"units">>("/api/units")).units;
export const fetchDelegation = async (call: AuthedCall): Promise<unknown> => (await call<Answer<"delegation">>("/api/delegation")).delegation;
/** 職務代理人 in force or to come: GET /api/deputies. */
export const fetchDeputies = async (call: AuthedCall): Promise<unknown> => (await call<Answer<"deputies">>("/api/deputies")).deputies;
/** The agencies we exchange envelopes with: GET /api/exchange/peers. */
export const fetchPeers = (call: AuthedCall): Promise<unknown> => call<Answer<"peers">>("/api/exchange/peers");
