// The reports agree with each other (issue 10): on the demo agency (`countersign demo`, with its months
// of history) and on a generated agency of 20,000 documents (the benchmark's spreads, tests/bench/reports/fill.ts),
// for every month and a quarter:
//   - every total row is the sum of its units' rows;
//   - (三)'s totals are the sums of (四) over units (received, created, closed, late);
//   - (八)'s paper + online are the closed documents, in each row and in all;
//   - (一)'s count is the documents started in the range, counted straight from time_facts;
//   - (七) lists exactly (三)'s late documents, closed and open; (二) from the beginning lists (三)'s
//     open late ones as 逾期; (六) lists every 展期 requested, and its approved ones are (四)'s;
//   - the KPIs of a month are (四)'s and (八)'s totals, and the series agrees with each month.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uncheckedFromStore } from "@countersign/crdt-model";
import { main, type Io } from "../../sync-server/src/cli/main.ts";
import { openSqliteStore } from "../../sync-server/src/storage/sqlite.ts";
import type { Store } from "../../sync-server/src/storage/types.ts";
import { kpis, kpiSeries, runReport, type ReportTable } from "../../sync-server/src/reports/index.ts";
import { SQLITE, UNITS, extensionsInsert, factsInsert } from "../bench/reports/fill.ts";

async function table(store: Store, id: string, q: { from: string; to: string; asOf: string; unit?: string }): Promise<ReportTable> {
  const r = await runReport(store, id, q);
  if (!r.ok) throw new Error(`${r.code}: ${r.reason}`);
  return r.value;
}

const count = async (store: Store, sql: string, params: string[]): Promise<number> => Number((await store.reportRows(sql, params))[0]!.n);
const sumOf = (t: ReportTable, key: string): number => t.rows.reduce((s, r) => s + Number(r[key] ?? 0), 0);
const lastDay = (month: string): string => new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).toISOString().slice(0, 10);

/** Every consistency rule over one range; answers how many documents the range touched (so a test can insist on content). */
async function consistent(store: Store, from: string, to: string, asOf: string): Promise<number> {
  const q = { from, to, asOf };
  const end = to < asOf ? to : asOf;
  const [t1, t2all, t3, t4, t6, t7, t8] = [
    await table(store, "1", q),
    // (二) over the longest range allowed (three years back from the end): every open document.
    await table(store, "2", { from: new Date(Date.parse(`${end}T00:00:00Z`) - 1097 * 86_400_000).toISOString().slice(0, 10), to: end, asOf: end }),
    await table(store, "3", q),
    await table(store, "4", q),
    await table(store, "6", q),
    await table(store, "7", q),
    await table(store, "8", q),
  ];
  const where = `${from}..${end}`;

  // Totals are the sums of the rows (every count column of the per-unit reports).
  for (const t of [t1, t3, t4, t8]) {
    for (const c of t.columns.filter((c) => c.type === "int" && !c.key.startsWith("max"))) expect(t.totals?.[c.key], `${t.word} ${c.key} ${where}`).toBe(sumOf(t, c.key));
  }
  // (三) = Σ (四) over units.
  expect(t3.totals?.received, where).toBe(sumOf(t4, "received"));
  expect(t3.totals?.created, where).toBe(sumOf(t4, "created"));
  expect(Number(t3.totals?.closedOnTime) + Number(t3.totals?.closedLate), where).toBe(sumOf(t4, "closed"));
  expect(t3.totals?.closedLate, where).toBe(sumOf(t4, "closedLate"));
  expect(t3.totals?.averageDays, where).toBe(t4.totals?.averageDays);
  for (const r of t3.rows) expect(r.total).toBe(Number(r.closedOnTime) + Number(r.closedLate) + Number(r.openOnTime) + Number(r.openLate));
  // (八): paper + online = closed, per unit and in all; the closed documents counted straight.
  for (const r of [...t8.rows, t8.totals!]) expect(Number(r.online) + Number(r.paper), `${String(r.unitName)} ${where}`).toBe(r.closed);
  const closed = await count(store, "SELECT COUNT(*) AS n FROM time_facts WHERE close_day >= ? AND close_day <= ?", [from, end]);
  expect(t8.totals?.closed, where).toBe(closed);
  expect(t4.totals?.closed, where).toBe(closed);
  // (一): the documents started in the range.
  const started = await count(store, "SELECT COUNT(*) AS n FROM time_facts WHERE start_day >= ? AND start_day <= ?", [from, end]);
  expect(t1.totals?.documents, where).toBe(started);
  expect(Number(t4.totals?.received) + Number(t4.totals?.created), where).toBe(started);
  // (七) is (三)'s late documents; (二) from the beginning shows (三)'s open late ones as 逾期.
  expect(t7.rows.filter((r) => r.closeDay !== null).length, where).toBe(t3.totals?.closedLate);
  expect(t7.rows.filter((r) => r.closeDay === null).length, where).toBe(t3.totals?.openLate);
  expect(t2all.rows.filter((r) => r.status === "逾期").length, where).toBe(t3.totals?.openLate);
  // (六): every 展期 requested in the range; the approved ones are (四)'s.
  const requested = await count(store, "SELECT COUNT(*) AS n FROM time_extensions WHERE request_day >= ? AND request_day <= ?", [from, end]);
  expect(t6.rows.length, where).toBe(requested);
  expect(t6.rows.filter((r) => r.decision === "核准").length, where).toBe(t4.totals?.extensions);
  return started + closed;
}

