// The reports engine on a small agency written by hand (issue 10): two units, fifteen documents with
// known start, due and close days, 展期 approved, refused and beyond the limits (專案管制), reasons
// for lateness, paper, a 密件, exchange in and out. Every number of every report and KPI for
// November 2026 (115年11月) is worked out below by hand and asserted exactly, on SQLite and PostgreSQL.
//
// The agency (start → close; all "controlled" unless said; days = working days used, as stored):
//   文書科 U-A  A1 收文(交換) 11-02 普通 due 11-10 → 11-06 發文(交換) online 4d
//               A2 收文(紙本) 11-03 速件 due 11-06 → 11-12 存查 online 7d 逾期 「等待會辦單位回復」
//               A3 創稿 11-05 最速件 due 11-06 → 11-06 發文(紙本) paper 1d
//               A4 收文(交換) 11-20 普通 密 due 11-30, 展期 approved (req 11-25) to 12-10; open
//               A5 創稿 10-20 普通 due 10-28; open (overdue, no reason yet)
//               A6 收文(交換) 10-25 普通 due 11-02 → 11-04 存查 online 7d 逾期 「人力不足」
//               A7 創稿 12-02 (after the month); open
//               A8 收文(交換) 10-01 普通 due 10-09 → 10-08 存查 online 5d
//   總務科 U-B  B1 收文(交換) 11-10 普通 due 11-18 → 11-17 存查 online 5d
//               B2 創稿 11-11 速件 due 11-16 → 12-03 發文(交換) online 15d 逾期 「資料蒐集」
//               B3 收文(紙本) 11-12 普通, not controlled → 11-13 歸檔 paper 1d
//               B4 收文(交換) 11-16 普通 due 11-24, 展期 beyond the limits approved (req 11-20) to
//                  2027-01-15: 專案管制; open
//               B5 收文(交換) 11-02 普通 due 11-10, 展期 refused (req 11-09) → 11-09 發文(交換) online 5d
//               B7 創稿 10-05 普通 due 10-13 → 10-20 發文(紙本) paper 11d 逾期 「紙本傳遞」
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uncheckedFromStore, type ExtensionFact, type TimeFacts } from "@countersign/crdt-model";
import { freshDatabase, startPostgres, type Service } from "../support/services.ts";
import { openPostgresStore } from "../../sync-server/src/storage/postgres.ts";
import { openSqliteStore } from "../../sync-server/src/storage/sqlite.ts";
import type { Store } from "../../sync-server/src/storage/types.ts";
import { kpis, kpiSeries, runReport, type ReportTable } from "../../sync-server/src/reports/index.ts";

const d = uncheckedFromStore.doc;
const e = uncheckedFromStore.entry;
const p = uncheckedFromStore.person;
const u = uncheckedFromStore.unit;

const HEAD = p("P-HEAD");
const at = (day: string): string => `${day}T02:00:00.000Z`; // 10:00 in Taiwan, the same day

function doc(id: string, over: Partial<TimeFacts>): TimeFacts {
  const startDay = over.startDay ?? "2026-11-02";
  return {
    doc: d(id),
    unit: u("U-A"),
    caseOfficer: p("P-A1"),
    kind: "letter",
    speed: "ordinary",
    secrecy: "none",
    origin: "received",
    incoming: "exchange",
    outgoing: null,
    startedAt: at(startDay),
    startDay,
    controlled: true,
    baseDue: over.due ?? null,
    due: null,
    extensions: [],
    projectControl: false,
    closedAt: over.closeDay ? at(over.closeDay) : null,
    closeDay: null,
    closing: null,
    mode: "online",
    daysUsed: null,
    overdue: false,
    lateReason: null,
    updatedAt: "2026-12-05T00:00:00.000Z",
    ...over,
  };
}

