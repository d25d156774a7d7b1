// The growth guard around y-indexeddb (see ydoc-store.ts), on fake-indexeddb: reopening without
// edits leaves the store as it was; many small edits are merged into one row on the next open.
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { COMPACT_ABOVE, openPersistedDoc, settle, type StoreStats } from "./ydoc-store.ts";

async function stats(name: string): Promise<StoreStats> {
  const db = await new Promise<IDBDatabase>((res, rej) => {
    const r = indexedDB.open(name);
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  const rows = await new Promise<Uint8Array[]>((res) => {
    const r = db.transaction("updates").objectStore("updates").getAll();
    r.onsuccess = () => res(r.result as Uint8Array[]);
  });
  db.close();
  return { rows: rows.length, bytes: rows.reduce((n, u) => n + u.byteLength, 0) };
}

async function edit(name: string, fn: (y: Y.Doc) => void): Promise<void> {
  const p = openPersistedDoc(name);
  await p.ready;
  fn(p.ydoc);
  await p.release();
}

describe("persisted documents", () => {
  it("opening a document 50 times without edits does not grow its store", async () => {
    await edit("t-reopen", (y) => y.getText("subject").insert(0, "有關學生獎懲實施要點修正一案"));
    const before = await stats("t-reopen");
    for (let i = 0; i < 50; i++) {
      const p = openPersistedDoc("t-reopen");
      await p.ready;
      expect(p.ydoc.getText("subject").toString()).toBe("有關學生獎懲實施要點修正一案");
      await p.release();
    }
    expect(await stats("t-reopen")).toEqual(before);
  });

  it(`merges rows into one on open once there are more than ${COMPACT_ABOVE}, losing nothing`, async () => {
    const edits = 3 * COMPACT_ABOVE;
    for (let i = 0; i < edits; i++) {
      await edit("t-compact", (y) => y.getArray<number>("n").push([i]));
      // At most COMPACT_ABOVE kept rows, plus the empty row y-indexeddb appends on open, plus the edit.
      expect((await stats("t-compact")).rows).toBeLessThanOrEqual(COMPACT_ABOVE + 2);
    }
    const p = openPersistedDoc("t-compact");
    await p.ready;
    expect(p.ydoc.getArray<number>("n").toArray()).toEqual([...Array(edits).keys()]);
    await p.release();
  });

  it("two openers of one document share one copy", async () => {
    const a = openPersistedDoc("t-shared");
    const b = openPersistedDoc("t-shared");
    expect(a.ydoc).toBe(b.ydoc);
    await a.ready;
    await a.release();
    expect(b.ydoc.isDestroyed).toBe(false);
    await b.release();
    expect(b.ydoc.isDestroyed).toBe(true);
  });

  it("settle keeps a row written by someone else meanwhile (it merges rows, not its own copy)", async () => {
    await edit("t-other", (y) => y.getText("t").insert(0, "a"));
    const other = new Y.Doc();
    other.getText("t").insert(0, "b");
    const db = await new Promise<IDBDatabase>((res) => {
      const r = indexedDB.open("t-other");
      r.onsuccess = () => res(r.result);
    });
    for (let i = 0; i < COMPACT_ABOVE + 1; i++) db.transaction("updates", "readwrite").objectStore("updates").add(Y.encodeStateAsUpdate(other));
    expect(await settle(db)).toMatchObject({ rows: 1 });
    db.close();
    const p = openPersistedDoc("t-other");
    await p.ready;
    expect(p.ydoc.getText("t").toString().split("").sort().join("")).toBe("ab");
    await p.release();
  });
});
