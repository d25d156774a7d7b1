// The move of an earlier version's per-document y-indexeddb databases into the one database, on
// fake-indexeddb (the browser test tests/e2e/local-migration.e2e.ts does it in Chromium against a
// real server): copies written by y-indexeddb itself are moved whole, the queue is untouched, a
// damaged copy is noted and kept aside while the others move, and the moved databases are deleted.
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { IndexeddbPersistence } from "y-indexeddb";
import { CountersignDocument, asAgencyCode, asDocId, asPersonId, asUnitId, type Metadata } from "@countersign/crdt-model";
import { docStoreName } from "./db.ts";
import { LocalStore } from "./local-store.ts";
import { migrateDocStores } from "./migrate.ts";

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

/** A document copy written the way the earlier version wrote it: y-indexeddb, one database per document. */
async function oldCopy(name: string, id: string, subject: string, edits: string[] = []): Promise<void> {
  const created = CountersignDocument.create({ id: asDocId(id), metadata: meta, subject });
  if (!created.ok) throw new Error(created.reason);
  const ydoc = new Y.Doc();
  const p = new IndexeddbPersistence(name, ydoc);
  await p.whenSynced;
  Y.applyUpdate(ydoc, created.value.encodeState());
  for (const e of edits) ydoc.getText("subject").insert(ydoc.getText("subject").length, e);
  await new Promise((r) => setTimeout(r, 50));
  await p.destroy();
  ydoc.destroy();
}

const names = async (): Promise<string[]> => (await indexedDB.databases()).map((d) => d.name ?? "");

describe("moving an earlier version's copies in", () => {
  it("moves every copy whole, keeps the queue, notes a damaged copy without stopping the others, deletes what moved", async () => {
    const old = (doc: string) => docStoreName("A-DEMO", "t-move", doc);
    await oldCopy(old("demo-1"), "demo-1", "有關校園安全演練一案", ["（修正）"]);
    await oldCopy(old("demo-2"), "demo-2", "另一份公文");
    await oldCopy(old("demo-3"), "demo-3", "壞掉的公文");
    // demo-3's copy gets a row that is not a Yjs update.
    await new Promise<void>((resolve, reject) => {
      const r = indexedDB.open(old("demo-3"));
      r.onsuccess = () => {
        const tx = r.result.transaction("updates", "readwrite");
        tx.objectStore("updates").add(new TextEncoder().encode("garbage garbage garbage"));
        tx.oncomplete = () => (r.result.close(), resolve());
        tx.onerror = () => reject(tx.error);
      };
    });
    const before = new LocalStore("A-DEMO", "t-move");
    await before.db.open();
    await before.db.pending.add({ doc: "demo-1", update: new Uint8Array([0, 0]), at: "2026-11-21T08:00:00Z" });
    await before.close();

    const store = new LocalStore("A-DEMO", "t-move");
    const a = store.openDoc("demo-1"); // waits for the move
    await a.ready;
    expect(a.doc.subject()).toBe("有關校園安全演練一案（修正）");
    await a.release();
    const b = store.openDoc("demo-2");
    await b.ready;
    expect(b.doc.subject()).toBe("另一份公文");
    await b.release();
    const c = store.openDoc("demo-3");
    await expect(c.ready).rejects.toMatchObject({ name: "DamagedLocalCopy" });
    await c.release();
    expect(Object.keys(await store.damaged())).toEqual(["demo-3"]);
    expect(await store.db.pending.count()).toBe(1);

    const left = await names();
    expect(left).not.toContain(old("demo-1"));
    expect(left).not.toContain(old("demo-2"));
    expect(left).toContain(old("demo-3")); // kept for salvage until downloaded again
    // Once only: a second start moves nothing.
    expect(await migrateDocStores(store)).toEqual({ moved: 0, damaged: 0 });
    await store.dropDoc("demo-3");
    expect(await names()).not.toContain(old("demo-3"));
    await store.close();
  });
});
