/**
 * Reports benchmark (issue 10): the SOP's eight reports and the KPIs over a large agency's time facts,
 * on PostgreSQL and on SQLite, through the reports engine exactly as the CLI and the HTTP routes call
 * it (sync-server/src/reports: runReport, kpis). Prints one JSON object on stdout; progress on stderr.
 *
 *   npm run bench:reports                                   5,000,000 documents on PostgreSQL, 500,000 on SQLite
 *   npm run bench:reports -- --documents 200000 --sqlite-documents 50000 --runs 3     smaller, while developing
 *   npm run bench:reports -- --only sqlite                  one store (postgres or sqlite)
 *   BENCH_PG_URL=postgres://user@host:5432/postgres npm run bench:reports
 *
 * Data (tests/bench/reports/fill.ts): three years of documents ending 115/11/30 made inside each
 * database by set-based INSERT … SELECT (no rows cross from this process), the same rows on both
 * stores; the store's own migrations create the tables and the reports' indexes (migrations 8 and 9),
 * which are dropped for the load and built again after it (as a bulk load is done), then ANALYZE.
 * PostgreSQL: a database of its own, `countersign_bench_reports`, created on the server BENCH_PG_URL
 * names (default postgres://postgres@127.0.0.1:5432/postgres; the user must be allowed to CREATE
 * DATABASE) and dropped at the end. SQLite: a temporary file, removed at the end.
 *
 * Timed: each report for the month 115/11 and the year 114/12–115/11 (as of 115/12/01), and the KPIs
 * of 115/11 against the baseline 115/06: the median of --runs (5) runs after one warm-up run each.
 * Goals: a monthly report ≤ 2 s and the KPIs ≤ 1 s on PostgreSQL at 5,000,000; a monthly report ≤ 2 s
 * on SQLite at 500,000 (the KPIs too). Goals not met are reported in "goals", not as a failure; exits 1
 * only when the run could not be carried out.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import type { PersonId, UnitId } from "@countersign/crdt-model";
import { REPORTS, kpis, runReport } from "../../sync-server/src/reports/index.ts";
import { openPostgresStore } from "../../sync-server/src/storage/postgres.ts";
import { openSqliteStore } from "../../sync-server/src/storage/sqlite.ts";
import type { Store } from "../../sync-server/src/storage/types.ts";
import { OFFICERS, POSTGRES, SQLITE, UNITS, extensionsInsert, factsInsert } from "./reports/fill.ts";

const DB_NAME = "countersign_bench_reports";
const MONTH = { from: "2026-11-01", to: "2026-11-30" };
const YEAR = { from: "2025-12-01", to: "2026-11-30" };
const AS_OF = "2026-12-01";
const KPI = { month: "2026-11", baseline: "2026-06" };
const GOALS = { postgresMonthMs: 2000, postgresKpiMs: 1000, sqliteMonthMs: 2000 };
/** Rows per INSERT … SELECT: small enough to show progress, large enough that statements cost nothing. */
const CHUNK = 250_000;

const log = (s: string): void => void process.stderr.write(`[bench:reports] ${s}\n`);
const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface StoreResult {
  documents: number;
  extensions: number;
  fillSeconds: number;
  reports: Record<string, { monthMs: number; yearMs: number; monthRows: number; yearRows: number }>;
  kpiMs: number;
}

/** The directory the reports name: 20 units and 300 officers (unit = officer mod 20, as fill.ts). */
async function directory(store: Store): Promise<void> {
  for (let u = 0; u < UNITS; u++) await store.putUnit({ id: `unit-${String(u).padStart(2, "0")}` as UnitId, name: `第${u + 1}科`, parent: null });
  for (let p = 0; p < OFFICERS; p++) {
    const unit = `unit-${String(p % UNITS).padStart(2, "0")}` as UnitId;
    await store.putPerson({ id: `officer-${p}` as PersonId, name: `承辦人${p}`, unit, level: 1, roles: ["case-officer"], active: true });
  }
}

