// Backups that restore (issue 16 item 4): a backup taken while concurrent clients write documents
// through the API restores into SQLite and into PostgreSQL, from either store; every document in
// the restored store verifies with `countersign chain verify` (cli/chain-verify.ts) against the
// agency's CA, and every document committed before the backup started is there with at least the
// entries it had then. Both restores of one backup hold the same rows.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asPersonId, asStepId, encodeDocumentFile, type DocId, type RoutingPlan, type Sha256Hex } from "@countersign/crdt-model";
import { AgencyServer, loadAgency, openPostgresStore, openSqliteStore, runCli, type Store } from "@countersign/sync-server";
import { currentDoc } from "../../sync-server/src/exchange/docs.ts";
import { SETTINGS } from "../../sync-server/src/storage/settings.ts";
import { freshDatabase, startPostgres, type Service } from "../support/services.ts";
import { PASSPHRASE, populate, startAgency, tokenFor, type RunningAgency, type Who } from "./support/agency-server.ts";
import { act, draftAndSubmit } from "./support/federation.ts";

let pgServer: Service;
const drops: (() => Promise<void>)[] = [];
beforeAll(async () => {
  pgServer = await startPostgres();
}, 120_000);
afterAll(async () => {
  for (const d of drops) await d().catch(() => undefined);
  await pgServer?.stop();
});

async function database(): Promise<string> {
  const db = await freshDatabase(pgServer.url);
  drops.push(db.drop);
  return db.url;
}

async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

