// The reports from the command line and over HTTP (issue 10): `countersign report` to CSV, ODS and
// JSON and `countersign kpi` against a real data directory, the same tables from GET /api/reports…,
// the downloads' names, and who may read what (稽催管制 agency-wide, a unit head their own unit only,
// anyone else 403). Bad input is one line, a non-zero exit, and no file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asDocId, asPersonId, asUnitId, type TimeFacts } from "@countersign/crdt-model";
import { schemas } from "@countersign/contract";
import { runCli as main, type Io } from "@countersign/sync-server";
import { runReport, kpis } from "../../sync-server/src/reports/index.ts";
import { reportCsv } from "../../sync-server/src/reports/csv.ts";
import { readOds } from "../../sync-server/src/reports/ods-read.ts";
import { must, startAgency, type RunningAgency } from "./support/agency-server.ts";
import { freshDatabase, startPostgres } from "../support/services.ts";
import { openPostgresStore } from "../../sync-server/src/storage/postgres.ts";

let a: RunningAgency;
const out = mkdtempSync(join(tmpdir(), "reports-cli-"));

/** A document's time facts in November 115 (2026): started `start`, due `due`, closed `close` or open. */
function facts(n: number, unit: string, o: { start: string; due: string; close?: string; mode?: "online" | "paper"; origin?: "received" | "created"; late?: string; secrecy?: string }): TimeFacts {
  const closed = o.close !== undefined;
  return {
    doc: asDocId(`d-rep-${n}`),
    unit: asUnitId(unit),
    caseOfficer: asPersonId("P-officer"),
    kind: o.origin === "created" ? "memo" : "letter",
    speed: "ordinary",
    secrecy: o.secrecy ?? "none",
    origin: o.origin ?? "received",
    incoming: (o.origin ?? "received") === "received" ? "exchange" : null,
    outgoing: null,
    startedAt: `${o.start}T01:00:00.000Z`,
    startDay: o.start,
    controlled: true,
    baseDue: o.due,
    due: o.due,
    extensions: [],
    projectControl: false,
    closedAt: closed ? `${o.close}T03:00:00.000Z` : null,
    closeDay: o.close ?? null,
    closing: closed ? "close" : null,
    mode: o.mode ?? "online",
    daysUsed: closed ? 3 : null,
    overdue: closed ? o.close! > o.due : false,
    lateReason: o.late ?? null,
    updatedAt: `${o.close ?? o.start}T03:00:00.000Z`,
  };
}

beforeAll(async () => {
  a = await startAgency();
  await a.store.putTimeFacts([
    facts(1, "U-STU", { start: "2026-11-02", due: "2026-11-10", close: "2026-11-05" }),
    facts(2, "U-STU", { start: "2026-11-03", due: "2026-11-11", close: "2026-11-16", late: "待他機關回復" }),
    facts(3, "U-STU", { start: "2026-11-20", due: "2026-11-27" }),
    facts(4, "U-PER", { start: "2026-11-04", due: "2026-11-12", close: "2026-11-06", mode: "paper" }),
    facts(5, "U-PER", { start: "2026-11-09", due: "2026-11-17", close: "2026-11-10", origin: "created", secrecy: "confidential" }),
  ]);
});
afterAll(async () => {
  await a?.stop();
});

async function run(...argv: string[]): Promise<{ code: number; lines: string[]; errors: string[] }> {
  const lines: string[] = [];
  const errors: string[] = [];
  const io: Io = { out: (l) => lines.push(l), err: (l) => errors.push(l) };
  return { code: await main(argv, io), lines, errors };
}

const NOV = { from: "2026-11-01", to: "2026-11-30", asOf: "2026-12-01" };
const expected = async (id: string, unit: string | null = null) => must(await runReport(a.store, id, { ...NOV, unit }));

