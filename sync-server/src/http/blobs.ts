// Attachments over HTTP, by the SHA-256 of their bytes: upload (PUT), download (GET), and "which of
// these do you lack" (POST …/missing) so an app that was offline uploads only what the server needs.
//
// A hash is not a capability. An attachment is served only to someone who may read a document that
// references it (the store's doc_blobs, written with each document's index row; crdt-model indexRowOf),
// and to anyone else the server answers exactly as if it did not hold the bytes: 404 on download,
// "missing" on the list, 201 "stored" on upload. An upload is idempotent by hash and grants nothing.
import { createHash } from "node:crypto";
import { isSha256Hex, type Sha256Hex } from "@countersign/crdt-model";
import type { ApiContext } from "./context.ts";
import { principalOf } from "./context.ts";
import { opens } from "../relay/authz.ts";
import type { Session } from "../identity/login.ts";
import { HttpError, readBody } from "./json.ts";
import { Reply, type Router } from "./router.ts";

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

/** Whether this person may read some document that references the attachment. */
export async function mayReach(ctx: Pick<ApiContext, "store">, who: Session, sha256: Sha256Hex): Promise<boolean> {
  const principal = principalOf(who);
  const now = new Date();
  for (const doc of await ctx.store.blobDocs(sha256)) if (await opens(ctx.store, principal, await ctx.store.getIndex(doc), now)) return true;
  return false;
}

const NOT_HERE = "There is no attachment with that SHA-256 on this server.";

function nameOf(name: string): Sha256Hex {
  if (!isSha256Hex(name)) throw new HttpError(400, "http.malformed-request", "An attachment is named by the SHA-256 of its bytes: 64 lower-case hexadecimal digits.");
  return name;
}

export function registerBlobRoutes(r: Router, ctx: ApiContext): void {
  // 201 when stored now, 200 when it was already here; either way the server holds these bytes.
  r.add("putBlob", async ({ req, session: who, params, limit }) => {
    const name = nameOf(params.sha256);
    const body = await readBody(req, limit);
    const actual = createHash("sha256").update(body).digest("hex");
    if (actual !== name)
      throw new HttpError(400, "http.blob-mismatch", `The uploaded bytes hash to ${actual}, not to the attachment's name ${name}; the upload was changed or cut short.`);
    const held = (await ctx.store.hasBlobs([name])).has(name);
    if (!held) await ctx.store.putBlob(name, new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
    // "Already here" only to someone who may read it: to anyone else that would confirm that some
    // document holds exactly these bytes (a guessed salary table, say).
    const had = held && (await mayReach(ctx, who, name));
    return Reply.json({ sha256: name, size: body.length, created: !had }, had ? 200 : 201);
  });

  r.add("getBlob", async ({ req, session: who, params, query }) => {
    const name = nameOf(params.sha256);
    if (!(await mayReach(ctx, who, name))) throw new HttpError(404, "http.not-found", NOT_HERE);
    const etag = `"${name}"`;
    if (req.headers["if-none-match"] === etag && (await ctx.store.hasBlobs([name])).has(name)) return Reply.empty(304, { etag, "cache-control": CACHE });
    const data = await ctx.store.getBlob(name);
    if (!data) throw new HttpError(404, "http.not-found", NOT_HERE);
    const inline = INLINE_TYPES.get(query.type?.trim().toLowerCase() ?? "");
    return Reply.file(data, inline ?? "application/octet-stream", {
      headers: { "content-disposition": inline ? "inline" : `attachment; filename="${name}"`, "cache-control": CACHE, etag },
    });
  });

  /**
   * Which of the given attachments the server lacks, in the order asked, each once — or as far as this
   * person may know: one held for documents they cannot read is reported missing (its upload is then a
   * harmless repeat, idempotent by hash).
   */
  r.add("blobsMissing", async ({ session: who, body }) => {
    const bad = body.sha256.find((h) => !isSha256Hex(h));
    if (bad !== undefined)
      throw new HttpError(400, "http.malformed-request", `${JSON.stringify(bad.slice(0, 80))} is not an attachment name (64 lower-case hexadecimal digits).`);
    const asked = [...new Set(body.sha256.filter(isSha256Hex))];
    const held = await ctx.store.hasBlobs(asked);
    const lacking: Sha256Hex[] = [];
    for (const h of asked) if (!held.has(h) || !(await mayReach(ctx, who, h))) lacking.push(h);
    return { missing: lacking };
  });
}
