// The ways out that throw local data away — always after backing up what was not sent:
// - one document: "以伺服器版本重新下載" after a refusal, or "從伺服器重新下載這份公文" when its copy
//   is damaged: drop its copy and queue, download it whole;
// - everything: "從伺服器重新下載" when the local index or many copies are damaged: delete this
//   person's index and every document copy, then sync from scratch. The enrolled identity (and its
//   non-extractable key) lives in another database and is never touched; neither are the backups.
import { Dexie } from "dexie";
import { fail, ok, type Result } from "@countersign/crdt-model";
import type { App } from "$lib/app.svelte.ts";
import { docStoreName, localDbName } from "$lib/local/db.ts";
import { pullDoc } from "$lib/local/sync.ts";
import { saveBackups } from "./backups.ts";
import { applicableUpdates, docStoresOf, readRawStore, salvagePending } from "./salvage.ts";
import { mergeUnsent, textOfUpdates, type UnsentWork } from "./unsent.ts";
import { refusalOf } from "$lib/refusals/decode.ts";

const OFFLINE = "The agency server cannot be reached now.";

/** Whether a failed result means only that the server cannot be reached now (by its code). */
export const isOffline = (r: Result<unknown>): boolean => !r.ok && (r.code === "local.offline" || r.code === "net.unreachable");

/** The unsent work of one document as the queue holds it; `text` from the open copy when there is one. */
export async function unsentOfDoc(app: App, doc: string, reason: string, text: string | null): Promise<UnsentWork> {
  const store = app.local;
  const who = app.identity.current;
  let updates: Uint8Array[];
  try {
    updates = store ? (await store.db.pending.where("doc").equals(doc).toArray()).map((p) => p.update) : [];
  } catch {
    const salvaged = who ? await salvagePending(localDbName(who.agency, who.person)) : null;
    updates = (salvaged ?? []).filter((p) => p.doc === doc).map((p) => p.update);
  }
  if (text === null && who) text = await salvagedText(docStoreName(who.agency, who.person, doc), updates, await copyRows(localDbName(who.agency, who.person), doc));
  return { v: 1, doc, text, update: mergeUnsent(updates), reason, at: new Date().toISOString() };
}

/**
 * Whatever text the readable rows of a document's copy (in the person's database, and an earlier
 * version's store of its own when one was kept aside as damaged), plus its queued changes, still give.
 */
async function salvagedText(storeName: string, pending: readonly Uint8Array[], copy: readonly unknown[]): Promise<string | null> {
  const rows = (await readRawStore(storeName, "updates")) ?? [];
  return textOfUpdates(applicableUpdates([...copy, ...rows, ...pending]));
}

/** The stored rows of every document copy in the person's database, read raw (`LocalDb.updates`: { doc, update }). */
async function allCopyRows(indexName: string): Promise<Map<string, unknown[]>> {
  const byDoc = new Map<string, unknown[]>();
  for (const r of (await readRawStore(indexName, "updates")) ?? []) {
    const row = r as { doc?: unknown; update?: unknown } | null;
    if (typeof row?.doc === "string") byDoc.set(row.doc, [...(byDoc.get(row.doc) ?? []), row.update]);
  }
  return byDoc;
}

const copyRows = async (indexName: string, doc: string): Promise<unknown[]> => (await allCopyRows(indexName)).get(doc) ?? [];

/**
 * Replaces this device's copy of a document with the server's: backs up `work`, drops the copy and
 * its queue, downloads the document whole. The caller has closed its own hold on the copy.
 */
export async function serverVersionOfDoc(app: App, work: UnsentWork): Promise<Result<void>> {
  const store = app.local;
  const who = app.identity.current;
  if (!store || !who) return fail("local.not-enrolled", "Nobody is enrolled on this device.");
  if (!navigator.onLine) return fail("local.offline", OFFLINE);
  await app.syncNow(); // a sync under way may be writing to the copy: let it finish first
  await saveBackups(`${who.agency}/${who.person}`, [work]);
  await store.dropDoc(work.doc);
  try {
    await pullDoc(store, (p, o) => app.identity.api(p, o), work.doc);
  } catch (e) {
    // The copy is gone but backed up; the next sync downloads it whole.
    return refusalOf(e);
  }
  await app.syncNow();
  return ok(undefined);
}

interface Everything {
  indexName: string;
  stores: string[];
  works: UnsentWork[];
}

/**
 * This person's unsent work across every document, read around whatever is damaged: the queue (raw,
 * so a broken index still yields its rows) and the text of each copy's readable rows. When the queue
 * itself is lost, every copy may hold unsent edits, so every copy's text is kept.
 */
export async function unsentOfAll(app: App, reason: string): Promise<Everything | null> {
  const who = app.identity.current;
  if (!who) return null;
  const indexName = localDbName(who.agency, who.person);
  const prefix = docStoreName(who.agency, who.person, "");
  const pending = await salvagePending(indexName);
  let known: string[] = [];
  try {
    known = app.local ? (await app.local.db.docs.toCollection().primaryKeys()).map((d) => prefix + d) : [];
  } catch {
    // the index itself is unreadable: the browser's list of databases is all we have
  }
  const stores = await docStoresOf(prefix, known);
  const byDoc = new Map<string, Uint8Array[]>();
  for (const p of pending ?? []) byDoc.set(p.doc, [...(byDoc.get(p.doc) ?? []), p.update]);
  const copies = await allCopyRows(indexName);
  const docs = pending ? [...byDoc.keys()] : [...new Set([...stores.map((s) => s.slice(prefix.length)), ...copies.keys()])];
  const works: UnsentWork[] = [];
  for (const doc of docs) {
    const updates = byDoc.get(doc) ?? [];
    works.push({ v: 1, doc, text: await salvagedText(prefix + doc, updates, copies.get(doc) ?? []), update: mergeUnsent(updates), reason, at: new Date().toISOString() });
  }
  return { indexName, stores, works };
}

/**
 * Deletes this person's local index and every document copy after backing up the unsent work that
 * can still be read, then loads the app again, which downloads everything in the user's scope.
 */
export async function redownloadAll(app: App, reason: string): Promise<Result<void>> {
  const who = app.identity.current;
  if (!who) return fail("local.not-enrolled", "Nobody is enrolled on this device.");
  if (!navigator.onLine) return fail("local.offline", OFFLINE);
  await app.syncNow();
  const all = await unsentOfAll(app, reason);
  if (!all) return fail("local.not-enrolled", "Nobody is enrolled on this device.");
  await saveBackups(`${who.agency}/${who.person}`, all.works);
  await app.local?.close();
  for (const s of all.stores) await Dexie.delete(s); // an earlier version's per-document copies
  await Dexie.delete(all.indexName);
  // A fresh start: the app binds a new, empty store and its first sync downloads everything.
  location.assign("/inbox");
  return ok(undefined);
}
