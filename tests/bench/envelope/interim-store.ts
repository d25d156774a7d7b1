/**
 * INTERIM import, until the server's envelope importer (sync-server/src/exchange/service.ts) lands:
 * what an importer must at least do after openEnvelope has said yes — append each document's update
 * to the agency server's real SQLite store and keep each attachment as a blob — on a store of its
 * own in a temporary directory. The JSON says which import was measured.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OpenedEnvelope } from "../../../packages/crdt-model/src/index.ts";
import { openSqliteStore } from "../../../sync-server/src/storage/sqlite.ts";
import type { Store } from "../../../sync-server/src/storage/types.ts";
import { must } from "../model/common.ts";

export interface InterimStore {
  store: Store;
  /** Appends every opened document's update and stores its attachments; resolves once durable. */
  apply(opened: OpenedEnvelope): Promise<void>;
  close(): Promise<void>;
}

export function openInterimStore(): InterimStore {
  const dir = mkdtempSync(join(tmpdir(), "countersign-bench-env-"));
  const store = openSqliteStore(join(dir, "countersign.db"));
  return {
    store,
    async apply(opened) {
      // Appends share group commits (see sqlite.ts), as concurrent rooms' appends do.
      const seqs = await Promise.all(opened.docs.map((d) => store.appendUpdate(d.id, d.update)));
      must(seqs.every((s) => s > 0), "interim import: an append got no seq");
      for (const d of opened.docs) for (const [sha, b] of d.attachments) await store.putBlob(sha, b);
    },
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
