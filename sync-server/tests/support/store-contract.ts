// The behaviour every Store must have, whatever holds the data: one suite, run by sqlite.test.ts and
// postgres.test.ts against their own stores. What only one engine can show (a file reopened, a
// killed writer, an online backup) stays in that engine's test file.
import { afterEach, describe, expect, it } from "vitest";
import type { DocId, EntryId, PersonId, Sha256Hex, UnitId } from "@countersign/crdt-model";
import type { DocIndexRow, EntryReceipt, Store } from "../../src/storage/types.ts";

export interface StoreUnderTest {
  store: Store;
  /** Closes the store and removes what it was kept in; runs after every test, failed or not. */
  cleanup(): Promise<void>;
}

export const doc = (s: string) => s as DocId;
export const person = (s: string) => s as PersonId;
export const unit = (s: string) => s as UnitId;
export const bytes = (...b: number[]) => new Uint8Array(b);

export function indexRow(id: string, over: Partial<DocIndexRow> = {}): DocIndexRow {
  return {
    doc: doc(id),
    kind: "memo",
    subject: `主旨 ${id}`,
    status: "in-review",
    secrecy: "none",
    unit: unit("u-edu"),
    caseOfficer: person("p-chen"),
    dueDate: "2026-01-09",
    participants: ["person:p-chen", "unit:u-edu"],
    holders: ["person:p-chen"],
    updatedAt: "2026-01-02T00:00:00.000Z",
    docNumber: null,
    receiptNumber: null,
    fileNumber: null,
    retention: null,
    decidedAt: null,
    dispatchedAt: null,
    archivedAt: null,
    ...over,
  };
}

/**
 * Opens stores for the tests of one describe block; every store opened is cleaned up after each test,
 * failed or not, so no test sees another's data. Call it inside the describe (it registers afterEach).
 */
export function storesOpenedPerTest(makeStore: () => Promise<StoreUnderTest>): () => Promise<Store> {
  let made: StoreUnderTest[] = [];
  afterEach(async () => {
    const all = made;
    made = [];
    for (const m of all) await m.cleanup();
  });
  return async () => {
    const m = await makeStore();
    made.push(m);
    return m.store;
  };
}