describe("countersign report", () => {
  it("report list names the eight reports by id, word and official title", async () => {
    const r = await run("report", "list");
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(8);
    expect(r.lines[2]).toMatch(/^3\ttimeliness\s+\t\(三\) 公文時效統計表$/);
    expect(r.lines[7]).toContain("(八) 公文處理（紙本／電子簽核）成效比較表");
  });

  it("writes CSV (BOM, zh-TW header, numbers unformatted) that is the engine's table, named by number or word", async () => {
    const file = join(out, "three.csv");
    const r = await run("report", "3", "--data", a.dir, "--from", "115/11/01", "--to", "115/11/30", "--as-of", "115/12/01", "--format", "csv", "--out", file);
    expect(r).toMatchObject({ code: 0, errors: [] });
    expect(r.lines[0]).toBe(`(三) 公文時效統計表 2026-11-01–2026-11-30: 2 rows written to ${file}`);
    const bytes = readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString("utf8");
    expect(text).toBe(reportCsv(await expected("3")));
    const lines = text.slice(1).split("\r\n");
    expect(lines[0]).toContain("單位,上期未結,本期收文,本期創稿,應辦總數");
    expect(lines.find((l) => l.startsWith("U-STU,"))).toBeDefined();
    // The word and the month shortcut give the same file.
    const again = join(out, "three-again.csv");
    expect((await run("report", "timeliness", "--data", a.dir, "--month", "115-11", "--as-of", "2026-12-01", "--out", again)).code).toBe(0);
    expect(readFileSync(again, "utf8")).toBe(text);
  });

  it("writes ODS whose content.xml holds the same numbers, typed", async () => {
    const file = join(out, "eight.ods");
    expect((await run("report", "paper-online", "--data", a.dir, "--month", "2026-11", "--as-of", "2026-12-01", "--out", file)).code).toBe(0);
    const ods = readOds(readFileSync(file));
    expect(ods.mimetypeFirstStored).toBe(true);
    const t = await expected("8");
    const [title, header, ...rows] = ods.rows;
    expect(title![0]!.text).toContain("(八) 公文處理（紙本／電子簽核）成效比較表");
    expect(header!.map((c) => c.text)).toEqual(t.columns.map((c) => (c.type === "percent" ? `${c.label}(%)` : c.label)));
    expect(rows).toHaveLength(t.rows.length + 1);
    const paperCol = t.columns.findIndex((c) => c.key === "paper");
    const per = t.rows.findIndex((r) => r.unitId === "U-PER");
    expect(rows[per]![paperCol]).toMatchObject({ type: "float", value: "1" });
    expect(rows.at(-1)![paperCol]).toMatchObject({ type: "float", value: String(t.totals!.paper) });
  });

  it("prints JSON in the contract's shape, for one unit", async () => {
    const r = await run("report", "7", "--data", a.dir, "--from", "2026-11-01", "--to", "2026-11-30", "--as-of", "2026-12-01", "--unit", "U-STU");
    expect(r.code).toBe(0);
    const t = schemas.reports.reportTable.parse(JSON.parse(r.lines.join("\n")));
    expect(t).toEqual(await expected("7", "U-STU"));
    expect(t.rows.map((x) => x.lateReason)).toContain("待他機關回復");
  });

  it("refuses bad input in one line with a non-zero exit, and writes no file", async () => {
    const file = join(out, "refused.csv");
    const cases: [string[], number, RegExp][] = [
      [["report", "9", "--data", a.dir, "--month", "115-11", "--out", file], 2, /no report "9"/],
      [["report", "3", "--data", a.dir, "--from", "115/13/01", "--to", "115/11/30", "--out", file], 1, /^"115\/13\/01" is not a day/],
      [["report", "3", "--data", a.dir, "--from", "115/11/30", "--to", "115/11/01", "--out", file], 1, /ends .* before it starts/],
      [["report", "3", "--data", a.dir, "--month", "115-11", "--unit", "U-NONE", "--out", file], 1, /no unit "U-NONE"/],
      [["report", "3", "--data", a.dir, "--month", "115-13", "--out", file], 2, /not a month/],
      [["report", "3", "--data", a.dir, "--month", "115-11", "--from", "115/11/01", "--out", file], 2, /not both/],
      [["report", "3", "--data", a.dir, "--month", "115-11", "--format", "xlsx", "--out", file], 2, /csv, ods or json/],
      [["report", "3", "--data", a.dir, "--month", "115-11", "--format", "ods"], 2, /needs --out/],
      [["report", "3", "--data", join(out, "nowhere"), "--month", "115-11", "--out", file], 1, /no Countersign data/],
      [["report", "3", "--month", "115-11", "--out", file], 2, /--data DIR/],
      [["kpi", "--data", a.dir, "--month", "11/2026"], 1, /not a month/],
      [["kpi", "--data", a.dir], 2, /--month is required/],
    ];
    const before = readdirSync(out).sort();
    for (const [argv, code, reason] of cases) {
      const r = await run(...argv);
      expect({ argv, code: r.code }).toEqual({ argv, code });
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatch(reason);
      expect(r.lines).toEqual([]);
    }
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(out).sort()).toEqual(before); // no temporary file left either
  });
});

describe("countersign kpi", () => {
  it("--json is the engine's KpiSet; without it, labelled zh-TW lines", async () => {
    const json = await run("kpi", "--data", a.dir, "--month", "115-11", "--baseline", "115-10", "--json");
    expect(json.code).toBe(0);
    const k = schemas.reports.kpiSet.parse(JSON.parse(json.lines.join("\n")));
    expect(k).toEqual(must(await kpis(a.store, { month: "2026-11", baseline: "2026-10" })));
    expect(k.received).toBe(4);
    const text = await run("kpi", "--data", a.dir, "--month", "2026-11", "--unit", "U-PER");
    expect(text.code).toBe(0);
    expect(text.lines[0]).toBe("115年11月 公文績效指標（單位 U-PER）");
    expect(text.lines.some((l) => /^ {2}線上簽核比率\t/.test(l))).toBe(true);
  });
});

