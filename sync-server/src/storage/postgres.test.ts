// The Store contract against a real PostgreSQL, plus what only PostgreSQL shows: the JSON-lines
// backup, the schema shared by several processes, and per-document ordering of seqs. The server is
// started from the installed binaries (tests/support/services.ts) unless COUNTERSIGN_TEST_PG_URL
// names one; each test gets a database of its own.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { copiedDatabase, freshDatabase, startPostgres, type Service } from "../../../tests/support/services.ts";
import { openPostgresStore } from "./postgres.ts";
import { BACKUP_FORMAT } from "./postgres-backup.ts";
import { LOCK_DOC, SCHEMA_VERSION } from "./postgres-schema.ts";
import { bytes, describeStoreContract, doc, unit } from "../../tests/support/store-contract.ts";
import { batch, describeExchangeContract } from "../../tests/support/store-contract-exchange.ts";
import type { Store } from "./types.ts";

let server: Service | undefined;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});

/**
 * A store on a new database, copied from one the store migrated once (the migrations on an empty
 * database are tested on their own below); cleanup closes it and drops the database.
 */
async function makeStore(): Promise<{ store: Store; url: string; cleanup(): Promise<void> }> {
  const db = await copiedDatabase(server!.url, "migrated store", async (url) => (await openPostgresStore(url)).close());
  const store = await openPostgresStore(db.url);
  return {
    store,
    url: db.url,
    cleanup: async () => {
      await store.close();
      await db.drop();
    },
  };
}

describeStoreContract("PostgresStore", makeStore);
describeExchangeContract("PostgresStore", makeStore);

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});
async function made(): Promise<{ store: Store; url: string }> {
  const m = await makeStore();
  cleanups.push(m.cleanup);
  return m;
}
async function raw(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  cleanups.push(() => c.end());
  return c;
}

