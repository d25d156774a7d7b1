// The follow-up listing (GET /api/follow-up/docs) on a real agency server, on SQLite and on
// PostgreSQL: 稽催管制 sees every unit's open controlled documents by due date, flagged 期前 / 逾期
// against the imported office calendar; a unit head sees their own unit only; anyone else is refused;
// bad filters are refused with a code. Also the calendar routes (import all or nothing, GET for the
// app) and the 展期 policy routes.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { uncheckedFromStore } from "@countersign/crdt-model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgresStore, openSqliteStore, AgencyServer, type Store } from "@countersign/sync-server";
import { freshDatabase, startPostgres, type Service } from "../support/services.ts";
import { populate, tokenFor, type Member, type Who } from "./support/agency-server.ts";
import { putDocs, type TestDoc } from "./support/mail-agency.ts";

// Monday 7 December 2026, 09:00 in Taipei.
const NOW = "2026-12-07T01:00:00.000Z";
const CSV_115 = readFileSync(new URL("../../packages/crdt-model/tests/fixtures/calendar-115.csv", import.meta.url), "utf8");

const DOCS: TestDoc[] = [
  { doc: "D-late", subject: "校園安全演練計畫", unit: "U-STU", officer: "P-officer", holders: ["person:P-chief"], due: "2026-12-02", receiptNumber: "1150001234" },
  { doc: "D-soon", subject: "學生輔導工作報告", unit: "U-STU", officer: "P-officer", holders: ["person:P-officer"], due: "2026-12-08" },
  { doc: "D-later", subject: "不在期前", unit: "U-STU", officer: "P-officer", holders: ["person:P-officer"], due: "2026-12-20" },
  { doc: "D-done", subject: "已辦結", unit: "U-STU", officer: "P-officer", holders: [], due: "2026-12-01", closed: true },
  { doc: "D-proj", subject: "專案管制", unit: "U-STU", officer: "P-officer", holders: ["person:P-officer"], due: "2026-12-01", project: true },
  { doc: "D-per", subject: "人事異動案", unit: "U-PER", officer: "P-outsider", holders: ["unit:U-PER"], due: "2026-12-03" },
];

interface Running {
  http: string;
  people: Record<Who, Member>;
  stop: () => Promise<void>;
}

async function start(store: Store): Promise<Running> {
  const { agency, people } = await populate(store);
  await putDocs(store, DOCS);
  // The director is also the administrator here (calendar import, 展期 policy).
  const director = (await store.person(uncheckedFromStore.person("P-director")))!;
  await store.putPerson({ ...director, roles: [...director.roles, "admin"] });
  const server = new AgencyServer({ store, agency, log: pino({ level: "silent" }), port: 0, host: "127.0.0.1", checkAnswers: true, deadlineClock: () => new Date(NOW) });
  const port = await server.start();
  for (const who of Object.keys(people) as Who[]) people[who].token = await tokenFor(store, agency, people[who]);
  return { http: `http://127.0.0.1:${port}`, people, stop: () => server.stop() };
}