describe("GET /api/reports…, /api/kpis…", () => {
  const get = (path: string, token: string) => fetch(`${a.http}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const json = async (path: string, token: string) => {
    const res = await get(path, token);
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const q = "from=115/11/01&to=115/11/30&asOf=2026-12-01";

  it("the follow-up officer reads the catalogue and any report, agency-wide or per unit", async () => {
    const t = a.people.followup.token;
    const list = await json("/api/reports", t);
    expect(list.status).toBe(200);
    expect((list.json.reports as { word: string }[]).map((r) => r.word)).toEqual([...schemas.reports.REPORT_WORDS]);
    const all = await json(`/api/reports/3?${q}`, t);
    expect(all).toEqual({ status: 200, json: JSON.parse(JSON.stringify(await expected("3"))) });
    const per = await json(`/api/reports/timeliness?${q}&unit=U-PER`, t);
    expect(per.json).toMatchObject({ id: "3", unit: "U-PER" });
  });

  it("a unit head reads their own unit only; anyone else is refused 403", async () => {
    const chief = a.people.chief.token;
    expect((await json(`/api/reports/1?${q}`, chief)).json).toMatchObject({ id: "1", unit: "U-STU" });
    expect((await json(`/api/kpis?month=115-11`, chief)).json).toMatchObject({ unit: "U-STU", received: 3 });
    expect(await json(`/api/reports/1?${q}&unit=U-PER`, chief)).toMatchObject({ status: 403, json: { code: "http.forbidden" } });
    for (const who of ["officer", "outsider", "registry"] as const) {
      expect(await json("/api/reports", a.people[who].token)).toMatchObject({ status: 403, json: { code: "http.forbidden" } });
      expect(await json(`/api/kpis?month=115-11`, a.people[who].token)).toMatchObject({ status: 403 });
      expect((await get(`/api/reports/3/csv?${q}`, a.people[who].token)).status).toBe(403);
    }
    expect((await fetch(`${a.http}/api/reports`)).status).toBe(401);
  });

  it("downloads CSV and ODS under the report's zh-TW name (RFC 5987), the same table as JSON", async () => {
    const t = a.people.followup.token;
    const csv = await get(`/api/reports/3/csv?${q}`, t);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const cd = csv.headers.get("content-disposition")!;
    expect(cd).toContain('filename="report-3-20261101-20261130.csv"');
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(cd)![1]!)).toBe("(三)公文時效統計表_1151101-1151130.csv");
    expect(Buffer.from(await csv.arrayBuffer()).toString("utf8")).toBe(reportCsv(await expected("3")));
    const ods = await get(`/api/reports/8/ods?${q}&unit=U-PER`, t);
    expect(ods.headers.get("content-type")).toBe("application/vnd.oasis.opendocument.spreadsheet");
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(ods.headers.get("content-disposition")!)![1]!)).toBe("(八)公文處理（紙本／電子簽核）成效比較表_人事室_1151101-1151130.ods");
    const read = readOds(new Uint8Array(await ods.arrayBuffer()));
    expect(read.rows[0]![0]!.text).toContain("單位 U-PER");
  });

  it("refuses an unknown report 404, a bad day or unit 400, with the engine's codes", async () => {
    const t = a.people.followup.token;
    expect(await json(`/api/reports/9?${q}`, t)).toMatchObject({ status: 404, json: { code: "report.unknown" } });
    expect(await json(`/api/reports/3/ods?from=115/02/30&to=115/11/30`, t)).toMatchObject({ status: 400, json: { code: "report.day" } });
    expect(await json(`/api/reports/3?${q}&unit=U-NONE`, t)).toMatchObject({ status: 400, json: { code: "report.unit" } });
    expect(await json(`/api/kpis/series?from=2026-11&to=2026-09`, t)).toMatchObject({ status: 400, json: { code: "report.range" } });
    const series = await json(`/api/kpis/series?from=115-09&to=115-11`, t);
    expect(series.status).toBe(200);
    expect((series.json.months as { month: string }[]).map((m) => m.month)).toEqual(["2026-09", "2026-10", "2026-11"]);
  });
});

describe("countersign report / kpi --store postgres://… (an agency kept in PostgreSQL)", () => {
  it("reads the same tables from a PostgreSQL store as from SQLite", { timeout: 120_000 }, async () => {
    const server = await startPostgres();
    const db = await freshDatabase(server.url);
    try {
      const pg = await openPostgresStore(db.url);
      for (const u of await a.store.units()) await pg.putUnit(u);
      const rows = [];
      for (let n = 1; n <= 5; n++) rows.push((await a.store.getTimeFacts(asDocId(`d-rep-${n}`)))!);
      await pg.putTimeFacts(rows);
      await pg.close();
      const r = await run("report", "4", "--store", db.url, "--month", "115-11", "--as-of", "115/12/01");
      expect(r).toMatchObject({ code: 0, errors: [] });
      expect(JSON.parse(r.lines.join("\n"))).toEqual(await expected("4"));
      const k = await run("kpi", "--store", db.url, "--month", "115-11", "--json");
      expect(JSON.parse(k.lines.join("\n"))).toEqual(must(await kpis(a.store, { month: "2026-11" })));
      expect((await run("kpi", "--store", "mysql://x", "--month", "115-11")).errors).toEqual(["countersign: kpi: --store must be a PostgreSQL URL (postgres://user@host:port/database)"]);
    } finally {
      await db.drop();
      await server.stop();
    }
  });
});
