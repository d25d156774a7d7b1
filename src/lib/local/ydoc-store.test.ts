// Persisted documents in the person's one database (see ydoc-store.ts), on fake-indexeddb: reopening
// without edits leaves the rows as they were; many small edits are merged into one row on the next
// open; a row written by someone else meanwhile is kept by the merge.
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { LocalDb } from "./db.ts";
import { COMPACT_ABOVE, openPersistedDoc, settle } from "./ydoc-store.ts";

const db = new LocalDb("t-ydoc-store");

async function stats(doc: string): Promise<{ rows: number; bytes: number }> {
  const rows = await db.updates.where("doc").equals(doc).toArray();
  return { rows: rows.length, bytes: rows.reduce((n, r) => n + r.update.byteLength, 0) };
}

async function edit(doc: string, fn: (y: Y.Doc) => void): Promise<void> {
  const p = openPersistedDoc(db, doc);
  await p.ready;
  fn(p.ydoc);
  await p.release();
}

describe("persisted documents", () => {
  it("opening a document 50 times without edits does not grow its store", async () => {
    await edit("t-reopen", (y) => y.getText("subject").insert(0, "有關學生獎懲實施要點修正一案"));
    const before = await stats("t-reopen");
    for (let i = 0; i < 50; i++) {
      const p = openPersistedDoc(db, "t-reopen");
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
      // At most COMPACT_ABOVE kept rows plus the edit: opening appends nothing.
      expect((await stats("t-compact")).rows).toBeLessThanOrEqual(COMPACT_ABOVE + 1);
    }
    const p = openPersistedDoc(db, "t-compact");
    await p.ready;
    expect(p.ydoc.getArray<number>("n").toArray()).toEqual([...Array(edits).keys()]);
    await p.release();
  });

  it("local changes are queued through the callback in the row's transaction; remote and loaded ones are not", async () => {
    const queued: Uint8Array[] = [];
    const p = openPersistedDoc(db, "t-queue", async (u) => void queued.push(u));
    await p.ready;
    p.ydoc.getText("t").insert(0, "本機");
    await p.release();
    expect(queued).toHaveLength(1);
    const again = openPersistedDoc(db, "t-queue", async (u) => void queued.push(u));
    await again.ready;
    expect(again.ydoc.getText("t").toString()).toBe("本機");
    await again.release();
    expect(queued).toHaveLength(1);
  });

  it("two openers of one document share one copy", async () => {
    const a = openPersistedDoc(db, "t-shared");
    const b = openPersistedDoc(db, "t-shared");
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
    for (let i = 0; i < COMPACT_ABOVE + 1; i++) await db.updates.add({ doc: "t-other", update: Y.encodeStateAsUpdate(other) });
    expect(await settle(db, "t-other")).toMatchObject({ rows: 1 });
    const p = openPersistedDoc(db, "t-other");
    await p.ready;
    expect(p.ydoc.getText("t").toString().split("").sort().join("")).toBe("ab");
    await p.release();
  });
});