describe("PostgresStore database", () => {
  it("keeps what was committed when the store is closed and another one opens the same database", async () => {
    const { store, url } = await made();
    const seq = await store.appendUpdate(doc("a"), bytes(4, 2));
    await store.close();
    const again = await openPostgresStore(url);
    cleanups.push(() => again.close());
    expect(await again.readUpdates(doc("a"))).toEqual([{ seq, data: bytes(4, 2) }]);
    expect(await again.getSetting("schema_version")).toBe(String(SCHEMA_VERSION));
  });

  it("lets several processes open a new database at once: one creates the schema, the others wait", async () => {
    const db = await freshDatabase(server!.url);
    cleanups.push(() => db.drop());
    const stores = await Promise.all(Array.from({ length: 5 }, () => openPostgresStore(db.url)));
    for (const s of stores) cleanups.push(() => s.close());
    await stores[0]!.appendUpdate(doc("a"), bytes(1));
    expect(await stores[4]!.readUpdates(doc("a"))).toHaveLength(1);
  });

  it("refuses a database that holds another program's tables, and a URL that is not PostgreSQL", async () => {
    const db = await freshDatabase(server!.url);
    cleanups.push(() => db.drop());
    const c = await raw(db.url);
    await c.query("CREATE TABLE t (x int)");
    await expect(openPostgresStore(db.url)).rejects.toThrow(/not a Countersign store/);
    await expect(openPostgresStore("mysql://localhost/x")).rejects.toThrow(/not a PostgreSQL URL/);
  });

  it("says which database it cannot reach, without its password", async () => {
    await expect(openPostgresStore("postgres://u:secret@127.0.0.1:1/none")).rejects.toThrow(/cannot be opened/);
    await expect(openPostgresStore("postgres://u:secret@127.0.0.1:1/none")).rejects.not.toThrow(/secret/);
  });

  it("deletes the rows of expired challenges when another challenge is taken", async () => {
    const { store, url } = await made();
    await store.putChallenge("old", "2026-01-01T00:00:00Z");
    await store.putChallenge("fresh", "2026-01-01T00:10:00Z");
    await store.putChallenge("garbled", "soon");
    await store.takeChallenge("other", "2026-01-01T00:05:00Z");
    const c = await raw(url);
    expect((await c.query("SELECT nonce FROM challenges")).rows).toEqual([{ nonce: "fresh" }]);
  });

  it("holds an append to a document while another process holds that document, and only that one", async () => {
    // What keeps one document's seqs committing in order across processes (see appendUpdate): here a
    // second connection stands for another process in the middle of an append or a compaction.
    const { store, url } = await made();
    const other = await raw(url);
    await other.query("BEGIN");
    await other.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [LOCK_DOC, "a"]);
    let done = false;
    const held = store.appendUpdate(doc("a"), bytes(1)).then((seq) => ((done = true), seq));
    expect(await store.appendUpdate(doc("b"), bytes(2))).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(done).toBe(false);
    await other.query("COMMIT");
    expect(await held).toBeGreaterThan(0);
  });

  it("keeps one document's updates whole when two processes append and compact it at once", async () => {
    const { store, url } = await made();
    const second = await openPostgresStore(url);
    cleanups.push(() => second.close());
    const written: number[] = [];
    const writer = async (s: Store, base: number) => {
      for (let i = 0; i < 60; i++) {
        await s.appendUpdate(doc("a"), bytes(base + i));
        written.push(base + i);
        if (i % 20 === 19) {
          // The relay's compaction: merge what was read, up to the last seq read.
          const read = await s.readUpdates(doc("a"));
          await s.compact(doc("a"), Uint8Array.from(read.flatMap((u) => Array.from(u.data))), read[read.length - 1]!.seq).catch((e: Error) => {
            // Losing a race to the other process's compaction is allowed; losing data is not.
            if (!/no update at or before/.test(e.message)) throw e;
          });
        }
      }
    };
    await Promise.all([writer(store, 0), writer(second, 100)]);
    const kept = (await store.readUpdates(doc("a"))).flatMap((u) => Array.from(u.data));
    expect(new Set(kept)).toEqual(new Set(written));
  });
});

describe("PostgresStore envelope import across processes", () => {
  it("imports an envelope once when two processes import it at the same time", async () => {
    const { store, url } = await made();
    const second = await openPostgresStore(url);
    cleanups.push(() => second.close());
    const results = await Promise.all([store, second, store, second].map((s) => s.importEnvelope(batch("env-1"))));
    expect(results.filter((r) => r.imported)).toHaveLength(1);
    expect((await store.readUpdates(doc("d1"))).map((u) => Array.from(u.data))).toEqual([[1, 1], [1, 2]]);
    expect(await second.exchanges()).toHaveLength(1);
  });

  it("imports envelopes that touch the same documents in opposite orders at once, without a deadlock", async () => {
    const { store, url } = await made();
    const second = await openPostgresStore(url);
    cleanups.push(() => second.close());
    const forward = (i: number) => batch(`f${i}`, { updates: [{ doc: doc("d1"), update: bytes(i) }, { doc: doc("d2"), update: bytes(i) }] });
    const backward = (i: number) => batch(`b${i}`, { updates: [{ doc: doc("d2"), update: bytes(100 + i) }, { doc: doc("d1"), update: bytes(100 + i) }] });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => [store.importEnvelope(forward(i)), second.importEnvelope(backward(i))]).flat());
    expect(results.every((r) => r.imported)).toBe(true);
    expect(await store.readUpdates(doc("d1"))).toHaveLength(20);
    expect(await store.readUpdates(doc("d2"))).toHaveLength(20);
  });

  it("holds an import's updates to a document while another process holds that document", async () => {
    const { store, url } = await made();
    const other = await raw(url);
    await other.query("BEGIN");
    await other.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [LOCK_DOC, "d2"]);
    let done = false;
    const held = store.importEnvelope(batch("env-1")).then((r) => ((done = true), r));
    await new Promise((r) => setTimeout(r, 200));
    expect(done).toBe(false);
    // Nothing of the import is visible while it waits.
    expect(await store.hasDoc(doc("d1"))).toBe(false);
    await other.query("COMMIT");
    expect((await held).imported).toBe(true);
    expect(await store.hasDoc(doc("d1"))).toBe(true);
  });
});

