// A document referencing attachments, pushed through the batch sync as its case officer drafts it: a
// blob is served only to someone who may read a document that references it, so tests of the blob
// routes first make such a document.
import { createHash } from "node:crypto";
import { CountersignDocument, asDocId, toBase64, type Metadata, type Sha256Hex } from "@countersign/crdt-model";
import { must, testMetadata, until, type RunningAgency } from "./agency-server.ts";

const sha = (b: Uint8Array): Sha256Hex => createHash("sha256").update(b).digest("hex") as Sha256Hex;

let drafted = 0;

/** Drafts and syncs a document referencing `bodies` with the officer's token; resolves once the server records the references. */
export async function draftReferencing(a: RunningAgency, token: string, bodies: readonly Uint8Array[], secrecy: Metadata["secrecy"] = "none"): Promise<string> {
  const id = `blob-doc-${++drafted}-${Date.now()}`;
  const doc = must(CountersignDocument.create({ id: asDocId(id), metadata: testMetadata({ secrecy }), subject: "附件測試", plan: a.plan() }));
  for (const b of bodies) must(doc.addAttachment({ sha256: sha(b), name: "附件.bin", size: b.length, mime: "application/octet-stream" }));
  const res = await fetch(`${a.http}/api/sync`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: JSON.stringify({ v: 1, push: [{ doc: id, update: toBase64(doc.encodeState()) }] }),
  });
  const answer = (await res.json()) as { pushed: { ok: boolean; reason?: string }[] };
  if (!answer.pushed[0]?.ok) throw new Error(answer.pushed[0]?.reason ?? `sync answered ${res.status}`);
  const first = bodies[0];
  if (first) await until(async () => (await a.store.blobDocs(sha(first))).includes(asDocId(id)), 5000, "attachment reference");
  return id;
}
