// Opening a document to read it on this device: the document page and the print view open it the
// same way, so they agree on what a summary-only, damaged, refused or missing document is, and
// verify it against the same trust (this agency's CA and tables, and the peers' for exchanged ones).
import { TrustStore, type Refusal } from "@countersign/crdt-model";
import { app } from "$lib/app.svelte.ts";
import type { LocalDocRow } from "$lib/local/db.ts";
import type { Api } from "$lib/local/sync.ts";
import { trustTables, type TrustTables } from "$lib/local/trust-tables.ts";
import { DamagedLocalCopy } from "$lib/local/ydoc-store.ts";
import { peerTrust } from "$lib/exchange/peer-trust.ts";
import { pullForOpening } from "./pull-for-opening.ts";
import { LiveDoc } from "./live-doc.svelte.ts";

/**
 * metadata: this person may see the summary only (the index row, when the device has one); damaged:
 * this device's copy cannot be read; refused: the server refused it, with its reason (never said as
 * a network problem); closed: the page went away while it opened; open: the live copy, verified —
 * `readable` is false when it holds no readable document or nothing to verify it with.
 */
export type Opening =
  | { kind: "metadata"; row: LocalDocRow | undefined }
  | { kind: "damaged"; reason: string }
  | { kind: "refused"; refusal: Refusal }
  | { kind: "closed" }
  | { kind: "open"; live: LiveDoc; row: LocalDocRow | undefined; tables: TrustTables; readable: boolean };

/** Opens `id` from this device's copy (asking the server for it first when the copy is empty). The caller owns the LiveDoc. */
export async function openVerified(id: string, alive: () => boolean): Promise<Opening | null> {
  await app.start();
  const store = app.local;
  const who = app.identity.current;
  if (!store || !who) return null;
  const api: Api = (p, o) => app.identity.api(p, o);
  // What verifying needs besides the copy is read while the copy loads, not after it.
  const tablesRead = trustTables(store);
  const peersRead = peerTrust(who.agency, api);
  const row = await store.db.docs.get(id);
  if (row?.access === "metadata") return { kind: "metadata", row };
  const local = store.openDoc(id);
  try {
    await local.ready;
  } catch (e) {
    await local.release();
    if (!(e instanceof DamagedLocalCopy)) throw e;
    return { kind: "damaged", reason: e.reason };
  }
  if (!local.doc.metadata().ok && navigator.onLine) {
    const got = await pullForOpening(store, api, id);
    if (got.kind === "refused" || got.kind === "metadata") {
      await local.release();
      return got.kind === "refused" ? { kind: "refused", refusal: got.refusal } : { kind: "metadata", row };
    }
  }
  const opened = new LiveDoc(local, app);
  if (!alive()) return void (await opened.destroy()), { kind: "closed" };
  const [tables, peers] = await Promise.all([tablesRead, peersRead]);
  const ca = app.identity.agency?.ca;
  // Other agencies' CAs and delegation tables too: documents exchanged with them carry their signatures.
  const trust = ca ? TrustStore.fromPem([ca, ...peers.pems], [...tables.delegation, ...peers.delegations], tables.deputies) : null;
  opened.trust = trust?.ok ? trust.value : null;
  opened.receiptKey = app.identity.agency?.receiptKey ?? null;
  await opened.rederive();
  return { kind: "open", live: opened, row, tables, readable: local.doc.metadata().ok && opened.trust !== null };
}
