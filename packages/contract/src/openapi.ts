// The OpenAPI 3.1 document of the agency server, made from the route table (served at
// GET /api/openapi.json, checked in as docs/openapi.json). Nothing here is written by hand per route.
import { z } from "zod";
import { openApiPath, paramNames, type RouteSpec } from "./route.ts";
import { ROUTES } from "./routes.ts";
import { refusal } from "./errors.ts";

/** The wire form of a schema: what is sent, before parsing (ids are plain strings with a pattern). */
const jsonSchema = (s: z.ZodType): Record<string, unknown> => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;
  return rest;
};

const REFUSAL_REF = { $ref: "#/components/schemas/Refusal" };
const STATUS_TEXT: Record<number, string> = {
  400: "Malformed request, or refused by the service behind the route",
  401: "No valid login token",
  403: "Not allowed for this person",
  404: "No such route, or nothing of that name for this person",
  405: "The path exists, not with this method (see Allow)",
  408: "The body did not arrive in time",
  409: "Not possible in the server's present state",
  413: "The body is larger than the route takes",
  415: "The body's media type is not one the route takes",
  429: "Too many requests (see Retry-After)",
  500: "The server failed",
  503: "The server cannot do it right now (see Retry-After when given)",
};

function operation(key: string, r: RouteSpec): Record<string, unknown> {
  const parameters: unknown[] = [];
  const params = r.params?.shape as Record<string, z.ZodType> | undefined;
  for (const name of paramNames(r.path)) parameters.push({ name, in: "path", required: true, schema: params?.[name] ? jsonSchema(params[name]) : { type: "string" } });
  for (const [name, s] of Object.entries((r.query?.shape ?? {}) as Record<string, z.ZodType>))
    parameters.push({ name, in: "query", required: !s.safeParse(undefined).success, schema: jsonSchema(s) });

  const responses: Record<string, unknown> = {};
  const content: Record<string, unknown> = {};
  if (r.response.json) content["application/json"] = { schema: jsonSchema(r.response.json) };
  if (r.response.bytes) content[r.response.bytes] = { schema: { type: "string", contentMediaType: r.response.bytes } };
  responses["200"] = { description: "Success", content };
  for (const s of r.response.statuses ?? []) responses[String(s)] = s === 304 ? { description: "Not modified" } : { description: "Success", content };
  const refusals = new Set<number>([400, ...(r.auth === "session" ? [401] : []), ...(r.refusals ?? []), 500]);
  for (const s of [...refusals].sort()) responses[String(s)] = { description: STATUS_TEXT[s] ?? "Refused", content: { "application/json": { schema: REFUSAL_REF } } };

  const op: Record<string, unknown> = { operationId: key, summary: r.summary, tags: [r.tag] };
  if (parameters.length) op.parameters = parameters;
  if (r.body?.kind === "json") op.requestBody = { required: true, content: { "application/json": { schema: jsonSchema(r.body.schema) } } };
  if (r.body?.kind === "bytes")
    op.requestBody = { required: true, content: Object.fromEntries(r.body.media.map((m) => [m, { schema: { type: "string", contentMediaType: m } }])) };
  if (r.body) op["x-body-limit"] = r.body.limit;
  op.security = r.auth === "session" ? [{ bearer: [] }] : [];
  op.responses = responses;
  return op;
}

/** The whole document, deterministic (same table, same bytes), so a stale checked-in copy is a test failure. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [key, r] of Object.entries(ROUTES) as [string, RouteSpec][]) {
    const p = (paths[openApiPath(r.path)] ??= {});
    p[r.method.toLowerCase()] = operation(key, r);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Countersign agency server",
      version: "1",
      description:
        "One agency's server: login and enrollment, documents, the directory, the registry desk, attachments and envelope exchange. Every refusal that is JSON is { ok: false, code, reason }: programs decide by `code` (the catalogue in packages/crdt-model/src/refusal/), people read `reason`. Generated from packages/contract; do not edit.",
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "The token of POST /api/login (15 minutes)." } },
      schemas: { Refusal: jsonSchema(refusal) },
    },
    paths,
  };
}

/** The document as checked in: two-space JSON and a final newline. */
export const openApiText = (): string => `${JSON.stringify(openApiDocument(), null, 2)}\n`;