const ext = (req: string, day: string, until: string, reason: string, approved: boolean, project = false): ExtensionFact => ({
  request: e(req),
  requestedBy: p("P-A1"),
  requestedAt: at(day),
  reason,
  until,
  project,
  decision: { entry: e(`${req}-D`), by: HEAD, at: at(day), approved },
});

const B = { unit: u("U-B"), caseOfficer: p("P-B1") };

const AGENCY: TimeFacts[] = [
  doc("A1", { startDay: "2026-11-02", due: "2026-11-10", closeDay: "2026-11-06", closing: "dispatch", outgoing: "exchange", daysUsed: 4 }),
  doc("A2", { startDay: "2026-11-03", speed: "urgent", incoming: "paper", due: "2026-11-06", closeDay: "2026-11-12", closing: "close", daysUsed: 7, overdue: true, lateReason: "等待會辦單位回復" }),
  doc("A3", { startDay: "2026-11-05", speed: "most-urgent", origin: "created", incoming: null, due: "2026-11-06", closeDay: "2026-11-06", closing: "dispatch", outgoing: "paper", mode: "paper", daysUsed: 1 }),
  doc("A4", { startDay: "2026-11-20", secrecy: "confidential", baseDue: "2026-11-30", due: "2026-12-10", extensions: [ext("X-A4", "2026-11-25", "2026-12-10", "待他機關回復", true)], daysUsed: 8 }),
  doc("A5", { startDay: "2026-10-20", origin: "created", incoming: null, due: "2026-10-28", daysUsed: 30, overdue: true }),
  doc("A6", { startDay: "2026-10-25", due: "2026-11-02", closeDay: "2026-11-04", closing: "close", daysUsed: 7, overdue: true, lateReason: "人力不足" }),
  doc("A7", { startDay: "2026-12-02", origin: "created", incoming: null, due: "2026-12-10", daysUsed: 2 }),
  doc("A8", { startDay: "2026-10-01", due: "2026-10-09", closeDay: "2026-10-08", closing: "close", daysUsed: 5 }),
  doc("B1", { ...B, startDay: "2026-11-10", due: "2026-11-18", closeDay: "2026-11-17", closing: "close", daysUsed: 5 }),
  doc("B2", { ...B, startDay: "2026-11-11", speed: "urgent", origin: "created", incoming: null, due: "2026-11-16", closeDay: "2026-12-03", closing: "dispatch", outgoing: "exchange", daysUsed: 15, overdue: true, lateReason: "資料蒐集" }),
  doc("B3", { ...B, startDay: "2026-11-12", incoming: "paper", controlled: false, closeDay: "2026-11-13", closing: "archive", mode: "paper", daysUsed: 1 }),
  doc("B4", { ...B, startDay: "2026-11-16", baseDue: "2026-11-24", due: "2027-01-15", projectControl: true, extensions: [ext("X-B4", "2026-11-20", "2027-01-15", "跨年度採購案", true, true)], daysUsed: 14 }),
  doc("B5", { ...B, startDay: "2026-11-02", due: "2026-11-10", extensions: [ext("X-B5", "2026-11-09", "2026-11-20", "案情複雜", false)], closeDay: "2026-11-09", closing: "dispatch", outgoing: "exchange", daysUsed: 5 }),
  doc("B7", { ...B, startDay: "2026-10-05", origin: "created", incoming: null, due: "2026-10-13", closeDay: "2026-10-20", closing: "dispatch", outgoing: "paper", mode: "paper", daysUsed: 11, overdue: true, lateReason: "紙本傳遞" }),
];

const NOV = { from: "2026-11-01", to: "2026-11-30", asOf: "2026-12-01" };

async function seed(store: Store): Promise<void> {
  await store.putUnit({ id: u("U-A"), name: "文書科", parent: null });
  await store.putUnit({ id: u("U-B"), name: "總務科", parent: null });
  await store.putPerson({ id: p("P-A1"), name: "陳承辦", unit: u("U-A"), level: 1, roles: ["case-officer"], active: true });
  await store.putPerson({ id: p("P-B1"), name: "林承辦", unit: u("U-B"), level: 1, roles: ["case-officer"], active: true });
  await store.putPerson({ id: HEAD, name: "王局長", unit: u("U-A"), level: 5, roles: ["supervisor"], active: true });
  await store.putTimeFacts(AGENCY);
}

