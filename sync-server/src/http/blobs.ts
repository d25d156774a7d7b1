// Attachments over HTTP, by the SHA-256 of their bytes: upload (PUT), download (GET), and "which of
// these do you lack" (POST …/missing) so an app that was offline uploads only what the server needs.
//
// A hash is not a capability. An attachment is served only to someone who may read a document that
// references it (the store's doc_blobs, written with each document's index row; relay/index-row.ts),
// and to anyone else the server answers exactly as if it did not hold the bytes: 404 on download,
// "missing" on the list, 201 "stored" on upload. An upload is idempotent by hash and grants nothing.
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { isSha256Hex, type Sha256Hex } from "@countersign/crdt-model";
import { authenticate, principalOf, type ApiContext } from "./api.ts";
import { access } from "../relay/authz.ts";
import type { Session } from "../identity/login.ts";
import { HttpError, parseBody, readBody, readJson, sendJson } from "./json.ts";

const BLOB_PATH = /^\/api\/blobs\/([^/]+)$/;
const MISSING_PATH = "/api/blobs/missing";
/** At most this many hashes per "missing" question (≈ 670 KB of JSON, inside the JSON body limit). */
export const MAX_MISSING_QUERY = 10_000;

/**
 * Media types a download may be labelled with (`?type=`) and shown inline. Anything else is served as
 * application/octet-stream for download: never text/html, SVG or another type a browser would run
 * script from, whatever the uploader claimed.
 */
export const INLINE_TYPES: ReadonlyMap<string, string> = new Map([
  ["application/pdf", "application/pdf"],
  ["image/png", "image/png"],
  ["image/jpeg", "image/jpeg"],
  ["image/gif", "image/gif"],
  ["image/webp", "image/webp"],
  // Without a charset a browser guesses one, and guesses wrong for Chinese text.
  ["text/plain", "text/plain; charset=utf-8"],
]);

/** Immutable: the name is the hash of the bytes, so what is under a name can never change. */
const CACHE = "private, max-age=31536000, immutable";

const missingSchema = z.object({ sha256: z.array(z.string()).max(MAX_MISSING_QUERY) }).strict();

type Handled = { route: string; status: number } | false;

/** Answers the /api/blobs routes; false when the request is not one of them (api.ts goes on). */
export async function handleBlobs(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, path: string): Promise<Handled> {
  if (path === MISSING_PATH && req.method === "POST") {
    const who = await authorized(ctx, req, res, "POST /api/blobs/missing");
    return "route" in who ? who : missing(ctx, req, res, who);
  }
  const m = BLOB_PATH.exec(path);
  if (!m || (req.method !== "PUT" && req.method !== "GET")) return false;
  const route = `${req.method} /api/blobs/:sha256`;
  const who = await authorized(ctx, req, res, route);
  if ("route" in who) return who;
  const name = nameOf(m[1]!);
  return req.method === "PUT" ? upload(ctx, req, res, name, route, who) : download(ctx, req, res, name, route, who);
}

/** The session when the request carries a valid login token; otherwise the 401 already sent. */
async function authorized(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, route: string): Promise<Session | { route: string; status: number }> {
  const header = req.headers.authorization;
  const who = await authenticate(ctx, header?.startsWith("Bearer ") ? header.slice(7) : null);
  if (who.ok) return who.value;
  sendJson(res, 401, { error: who.reason });
  return { route, status: 401 };
}

/** Whether this person may read some document that references the attachment. */
export async function mayReach(ctx: Pick<ApiContext, "store">, who: Session, sha256: Sha256Hex): Promise<boolean> {
  const principal = principalOf(who);
  for (const doc of await ctx.store.blobDocs(sha256)) if (access(principal, await ctx.store.getIndex(doc)) === "edit") return true;
  return false;
}

const NOT_HERE = "There is no attachment with that SHA-256 on this server.";

function nameOf(raw: string): Sha256Hex {
  const name = decodeURIComponent(raw);
  if (!isSha256Hex(name)) throw new HttpError(400, "An attachment is named by the SHA-256 of its bytes: 64 lower-case hexadecimal digits.");
  return name;
}

/** 201 when stored now, 200 when it was already here; either way the server holds these bytes. */
async function upload(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, name: Sha256Hex, route: string, who: Session): Promise<Handled> {
  const body = await readBody(req, ctx.limits.blob);
  const actual = createHash("sha256").update(body).digest("hex");
  if (actual !== name) throw new HttpError(400, `The uploaded bytes hash to ${actual}, not to the attachment's name ${name}; the upload was changed or cut short.`);
  const held = (await ctx.store.hasBlobs([name])).has(name);
  if (!held) await ctx.store.putBlob(name, new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
  // "Already here" only to someone who may read it: to anyone else that would confirm that some
  // document holds exactly these bytes (a guessed salary table, say).
  const had = held && (await mayReach(ctx, who, name));
  const status = had ? 200 : 201;
  sendJson(res, status, { sha256: name, size: body.length, created: !had });
  return { route, status };
}

async function download(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, name: Sha256Hex, route: string, who: Session): Promise<Handled> {
  if (!(await mayReach(ctx, who, name))) throw new HttpError(404, NOT_HERE);
  const etag = `"${name}"`;
  if (req.headers["if-none-match"] === etag && (await ctx.store.hasBlobs([name])).has(name)) {
    res.writeHead(304, { etag, "cache-control": CACHE });
    res.end();
    return { route, status: 304 };
  }
  const data = await ctx.store.getBlob(name);
  if (!data) throw new HttpError(404, NOT_HERE);
  const asked = new URL(req.url ?? "/", "http://localhost").searchParams.get("type")?.trim().toLowerCase() ?? "";
  const inline = INLINE_TYPES.get(asked);
  res.writeHead(200, {
    "content-type": inline ?? "application/octet-stream",
    "content-length": String(data.byteLength),
    "content-disposition": inline ? "inline" : `attachment; filename="${name}"`,
    "cache-control": CACHE,
    etag,
    "x-content-type-options": "nosniff",
  });
  res.end(data);
  return { route, status: 200 };
}

/**
 * Which of the given attachments the server lacks, in the order asked, each once — or as far as this
 * person may know: one held for documents they cannot read is reported missing (its upload is then a
 * harmless repeat, idempotent by hash).
 */
async function missing(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, who: Session): Promise<Handled> {
  const body = parseBody(missingSchema, await readJson(req, ctx.limits.json));
  const bad = body.sha256.find((h) => !isSha256Hex(h));
  if (bad !== undefined) throw new HttpError(400, `${JSON.stringify(bad.slice(0, 80))} is not an attachment name (64 lower-case hexadecimal digits).`);
  const asked = [...new Set(body.sha256 as Sha256Hex[])];
  const held = await ctx.store.hasBlobs(asked);
  const lacking: Sha256Hex[] = [];
  for (const h of asked) if (!held.has(h) || !(await mayReach(ctx, who, h))) lacking.push(h);
  sendJson(res, 200, { missing: lacking });
  return { route: "POST /api/blobs/missing", status: 200 };
}