/** Times `f` `runs` times after one warm-up; the median in ms, and the warm-up's answer. */
async function timed<T>(runs: number, f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const value = await f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    times.push(performance.now() - t);
  }
  return { ms: round(median(times)), value };
}

async function measure(store: Store, runs: number, label: string): Promise<Pick<StoreResult, "reports" | "kpiMs">> {
  const reports: StoreResult["reports"] = {};
  const now = new Date(`${AS_OF}T04:00:00Z`);
  for (const r of REPORTS) {
    const one = async (range: { from: string; to: string }) => {
      const t = await runReport(store, r.id, { ...range, asOf: AS_OF }, now);
      if (!t.ok) throw new Error(`report ${r.id} refused: ${t.reason}`);
      return t.value.rows.length;
    };
    const month = await timed(runs, () => one(MONTH));
    const year = await timed(runs, () => one(YEAR));
    reports[r.id] = { monthMs: month.ms, yearMs: year.ms, monthRows: month.value, yearRows: year.value };
    log(`${label} report ${r.id} (${r.word}): month ${month.ms} ms (${month.value} rows), year ${year.ms} ms (${year.value} rows)`);
  }
  const k = await timed(runs, async () => {
    const x = await kpis(store, KPI);
    if (!x.ok) throw new Error(`kpis refused: ${x.reason}`);
    return x.value;
  });
  log(`${label} KPIs ${k.ms} ms (online rate ${k.value.onlineRate}%, closed ${k.value.closed})`);
  return { reports, kpiMs: k.ms };
}

/** Runs `sql` in chunks of CHUNK rows, logging progress. */
async function fillChunks(n: number, label: string, run: (lo: number, hi: number) => Promise<void>): Promise<void> {
  const t0 = performance.now();
  for (let lo = 1; lo <= n; lo += CHUNK) {
    const hi = Math.min(n, lo + CHUNK - 1);
    await run(lo, hi);
    log(`${label}: ${hi.toLocaleString("en")} / ${n.toLocaleString("en")} rows (${round((performance.now() - t0) / 1000)} s)`);
  }
}

async function benchPostgres(adminUrl: string, n: number, runs: number): Promise<StoreResult> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const url = new URL(adminUrl);
  url.pathname = `/${DB_NAME}`;
  await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME}`);
  await admin.query(`CREATE DATABASE ${DB_NAME}`);
  try {
    const t0 = performance.now();
    const store = await openPostgresStore(url.toString()); // the migrations: tables and the reports' indexes
    await directory(store);
    await store.close();
    const c = new pg.Client({ connectionString: url.toString() });
    await c.connect();
    let extensions: number;
    try {
      await c.query("SET synchronous_commit = off");
      const idx = await c.query<{ name: string; def: string }>(
        `SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE tablename IN ('time_facts', 'time_extensions') AND indexname NOT LIKE '%_pkey'`,
      );
      for (const i of idx.rows) await c.query(`DROP INDEX ${i.name}`);
      await fillChunks(n, "postgres fill", async (lo, hi) => void (await c.query(factsInsert(POSTGRES, lo, hi, n))));
      await c.query(extensionsInsert());
      log(`postgres: building ${idx.rows.length} indexes (${idx.rows.map((i) => i.name).join(", ")})`);
      await c.query("SET maintenance_work_mem = '256MB'");
      for (const i of idx.rows) await c.query(i.def);
      await c.query("VACUUM ANALYZE time_facts");
      await c.query("VACUUM ANALYZE time_extensions");
      extensions = Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM time_extensions")).rows[0]!.n);
    } finally {
      await c.end();
    }
    const fillSeconds = round((performance.now() - t0) / 1000);
    log(`postgres: ${n.toLocaleString("en")} documents filled in ${fillSeconds} s`);
    const s = await openPostgresStore(url.toString());
    try {
      return { documents: n, extensions, fillSeconds, ...(await measure(s, runs, "postgres")) };
    } finally {
      await s.close();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`).catch((e: unknown) => log(`could not drop ${DB_NAME}: ${String(e)}`));
    await admin.end();
  }
}