describe("PostgresStore backup", () => {
  let tmp: string;
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("writes every table as JSON lines from one snapshot while another connection keeps writing", async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-pgbackup-"));
    const { store, url } = await made();
    for (let i = 0; i < 1200; i++) await store.appendUpdate(doc(`d${i % 3}`), new Uint8Array([i & 0xff, 0, 255]));
    await store.putUnit({ id: unit("u1"), name: "教育處", parent: null });
    await store.putPerson({ id: "p1" as never, name: "陳", unit: unit("u1"), level: 1, roles: [], active: true });
    const imported = batch("env-1", { updates: [{ doc: doc("imported"), update: bytes(5) }] });
    await store.importEnvelope(imported);

    const writer = await openPostgresStore(url);
    cleanups.push(() => writer.close());
    let writing = true;
    let written = 0;
    const writes = (async () => {
      while (writing) await writer.appendUpdate(doc("busy"), bytes(written++ & 0xff));
    })();
    const file = path.join(tmp, "backup.jsonl");
    await store.backup(file);
    writing = false;
    await writes;
    expect(written).toBeGreaterThan(0);

    const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ format: BACKUP_FORMAT, version: 1, schemaVersion: SCHEMA_VERSION });
    const body = lines.slice(1, -1) as { table: string; row: Record<string, unknown> }[];
    expect(lines[lines.length - 1]).toEqual({ end: true, rows: body.length });
    const rows = (t: string) => body.filter((l) => l.table === t).map((l) => l.row);
    expect(rows("units")).toEqual([{ id: "u1", name: "教育處", parent: null }]);
    expect(rows("people")).toEqual([{ id: "p1", name: "陳", unit: "u1", level: 1, roles: "[]", active: true, email: null }]);
    // The exchange tables come along: the attachment, the log line, the envelope's bytes.
    const [attachment] = imported.blobs;
    expect(rows("blobs")).toEqual([{ sha256: attachment!.sha256, data: Buffer.from(attachment!.data).toString("base64"), size: attachment!.data.length, created_at: expect.any(String) }]);
    expect(rows("exchanges")).toEqual([{ ...imported.record, seq: expect.any(Number), docs: JSON.stringify(imported.record.docs), code: null }]);
    expect(rows("envelopes").map((r) => [r.envelope, Buffer.from(r.data as string, "base64").toString()])).toEqual([["env-1", "envelope env-1"]]);
    const ups = rows("updates").filter((u) => u.doc !== "busy" && u.doc !== "imported");
    expect(ups).toHaveLength(1200);
    expect(Buffer.from(ups[5]!.data as string, "base64")).toEqual(Buffer.from([5, 0, 255]));
    expect(ups.map((u) => u.seq)).toEqual([...ups.map((u) => u.seq as number)].sort((a, b) => a - b));
    // One instant: of the concurrent writes the copy holds a prefix, in order.
    const busy = rows("updates").filter((u) => u.doc === "busy").map((u) => Buffer.from(u.data as string, "base64")[0]);
    expect(busy).toEqual(busy.map((_, i) => i & 0xff));
    expect(fs.readdirSync(tmp)).toEqual(["backup.jsonl"]);
  });

  it("leaves no file behind when the backup cannot be written", async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-pgbackup-"));
    const { store } = await made();
    await expect(store.backup(path.join(tmp, "missing-dir", "b.jsonl"))).rejects.toThrow();
    expect(fs.readdirSync(tmp)).toEqual([]);
  });
});