export function describeStoreContract(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  const open = storesOpenedPerTest(makeStore);

  describe(`${name} documents`, () => {
    it("returns each document's updates in the order they were appended, and only that document's", async () => {
      const s = await open();
      const seqA1 = await s.appendUpdate(doc("a"), bytes(1));
      const seqB1 = await s.appendUpdate(doc("b"), bytes(2));
      const seqA2 = await s.appendUpdate(doc("a"), bytes(3, 4));
      expect(seqA1).toBeLessThan(seqB1);
      expect(seqB1).toBeLessThan(seqA2);
      expect(await s.readUpdates(doc("a"))).toEqual([
        { seq: seqA1, data: bytes(1) },
        { seq: seqA2, data: bytes(3, 4) },
      ]);
      expect(await s.readUpdates(doc("b"))).toEqual([{ seq: seqB1, data: bytes(2) }]);
      expect(await s.readUpdates(doc("none"))).toEqual([]);
      expect(await s.hasDoc(doc("a"))).toBe(true);
      expect(await s.hasDoc(doc("none"))).toBe(false);
    });

    it("stores the bytes of a Uint8Array that is a view into a larger buffer, not the whole buffer", async () => {
      const s = await open();
      const big = bytes(9, 9, 1, 2, 3, 9);
      await s.appendUpdate(doc("a"), big.subarray(2, 5));
      const [u] = await s.readUpdates(doc("a"));
      expect(Array.from(u!.data)).toEqual([1, 2, 3]);
      expect(Buffer.isBuffer(u!.data)).toBe(false);
    });

    it("keeps a compacted document's merged update before the updates that came after it", async () => {
      const s = await open();
      const seqs: number[] = [];
      for (let i = 0; i < 4; i++) seqs.push(await s.appendUpdate(doc("a"), bytes(i)));
      const other = await s.appendUpdate(doc("b"), bytes(50));
      const later = await s.appendUpdate(doc("a"), bytes(99));

      await s.compact(doc("a"), bytes(7, 7), seqs[3]!);
      // A new update after compaction still gets a seq above every seq ever handed out.
      const newest = await s.appendUpdate(doc("a"), bytes(100));

      const read = await s.readUpdates(doc("a"));
      expect(read.map((u) => Array.from(u.data))).toEqual([[7, 7], [99], [100]]);
      expect(read[0]!.seq).toBe(seqs[3]);
      expect(read[1]!.seq).toBe(later);
      expect(newest).toBeGreaterThan(later);
      expect(await s.readUpdates(doc("b"))).toEqual([{ seq: other, data: bytes(50) }]);
      // The latest seq of each document, in one read; compaction never lowers it.
      expect(await s.latestSeqs([doc("a"), doc("b"), doc("none")])).toEqual(
        new Map([
          [doc("a"), newest],
          [doc("b"), other],
        ]),
      );
      expect(await s.latestSeqs([])).toEqual(new Map());
    });

    it("compacts up to a seq that belongs to another document without taking that document's seq", async () => {
      const s = await open();
      const a1 = await s.appendUpdate(doc("a"), bytes(1));
      const b1 = await s.appendUpdate(doc("b"), bytes(2));
      await s.compact(doc("a"), bytes(3), b1);
      expect(await s.readUpdates(doc("a"))).toEqual([{ seq: a1, data: bytes(3) }]);
      expect(await s.readUpdates(doc("b"))).toEqual([{ seq: b1, data: bytes(2) }]);
    });

    it("never hands out a seq again after the newest update was compacted away", async () => {
      const s = await open();
      await s.appendUpdate(doc("a"), bytes(1));
      const last = await s.appendUpdate(doc("a"), bytes(2));
      await s.compact(doc("a"), bytes(3), last);
      expect(await s.appendUpdate(doc("a"), bytes(4))).toBeGreaterThan(last);
    });

    it("leaves every update in place when a compaction fails halfway", async () => {
      const s = await open();
      const seqs = [await s.appendUpdate(doc("a"), bytes(1)), await s.appendUpdate(doc("a"), bytes(2))];
      // The delete runs first inside the transaction; then the merged bytes cannot be converted.
      await expect(s.compact(doc("a"), null as unknown as Uint8Array, seqs[1]!)).rejects.toThrow();
      expect((await s.readUpdates(doc("a"))).map((u) => u.seq)).toEqual(seqs);
    });

    it("refuses to compact when there is nothing at or before the given seq", async () => {
      const s = await open();
      await expect(s.compact(doc("a"), bytes(1), 10)).rejects.toThrow(/no update at or before seq 10/);
      expect(await s.hasDoc(doc("a"))).toBe(false);
    });

    it("hands out distinct, readable seqs to appends made at the same time", async () => {
      const s = await open();
      const seqs = await Promise.all(Array.from({ length: 40 }, (_, i) => s.appendUpdate(doc(i % 2 ? "a" : "b"), bytes(i))));
      expect(new Set(seqs).size).toBe(40);
      const read = [...(await s.readUpdates(doc("a"))), ...(await s.readUpdates(doc("b")))];
      expect(read.map((u) => u.seq).sort((x, y) => x - y)).toEqual([...seqs].sort((x, y) => x - y));
    });
  });

  describe(`${name} index`, () => {
    it("gives back an index row exactly as it was put, and a second put replaces it", async () => {
      const s = await open();
      const row = indexRow("d1", { holders: ["unit:u-edu", "person:p-lin"], unit: null, caseOfficer: null, dueDate: null });
      await s.putIndex(row);
      expect(await s.getIndex(doc("d1"))).toEqual(row);
      const next = indexRow("d1", { status: "decided", holders: [] });
      await s.putIndex(next);
      expect(await s.getIndex(doc("d1"))).toEqual(next);
      expect(await s.queryIndex({ holders: ["person:p-lin"] })).toEqual([]);
      expect(await s.getIndex(doc("missing"))).toBeUndefined();
    });

    it("finds documents by any of the given holders, participants and statuses, newest first", async () => {
      const s = await open();
      await s.putIndex(indexRow("d1", { holders: ["person:p-lin"], participants: ["unit:u-edu"], updatedAt: "2026-01-01T00:00:00Z" }));
      await s.putIndex(indexRow("d2", { holders: ["unit:u-edu"], participants: ["unit:u-edu", "agency:A1"], updatedAt: "2026-01-03T00:00:00Z" }));
      await s.putIndex(indexRow("d3", { holders: ["role:archives"], participants: ["agency:A1"], status: "decided", updatedAt: "2026-01-02T00:00:00Z" }));
      const ids = async (q: Parameters<Store["queryIndex"]>[0]) => (await s.queryIndex(q)).map((r) => r.doc);

      expect(await ids({})).toEqual(["d2", "d3", "d1"]);
      expect(await ids({ holders: ["person:p-lin", "unit:u-edu"] })).toEqual(["d2", "d1"]);
      expect(await ids({ participants: ["agency:A1"] })).toEqual(["d2", "d3"]);
      expect(await ids({ status: ["decided"] })).toEqual(["d3"]);
      expect(await ids({ participants: ["agency:A1"], status: ["in-review"] })).toEqual(["d2"]);
      expect(await ids({ holders: ["unit:u-edu"], participants: ["agency:A1"], status: ["in-review", "decided"] })).toEqual(["d2"]);
      expect(await ids({ holders: ["person:nobody"] })).toEqual([]);
      // An empty list matches nothing, so a caller with no keys sees no documents.
      expect(await ids({ holders: [] })).toEqual([]);
      expect(await ids({ limit: 2 })).toEqual(["d2", "d3"]);
      // A document listed under both kinds of key, or under one key twice, still comes back once.
      await s.putIndex(indexRow("d4", { holders: ["x", "x"], participants: ["x"], updatedAt: "2026-01-04T00:00:00Z" }));
      expect(await ids({ holders: ["x"], participants: ["x"] })).toEqual(["d4"]);
    });

    it("writes many documents' index rows in one call, replacing their rows and keys, and keeps the last row of a document listed twice", async () => {
      const s = await open();
      await s.putIndex(indexRow("d1", { holders: ["person:p-old"] }));
      await s.putIndexes([]);
      await s.putIndexes([
        indexRow("d1", { holders: ["person:p-lin"], participants: ["unit:u-edu"], updatedAt: "2026-01-03T00:00:00Z" }),
        indexRow("d2", { holders: ["person:p-lin", "person:p-lin"], unit: null, dueDate: null, updatedAt: "2026-01-02T00:00:00Z" }),
        indexRow("d3", { holders: ["person:p-chen"], updatedAt: "2026-01-01T00:00:00Z" }),
        indexRow("d3", { holders: ["person:p-wu"], status: "decided", updatedAt: "2026-01-04T00:00:00Z" }),
      ]);
      expect(await s.getIndex(doc("d2"))).toEqual(indexRow("d2", { holders: ["person:p-lin", "person:p-lin"], unit: null, dueDate: null, updatedAt: "2026-01-02T00:00:00Z" }));
      expect(await s.getIndex(doc("d3"))).toEqual(indexRow("d3", { holders: ["person:p-wu"], status: "decided", updatedAt: "2026-01-04T00:00:00Z" }));
      const ids = async (q: Parameters<Store["queryIndex"]>[0]) => (await s.queryIndex(q)).map((r) => r.doc);
      expect(await ids({ holders: ["person:p-lin"] })).toEqual(["d1", "d2"]);
      expect(await ids({ holders: ["person:p-old"] })).toEqual([]);
      expect(await ids({ holders: ["person:p-chen"] })).toEqual([]);
      expect(await ids({ holders: ["person:p-wu"], status: ["decided"] })).toEqual(["d3"]);
    });

    it("writes none of a call's index rows when one of them cannot be written", async () => {
      const s = await open();
      await s.putIndex(indexRow("d1", { holders: ["person:p-old"] }));
      const broken = indexRow("d2", { kind: null as unknown as string });
      await expect(s.putIndexes([indexRow("d1", { holders: ["person:p-new"] }), broken, indexRow("d3")])).rejects.toThrow();
      expect(await s.getIndex(doc("d1"))).toEqual(indexRow("d1", { holders: ["person:p-old"] }));
      expect(await s.getIndex(doc("d3"))).toBeUndefined();
      expect((await s.queryIndex({ holders: ["person:p-new"] })).length).toBe(0);
    });

    it("pages in document-id order after a cursor, whatever the documents' update times", async () => {
      const s = await open();
      for (const [id, at] of [["d3", "2026-01-01"], ["d1", "2026-01-03"], ["d2", "2026-01-02"], ["d4", "2026-01-04"]] as const)
        await s.putIndex(indexRow(id, { participants: id === "d4" ? [] : ["unit:u-edu"], updatedAt: `${at}T00:00:00Z` }));
      const ids = async (q: Parameters<Store["queryIndex"]>[0]) => (await s.queryIndex(q)).map((r) => r.doc);
      expect(await ids({ after: "", limit: 2 })).toEqual(["d1", "d2"]);
      expect(await ids({ after: "d2", limit: 2 })).toEqual(["d3", "d4"]);
      expect(await ids({ after: "d1", participants: ["unit:u-edu"] })).toEqual(["d2", "d3"]);
      expect(await ids({ after: "d4" })).toEqual([]);
    });

    it("orders text bytewise, as SQLite does, whatever the database's collation", async () => {
      const s = await open();
      for (const id of ["b", "B", "a-1", "a_1", "a1", "Ä"]) await s.putIndex(indexRow(id, { updatedAt: "2026-01-01T00:00:00Z" }));
      expect((await s.queryIndex({})).map((r) => r.doc)).toEqual(["B", "a-1", "a1", "a_1", "b", "Ä"]);
    });

    it("keeps a filed document's numbers and dates (發文字號, 收文號, 檔號, 保存年限), and reads them back null when unknown", async () => {
      const s = await open();
      const filed = indexRow("d1", {
        status: "archived",
        docNumber: "示教字第1150000001號",
        receiptNumber: "1150000042",
        fileNumber: "115-0101-000012-001-00003",
        retention: 10,
        decidedAt: "2026-01-02T01:00:00.000Z",
        dispatchedAt: "2026-01-02T02:00:00.000Z",
        archivedAt: "2026-01-03T00:00:00.000Z",
      });
      await s.putIndexes([filed, indexRow("d2", { retention: "permanent" })]);
      expect(await s.getIndex(doc("d1"))).toEqual(filed);
      expect((await s.getIndex(doc("d2")))!.retention).toBe("permanent");
      // A row put without them (an older writer) reads back with nulls.
      const { docNumber: _n, receiptNumber: _r, fileNumber: _f, retention: _t, decidedAt: _d, dispatchedAt: _s, archivedAt: _a, ...bare } = indexRow("d3");
      await s.putIndex(bare);
      expect(await s.getIndex(doc("d3"))).toEqual(indexRow("d3"));
      expect((await s.queryIndex({ status: ["archived"] })).map((r) => r.fileNumber)).toEqual(["115-0101-000012-001-00003"]);
    });
  });

  describe(`${name} 檔案查詢 (searchIndex)`, () => {
    it("finds rows by 檔號 prefix, ROC year (檔號 or archived in it, Taipei time), 主旨, 文號 and unit; never by wildcard", async () => {
      const s = await open();
      const filed = (id: string, o: Partial<DocIndexRow>) => indexRow(id, { status: "archived", holders: [], ...o });
      await s.putIndexes([
        filed("a1", { fileNumber: "115-0101-000001-001-00001", subject: "校園安全 100% 檢核", docNumber: "示教字第1150000001號", archivedAt: "2026-03-01T00:00:00.000Z", updatedAt: "2026-03-01T00:00:00Z" }),
        filed("a2", { fileNumber: "114-0202-000002-001-00001", subject: "獎懲要點", docNumber: "示教字第1140000009號", unit: unit("u-per"), archivedAt: "2025-12-31T16:30:00.000Z", updatedAt: "2026-03-02T00:00:00Z" }),
        filed("a3", { fileNumber: "114-0101-000003-001-00001", subject: "獎懲要點補充", archivedAt: "2025-12-31T15:30:00.000Z", updatedAt: "2026-03-03T00:00:00Z" }),
        indexRow("open", { subject: "獎懲要點草案" }),
      ]);
      const ids = async (q: Partial<Parameters<Store["searchIndex"]>[0]>) => (await s.searchIndex({ status: ["archived"], limit: 100, ...q })).map((r) => r.doc);
      expect(await ids({})).toEqual(["a3", "a2", "a1"]);
      expect(await ids({ fileNumber: "115-0101" })).toEqual(["a1"]);
      expect(await ids({ fileNumber: "114-" })).toEqual(["a3", "a2"]);
      // 2025-12-31T16:30Z is 2026-01-01 00:30 in Taipei: ROC 115, though its 檔號 says 114.
      expect(await ids({ year: 115 })).toEqual(["a2", "a1"]);
      expect(await ids({ year: 114 })).toEqual(["a3", "a2"]);
      expect(await ids({ subject: "獎懲" })).toEqual(["a3", "a2"]);
      expect(await ids({ subject: "100%" })).toEqual(["a1"]);
      expect(await ids({ subject: "%" })).toEqual(["a1"]);
      expect(await ids({ subject: "_" })).toEqual([]);
      expect(await ids({ docNumber: "1140000009" })).toEqual(["a2"]);
      expect(await ids({ unit: unit("u-per"), subject: "獎懲" })).toEqual(["a2"]);
      expect(await ids({ limit: 1 })).toEqual(["a3"]);
      expect((await s.searchIndex({ status: ["in-review"], subject: "獎懲", limit: 10 })).map((r) => r.doc)).toEqual(["open"]);
    });
  });

  describe(`${name} 調閱 (archive views)`, () => {
    it("records every view, newest first, and finds them by document, person and time", async () => {
      const s = await open();
      const v = (d: string, p: string, at: string) => ({ doc: doc(d), person: person(p), at });
      const first = await s.recordView(v("d1", "p-lin", "2026-01-01T00:00:00.000Z"));
      const second = await s.recordView(v("d1", "p-lin", "2026-01-02T00:00:00.000Z"));
      await s.recordView(v("d2", "p-wu", "2026-01-03T00:00:00.000Z"));
      expect(second).toBeGreaterThan(first);
      expect((await s.views()).map((r) => [r.doc, r.person, r.at])).toEqual([
        ["d2", "p-wu", "2026-01-03T00:00:00.000Z"],
        ["d1", "p-lin", "2026-01-02T00:00:00.000Z"],
        ["d1", "p-lin", "2026-01-01T00:00:00.000Z"],
      ]);
      expect((await s.views({ doc: doc("d1"), person: person("p-lin"), since: "2026-01-01T12:00:00.000Z" })).map((r) => r.seq)).toEqual([second]);
      expect(await s.views({ person: person("p-nobody") })).toEqual([]);
      expect(await s.views({ limit: 1 })).toHaveLength(1);
    });
  });

  describe(`${name} receipts`, () => {
    it("keeps the first sighting of an entry and returns it for every later one", async () => {
      const s = await open();
      const first = { doc: doc("d1"), entry: "e1" as EntryId, receivedAt: "2026-01-02T03:04:05.000Z", signature: "c2ln" };
      expect(await s.recordReceipt(first)).toEqual(first);
      expect(await s.recordReceipt({ ...first, receivedAt: "2026-02-01T00:00:00.000Z", signature: "b3RoZXI=" })).toEqual(first);
      const second = { doc: doc("d1"), entry: "e2" as EntryId, receivedAt: "2026-01-03T00:00:00.000Z", signature: "eA==" };
      await s.recordReceipt(second);
      await s.recordReceipt({ doc: doc("d2"), entry: "e3" as EntryId, receivedAt: "2026-01-01T00:00:00.000Z", signature: "eQ==" });
      expect(await s.receipts(doc("d1"))).toEqual([first, second]);
    });

    it("gives every concurrent first sighting of one entry the same receipt", async () => {
      const s = await open();
      const tries = Array.from({ length: 10 }, (_, i) => ({ doc: doc("d1"), entry: "e1" as EntryId, receivedAt: `2026-01-02T00:00:0${i}.000Z`, signature: `s${i}` }));
      const got = await Promise.all(tries.map((r) => s.recordReceipt(r)));
      expect(new Set(got.map((r) => r.signature)).size).toBe(1);
      expect(await s.receipts(doc("d1"))).toEqual([got[0]]);
    });

    it("records many receipts in one call, each entry's first sighting kept and returned in the order given", async () => {
      const s = await open();
      const r = (entry: string, d: string, at: string, sig: string) => ({ doc: doc(d), entry: entry as EntryId, receivedAt: `2026-01-0${at}T00:00:00.000Z`, signature: sig });
      const earlier = r("e2", "d1", "1", "Zmlyc3Q=");
      expect(await s.recordReceipt(earlier)).toEqual(earlier);
      expect(await s.recordReceipts([])).toEqual([]);
      const e1 = r("e1", "d1", "2", "YQ==");
      const e3 = r("e3", "d2", "2", "Yw==");
      // e2 was sighted before, and e1 a second time within the same call: both keep the first.
      const got = await s.recordReceipts([e1, r("e2", "d1", "2", "Yg=="), e3, r("e1", "d1", "3", "ZA==")]);
      expect(got).toEqual([e1, earlier, e3, e1]);
      expect(await s.receipts(doc("d1"))).toEqual([earlier, e1]);
      expect(await s.receipts(doc("d2"))).toEqual([e3]);
    });

    it("gives concurrent calls that sight the same entries the same receipts, whatever their order", async () => {
      const s = await open();
      const entries = Array.from({ length: 20 }, (_, i) => `e${String(i).padStart(2, "0")}` as EntryId);
      const calls = Array.from({ length: 6 }, (_, c) => {
        const order = c % 2 ? [...entries].reverse() : entries;
        return order.map((entry) => ({ doc: doc("d1"), entry, receivedAt: `2026-01-02T00:00:0${c}.000Z`, signature: `s${c}` }));
      });
      const got = await Promise.all([...calls.map((rs) => s.recordReceipts(rs)), ...entries.map((entry) => s.recordReceipt({ ...calls[0]![0]!, entry, signature: "single" }))]);
      const stored = new Map((await s.receipts(doc("d1"))).map((r) => [r.entry, r]));
      expect(stored.size).toBe(20);
      for (const rs of got.slice(0, 6) as EntryReceipt[][]) for (const r of rs) expect(r).toEqual(stored.get(r.entry));
      for (const r of got.slice(6) as EntryReceipt[]) expect(r).toEqual(stored.get(r.entry));
    });
  });

  describe(`${name} directory`, () => {
    it("creates, updates and lists units, people, deputies and the delegation table", async () => {
      const s = await open();
      await s.putUnit({ id: unit("u-child"), name: "課", parent: unit("u-top") });
      await s.putUnit({ id: unit("u-top"), name: "局", parent: null });
      await s.putUnit({ id: unit("u-child"), name: "教育課", parent: unit("u-top") });
      expect(await s.units()).toEqual([
        { id: "u-child", name: "教育課", parent: "u-top" },
        { id: "u-top", name: "局", parent: null },
      ]);

      const chen = { id: person("p-chen"), name: "陳小明", unit: unit("u-child"), level: 1, roles: ["case-officer" as never], active: true };
      await s.putPerson(chen);
      await s.putPerson({ id: person("p-lin"), name: "林主任", unit: unit("u-top"), level: 3, roles: [], active: false });
      expect(await s.person(person("p-chen"))).toEqual(chen);
      await s.putPerson({ ...chen, level: 2, active: false });
      expect(await s.person(person("p-chen"))).toEqual({ ...chen, level: 2, active: false });
      expect((await s.people()).map((p) => [p.id, p.active])).toEqual([["p-chen", false], ["p-lin", false]]);
      expect(await s.person(person("nobody"))).toBeUndefined();

      const d = { principal: person("p-lin"), deputy: person("p-chen"), from: "2026-01-01", until: "2026-01-05" };
      await s.putDeputy(d);
      await s.putDeputy({ ...d, until: "2026-01-10" });
      await s.putDeputy({ ...d, from: "2026-02-01", until: "2026-02-02" });
      expect(await s.deputies()).toEqual([{ ...d, until: "2026-01-10" }, { ...d, from: "2026-02-01", until: "2026-02-02" }]);

      expect(await s.delegation()).toBeUndefined();
      await s.putDelegation('{"rows":[]}');
      expect(await s.delegation()).toBe('{"rows":[]}');
    });

    it("keeps a person's e-mail address, and clears it when put without one", async () => {
      const s = await open();
      const kao = { id: person("p-kao"), name: "高管理", unit: unit("u-top"), level: 2, roles: ["admin" as never], active: true, email: "kao@example.gov.tw" };
      await s.putPerson(kao);
      expect(await s.person(person("p-kao"))).toEqual(kao);
      await s.putPerson({ ...kao, email: null });
      expect(await s.person(person("p-kao"))).toEqual({ id: kao.id, name: kao.name, unit: kao.unit, level: 2, roles: ["admin"], active: true });
    });

    it("keeps an append-only audit log, newest first, paged by seq", async () => {
      const s = await open();
      expect(await s.auditLog()).toEqual([]);
      const row = (i: number) => ({
        at: `2026-01-0${i}T00:00:00.000Z`,
        actor: i === 1 ? "system" : "person:p-kao",
        action: i === 1 ? "person.add" : "person.edit",
        target: "p-chen",
        before: i === 1 ? null : JSON.stringify({ level: i - 1, name: "陳小明" }),
        after: JSON.stringify({ level: i, name: "陳小明" }),
      });
      const seqs: number[] = [];
      for (const i of [1, 2, 3]) seqs.push(await s.appendAudit(row(i)));
      expect(seqs[0]!).toBeLessThan(seqs[1]!);
      expect(seqs[1]!).toBeLessThan(seqs[2]!);
      const all = await s.auditLog();
      expect(all.map((r) => r.action)).toEqual(["person.edit", "person.edit", "person.add"]);
      expect(all[2]).toEqual({ seq: seqs[0], ...row(1) });
      expect(all[0]).toEqual({ seq: seqs[2], ...row(3) });
      const first = await s.auditLog({ limit: 2 });
      expect(first.map((r) => r.seq)).toEqual([seqs[2], seqs[1]]);
      expect((await s.auditLog({ before: first[1]!.seq!, limit: 2 })).map((r) => r.seq)).toEqual([seqs[0]]);
      expect(await s.auditLog({ before: seqs[0]! })).toEqual([]);
    });

    it("keeps settings by key and replaces a value on a second set", async () => {
      const s = await open();
      expect(await s.getSetting("agency.code")).toBeUndefined();
      await s.setSetting("agency.code", "A1");
      await s.setSetting("agency.code", "A2");
      expect(await s.getSetting("agency.code")).toBe("A2");
    });

    it("counts without ever handing out one number twice, however many ask at once", async () => {
      const s = await open();
      expect(await s.nextCounter("test:seq")).toBe(1);
      const got = await Promise.all(Array.from({ length: 40 }, () => s.nextCounter("test:seq")));
      expect(new Set(got).size).toBe(40);
      expect(Math.max(...got)).toBe(41);
      expect(await s.getSetting("test:seq")).toBe("41");
      expect(await s.nextCounter("test:other")).toBe(1);
    });

    it("reserves a number and records what it points at in one step, never one number twice", async () => {
      const s = await open();
      const got = await Promise.all(Array.from({ length: 30 }, (_, i) => s.reserveCounted("test:res", (n) => [[`test:res:${n}`, `doc-${i}`], [`test:doc:${i}`, String(n)]])));
      expect(new Set(got).size).toBe(30);
      expect(Math.max(...got)).toBe(30);
      for (let i = 0; i < 30; i++) {
        expect(await s.getSetting(`test:doc:${i}`)).toBe(String(got[i]));
        expect(await s.getSetting(`test:res:${got[i]}`)).toBe(`doc-${i}`);
      }
      // Counted by the same counter as nextCounter.
      expect(await s.nextCounter("test:res")).toBe(31);
    });

    it("marks itself with a schema version", async () => {
      const s = await open();
      expect(Number(await s.getSetting("schema_version"))).toBeGreaterThanOrEqual(1);
    });
  });

  describe(`${name} identity`, () => {
    it("lists certificates by person and revokes each one once, for good", async () => {
      const s = await open();
      const c1 = { serial: "01", person: person("p-chen"), cert: "MIIB", issuedAt: "2026-01-01T00:00:00Z", revokedAt: null, origin: "issued" as const };
      const c2 = { ...c1, serial: "02", issuedAt: "2026-01-02T00:00:00Z", origin: "registered" as const };
      const c3 = { ...c1, serial: "03", person: person("p-lin") };
      for (const c of [c1, c2, c3]) await s.putCertificate(c);
      expect(await s.certificates(person("p-chen"))).toEqual([c1, c2]);
      expect((await s.certificates()).map((c) => c.serial)).toEqual(["01", "03", "02"]);

      expect(await s.revokeCertificate("01", "2026-01-05T00:00:00Z")).toBe(true);
      expect(await s.revokeCertificate("01", "2026-01-06T00:00:00Z")).toBe(false);
      expect(await s.revokeCertificate("99", "2026-01-06T00:00:00Z")).toBe(false);
      // Putting the certificate again does not lift the revocation.
      await s.putCertificate(c1);
      expect((await s.certificates(person("p-chen")))[0]!.revokedAt).toBe("2026-01-05T00:00:00Z");
    });

    it("lets an enrollment code be used once and only before it expires", async () => {
      const s = await open();
      const e = { codeHash: "h1", person: person("p-chen"), expiresAt: "2026-01-02T00:00:00.000Z", usedAt: null };
      await s.putEnrollment(e);
      await s.putEnrollment({ ...e, codeHash: "h2" });
      expect(await s.useEnrollment("h1", "2026-01-01T12:00:00.000Z")).toEqual({ ...e, usedAt: "2026-01-01T12:00:00.000Z" });
      expect(await s.useEnrollment("h1", "2026-01-01T12:00:01.000Z")).toBeUndefined();
      // Putting a used code again does not make it usable.
      await s.putEnrollment(e);
      expect(await s.useEnrollment("h1", "2026-01-01T12:00:02.000Z")).toBeUndefined();
      // Expiry compares instants: 08:00+08:00 is exactly the expiry, so the code is no longer valid.
      expect(await s.useEnrollment("h2", "2026-01-02T08:00:00+08:00")).toBeUndefined();
      expect(await s.useEnrollment("h2", "2026-01-02T07:59:59+08:00")).toMatchObject({ codeHash: "h2" });
      expect(await s.useEnrollment("unknown", "2026-01-01T00:00:00Z")).toBeUndefined();
      await s.putEnrollment({ ...e, codeHash: "h3" });
      expect(await s.useEnrollment("h3", "not a time")).toBeUndefined();
      // A time without an offset is UTC, and an expiry that is no time never lets the code through.
      await s.putEnrollment({ ...e, codeHash: "h4", expiresAt: "2026-01-02 00:00:00" });
      expect(await s.useEnrollment("h4", "2026-01-02T00:00:00Z")).toBeUndefined();
      expect(await s.useEnrollment("h4", "2026-01-01T23:59:59.5Z")).toMatchObject({ codeHash: "h4" });
      await s.putEnrollment({ ...e, codeHash: "h5", expiresAt: "infinity" });
      expect(await s.useEnrollment("h5", "2026-01-01T00:00:00Z")).toBeUndefined();
    });

    it("lets only one of many concurrent uses of an enrollment code succeed", async () => {
      const s = await open();
      await s.putEnrollment({ codeHash: "h1", person: person("p-chen"), expiresAt: "2026-01-02T00:00:00.000Z", usedAt: null });
      const got = await Promise.all(Array.from({ length: 10 }, (_, i) => s.useEnrollment("h1", `2026-01-01T00:00:0${i}.000Z`)));
      expect(got.filter((e) => e !== undefined)).toHaveLength(1);
    });

    it("lets a challenge be taken once and only before it expires", async () => {
      const s = await open();
      await s.putChallenge("n1", "2026-01-01T00:01:00Z");
      await s.putChallenge("n2", "2026-01-01T00:01:00Z");
      expect(await s.takeChallenge("n1", "2026-01-01T00:00:30Z")).toBe(true);
      expect(await s.takeChallenge("n1", "2026-01-01T00:00:31Z")).toBe(false);
      expect(await s.takeChallenge("n2", "2026-01-01T00:01:00Z")).toBe(false);
      expect(await s.takeChallenge("unknown", "2026-01-01T00:00:00Z")).toBe(false);
    });

    it("lets only one of many concurrent takes of a challenge succeed", async () => {
      const s = await open();
      await s.putChallenge("n1", "2026-01-01T00:01:00Z");
      const got = await Promise.all(Array.from({ length: 10 }, () => s.takeChallenge("n1", "2026-01-01T00:00:30Z")));
      expect(got.filter(Boolean)).toHaveLength(1);
    });

    it("drops challenges that have expired when another challenge is taken", async () => {
      const s = await open();
      await s.putChallenge("old", "2026-01-01T00:00:00Z");
      await s.putChallenge("fresh", "2026-01-01T00:10:00Z");
      await s.takeChallenge("other", "2026-01-01T00:05:00Z");
      // Seen through the interface: a purged challenge can no longer be taken even with an early clock.
      expect(await s.takeChallenge("old", "2025-12-31T00:00:00Z")).toBe(false);
      expect(await s.takeChallenge("fresh", "2026-01-01T00:06:00Z")).toBe(true);
    });

    it("stores no more than the cap of unexpired challenges, purging the expired first; tickets are not counted", async () => {
      const s = await open();
      const bound = { at: "2026-01-01T00:00:00Z", max: 2 };
      expect(await s.putChallenge("stale", "2025-12-31T23:59:00Z")).toBe(true);
      expect(await s.putChallenge("a", "2026-01-01T00:02:00Z", bound)).toBe(true);
      expect(await s.putChallenge("ticket:t", "2026-01-01T00:00:30Z")).toBe(true);
      expect(await s.putChallenge("b", "2026-01-01T00:02:00Z", bound)).toBe(true);
      expect(await s.putChallenge("c", "2026-01-01T00:02:00Z", bound)).toBe(false);
      expect(await s.takeChallenge("c", "2026-01-01T00:00:10Z")).toBe(false);
      // Once they have expired there is room again.
      expect(await s.putChallenge("d", "2026-01-01T00:05:00Z", { at: "2026-01-01T00:03:00Z", max: 2 })).toBe(true);
      expect(await s.takeChallenge("d", "2026-01-01T00:03:01Z")).toBe(true);
    });

    it("tells the standing of certificates in one read: revoked, person inactive, unknown, and the person's unit, level and roles as they stand now", async () => {
      const s = await open();
      await s.putPerson({ id: person("p-chen"), name: "陳", unit: unit("u-edu"), level: 1, roles: ["case-officer"], active: true });
      await s.putPerson({ id: person("p-lin"), name: "林", unit: unit("u-edu"), level: 1, roles: ["case-officer"], active: false });
      const cert = (serial: string, p: string) => ({ serial, person: person(p), cert: "MIIB", issuedAt: "2026-01-01T00:00:00Z", revokedAt: null, origin: "issued" as const });
      await s.putCertificate(cert("0a", "p-chen"));
      await s.putCertificate(cert("0b", "p-chen"));
      await s.putCertificate(cert("0c", "p-lin"));
      await s.putCertificate(cert("0d", "p-gone"));
      await s.revokeCertificate("0b", "2026-01-02T00:00:00Z");
      const st = await s.certificateStandings(["0a", "0b", "0c", "0d", "ff"]);
      expect(Object.fromEntries(st)).toEqual({
        "0a": { person: "p-chen", revoked: false, active: true, current: { unit: "u-edu", level: 1, roles: ["case-officer"] } },
        "0b": { person: "p-chen", revoked: true, active: true, current: { unit: "u-edu", level: 1, roles: ["case-officer"] } },
        "0c": { person: "p-lin", revoked: false, active: false, current: { unit: "u-edu", level: 1, roles: ["case-officer"] } },
        "0d": { person: "p-gone", revoked: false, active: false, current: null },
      });
      expect((await s.certificateStandings([])).size).toBe(0);
      // A directory change shows in the next read: sessions take unit, level and roles from here.
      await s.putPerson({ id: person("p-chen"), name: "陳", unit: unit("u-sec"), level: 2, roles: ["registry"], active: true });
      expect((await s.certificateStandings(["0a"])).get("0a")?.current).toEqual({ unit: "u-sec", level: 2, roles: ["registry"] });
    });
  });

  describe(`${name} attachment references`, () => {
    const h = (c: string) => c.repeat(64) as Sha256Hex;
    it("knows which documents reference an attachment, replaced with each index row that carries them", async () => {
      const s = await open();
      await s.putIndex(indexRow("d1", { attachments: [h("a"), h("b")] }));
      await s.putIndexes([indexRow("d2", { attachments: [h("a")] }), indexRow("d3")]);
      expect(await s.blobDocs(h("a"))).toEqual([doc("d1"), doc("d2")]);
      expect(await s.blobDocs(h("b"))).toEqual([doc("d1")]);
      expect(await s.blobDocs(h("c"))).toEqual([]);
      // A row without the field leaves the references; a row with it replaces them.
      await s.putIndex(indexRow("d1"));
      expect(await s.blobDocs(h("b"))).toEqual([doc("d1")]);
      await s.putIndex(indexRow("d1", { attachments: [h("c")] }));
      expect(await s.blobDocs(h("b"))).toEqual([]);
      expect(await s.blobDocs(h("c"))).toEqual([doc("d1")]);
      // The index row itself is given back as put, without the references.
      expect(await s.getIndex(doc("d2"))).toEqual(indexRow("d2"));
    });
  });

  describe(`${name} Yjs client bindings`, () => {
    it("binds a document's client ids to their first writer, keeps that binding, and keeps documents apart", async () => {
      const s = await open();
      const big = 2 ** 32 - 1; // Yjs client ids are unsigned 32-bit
      expect(await s.claimClients(doc("d1"), "person:chen", [7, big])).toEqual(new Map([[7, "person:chen"], [big, "person:chen"]]));
      // Someone else claiming them gets the first owner back; a new id is theirs.
      expect(await s.claimClients(doc("d1"), "person:lin", [7, 8])).toEqual(new Map([[7, "person:chen"], [8, "person:lin"]]));
      expect(await s.claimClients(doc("d2"), "server", [7])).toEqual(new Map([[7, "server"]]));
      expect(await s.claimClients(doc("d1"), "person:lin", [])).toEqual(new Map());
      // Concurrent claims of one id: exactly one owner wins, and every caller is told the same one.
      const answers = await Promise.all(["a", "b", "c"].map((w) => s.claimClients(doc("d3"), `person:${w}`, [42])));
      expect(new Set(answers.map((m) => m.get(42))).size).toBe(1);
    });
  });
}
