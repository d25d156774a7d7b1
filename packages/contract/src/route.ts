// What one route of the agency server is, as data: enough for the server to dispatch, authenticate
// and validate it, for the app to parse its answers, and for the OpenAPI document to describe it.
import type { z } from "zod";

export type Method = "GET" | "POST" | "PUT";

/** "none": anyone may call it; "session": a login token (`Authorization: Bearer …`) is required. */
export type Auth = "none" | "session";

/**
 * The class of a body limit. The bytes are the server's settings (ServerOptions.limits: `json` 1 MiB,
 * `batch` 64 MiB, `blob` 50 MiB, `envelope` 128 MiB by default); a route names its class, so the
 * limit is declared with the route and set per server.
 */
export type BodyLimit = "json" | "batch" | "blob" | "envelope";

export type RequestBody =
  /** A JSON body, read up to the limit and validated with the schema before the handler runs. */
  | { kind: "json"; schema: z.ZodType; limit: "json" | "batch" }
  /** Raw bytes of one of these media types; the handler reads them (with the declared limit). */
  | { kind: "bytes"; media: readonly string[]; limit: "blob" | "envelope" };

export interface ResponseSpec {
  /** The JSON answer on success. */
  json?: z.ZodType;
  /** The media type of a file answer (an attachment, an envelope, metrics text). */
  bytes?: string;
  /** Success statuses besides 200 (201 for a stored attachment, 304 for an unchanged one). */
  statuses?: readonly number[];
}

export interface RouteSpec {
  method: Method;
  /** With parameters as `:name` segments: "/api/docs/:id/receipts". */
  path: string;
  auth: Auth;
  /** One line for the API documentation. */
  summary: string;
  /** Which feature of the server answers it (the OpenAPI tag). */
  tag: string;
  /** Path parameters, by name (every `:name` of the path). */
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: RequestBody;
  response: ResponseSpec;
  /** Refusal statuses worth naming in the documentation (every route may also answer 400/401/404/405/413/500/503). */
  refusals?: readonly number[];
}

/** Keeps a route's literal types (for typed handlers and typed answers). */
export const route = <const R extends RouteSpec>(r: R): R => r;

/** The names of a path's `:param` segments, in order. */
export function paramNames(path: string): string[] {
  return path
    .split("/")
    .filter((s) => s.startsWith(":"))
    .map((s) => s.slice(1));
}

/** A path as a regular expression: each `:param` is one segment (no "/"), captured. */
export function pathPattern(path: string): RegExp {
  const source = path
    .split("/")
    .map((s) => (s.startsWith(":") ? "([^/]+)" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${source}$`);
}

/** The OpenAPI form of a path: "/api/docs/{id}/receipts". */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

/**
 * The route a request names, and its raw (still percent-encoded) path parameters. A path with no
 * parameter wins over one with parameters ("/api/blobs/missing" over "/api/blobs/:sha256").
 * `allowed` lists the methods the path has, for a 405's `Allow` when none is `method`.
 */
export function matchRoute<K extends string>(
  routes: Readonly<Record<K, RouteSpec>>,
  method: string,
  pathname: string,
): { key: K; route: RouteSpec; params: Record<string, string> } | { allowed: Method[] } | undefined {
  const allowed = new Set<Method>();
  let best: { key: K; route: RouteSpec; params: Record<string, string>; literal: boolean } | undefined;
  for (const key of Object.keys(routes) as K[]) {
    const r = routes[key];
    const m = compiled(r.path).exec(pathname);
    if (!m) continue;
    allowed.add(r.method);
    if (r.method !== method) continue;
    const literal = !r.path.includes(":");
    if (best && (best.literal || !literal)) continue;
    const names = paramNames(r.path);
    const params: Record<string, string> = {};
    names.forEach((n, i) => (params[n] = m[i + 1]!));
    best = { key, route: r, params, literal };
  }
  if (best) return { key: best.key, route: best.route, params: best.params };
  return allowed.size ? { allowed: [...allowed].sort() } : undefined;
}

const cache = new Map<string, RegExp>();
function compiled(path: string): RegExp {
  let re = cache.get(path);
  if (!re) cache.set(path, (re = pathPattern(path)));
  return re;
}