/** `countersign …` as its own process (bin/countersign.js), its output split in lines. */
async function cliProcess(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const child = spawn(process.execPath, ["bin/countersign.js", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number>((r) => child.once("exit", (c) => r(c ?? -1)));
  const lines = (text: string) => text.split("\n").filter((l) => l !== "");
  return { code, out: lines(out), err: lines(err) };
}

/** The agency served from a PostgreSQL store, as startAgency serves one from SQLite (same people, same plan). */
async function startPgAgency(url: string): Promise<RunningAgency> {
  const store = await openPostgresStore(url);
  const { agency, people } = await populate(store);
  const server = new AgencyServer({ store, agency, log: pino({ level: "silent" }), port: 0, host: "127.0.0.1" });
  const port = await server.start();
  for (const who of Object.keys(people) as Who[]) people[who].token = await tokenFor(store, agency, people[who]);
  const plan = (): RoutingPlan => ({
    v: 1,
    stages: [
      { kind: "single", step: { id: asStepId("review"), type: "review", assignee: { kind: "person", person: asPersonId("P-chief") } } },
      { kind: "single", step: { id: asStepId("decide"), type: "decide", assignee: { kind: "person", person: asPersonId("P-director") } } },
    ],
    decisionLevel: 5,
    deputies: [],
  });
  return { dir: "", store, agency, server, port, http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/sync`, people, plan, stop: () => server.stop() };
}

/** Every signed entry the clients' pushes committed, in order: [time, document]. */
type Commits = [number, string][];
/** Every push as [start, end] times. */
type Pushes = [number, number][];

/** One document written through the API as clients do: drafted and submitted, then 核稿 by the chief. */
async function writeOne(a: RunningAgency, n: number, committed: Map<string, number>, commits?: Commits, pushes?: Pushes): Promise<void> {
  let start = Date.now();
  const id = await draftAndSubmit(a, a.plan(), `負載測試公文 ${n}`);
  committed.set(id, 1);
  commits?.push([Date.now(), id]);
  pushes?.push([start, Date.now()]);
  start = Date.now();
  await act(a, "chief", id, { kind: "approve" }, "review", `核稿 ${n}`);
  committed.set(id, 2);
  commits?.push([Date.now(), id]);
  pushes?.push([start, Date.now()]);
}

/** Scanned attachments, so the store is megabytes and a backup takes long enough to be written into. */
async function attachScans(store: Store, count: number, bytes: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const data = new Uint8Array(bytes);
    for (let o = 0; o < bytes; o += 65536) crypto.getRandomValues(data.subarray(o, Math.min(bytes, o + 65536)));
    const sha = Buffer.from(await crypto.subtle.digest("SHA-256", data)).toString("hex");
    await store.putBlob(sha as Sha256Hex, data);
  }
}

/** Concurrent clients writing until stopped; what each committed, with its entry count then. */
function load(a: RunningAgency, clients: number) {
  const committed = new Map<string, number>();
  let stop = false;
  let n = 0;
  const errors: unknown[] = [];
  const commits: Commits = [];
  const pushes: Pushes = [];
  const runners = Array.from({ length: clients }, async () => {
    while (!stop) await writeOne(a, n++, committed, commits, pushes).catch((e) => errors.push(e));
  });
  return {
    committed,
    commits,
    pushes,
    snapshot: () => new Map(committed),
    stop: async () => {
      stop = true;
      await Promise.all(runners);
      return errors;
    },
  };
}

/** Every document's id and entry count in a store, and each document checked by `chain verify`. */
async function verifyAll(store: Store, ids: string[], scratch: string): Promise<Map<string, number>> {
  const ca = await store.getSetting(SETTINGS.caCert);
  expect(ca).toBeTruthy();
  const caFile = join(scratch, "ca.pem");
  writeFileSync(caFile, ca!);
  const entries = new Map<string, number>();
  for (const id of ids) {
    const doc = await currentDoc(store, undefined, id as DocId);
    expect(doc, id).toBeDefined();
    const file = join(scratch, `${id}.csdoc`);
    writeFileSync(file, encodeDocumentFile(doc!, [ca!]));
    const r = await cli(["chain", "verify", file, "--ca", caFile, "--json"]);
    expect({ id, code: r.code, err: r.err }).toEqual({ id, code: 0, err: [] });
    const report = JSON.parse(r.out.join("\n")) as { valid: boolean; timeline: unknown[] };
    expect(report.valid, id).toBe(true);
    entries.set(id, report.timeline.length);
  }
  return entries;
}

const sqliteIds = (file: string): string[] => {
  const d = new Database(file, { readonly: true });
  try {
    return (d.prepare("SELECT doc FROM doc_index ORDER BY doc").pluck().all() as string[]);
  } finally {
    d.close();
  }
};

async function pgIds(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ doc: string }>("SELECT doc FROM doc_index ORDER BY doc")).rows.map((r) => r.doc);
  } finally {
    await c.end();
  }
}

/** Row counts of every table, as SQL sees them: the two restores of one backup must agree. */
function sqliteCounts(file: string): Record<string, number> {
  const d = new Database(file, { readonly: true });
  try {
    const tables = d.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
    return Object.fromEntries(tables.map((t) => [t, (d.prepare(`SELECT count(*) FROM "${t}"`).pluck().get() as number)]));
  } finally {
    d.close();
  }
}
async function pgCounts(url: string): Promise<Record<string, number>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const tables = (await c.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).rows.map((r) => r.tablename);
    const out: Record<string, number> = {};
    for (const t of tables) out[t] = Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM "${t}"`)).rows[0]!.n);
    return out;
  } finally {
    await c.end();
  }
}

