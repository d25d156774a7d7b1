// The 文號 of new documents stays unique per agency when several server processes share one store
// (issue 15): two "processes" — each its own store connection pool and its own rooms, as two
// `countersign serve` on one PostgreSQL — take the creations of many new 簽 at once, and every
// document gets its own number from the agency's series, in its document, its index row and the
// 發文字號 reservation. The same on two SQLite connections to one file.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { CountersignDocument, asDocId, asPersonId, asUnitId, type Metadata } from "@countersign/crdt-model";
import { openPostgresStore, openSqliteStore, initAgency, loadAgency, type Store } from "@countersign/sync-server";
import { localExchange, type LocalExchange } from "../../sync-server/src/exchange/local.ts";
import { reservedFor, setDispatchPrefix } from "../../sync-server/src/dispatch/numbers.ts";
import type { Principal } from "../../sync-server/src/relay/authz.ts";
import { freshDatabase, startPostgres, type Service } from "../support/services.ts";

const CODE = "A-NUM-EDU";
const PASSPHRASE = "doc number test passphrase";
const DOCS = 40;
const officer: Principal = { person: asPersonId("P-officer"), unit: asUnitId("U-STU"), agency: CODE as Principal["agency"], roles: ["case-officer"] };
const silent = pino({ level: "silent" });

let pg: Service | undefined;
let db: { url: string; drop(): Promise<void> } | undefined;
let dir: string;
const opened: { store: Store; local: LocalExchange }[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  db = await freshDatabase(pg.url);
  dir = mkdtempSync(join(tmpdir(), "countersign-docnum-"));
}, 120_000);

afterAll(async () => {
  for (const o of opened) {
    await o.local.close().catch(() => undefined);
    await o.store.close().catch(() => undefined);
  }
  await db?.drop().catch(() => undefined);
  await pg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The agency on a fresh store: its 代字, the unit and the case officer. */
async function initStore(store: Store): Promise<void> {
  const init = await initAgency(store, { code: CODE, name: "示範教育局", passphrase: PASSPHRASE });
  if (!init.ok) throw new Error(init.reason);
  const prefix = await setDispatchPrefix(store, "示教");
  if (!prefix.ok) throw new Error(prefix.reason);
  await store.putUnit({ id: officer.unit, name: "學務科", parent: null });
  await store.putPerson({ id: officer.person, name: "陳承辦", unit: officer.unit, level: 1, roles: ["case-officer"], active: true });
}

/** One server process: its own connection to the store and its own rooms. */
async function serverProcess(open: () => Promise<Store> | Store): Promise<{ store: Store; local: LocalExchange }> {
  const store = await open();
  const agency = await loadAgency(store, PASSPHRASE);
  if (!agency.ok) throw new Error(agency.reason);
  const o = { store, local: localExchange(store, agency.value, silent) };
  opened.push(o);
  return o;
}

function newMemo(i: number, tag: string): CountersignDocument {
  const metadata: Metadata = {
    kind: "memo", speed: "ordinary", secrecy: "none", dueDate: null, docNumber: null, receiptNumber: null,
    agency: officer.agency, unit: officer.unit, caseOfficer: officer.person, retention: "10", category: "學務",
  };
  const d = CountersignDocument.create({ id: asDocId(`doc-${tag}-${i}`), metadata, subject: `第 ${i} 份簽` });
  if (!d.ok) throw new Error(d.reason);
  return d.value;
}

/** Both processes take half the creations each, all at once; then every number is checked. */
async function concurrentCreations(a: { store: Store; local: LocalExchange }, b: { store: Store; local: LocalExchange }, tag: string): Promise<void> {
  const docs = Array.from({ length: DOCS }, (_, i) => newMemo(i, tag));
  const results = await Promise.all(
    docs.map(async (d, i) => {
      const room = await (i % 2 === 0 ? a : b).local.rooms.get(d.id);
      return room.receive(d.encodeState(), null, officer);
    }),
  );
  expect(results.every((r) => r.ok)).toBe(true);
  const numbers: string[] = [];
  for (const [i, d] of docs.entries()) {
    const mine = i % 2 === 0 ? a : b;
    const meta = (await mine.local.rooms.get(d.id)).doc.metadata();
    if (!meta.ok) throw new Error(meta.reason);
    const n = meta.value.docNumber!;
    expect(n).toMatch(/^示教字第\d{3}\d{7}號$/);
    // The other process's store reads the same index row and reservation.
    const other = i % 2 === 0 ? b : a;
    expect((await other.store.getIndex(d.id))?.docNumber).toBe(n);
    expect((await reservedFor(other.store, d.id))?.number).toBe(n);
    numbers.push(n);
  }
  expect(new Set(numbers).size).toBe(DOCS);
  // One series without gaps: every serial taken went to exactly one document.
  const serials = numbers.map((n) => Number(n.slice(-8, -1))).sort((x, y) => x - y);
  expect(serials).toEqual(Array.from({ length: DOCS }, (_, i) => serials[0]! + i));
}

describe("the 文號 under concurrency", () => {
  it("two processes on one PostgreSQL store number 40 new 簽 at once: every number unique, in the document, the index row and the reservation", async () => {
    const first = await openPostgresStore(db!.url);
    await initStore(first);
    await first.close();
    const a = await serverProcess(() => openPostgresStore(db!.url));
    const b = await serverProcess(() => openPostgresStore(db!.url));
    await concurrentCreations(a, b, "pg");
  }, 120_000);

  it("the same on two SQLite connections to one file", async () => {
    const file = join(dir, "countersign.db");
    const first = openSqliteStore(file);
    await initStore(first);
    await first.close();
    const a = await serverProcess(() => openSqliteStore(file));
    const b = await serverProcess(() => openSqliteStore(file));
    await concurrentCreations(a, b, "sqlite");
  }, 120_000);
});
