import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DocId, EntryId, PersonId, UnitId } from "@countersign/crdt-model";
import { SCHEMA_VERSION } from "./sqlite-schema.ts";
import { openSqliteStore, restoreSqliteStore, SqliteStore } from "./sqlite.ts";
import type { DocIndexRow, Store } from "./types.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const doc = (s: string) => s as DocId;
const person = (s: string) => s as PersonId;
const unit = (s: string) => s as UnitId;
const bytes = (...b: number[]) => new Uint8Array(b);

let dir: string;
let opened: Store[];

function open(name = "store.db"): Store {
  const s = openSqliteStore(path.join(dir, name));
  opened.push(s);
  return s;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-sqlite-"));
  opened = [];
});

afterEach(async () => {
  for (const s of opened) await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function indexRow(id: string, over: Partial<DocIndexRow> = {}): DocIndexRow {
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
    ...over,
  };
}

describe("SqliteStore documents", () => {
  it("returns each document's updates in the order they were appended, and only that document's", async () => {
    const s = open();
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
    const s = open();
    const big = bytes(9, 9, 1, 2, 3, 9);
    await s.appendUpdate(doc("a"), big.subarray(2, 5));
    const [u] = await s.readUpdates(doc("a"));
    expect(Array.from(u!.data)).toEqual([1, 2, 3]);
    expect(Buffer.isBuffer(u!.data)).toBe(false);
  });

  it("keeps a compacted document's merged update before the updates that came after it", async () => {
    const s = open();
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
  });

  it("compacts up to a seq that belongs to another document without taking that document's seq", async () => {
    const s = open();
    const a1 = await s.appendUpdate(doc("a"), bytes(1));
    const b1 = await s.appendUpdate(doc("b"), bytes(2));
    await s.compact(doc("a"), bytes(3), b1);
    expect(await s.readUpdates(doc("a"))).toEqual([{ seq: a1, data: bytes(3) }]);
    expect(await s.readUpdates(doc("b"))).toEqual([{ seq: b1, data: bytes(2) }]);
  });

  it("never hands out a seq again after the newest update was compacted away", async () => {
    const s = open();
    await s.appendUpdate(doc("a"), bytes(1));
    const last = await s.appendUpdate(doc("a"), bytes(2));
    await s.compact(doc("a"), bytes(3), last);
    expect(await s.appendUpdate(doc("a"), bytes(4))).toBeGreaterThan(last);
  });

  it("leaves every update in place when a compaction fails halfway", async () => {
    const s = open();
    const seqs = [await s.appendUpdate(doc("a"), bytes(1)), await s.appendUpdate(doc("a"), bytes(2))];
    // The delete runs first inside the transaction; then the merged bytes cannot be converted.
    await expect(s.compact(doc("a"), null as unknown as Uint8Array, seqs[1]!)).rejects.toThrow();
    const other = open();
    expect((await other.readUpdates(doc("a"))).map((u) => u.seq)).toEqual(seqs);
  });

  it("refuses to compact when there is nothing at or before the given seq", async () => {
    const s = open();
    await expect(s.compact(doc("a"), bytes(1), 10)).rejects.toThrow(/no update at or before seq 10/);
    expect(await s.hasDoc(doc("a"))).toBe(false);
  });

  it("keeps an appended update after the store is closed and opened again", async () => {
    const s = open();
    const seq = await s.appendUpdate(doc("a"), bytes(4, 2));
    await s.close();
    const again = open();
    expect(await again.readUpdates(doc("a"))).toEqual([{ seq, data: bytes(4, 2) }]);
  });
});

describe("SqliteStore index", () => {
  it("gives back an index row exactly as it was put, and a second put replaces it", async () => {
    const s = open();
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
    const s = open();
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
});

describe("SqliteStore receipts", () => {
  it("keeps the first sighting of an entry and returns it for every later one", async () => {
    const s = open();
    const first = { doc: doc("d1"), entry: "e1" as EntryId, receivedAt: "2026-01-02T03:04:05.000Z", signature: "c2ln" };
    expect(await s.recordReceipt(first)).toEqual(first);
    expect(await s.recordReceipt({ ...first, receivedAt: "2026-02-01T00:00:00.000Z", signature: "b3RoZXI=" })).toEqual(first);
    const second = { doc: doc("d1"), entry: "e2" as EntryId, receivedAt: "2026-01-03T00:00:00.000Z", signature: "eA==" };
    await s.recordReceipt(second);
    await s.recordReceipt({ doc: doc("d2"), entry: "e3" as EntryId, receivedAt: "2026-01-01T00:00:00.000Z", signature: "eQ==" });
    expect(await s.receipts(doc("d1"))).toEqual([first, second]);
  });
});

describe("SqliteStore directory", () => {
  it("creates, updates and lists units, people, deputies and the delegation table", async () => {
    const s = open();
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

  it("keeps settings by key and replaces a value on a second set", async () => {
    const s = open();
    expect(await s.getSetting("agency.code")).toBeUndefined();
    await s.setSetting("agency.code", "A1");
    await s.setSetting("agency.code", "A2");
    expect(await s.getSetting("agency.code")).toBe("A2");
  });
});

describe("SqliteStore identity", () => {
  it("lists certificates by person and revokes each one once, for good", async () => {
    const s = open();
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
    const s = open();
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
  });

  it("lets a challenge be taken once and only before it expires", async () => {
    const s = open();
    await s.putChallenge("n1", "2026-01-01T00:01:00Z");
    await s.putChallenge("n2", "2026-01-01T00:01:00Z");
    expect(await s.takeChallenge("n1", "2026-01-01T00:00:30Z")).toBe(true);
    expect(await s.takeChallenge("n1", "2026-01-01T00:00:31Z")).toBe(false);
    expect(await s.takeChallenge("n2", "2026-01-01T00:01:00Z")).toBe(false);
    expect(await s.takeChallenge("unknown", "2026-01-01T00:00:00Z")).toBe(false);
  });

  it("drops challenges that have expired when another challenge is taken", async () => {
    const s = open();
    await s.putChallenge("old", "2026-01-01T00:00:00Z");
    await s.putChallenge("fresh", "2026-01-01T00:10:00Z");
    await s.takeChallenge("other", "2026-01-01T00:05:00Z");
    const raw = new Database(path.join(dir, "store.db"), { readonly: true });
    expect(raw.prepare("SELECT nonce FROM challenges").all()).toEqual([{ nonce: "fresh" }]);
    raw.close();
  });
});

describe("SqliteStore files", () => {
  it("records its schema version and opens the same file again without changes", async () => {
    const s = open();
    expect(await s.getSetting("schema_version")).toBe(String(SCHEMA_VERSION));
    await s.close();
    expect(await open().getSetting("schema_version")).toBe(String(SCHEMA_VERSION));
    const raw = new Database(path.join(dir, "store.db"), { readonly: true });
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    raw.close();
  });

  it("refuses to open another program's SQLite database", () => {
    const other = new Database(path.join(dir, "other.db"));
    other.exec("CREATE TABLE t (x)");
    other.close();
    expect(() => new SqliteStore(path.join(dir, "other.db"))).toThrow(/not a Countersign store/);
  });

  it("takes a backup that opens and holds the data while another connection keeps writing", async () => {
    const s = open();
    const payload = new Uint8Array(8192).fill(7);
    for (let i = 0; i < 2000; i++) await s.appendUpdate(doc(`d${i % 10}`), payload);
    await s.putUnit({ id: unit("u1"), name: "教育處", parent: null });

    const writer = open();
    let writing = true;
    let written = 0;
    const writes = (async () => {
      while (writing) {
        await writer.appendUpdate(doc("busy"), bytes(written & 0xff));
        written++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    await s.backup(path.join(dir, "backup.db"));
    writing = false;
    await writes;
    expect(written).toBeGreaterThan(0);

    const b = open("backup.db");
    expect(await b.units()).toEqual([{ id: "u1", name: "教育處", parent: null }]);
    for (let i = 0; i < 10; i++) {
      const ups = await b.readUpdates(doc(`d${i}`));
      expect(ups).toHaveLength(200);
      expect(ups.every((u) => u.data.length === 8192 && u.data.every((x) => x === 7))).toBe(true);
    }
    // The copy is one instant: whatever of the concurrent writes it holds is a prefix of them.
    const busy = (await b.readUpdates(doc("busy"))).map((u) => u.data[0]);
    expect(busy).toEqual(busy.map((_, i) => i & 0xff));
  });

  it("restores a backup into a new file and refuses a non-store source or a non-empty target", async () => {
    const s = open();
    const seq = await s.appendUpdate(doc("a"), bytes(1, 2, 3));
    await s.backup(path.join(dir, "backup.db"));

    const notStore = path.join(dir, "not-store.db");
    const raw = new Database(notStore);
    raw.exec("CREATE TABLE t (x)");
    raw.close();
    const text = path.join(dir, "notes.txt");
    fs.writeFileSync(text, "not a database at all, just some text that is long enough to fill a header ".repeat(10));
    const occupied = path.join(dir, "occupied.db");
    fs.writeFileSync(occupied, "x");

    await expect(restoreSqliteStore(notStore, path.join(dir, "r1.db"))).rejects.toThrow(/not a Countersign store/);
    await expect(restoreSqliteStore(text, path.join(dir, "r1.db"))).rejects.toThrow(/not a Countersign store|cannot be opened/);
    await expect(restoreSqliteStore(path.join(dir, "missing.db"), path.join(dir, "r1.db"))).rejects.toThrow(/does not exist/);
    await expect(restoreSqliteStore(path.join(dir, "backup.db"), occupied)).rejects.toThrow(/Refusing to restore over .*occupied\.db/);
    expect(fs.readFileSync(occupied, "utf8")).toBe("x");
    expect(fs.existsSync(path.join(dir, "r1.db"))).toBe(false);

    fs.writeFileSync(path.join(dir, "empty.db"), "");
    await restoreSqliteStore(path.join(dir, "backup.db"), path.join(dir, "empty.db"));
    expect(await open("empty.db").readUpdates(doc("a"))).toEqual([{ seq, data: bytes(1, 2, 3) }]);
    expect(fs.readdirSync(dir).filter((f) => f.includes("restoring"))).toEqual([]);
  });

  it("refuses to take a backup over the store's own file", async () => {
    const s = open();
    await expect(s.backup(path.join(dir, "store.db"))).rejects.toThrow(/cannot overwrite the store/);
  });

  it("keeps every acknowledged update when the writing process is killed", async () => {
    const file = path.join(dir, "durable.db");
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "testdata", "append-forever.ts"), file], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const acked: number[] = [];
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    // "close", not "exit": every line printed before the kill has been read by then.
    const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on("close", (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      let pending = "";
      child.stdout.on("data", (d: Buffer) => {
        pending += d.toString();
        const lines = pending.split("\n");
        pending = lines.pop()!;
        for (const l of lines) acked.push(Number(l));
        if (acked.length >= 200 && child.exitCode === null && !child.killed) {
          child.kill("SIGKILL");
          resolve();
        }
      });
      child.on("exit", () => (acked.length >= 200 ? resolve() : reject(new Error(`append-forever exited early: ${stderr}`))));
    });
    expect(await closed).toBe("SIGKILL");

    const s = open("durable.db");
    const stored = new Set<number>();
    for (const d of ["doc-a", "doc-b", "doc-c"]) for (const u of await s.readUpdates(doc(d))) stored.add(u.seq);
    expect(acked.length).toBeGreaterThanOrEqual(200);
    expect(acked.filter((seq) => !stored.has(seq))).toEqual([]);
  });
});
