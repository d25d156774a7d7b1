// Spaced-out watching of whole tables (the inbox's and the notices' reads of the index), on fake-indexeddb.
import "fake-indexeddb/auto";
import { afterEach, describe, expect, it } from "vitest";
import { Dexie, type Table } from "dexie";
import { watchTables, type WatchResult } from "./watch-tables.ts";

class TestDb extends Dexie {
  docs!: Table<{ doc: string; n: number }, string>;
  other!: Table<{ key: string }, string>;
  constructor(name: string) {
    super(name);
    this.version(1).stores({ docs: "doc", other: "key" });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let n = 0;
const dbs: TestDb[] = [];
function fresh(): TestDb {
  const db = new TestDb(`t-watch-${n++}`);
  dbs.push(db);
  return db;
}
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

/** Watches `docs` of `db`, counting the reads and keeping the last value. */
function watch(db: TestDb, everyMs: number) {
  const seen = { reads: 0, last: [] as number[], results: [] as WatchResult<number[]>[] };
  const w = watchTables(
    db,
    ["docs"],
    async () => {
      seen.reads++;
      return (await db.docs.toArray()).map((r) => r.n);
    },
    (r) => {
      seen.results.push(r);
      if (r.ok) seen.last = r.value;
    },
    everyMs,
  );
  return { seen, stop: w.stop, refresh: w.refresh };
}

/** Opening a database counts as a change to all its tables (Dexie): waits until that has been read too. */
async function opened(count: () => number): Promise<number> {
  await until(() => count() >= 1);
  await sleep(100);
  return count();
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await sleep(5);
  }
}

describe("watching whole tables", () => {
  it("a burst of 100 writes is read a few times, and the last read holds the last write", async () => {
    const db = fresh();
    const { seen, stop } = watch(db, 200);
    await until(() => seen.results.length === 1);
    for (let i = 0; i < 100; i++) await db.docs.put({ doc: `d${i}`, n: i });
    await until(() => seen.last.length === 100);
    await sleep(300);
    stop();
    expect(seen.last).toHaveLength(100);
    // The first read, the change after it at once, then one read per 200 ms of the burst at most.
    expect(seen.reads).toBeLessThan(10);
  });

  it("the first change after a quiet spell is read at once, not after the interval", async () => {
    const db = fresh();
    await db.open();
    const { seen, stop } = watch(db, 10_000);
    await until(() => seen.results.length === 1);
    await sleep(20);
    // The interval since the first read has not passed: this change waits for it.
    await db.docs.put({ doc: "a", n: 1 });
    await sleep(100);
    expect(seen.last).toEqual([]);
    stop();

    const db2 = fresh();
    const w2 = watch(db2, 50);
    await opened(() => w2.seen.reads); // quiet for longer than the interval
    const at = performance.now();
    await db2.docs.put({ doc: "a", n: 1 });
    await until(() => w2.seen.last.length === 1);
    expect(performance.now() - at).toBeLessThan(50);
    w2.stop();
  });

  it("refresh reads at once and resolves once what was written before it is handed over", async () => {
    const db = fresh();
    const { seen, stop, refresh } = watch(db, 10_000);
    await opened(() => seen.reads);
    // Within the interval: the change alone would wait ten seconds.
    await db.docs.put({ doc: "a", n: 1 });
    const at = performance.now();
    await refresh();
    expect(seen.last).toEqual([1]);
    expect(performance.now() - at).toBeLessThan(1000);
    // Called while a read is under way, it waits for a read that starts after it.
    const both = Promise.all([refresh(), db.docs.put({ doc: "b", n: 2 }).then(() => refresh())]);
    await both;
    expect(seen.last).toEqual([1, 2]);
    stop();
    // Stopped: resolves at once, reading nothing.
    const reads = seen.reads;
    await refresh();
    expect(seen.reads).toBe(reads);
  });

  it("a write to another table, or another database, is not a change", async () => {
    const db = fresh();
    const other = fresh();
    await other.open();
    const { seen, stop } = watch(db, 0);
    const reads = await opened(() => seen.reads);
    await db.other.put({ key: "x" });
    await other.docs.put({ doc: "a", n: 1 });
    await sleep(100);
    expect(seen.reads).toBe(reads);
    stop();
  });

  it("after stopping, nothing is read or handed over", async () => {
    const db = fresh();
    const { seen, stop } = watch(db, 0);
    const reads = await opened(() => seen.reads);
    stop();
    await db.docs.put({ doc: "a", n: 1 });
    await sleep(100);
    expect(seen.reads).toBe(reads);
    expect(seen.results).toHaveLength(reads);
  });

  it("a failing read is handed over as an error, and the next change is read again", async () => {
    const db = fresh();
    let fail = true;
    const results: WatchResult<number>[] = [];
    const { stop } = watchTables(
      db,
      ["docs"],
      async () => {
        if (fail) throw new Error("blocked");
        return db.docs.count();
      },
      (r) => results.push(r),
      0,
    );
    await db.open();
    await until(() => results.length >= 1);
    await sleep(100);
    expect(results.at(-1)).toMatchObject({ ok: false });
    fail = false;
    await db.docs.put({ doc: "a", n: 1 });
    await until(() => results.at(-1)?.ok === true);
    expect(results.at(-1)).toEqual({ ok: true, value: 1 });
    stop();
  });
});