async function report(store: Store, name: string, q: Partial<typeof NOV> & { unit?: string } = {}): Promise<ReportTable> {
  const r = await runReport(store, name, { ...NOV, ...q });
  if (!r.ok) throw new Error(`${r.code}: ${r.reason}`);
  return r.value;
}

/** The rows without the unit id column (asserted once, in (一)), keyed by unit name. */
const byName = (t: ReportTable): Record<string, Record<string, unknown>> =>
  Object.fromEntries([...t.rows, ...(t.totals ? [t.totals] : [])].map(({ unitId: _id, unitName, ...rest }) => [String(unitName), rest]));

function suite(name: string, open: () => Promise<{ store: Store; cleanup(): Promise<void> }>) {
  describe(`${name}: the eight reports and the KPIs of a hand-written agency`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, cleanup } = await open());
      await seed(store);
    }, 60_000);
    afterAll(async () => cleanup());

    it("(一) documents started in November by 速別 and the days they used", async () => {
      const t = await report(store, "deadlines");
      expect(t).toMatchObject({ id: "1", word: "deadlines", number: "一", title: "公文限辦日期及公文處理使用日數彙整表", from: "2026-11-01", to: "2026-11-30", asOf: "2026-12-01", unit: null });
      expect(t.rows.map((r) => r.unitId)).toEqual(["U-A", "U-B"]);
      expect(byName(t)).toEqual({
        文書科: { documents: 4, mostUrgent: 1, mostUrgentDays: 1, urgent: 1, urgentDays: 7, ordinary: 2, ordinaryDays: 4, closed: 3, open: 1, averageDays: 4, maxDays: 7, extended: 1 },
        總務科: { documents: 5, mostUrgent: 0, mostUrgentDays: null, urgent: 1, urgentDays: null, ordinary: 4, ordinaryDays: 3.67, closed: 3, open: 2, averageDays: 3.67, maxDays: 5, extended: 1 },
        合計: { documents: 9, mostUrgent: 1, mostUrgentDays: 1, urgent: 2, urgentDays: 7, ordinary: 6, ordinaryDays: 3.75, closed: 6, open: 3, averageDays: 3.83, maxDays: 7, extended: 2 },
      });
      expect(t.chart).toEqual({ type: "bar", x: "unitName", series: ["mostUrgentDays", "urgentDays", "ordinaryDays"], columns: null, points: null });
      // Every row has a value for every column.
      for (const r of t.rows) expect(Object.keys(r).sort()).toEqual(t.columns.map((c) => c.key).sort());
    });

    it("(二) controlled documents started in November and open on the as-of day, by unit then due date", async () => {
      const t = await report(store, "2");
      expect(t.rows).toEqual([
        { unitId: "U-A", unitName: "文書科", doc: "A4", docNumber: null, subject: null, caseOfficerName: "陳承辦", speed: "普通件", startDay: "2026-11-20", due: "2026-12-10", status: "未逾期", daysLate: null, extensionCount: 1 },
        { unitId: "U-B", unitName: "總務科", doc: "B2", docNumber: null, subject: null, caseOfficerName: "林承辦", speed: "速件", startDay: "2026-11-11", due: "2026-11-16", status: "逾期", daysLate: 15, extensionCount: 0 },
        { unitId: "U-B", unitName: "總務科", doc: "B4", docNumber: null, subject: null, caseOfficerName: "林承辦", speed: "普通件", startDay: "2026-11-16", due: "2027-01-15", status: "專案管制", daysLate: null, extensionCount: 1 },
      ]);
      expect(t.totals).toBeNull();
      expect(t.chart?.points).toEqual([
        { unitName: "文書科", count: 1 },
        { unitName: "總務科", count: 2 },
      ]);
      // As of 11-19: A4 had not started, B1 and B5 were closed; B2 was 3 days overdue.
      const earlier = await report(store, "2", { asOf: "2026-11-19" });
      expect(earlier.rows.map((r) => [r.doc, r.status, r.daysLate])).toEqual([
        ["B2", "逾期", 3],
        ["B4", "專案管制", null],
      ]);
    });

    it("(三) carried over, received, created; closed on time or late; open and overdue at the end", async () => {
      expect(byName(await report(store, "timeliness"))).toEqual({
        文書科: { carried: 2, received: 3, created: 1, total: 6, closedOnTime: 2, closedLate: 2, openOnTime: 1, openLate: 1, projectControl: 0, averageDays: 4.75, onTimeRate: 50 },
        總務科: { carried: 0, received: 4, created: 1, total: 5, closedOnTime: 3, closedLate: 0, openOnTime: 1, openLate: 1, projectControl: 1, averageDays: 3.67, onTimeRate: 100 },
        合計: { carried: 2, received: 7, created: 2, total: 11, closedOnTime: 5, closedLate: 2, openOnTime: 2, openLate: 2, projectControl: 1, averageDays: 4.29, onTimeRate: 71.43 },
      });
    });

    it("(四) the month's results per unit", async () => {
      expect(byName(await report(store, "monthly"))).toEqual({
        文書科: { received: 3, created: 1, secret: 1, closed: 4, closedOnTime: 2, closedLate: 2, averageDays: 4.75, onTimeRate: 50, onlineSigned: 3, onlineRate: 100, exchangeIn: 2, exchangeOut: 1, dispatched: 2, extensions: 1 },
        總務科: { received: 4, created: 1, secret: 0, closed: 3, closedOnTime: 3, closedLate: 0, averageDays: 3.67, onTimeRate: 100, onlineSigned: 2, onlineRate: 40, exchangeIn: 3, exchangeOut: 1, dispatched: 1, extensions: 1 },
        合計: { received: 7, created: 2, secret: 1, closed: 7, closedOnTime: 5, closedLate: 2, averageDays: 4.29, onTimeRate: 71.43, onlineSigned: 5, onlineRate: 62.5, exchangeIn: 5, exchangeOut: 2, dispatched: 3, extensions: 2 },
      });
    });

    it("(五) November against October, ranked by the on-time rate", async () => {
      const t = await report(store, "comparison");
      expect(t.previous).toEqual({ from: "2026-10-01", to: "2026-10-31" });
      expect(byName(t)).toEqual({
        文書科: { closed: 4, closedPrev: 1, averageDays: 4.75, averageDaysPrev: 5, averageDaysChange: -0.25, onTimeRate: 50, onTimeRatePrev: 100, onlineRate: 100, onlineRatePrev: 33.33, rank: 2 },
        總務科: { closed: 3, closedPrev: 1, averageDays: 3.67, averageDaysPrev: 11, averageDaysChange: -7.33, onTimeRate: 100, onTimeRatePrev: 0, onlineRate: 40, onlineRatePrev: 0, rank: 1 },
        合計: { closed: 7, closedPrev: 2, averageDays: 4.29, averageDaysPrev: 8, averageDaysChange: -3.71, onTimeRate: 71.43, onTimeRatePrev: 50, onlineRate: 62.5, onlineRatePrev: 25, rank: null },
      });
    });

    it("(六) every 展期 requested in November, with its decision", async () => {
      const t = await report(store, "extensions");
      const rows = t.rows.map((r) => [r.unitName, r.doc, r.caseOfficerName, r.requestDay, r.baseDue, r.until, r.decision, r.decidedByName, r.project, r.reason]);
      expect(rows).toEqual([
        ["文書科", "A4", "陳承辦", "2026-11-25", "2026-11-30", "2026-12-10", "核准", "王局長", "否", "待他機關回復"],
        ["總務科", "B5", "林承辦", "2026-11-09", "2026-11-10", "2026-11-20", "不准", "王局長", "否", "案情複雜"],
        ["總務科", "B4", "林承辦", "2026-11-20", "2026-11-24", "2027-01-15", "核准", "王局長", "是", "跨年度採購案"],
      ]);
      expect(t.chart?.points).toEqual([
        { unitName: "文書科", count: 1 },
        { unitName: "總務科", count: 2 },
      ]);
    });

    it("(七) closed late in November, or open and overdue at its end, with the reasons", async () => {
      const t = await report(store, "lateness");
      const rows = t.rows.map((r) => [r.unitName, r.doc, r.speed, r.startDay, r.due, r.closeDay, r.daysUsed, r.daysLate, r.lateReason]);
      expect(rows).toEqual([
        ["文書科", "A5", "普通件", "2026-10-20", "2026-10-28", null, null, 33, null],
        ["文書科", "A6", "普通件", "2026-10-25", "2026-11-02", "2026-11-04", 7, 2, "人力不足"],
        ["文書科", "A2", "速件", "2026-11-03", "2026-11-06", "2026-11-12", 7, 6, "等待會辦單位回復"],
        ["總務科", "B2", "速件", "2026-11-11", "2026-11-16", null, null, 14, "資料蒐集"],
      ]);
    });

    it("(八) paper and online among the documents closed in November", async () => {
      expect(byName(await report(store, "paper-online"))).toEqual({
        文書科: { closed: 4, online: 3, onlineDays: 6, onlineLate: 2, paper: 1, paperDays: 1, paperLate: 0, onlineShare: 75, paperSavedSheets: 12 },
        總務科: { closed: 3, online: 2, onlineDays: 5, onlineLate: 0, paper: 1, paperDays: 1, paperLate: 0, onlineShare: 66.67, paperSavedSheets: 8 },
        合計: { closed: 7, online: 5, onlineDays: 5.6, onlineLate: 2, paper: 2, paperDays: 1, paperLate: 0, onlineShare: 71.43, paperSavedSheets: 20 },
      });
    });

    it("one unit: only its row, and the total is that row; ROC days mean the same range", async () => {
      const t = await report(store, "3", { unit: "U-B", from: "115/11/01", to: "115/11/30", asOf: "115/12/01" });
      expect(t.unit).toBe("U-B");
      expect(t.from).toBe("2026-11-01");
      const { 總務科: row, 合計: totals } = byName(t);
      expect(Object.keys(byName(t))).toEqual(["總務科", "合計"]);
      expect(totals).toEqual(row);
      expect(row).toMatchObject({ received: 4, openLate: 1, projectControl: 1 });
    });

    it("the KPIs of November, with October as the baseline", async () => {
      const k = await kpis(store, { month: "115-11", baseline: "2026-10" });
      expect(k).toEqual({
        ok: true,
        value: {
          month: "2026-11",
          unit: null,
          received: 7,
          secret: 1,
          created: 2,
          onlineSigned: 5,
          onlineRate: 62.5,
          exchangeIn: 5,
          exchangeInRate: 71.43,
          dispatched: 3,
          exchangeOut: 2,
          exchangeOutRate: 66.67,
          closed: 7,
          averageDays: 4.29,
          closedLate: 2,
          overdueRate: 28.57,
          extensions: 2,
          baseline: "2026-10",
          baselineAverageDays: 8,
          efficiencyGain: 46.43,
          paperSavedSheets: 20,
        },
      });
      const b = await kpis(store, { month: "2026-11", unit: "U-B" });
      expect(b.ok && b.value).toMatchObject({ unit: "U-B", received: 4, secret: 0, created: 1, onlineSigned: 2, onlineRate: 40, exchangeInRate: 75, exchangeOutRate: 100, averageDays: 3.67, overdueRate: 0, extensions: 1, efficiencyGain: null, paperSavedSheets: 8 });
    });

    it("the KPI series, month by month, agrees with each month's KPIs", async () => {
      const s = await kpiSeries(store, { from: "2026-10", to: "2026-12" });
      if (!s.ok) throw new Error(s.reason);
      expect(s.value.map((m) => m.month)).toEqual(["2026-10", "2026-11", "2026-12"]);
      expect(s.value[0]).toMatchObject({ received: 2, secret: 0, created: 2, onlineSigned: 1, onlineRate: 25, exchangeInRate: 100, dispatched: 1, exchangeOutRate: 0, closed: 2, averageDays: 8, overdueRate: 50, extensions: 0, paperSavedSheets: 4 });
      const nov = await kpis(store, { month: "2026-11" });
      expect(s.value[1]).toEqual(nov.ok && nov.value);
      // December: A7 created, B2 closed online: one of one.
      expect(s.value[2]).toMatchObject({ created: 1, closed: 1, averageDays: 15, onlineRate: 100 });
      // With a baseline, every month's 公文效率提升 is against it: October (8 days) against itself is 0 %,
      // December (15 days) is 87.5 % slower, and each month agrees with that month's KPIs.
      const against = await kpiSeries(store, { from: "2026-10", to: "2026-12", baseline: "2026-10" });
      if (!against.ok) throw new Error(against.reason);
      expect([against.value[0]!.efficiencyGain, against.value[2]!.efficiencyGain]).toEqual([0, -87.5]);
      const novAgainst = await kpis(store, { month: "2026-11", baseline: "2026-10" });
      expect(against.value[1]).toEqual(novAgainst.ok && novAgainst.value);
      expect(await kpiSeries(store, { from: "2026-10", to: "2026-12", baseline: "115-13" })).toMatchObject({ ok: false });
    });

    it("bad input is refused with its code, and nothing is queried", async () => {
      const code = async (r: Promise<{ ok: boolean; code?: string }>) => (await r).code;
      expect(await code(runReport(store, "9", NOV))).toBe("report.unknown");
      expect(await code(runReport(store, "deadline", NOV))).toBe("report.unknown");
      expect(await code(runReport(store, "1", { ...NOV, unit: "U-X" }))).toBe("report.unit");
      expect(await code(runReport(store, "1", { ...NOV, from: "115/13/01" }))).toBe("report.day");
      expect(await code(runReport(store, "1", { ...NOV, to: "2026-02-30" }))).toBe("report.day");
      expect(await code(runReport(store, "1", { ...NOV, asOf: "yesterday" }))).toBe("report.day");
      expect(await code(runReport(store, "1", { ...NOV, from: "2026-12-01" }))).toBe("report.range");
      expect(await code(runReport(store, "1", { ...NOV, from: "2020-01-01" }))).toBe("report.range");
      expect(await code(kpis(store, { month: "2026-13" }))).toBe("report.day");
      expect(await code(kpis(store, { month: "2026-11", baseline: "x" }))).toBe("report.day");
      expect(await code(kpis(store, { month: "2026-11", unit: "U-X" }))).toBe("report.unit");
      expect(await code(kpiSeries(store, { from: "2026-11", to: "2026-10" }))).toBe("report.range");
      expect(await code(kpiSeries(store, { from: "2020-01", to: "2026-10" }))).toBe("report.range");
    });
  });
}

suite("SQLite", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cs-reports-"));
  const store = openSqliteStore(path.join(dir, "countersign.db"));
  return { store, cleanup: async () => (await store.close(), fs.rmSync(dir, { recursive: true, force: true })) };
});

let server: Service | undefined;
suite("PostgreSQL", async () => {
  server = await startPostgres();
  const db = await freshDatabase(server.url);
  const store = await openPostgresStore(db.url);
  return {
    store,
    cleanup: async () => {
      await store.close();
      await db.drop();
      await server?.stop();
    },
  };
});
