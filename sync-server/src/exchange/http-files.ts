// Envelope files for download (GET /api/exchange/envelopes/<id>/file): what we sent or received,
// as the bytes a person hands over. What must stay true: an envelope that was sent encrypted never
// leaves here in the clear. The store keeps the signed envelope itself (so we can read what we
// sent), so its file is the outbox's encrypted bytes when it was pushed, or the same envelope
// encrypted again for the peer's CA certificate (another ciphertext, the same envelope inside; the
// receiver's import treats it as that envelope, duplicates included).
import { encryptEnvelope, isDocId, parseCertificate, type DocId } from "@countersign/crdt-model";
import type { ExchangeRecord } from "../storage/types.ts";
import { HttpError } from "../http/json.ts";
import { Reply } from "../http/router.ts";
import { peekDocIds } from "./peek.ts";
import { envelopeFileName, envelopeMediaType, type ExchangeCtx } from "./http-support.ts";

const ENCRYPTED_MARK = "encrypted for ";

/** The log lines about one envelope, found through its documents (the log has no envelope index). */
async function linesOf(ctx: ExchangeCtx, id: string, plain: Uint8Array): Promise<ExchangeRecord[]> {
  const first = peekDocIds(plain, 1)[0];
  const lines = first !== undefined && isDocId(first) ? await ctx.store.exchanges({ doc: first, limit: 5000 }) : await ctx.store.exchanges({ limit: 5000 });
  return lines.filter((r) => r.envelope === id);
}

export async function envelopeFile(
  ctx: ExchangeCtx,
  id: string,
  mayHandle: (docs: readonly DocId[]) => Promise<boolean>,
): Promise<Reply> {
  const missing = new HttpError(404, "http.not-found", "There is no such envelope for you.");
  const plain = await ctx.store.envelopeBytes(id);
  if (!plain) throw missing;
  // The desk may have any envelope but one carrying a classified document it is not named in.
  // An id that is not a document id (a damaged or hostile envelope) is never handed out either.
  const named = peekDocIds(plain, 10_000);
  const docs = named.filter(isDocId);
  if (docs.length !== named.length || !(await mayHandle(docs))) throw missing;
  const exported = (await linesOf(ctx, id, plain)).find((r) => r.direction === "out" && r.status === "exported");
  if (!exported?.detail?.startsWith(ENCRYPTED_MARK)) return Reply.file(plain, envelopeMediaType(plain), { name: envelopeFileName(id) });

  const queued = (await ctx.store.outbox({ limit: 100_000 })).find((i) => i.envelope === id);
  if (queued) return Reply.file(queued.data, envelopeMediaType(queued.data), { name: envelopeFileName(id) });
  const peer = exported.peer ? await ctx.store.peer(exported.peer as never) : undefined;
  const cert = peer ? parseCertificate(peer.caPem) : undefined;
  if (!peer || !cert?.ok) throw new HttpError(409, "http.conflict", "The envelope was sent encrypted and its recipient's certificate is no longer known, so it cannot be given out again.");
  const sealed = await encryptEnvelope(plain, cert.value);
  if (!sealed.ok) throw HttpError.of(500, sealed);
  return Reply.file(sealed.value, envelopeMediaType(sealed.value), { name: envelopeFileName(id) });
}