async function benchSqlite(n: number, runs: number): Promise<StoreResult> {
  const dir = mkdtempSync(join(os.tmpdir(), "bench-reports-"));
  const file = join(dir, "countersign.db");
  try {
    const t0 = performance.now();
    const first = openSqliteStore(file);
    await directory(first);
    await first.close();
    const db = new Database(file);
    let extensions: number;
    try {
      const idx = db.prepare<[], { name: string; sql: string }>(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('time_facts', 'time_extensions') AND sql IS NOT NULL`).all();
      for (const i of idx) db.exec(`DROP INDEX ${i.name}`);
      await fillChunks(n, "sqlite fill", async (lo, hi) => void db.exec(factsInsert(SQLITE, lo, hi, n)));
      db.exec(extensionsInsert());
      log(`sqlite: building ${idx.length} indexes (${idx.map((i) => i.name).join(", ")})`);
      for (const i of idx) db.exec(i.sql);
      db.exec("ANALYZE");
      extensions = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM time_extensions").get()!.n;
    } finally {
      db.close();
    }
    const fillSeconds = round((performance.now() - t0) / 1000);
    log(`sqlite: ${n.toLocaleString("en")} documents filled in ${fillSeconds} s`);
    const s = openSqliteStore(file);
    try {
      return { documents: n, extensions, fillSeconds, ...(await measure(s, runs, "sqlite")) };
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const count = (s: string | undefined, fallback: number, flag: string): number => {
  if (s === undefined) return fallback;
  const n = Number(s.replace(/_/g, ""));
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a whole number ≥ 1`);
  return n;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { documents: { type: "string" }, "sqlite-documents": { type: "string" }, runs: { type: "string" }, only: { type: "string" } },
  });
  const pgDocs = count(values.documents ?? process.env.BENCH_DOCUMENTS, 5_000_000, "--documents");
  const sqliteDocs = count(values["sqlite-documents"] ?? process.env.BENCH_SQLITE_DOCUMENTS, Math.min(500_000, pgDocs), "--sqlite-documents");
  const runs = count(values.runs ?? process.env.BENCH_RUNS, 5, "--runs");
  const only = values.only;
  if (only !== undefined && only !== "postgres" && only !== "sqlite") throw new Error("--only is postgres or sqlite");
  const adminUrl = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const loadStart = os.loadavg().map((x) => round(x, 2));
  const out: Record<string, unknown> = {};
  if (only !== "sqlite") out.postgres = await benchPostgres(adminUrl, pgDocs, runs);
  if (only !== "postgres") out.sqlite = await benchSqlite(sqliteDocs, runs);
  const worst = (r: StoreResult | undefined) => (r ? Math.max(...Object.values(r.reports).map((x) => x.monthMs)) : null);
  const p = out.postgres as StoreResult | undefined;
  const s = out.sqlite as StoreResult | undefined;
  const goals = {
    postgres: p && { monthMsGoal: GOALS.postgresMonthMs, worstMonthMs: worst(p), kpiMsGoal: GOALS.postgresKpiMs, kpiMs: p.kpiMs },
    sqlite: s && { monthMsGoal: GOALS.sqliteMonthMs, worstMonthMs: worst(s), kpiMsGoal: GOALS.sqliteMonthMs, kpiMs: s.kpiMs },
    /** Whether the run had the sizes (5,000,000 and 500,000): goals met on less say little. */
    atScale: (p === undefined || p.documents >= 5_000_000) && (s === undefined || s.documents >= 500_000),
    met:
      (p === undefined || (worst(p)! <= GOALS.postgresMonthMs && p.kpiMs <= GOALS.postgresKpiMs)) &&
      (s === undefined || (worst(s)! <= GOALS.sqliteMonthMs && s.kpiMs <= GOALS.sqliteMonthMs)),
  };
  out.loadavg = loadStart;
  out.loadavgEnd = os.loadavg().map((x) => round(x, 2));
  out.cpus = os.cpus().length;
  out.runs = runs;
  out.goals = goals;
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((e: unknown) => {
  log(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