async function get(a: Running, who: Who, path: string, init: RequestInit = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${a.http}${path}`, { ...init, headers: { authorization: `Bearer ${a.people[who].token}`, ...init.headers } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const docsOf = (j: Record<string, unknown>) => (j.docs as { doc: string; flag: string; daysLate: number; daysLeft: number | null; holders: string[] }[]).map((d) => [d.doc, d.flag, d.daysLate, d.daysLeft]);

function suite(name: string, open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>) {
  describe(`the follow-up listing and the calendar routes (${name})`, () => {
    let a: Running;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      const o = await open();
      cleanup = o.cleanup;
      a = await start(o.store);
    });
    afterAll(async () => {
      await a?.stop();
      await cleanup?.();
    });

    it("imports the office calendar all or nothing (administrators), and gives every imported day to anyone signed in", async () => {
      const csv = { method: "POST", headers: { "content-type": "text/csv" } };
      expect(await get(a, "followup", "/api/admin/calendar", { ...csv, body: CSV_115 })).toMatchObject({ status: 403, json: { code: "directory.not-admin" } });
      const dup = CSV_115.split("\n");
      dup.splice(3, 0, dup[2]!);
      expect(await get(a, "director", "/api/admin/calendar", { ...csv, body: dup.join("\n") })).toMatchObject({ status: 400, json: { ok: false, code: "calendar.duplicate" } });
      expect((await get(a, "officer", "/api/calendar")).json).toEqual({ years: [] });
      const ok = await get(a, "director", "/api/admin/calendar", { ...csv, body: CSV_115 });
      expect(ok).toMatchObject({ status: 200, json: { years: [{ year: 2026, rocYear: 115, daysOff: 17, makeUpWorkdays: 1, workdays: 245 }] } });
      const cal = (await get(a, "officer", "/api/calendar")).json.years as { year: number; days: unknown[]; source: string }[];
      expect(cal.map((y) => [y.year, y.days.length, y.source])).toEqual([[2026, 365, "admin"]]);
    });

    it("reads and sets the 展期 policy (administrators), kept in the delegation table", async () => {
      expect(await get(a, "followup", "/api/admin/extension-policy")).toMatchObject({ status: 403 });
      const before = await get(a, "director", "/api/admin/extension-policy");
      expect(before.status).toBe(200);
      const put = { method: "PUT", headers: { "content-type": "application/json" } };
      const set = await get(a, "director", "/api/admin/extension-policy", { ...put, body: JSON.stringify({ approverLevel: 5, maxCount: 3, maxDays: 20 }) });
      if (set.status === 409) expect(set.json.code).toBe("deadline.no-delegation");
      else expect(set).toMatchObject({ status: 200, json: { policy: { approverLevel: 5, maxCount: 3, maxDays: 20 } } });
      expect((await get(a, "director", "/api/admin/extension-policy", { ...put, body: JSON.stringify({ approverLevel: 0, maxCount: 3, maxDays: 20 }) })).status).toBe(400);
    });

    it("lists every unit's open controlled documents to 稽催管制, by due date, with 期前 / 逾期 flags", async () => {
      const r = await get(a, "followup", "/api/follow-up/docs");
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ today: "2026-12-07", dueSoonDays: 2, scope: null, truncated: false });
      // 12/07 is a Monday: D-proj (專案管制) is never 逾期; D-late (due Wed 12/02) 3 working days late.
      expect(docsOf(r.json)).toEqual([
        ["D-proj", "ok", 0, null],
        ["D-late", "overdue", 3, null],
        ["D-per", "overdue", 2, null],
        ["D-soon", "due-soon", 0, 1],
        ["D-later", "ok", 0, 9],
      ]);
      const late = (r.json.docs as Record<string, unknown>[])[1]!;
      expect(late).toMatchObject({ subject: "校園安全演練計畫", unitName: "學務科", caseOfficerName: "測試officer", holders: ["測試chief"], receiptNumber: "1150001234" });
      expect((r.json.docs as Record<string, unknown>[])[2]).toMatchObject({ holders: ["人事室"] });
      expect(docsOf((await get(a, "followup", "/api/follow-up/docs?status=overdue")).json).map((d) => d[0])).toEqual(["D-late", "D-per"]);
      expect(docsOf((await get(a, "followup", "/api/follow-up/docs?status=due-soon")).json).map((d) => d[0])).toEqual(["D-soon"]);
      expect(docsOf((await get(a, "followup", "/api/follow-up/docs?unit=U-PER")).json).map((d) => d[0])).toEqual(["D-per"]);
      expect(docsOf((await get(a, "followup", "/api/follow-up/docs?officer=P-outsider&speed=ordinary&kind=letter&origin=received")).json).map((d) => d[0])).toEqual(["D-per"]);
    });

    it("shows a unit head their own unit only, and refuses everyone else", async () => {
      const chief = await get(a, "chief", "/api/follow-up/docs");
      expect(chief.json.scope).toEqual(["U-STU"]);
      expect(docsOf(chief.json).map((d) => d[0])).toEqual(["D-proj", "D-late", "D-soon", "D-later"]);
      expect(await get(a, "chief", "/api/follow-up/docs?unit=U-PER")).toMatchObject({ status: 403, json: { code: "follow-up.forbidden" } });
      expect(await get(a, "officer", "/api/follow-up/docs")).toMatchObject({ status: 403, json: { code: "follow-up.forbidden" } });
      expect(await get(a, "outsider", "/api/follow-up/docs")).toMatchObject({ status: 403, json: { code: "follow-up.forbidden" } });
    });

    it("refuses an unknown unit or a bad filter with a code and a sentence", async () => {
      expect(await get(a, "followup", "/api/follow-up/docs?unit=U-NONE")).toMatchObject({ status: 400, json: { ok: false, code: "follow-up.unit" } });
      expect(await get(a, "followup", "/api/follow-up/docs?speed=fast")).toMatchObject({ status: 400, json: { ok: false, code: "follow-up.filter" } });
      expect((await get(a, "followup", "/api/follow-up/docs?status=late")).status).toBe(400);
    });
  });
}

suite("SQLite", async () => ({ store: openSqliteStore(join(mkdtempSync(join(tmpdir(), "countersign-fu-")), "countersign.db")), cleanup: async () => undefined }));

let pgServer: Service | undefined;
suite("PostgreSQL", async () => {
  pgServer = await startPostgres();
  const db = await freshDatabase(pgServer.url);
  return {
    store: await openPostgresStore(db.url),
    cleanup: async () => {
      await db.drop();
      await pgServer?.stop();
    },
  };
});