describe.each(["sqlite", "postgres"] as const)("a backup of the %s store taken under load", (engine) => {
  it("restores into SQLite and into PostgreSQL; every document verifies and everything committed before the backup is there", async () => {
    const sourceUrl = engine === "postgres" ? await database() : undefined;
    const a = sourceUrl ? await startPgAgency(sourceUrl) : await startAgency();
    const scratch = mkdtempSync(join(tmpdir(), "countersign-backup-test-"));
    const file = join(scratch, "agency.backup");
    try {
      // Some history first, then three clients writing while the backup runs.
      const seeded = new Map<string, number>();
      for (let i = 0; i < 6; i++) await writeOne(a, 1000 + i, seeded);
      await attachScans(a.store, 8, 512 * 1024);
      const writers = load(a, 3);
      while (writers.committed.size < 3) await new Promise((r) => setTimeout(r, 20));
      const before = new Map([...seeded, ...writers.snapshot()]);
      const t0 = Date.now();
      // Its own process, as an administrator runs it beside `serve`: in this process SQLite's copy
      // steps would hold the event loop, and the clients' pushes would wait rather than interleave.
      const b = await cliProcess(["backup", ...(sourceUrl ? ["--store", sourceUrl] : ["--data", a.dir]), "--out", file]);
      const t1 = Date.now();
      const ms = t1 - t0;
      // The backup really was taken under load: pushes were in flight while it ran (each client
      // writes without pause), and entries committed while it ran are counted.
      const errors = await writers.stop();
      const during = writers.commits.filter(([t]) => t > t0 && t < t1).length;
      const overlapping = writers.pushes.filter(([start, end]) => start < t1 && end > t0).length;
      expect(errors).toEqual([]);
      expect(b.err).toEqual([]);
      expect(b.code).toBe(0);
      const after = new Map([...seeded, ...writers.committed]);
      console.log(`backup (${engine}) under load: ${ms} ms, ${before.size} documents committed before it started, ${during} signed entries committed by 3 clients while it ran (${overlapping} pushes in flight during it), ${after.size} documents in all`);
      expect(during).toBeGreaterThan(0);

      // Into SQLite.
      const dataDir = join(scratch, "restored-data");
      const rs = await cli(["restore", "--data", dataDir, file]);
      expect(rs.err).toEqual([]);
      expect(rs.code).toBe(0);
      const restoredSqlite = join(dataDir, "countersign.db");
      // Into PostgreSQL.
      const target = await database();
      const rp = await cli(["restore", "--store", target, file]);
      expect(rp.err).toEqual([]);
      expect(rp.code).toBe(0);

      // The two restores hold the same rows, table by table.
      const sc = sqliteCounts(restoredSqlite);
      const pc = await pgCounts(target);
      for (const [t, n] of Object.entries(sc)) expect({ t, n: pc[t] }).toEqual({ t, n });

      for (const [where, open, ids] of [
        ["sqlite", () => Promise.resolve(openSqliteStore(restoredSqlite)), sqliteIds(restoredSqlite)],
        ["postgres", () => openPostgresStore(target), await pgIds(target)],
      ] as const) {
        const store = await open();
        try {
          // The restored store opens the agency as serve does (with the passphrase, not in the backup).
          expect((await loadAgency(store, PASSPHRASE)).ok, where).toBe(true);
          // Everything committed before the backup started, with at least its entries then; nothing
          // the clients never committed.
          for (const id of before.keys()) expect({ where, id, present: ids.includes(id) }).toEqual({ where, id, present: true });
          for (const id of ids) expect({ where, id, committed: after.has(id) }).toEqual({ where, id, committed: true });
          expect(ids.length).toBeGreaterThanOrEqual(before.size);
          const entries = await verifyAll(store, ids, scratch);
          for (const [id, n] of before) expect(entries.get(id)!, `${where} ${id}`).toBeGreaterThanOrEqual(n);
        } finally {
          await store.close();
        }
      }
    } finally {
      await a.stop();
      await a.store.close().catch(() => undefined);
    }
  }, 180_000);
});