/** A whole month's KPIs are (四)'s and (八)'s totals over that month. */
async function kpisAgree(store: Store, month: string): Promise<void> {
  const from = `${month}-01`;
  const to = lastDay(month);
  const k = await kpis(store, { month });
  if (!k.ok) throw new Error(k.reason);
  const t4 = await table(store, "4", { from, to, asOf: to });
  const t8 = await table(store, "8", { from, to, asOf: to });
  expect(k.value, month).toMatchObject({
    received: t4.totals?.received,
    created: t4.totals?.created,
    secret: t4.totals?.secret,
    onlineSigned: t4.totals?.onlineSigned,
    onlineRate: t4.totals?.onlineRate,
    closed: t4.totals?.closed,
    closedLate: t4.totals?.closedLate,
    averageDays: t4.totals?.averageDays,
    exchangeIn: t4.totals?.exchangeIn,
    exchangeOut: t4.totals?.exchangeOut,
    dispatched: t4.totals?.dispatched,
    extensions: t4.totals?.extensions,
    paperSavedSheets: t8.totals?.paperSavedSheets,
  });
  expect(k.value.onlineSigned, month).toBe(t8.totals?.online);
}

function capture(): Io {
  return { out: () => undefined, err: () => undefined };
}

describe("a generated agency of 20,000 documents (the benchmark's spreads)", () => {
  let dir = "";
  let store: Store;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cs-reports-gen-"));
    store = openSqliteStore(path.join(dir, "countersign.db"));
    for (let i = 0; i < UNITS; i++) {
      const id = `unit-${String(i).padStart(2, "0")}`;
      await store.putUnit({ id: uncheckedFromStore.unit(id), name: `第${String(i + 1)}科`, parent: null });
    }
    // The fill writes straight into the tables (as the benchmark does), beside the store (WAL).
    const db = new Database(path.join(dir, "countersign.db"));
    db.exec(factsInsert(SQLITE, 1, 20_000, 20_000));
    db.exec(extensionsInsert());
    db.close();
  }, 60_000);
  afterAll(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("every month of 115 and the last quarter agree across reports", async () => {
    let touched = 0;
    for (let m = 1; m <= 11; m++) {
      const month = `2026-${String(m).padStart(2, "0")}`;
      touched += await consistent(store, `${month}-01`, lastDay(month), "2026-12-01");
    }
    touched += await consistent(store, "2026-09-01", "2026-11-30", "2026-12-01");
    // A range that ends after the as-of day is counted to the as-of day.
    touched += await consistent(store, "2026-11-01", "2026-11-30", "2026-11-20");
    expect(touched).toBeGreaterThan(5_000);
  });

  it("the KPIs of each month are (四)'s and (八)'s totals, and the series is the months", async () => {
    for (const month of ["2026-06", "2026-10", "2026-11"]) await kpisAgree(store, month);
    const series = await kpiSeries(store, { from: "2026-06", to: "2026-11" });
    if (!series.ok) throw new Error(series.reason);
    for (const k of series.value) {
      const one = await kpis(store, { month: k.month });
      expect(k).toEqual(one.ok && one.value);
    }
  });

  it("a unit's reports are its row of the agency's", async () => {
    const q = { from: "2026-11-01", to: "2026-11-30", asOf: "2026-12-01" };
    for (const id of ["1", "3", "4", "8"]) {
      const all = await table(store, id, q);
      const one = await table(store, id, { ...q, unit: "unit-07" });
      expect(one.rows).toEqual(all.rows.filter((r) => r.unitId === "unit-07"));
      expect({ ...one.totals, unitId: "unit-07", unitName: "第8科" }).toEqual(one.rows[0]);
    }
  });
});

describe("the demo agency", () => {
  let dir = "";
  let store: Store;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cs-reports-demo-"));
    const data = path.join(dir, "data");
    expect(await main(["demo", "--data", data], capture())).toBe(0);
    store = openSqliteStore(path.join(data, "countersign.db"));
  }, 240_000);
  afterAll(async () => {
    await store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("every month of its history agrees across reports, and the KPIs with (四) and (八)", async () => {
    const span = (await store.reportRows("SELECT MIN(start_day) AS lo, MAX(COALESCE(close_day, start_day)) AS hi FROM time_facts", []))[0]!;
    // The demo's six months of history are written with their time facts (a demo without them is a failure, not a skip).
    expect(span.lo, "the demo agency has time facts").not.toBeNull();
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    let month = String(span.lo).slice(0, 7);
    let touched = 0;
    for (let i = 0; i < 12 && month <= String(span.hi).slice(0, 7); i++) {
      touched += await consistent(store, `${month}-01`, lastDay(month), today);
      await kpisAgree(store, month);
      const d = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 1));
      month = d.toISOString().slice(0, 7);
    }
    expect(touched).toBeGreaterThan(100);
  });
});
