import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import type { EntryId } from "@countersign/crdt-model";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SCHEMA_VERSION } from "./sqlite-schema.ts";
import { openSqliteStore, restoreSqliteStore, SqliteStore } from "./sqlite.ts";
import { bytes, describeStoreContract, doc, indexRow, unit } from "../../tests/support/store-contract.ts";
import { batch, describeExchangeContract } from "../../tests/support/store-contract-exchange.ts";
import type { Store } from "./types.ts";

const here = path.dirname(fileURLToPath(import.meta.url));

// Every Store's behaviour, on a fresh file per test.
async function freshStore() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-sqlite-"));
  const store = openSqliteStore(path.join(d, "store.db"));
  return {
    store,
    cleanup: async () => {
      await store.close();
      fs.rmSync(d, { recursive: true, force: true });
    },
  };
}
describeStoreContract("SqliteStore", freshStore);
describeExchangeContract("SqliteStore", freshStore);

// What only a file-backed store shows: reopening, WAL, the online backup and restore, a killed writer.
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

describe("SqliteStore files", () => {
  it("keeps an appended update after the store is closed and opened again", async () => {
    const s = open();
    const seq = await s.appendUpdate(doc("a"), bytes(4, 2));
    await s.close();
    const again = open();
    expect(await again.readUpdates(doc("a"))).toEqual([{ seq, data: bytes(4, 2) }]);
  });
  it("deletes the rows of expired challenges when another challenge is taken", async () => {
    const s = open();
    await s.putChallenge("old", "2026-01-01T00:00:00Z");
    await s.putChallenge("fresh", "2026-01-01T00:10:00Z");
    await s.takeChallenge("other", "2026-01-01T00:05:00Z");
    const raw = new Database(path.join(dir, "store.db"), { readonly: true });
    expect(raw.prepare("SELECT nonce FROM challenges").all()).toEqual([{ nonce: "fresh" }]);
    raw.close();
  });

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
    const imported = batch("env-1");
    await s.importEnvelope(imported);
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
    const restored = open("empty.db");
    expect(await restored.readUpdates(doc("a"))).toEqual([{ seq, data: bytes(1, 2, 3) }]);
    // The exchange tables come along: the attachment, the log line, the envelope's bytes.
    const [attachment] = imported.blobs;
    expect(Array.from((await restored.getBlob(attachment!.sha256))!)).toEqual(Array.from(attachment!.data));
    expect(await restored.importedEnvelope("env-1")).toMatchObject({ envelope: "env-1", status: "imported" });
    expect(Array.from((await restored.envelopeBytes("env-1"))!)).toEqual(Array.from(imported.envelope));
    expect(fs.readdirSync(dir).filter((f) => f.includes("restoring"))).toEqual([]);
  });

  it("commits the updates accepted before an import first, though the group commit had not yet written them", async () => {
    const s = open();
    const before = s.appendUpdate(doc("d1"), bytes(0));
    const imported = s.importEnvelope(batch("env-1"));
    const after = s.appendUpdate(doc("d1"), bytes(9));
    const [b, i, a] = await Promise.all([before, imported, after]);
    if (!i.imported) throw new Error("expected an import");
    expect(b).toBeLessThan(i.seqs[0]!);
    expect(a).toBeGreaterThan(i.seqs[2]!);
    expect((await s.readUpdates(doc("d1"))).map((u) => Array.from(u.data))).toEqual([[0], [1, 1], [1, 2], [9]]);
  });

  it("commits appends, receipts and index rows queued together; a write that fails is rejected alone and the rest is on disk", async () => {
    const s = open();
    const receipt = { doc: doc("d1"), entry: "e1" as EntryId, receivedAt: "2026-01-02T00:00:00.000Z", signature: "c2ln" };
    const row = indexRow("d1");
    // All queued within one group-commit window; the broken row violates NOT NULL inside it.
    const [seq, kept, indexed, broken, again] = await Promise.allSettled([
      s.appendUpdate(doc("d1"), bytes(1)),
      s.recordReceipts([receipt]),
      s.putIndexes([row]),
      s.putIndexes([indexRow("d2"), indexRow("d3", { kind: null as unknown as string })]),
      s.recordReceipt({ ...receipt, signature: "bGF0ZXI=" }),
    ]);
    expect([seq, kept, indexed, again].map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "fulfilled"]);
    expect(broken.status).toBe("rejected");
    expect(again).toEqual({ status: "fulfilled", value: receipt });
    await s.close();
    const reopened = open();
    expect(await reopened.readUpdates(doc("d1"))).toEqual([{ seq: (seq as PromiseFulfilledResult<number>).value, data: bytes(1) }]);
    expect(await reopened.receipts(doc("d1"))).toEqual([receipt]);
    expect(await reopened.getIndex(doc("d1"))).toEqual(row);
    expect(await reopened.getIndex(doc("d2"))).toBeUndefined();
  });

  it("imports an envelope once when two processes import it", async () => {
    const one = open();
    const two = open();
    expect((await one.importEnvelope(batch("env-1"))).imported).toBe(true);
    expect(await two.importEnvelope(batch("env-1"))).toEqual({ imported: false, first: await one.importedEnvelope("env-1") });
    expect((await two.readUpdates(doc("d1"))).length).toBe(2);
  });

  it("refuses to take a backup over the store's own file", async () => {
    const s = open();
    await expect(s.backup(path.join(dir, "store.db"))).rejects.toThrow(/cannot overwrite the store/);
  });

  it("keeps every acknowledged update when the writing process is killed", async () => {
    const file = path.join(dir, "durable.db");
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "..", "..", "tests", "support", "append-forever.ts"), file], {
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