describe("backup files", () => {
  it("--keep N keeps the newest N backups it made in the folder and never touches other files", async () => {
    const a = await startAgency();
    const dir = mkdtempSync(join(tmpdir(), "countersign-backups-"));
    try {
      // Files it did not make: another name, and its own name pattern on a file that is not a backup.
      writeFileSync(join(dir, "notes.txt"), "keep me");
      writeFileSync(join(dir, "countersign-20200101T000000000Z.backup"), "not a backup, just named like one");
      const made: string[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await cli(["backup", "--data", a.dir, "--dir", dir, "--keep", "2"]);
        expect(r.err).toEqual([]);
        expect(r.code).toBe(0);
        made.push(r.out[0]!.match(/ to (\S+) /)![1]!);
        await new Promise((res) => setTimeout(res, 5));
      }
      const left = readdirSync(dir).sort();
      expect(left).toEqual(["countersign-20200101T000000000Z.backup", "notes.txt", ...made.slice(2).map((f) => f.slice(dir.length + 1))].sort());
      // A kept one restores.
      const r = await cli(["restore", "--data", join(dir, "r"), made[3]!]);
      expect(r.code).toBe(0);
      // Usage: --keep without --dir, or not a whole number ≥ 1.
      expect((await cli(["backup", "--data", a.dir, "--out", join(dir, "x"), "--keep", "2"])).code).toBe(2);
      expect((await cli(["backup", "--data", a.dir, "--dir", dir, "--keep", "0"])).code).toBe(2);
    } finally {
      await a.stop();
    }
  });

  it("a backup from a newer release is refused in one line and nothing is written, into SQLite or PostgreSQL", async () => {
    const a = await startAgency();
    const dir = mkdtempSync(join(tmpdir(), "countersign-newer-"));
    try {
      const file = join(dir, "newer.backup");
      expect((await cli(["backup", "--data", a.dir, "--out", file])).code).toBe(0);
      const d = new Database(file);
      const v = Number(d.prepare("SELECT value FROM settings WHERE key = 'schema_version'").pluck().get());
      d.prepare("UPDATE settings SET value = ? WHERE key = 'schema_version'").run(String(v + 1));
      d.prepare("UPDATE settings SET value = '9.9.9' WHERE key = 'backup.release'").run();
      d.close();
      const line = `${file} was made by release 9.9.9 with schema version ${v + 1} (backup format 1), newer than this program knows (schema ${v}, format 1); upgrade the program before restoring it.`;

      const target = join(dir, "data");
      const rs = await cli(["restore", "--data", target, file]);
      expect(rs).toEqual({ code: 1, out: [], err: [line] });
      expect(existsSync(join(target, "countersign.db"))).toBe(false);

      const url = await database();
      const rp = await cli(["restore", "--store", url, file]);
      expect(rp).toEqual({ code: 1, out: [], err: [line] });
      expect(await pgCounts(url)).toEqual({});

      // A newer backup format (same schema) is refused the same way.
      const d2 = new Database(file);
      d2.prepare("UPDATE settings SET value = ? WHERE key = 'schema_version'").run(String(v));
      d2.prepare("UPDATE settings SET value = '2' WHERE key = 'backup.format'").run();
      d2.close();
      const r2 = await cli(["restore", "--data", target, file]);
      expect(r2.code).toBe(1);
      expect(r2.err).toHaveLength(1);
      expect(r2.err[0]).toContain("(backup format 2), newer than this program knows");
      expect(existsSync(join(target, "countersign.db"))).toBe(false);
    } finally {
      await a.stop();
    }
  });

  it("the PostgreSQL store's earlier JSON-lines backups restore too; a truncated one is refused", async () => {
    const url = await database();
    const store = await openPostgresStore(url);
    await populate(store);
    const dir = mkdtempSync(join(tmpdir(), "countersign-legacy-"));
    const file = join(dir, "legacy.jsonl");
    await store.backup(file); // the JSON-lines writer (storage/postgres-backup.ts)
    await store.close();
    expect(readFileSync(file, "utf8").startsWith('{"format":"countersign-postgres-backup"')).toBe(true);

    const r = await cli(["restore", "--data", join(dir, "data"), file]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const restored = openSqliteStore(join(dir, "data", "countersign.db"));
    try {
      expect((await loadAgency(restored, PASSPHRASE)).ok).toBe(true);
      expect((await restored.people()).length).toBe(10);
    } finally {
      await restored.close();
    }

    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    writeFileSync(join(dir, "cut.jsonl"), lines.slice(0, -3).join("\n") + "\n");
    const cut = await cli(["restore", "--data", join(dir, "data2"), join(dir, "cut.jsonl")]);
    expect(cut.code).toBe(1);
    expect(cut.err).toHaveLength(1);
    expect(cut.err[0]).toMatch(/is truncated: it holds \d+ rows and no end line\.$/);
    expect(existsSync(join(dir, "data2", "countersign.db"))).toBe(false);
  });
});
