// Damaged local copies on fake-indexeddb: a garbage row or a missing object store is detected per
// document (the load does not hang), one bad document does not stop the others from syncing, and
// dropping the copy lets the server's version come back. What still reads is salvaged.
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CountersignDocument, asAgencyCode, asDocId, asPersonId, asUnitId, type Metadata } from "@countersign/crdt-model";
import { docStoreName, localDbName } from "$lib/local/db.ts";
import { LocalStore } from "$lib/local/local-store.ts";
import { DamagedLocalCopy, openPersistedDoc } from "$lib/local/ydoc-store.ts";
import { problemOf } from "$lib/identity/problems.ts";
import { applicableUpdates, salvagePending } from "./salvage.ts";

const meta: Metadata = {
  kind: "memo",
  speed: "urgent",
  secrecy: "none",
  dueDate: "2026-11-30",
  docNumber: null,
  receiptNumber: null,
  agency: asAgencyCode("A-DEMO"),
  unit: asUnitId("U-STU"),
  caseOfficer: asPersonId("chen"),
  retention: "10",
  category: "學務",
};

function serverDoc(id: string, subject: string): Uint8Array {
  const created = CountersignDocument.create({ id: asDocId(id), metadata: meta, subject });
  if (!created.ok) throw new Error(created.reason);
  return created.value.encodeState();
}

function rawDb(name: string, version?: number, upgrade?: (db: IDBDatabase) => void): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const r = version ? indexedDB.open(name, version) : indexedDB.open(name);
    r.onupgradeneeded = () => upgrade?.(r.result);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

async function putRow(store: LocalStore, doc: string, value: unknown): Promise<void> {
  await store.db.updates.add({ doc, update: value as Uint8Array });
}

async function seeded(store: LocalStore, doc: string, subject: string): Promise<void> {
  const p = openPersistedDoc(store.db, doc);
  await p.ready;
  Y.applyUpdate(p.ydoc, serverDoc(doc, subject));
  await p.release();
}

const rowsOf = async (store: LocalStore, doc: string): Promise<unknown[]> => (await store.db.updates.where("doc").equals(doc).toArray()).map((r) => r.update);

describe("a damaged document copy", () => {
  it("a garbage row makes the copy report itself damaged instead of never loading, and nothing is compacted", async () => {
    const store = new LocalStore("A-DEMO", "t-garbage");
    await seeded(store, "demo-1", "有關校園安全演練一案");
    await putRow(store, "demo-1", new TextEncoder().encode("garbage garbage garbage"));
    const before = (await rowsOf(store, "demo-1")).length;
    const p = openPersistedDoc(store.db, "demo-1");
    await expect(p.ready).rejects.toBeInstanceOf(DamagedLocalCopy);
    await p.release();
    expect((await rowsOf(store, "demo-1")).length).toBeGreaterThanOrEqual(before);
    // What still reads is salvaged: the good rows give the subject back.
    const kept = applicableUpdates(await rowsOf(store, "demo-1"));
    const y = new Y.Doc();
    for (const u of kept) Y.applyUpdate(y, u);
    expect(CountersignDocument.wrap(y).subject()).toBe("有關校園安全演練一案");
    await store.close();
  });

  it("an earlier version's copy without its object store is reported damaged on moving in, and stays damaged when opened", async () => {
    const old = await rawDb(docStoreName("A-DEMO", "t-nostore", "demo-1"), 1, (d) => d.createObjectStore("custom"));
    old.close();
    const store = new LocalStore("A-DEMO", "t-nostore");
    const p = store.openDoc("demo-1");
    const err = await p.ready.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DamagedLocalCopy);
    expect(problemOf(err)).toMatchObject({ code: "local.doc-damaged", wayOut: "redownload" });
    await p.release();
    expect(Object.keys(await store.damaged())).toEqual(["demo-1"]);
    await store.close();
  });

  it("one damaged document is noted and skipped while the others sync; dropping it lets the server's version in", async () => {
    const store = new LocalStore("A-DEMO", "t-person");
    await store.applyFromServer("demo-1", serverDoc("demo-1", "好的公文"));
    await putRow(store, "demo-1", "not bytes at all");
    await store.db.pending.add({ doc: "demo-1", update: new Uint8Array([1, 2, 3]), at: "2026-11-21T08:00:00Z" });

    await store.applyFromServer("demo-1", serverDoc("demo-1", "好的公文"));
    await store.applyFromServer("demo-2", serverDoc("demo-2", "另一份公文"));
    expect(Object.keys(await store.damaged())).toEqual(["demo-1"]);
    const other = store.openDoc("demo-2");
    await other.ready;
    expect(other.doc.subject()).toBe("另一份公文");
    await other.release();

    // The queue is still readable raw (a broken index would not stop this).
    expect((await salvagePending(localDbName("A-DEMO", "t-person")))!.map((p) => p.doc)).toEqual(["demo-1"]);

    await store.dropDoc("demo-1");
    expect(await store.damaged()).toEqual({});
    expect(await store.db.pending.count()).toBe(0);
    await store.applyFromServer("demo-1", serverDoc("demo-1", "好的公文"));
    const back = store.openDoc("demo-1");
    await back.ready;
    expect(back.doc.subject()).toBe("好的公文");
    await back.release();
    await store.close();
  });

  it("a local database error is explained as a damaged local database with the way out", () => {
    const e = new Error("Data provided to an operation does not meet requirements.");
    e.name = "DataError";
    expect(problemOf(e)).toMatchObject({ code: "local.db", wayOut: "redownload" });
  });
});
