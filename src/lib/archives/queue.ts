// 待歸檔 as pure functions over index rows, so the archives page reads the same online (the server's
// queue) and offline (its last answer and this device's index). Which row waits to be archived is the
// model's rule (awaitsArchive), never a list written here.
import { awaitsArchive } from "@countersign/crdt-model";
import type { FiledRow } from "$lib/api/filing.ts";
import type { LocalDocRow } from "$lib/local/db.ts";
import { instant } from "$lib/dispatch/queue.ts";

/** Longest waiting first: by when it was dispatched (or last changed), then by document id. */
export function byWaiting(a: FiledRow, b: FiledRow): number {
  const da = instant(a.dispatchedAt ?? a.updatedAt);
  const db = instant(b.dispatchedAt ?? b.updatedAt);
  if (da !== db) return da - db;
  return a.doc < b.doc ? -1 : a.doc > b.doc ? 1 : 0;
}

/**
 * 待歸檔 offline: the server's last list, less what this device's index knows no longer waits
 * (archived since), plus what the index says waits that the list lacks.
 */
export function offlineArchiveQueue(cached: readonly FiledRow[], local: readonly LocalDocRow[]): FiledRow[] {
  const known = new Map(local.map((r) => [r.doc, r]));
  const byDoc = new Map<string, FiledRow>();
  for (const r of cached) if (awaitsArchive(known.get(r.doc) ?? r)) byDoc.set(r.doc, r);
  for (const r of local) if (awaitsArchive(r) && !byDoc.has(r.doc)) byDoc.set(r.doc, r);
  return [...byDoc.values()].sort(byWaiting);
}
