import * as Y from "yjs";
import type { BaseLogger as Logger } from "pino";
import { CountersignDocument, attachmentHashes, freshYDoc } from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";

/** Set once every stored document's attachment references are in doc_blobs (storage schema 3). */
export const BLOB_REFS_SETTING = "blobs.refs-indexed";
const PAGE = 200;

/**
 * Fills doc_blobs for documents stored before it existed, once: without it their attachments would
 * be served to nobody (http/blobs.ts serves a blob only through a document that references it) until
 * each document changed again. Runs before the server listens, so no accepted update can race it
 * (each row is rewritten as stored, with its references added); afterwards every index row carries
 * its references (crdt-model indexRowOf).
 */
export async function backfillBlobRefs(store: Store, log: Logger): Promise<number> {
  if (await store.getSetting(BLOB_REFS_SETTING)) return 0;
  let after = "";
  let n = 0;
  for (;;) {
    const rows = await store.queryIndex({ after, limit: PAGE });
    if (!rows.length) break;
    const out = [];
    for (const row of rows) {
      const ydoc = freshYDoc();
      for (const u of await store.readUpdates(row.doc)) Y.applyUpdate(ydoc, u.data);
      out.push({ ...row, attachments: attachmentHashes(CountersignDocument.wrap(ydoc)) });
      ydoc.destroy();
    }
    await store.putIndexes(out);
    n += out.length;
    after = rows.at(-1)!.doc;
  }
  await store.setSetting(BLOB_REFS_SETTING, new Date().toISOString());
  if (n) log.info({ documents: n }, "attachment references indexed");
  return n;
}
