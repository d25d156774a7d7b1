import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import type { Code, Refusal, Result } from "@countersign/crdt-model";

/**
 * A refusal thrown by a route, answered by the router as `{ ok: false, code, reason }` with this
 * status (and any extra fields and headers). The code is what programs decide by; the sentence is
 * for people.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: Code,
    message: string,
    /** Extra response headers (Retry-After on a 429). */
    readonly headers: Record<string, string> = {},
    /** Extra fields of the answer, beside ok, code and reason (the delivery endpoint's `v` and `status`). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** A service's refusal (a Result) answered with its own code. */
  static of(status: number, r: Refusal, headers?: Record<string, string>): HttpError {
    return new HttpError(status, r.code, r.reason, headers);
  }
}

const tooLarge = (limit: number) => new HttpError(413, "http.body-too-large", `The request body is larger than ${limit} bytes.`);

/** Reads a raw body up to `limit` bytes; a larger one is a 413 with a sentence. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Reads a JSON body up to `limit` bytes; anything else is a 400/413 with a sentence. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const body = await readBody(req, limit);
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new HttpError(400, "http.malformed-json", "The request body is not valid JSON.");
  }
}

/** Validates with a contract schema; the first issue, and where it is, is the sentence of a 400. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const r = schema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue && issue.path.length ? ` (at ${issue.path.join(".")})` : "";
    throw new HttpError(400, "http.malformed-request", `The request is malformed: ${issue?.message ?? "invalid"}${where}.`);
  }
  return r.data;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(text);
}

/** The one shape of a refusal over HTTP. */
export function sendRefusal(res: ServerResponse, e: HttpError): void {
  sendJson(res, e.status, { ...e.extra, ok: false, code: e.code, reason: e.message }, e.headers);
}

/** The value of a service's Result, or its refusal answered with `status` and the refusal's own code. */
export function unwrap<T>(r: Result<T>, status = 400): T {
  if (!r.ok) throw HttpError.of(status, r);
  return r.value;
}
