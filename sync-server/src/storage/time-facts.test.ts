// The time-facts and calendar methods of both stores (migration 8): the same calls, the same answers,
// on a real SQLite file and a real PostgreSQL database.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uncheckedFromStore, type TimeFacts } from "@countersign/crdt-model";
import { freshDatabase, startPostgres, type Service } from "../../../tests/support/services.ts";
import { openPostgresStore } from "./postgres.ts";
import { openSqliteStore } from "./sqlite.ts";
import type { Store, StoredCalendarYear } from "./types.ts";

const d = uncheckedFromStore.doc;
const e = uncheckedFromStore.entry;
const p = uncheckedFromStore.person;
const u = uncheckedFromStore.unit;

function facts(doc: string, over: Partial<TimeFacts> = {}): TimeFacts {
  return {
    doc: d(doc),
    unit: u("U1"),
    caseOfficer: p("P1"),
    kind: "letter",
    speed: "normal",
    secrecy: "none",
    origin: "received",
    incoming: "exchange",
    outgoing: null,
    startedAt: "2026-11-02T01:00:00.000Z",
    startDay: "2026-11-02",
    controlled: true,
    baseDue: "2026-11-10",
    due: "2026-11-10",
    extensions: [],
    projectControl: false,
    closedAt: null,
    closeDay: null,
    closing: null,
    mode: "online",
    daysUsed: 3,
    overdue: false,
    lateReason: null,
    updatedAt: "2026-11-05T01:00:00.000Z",
    ...over,
  };
}

const extended = facts("D-ext", {
  due: "2026-11-20",
  extensions: [
    { request: e("E1"), requestedBy: p("P1"), requestedAt: "2026-11-09T17:00:00.000Z", reason: "待他機關回復", until: "2026-11-20", project: false, decision: { entry: e("E2"), by: p("P9"), at: "2026-11-10T02:00:00.000Z", approved: true } },
    { request: e("E3"), requestedBy: p("P1"), requestedAt: "2026-11-18T02:00:00.000Z", reason: "再延", until: "2026-11-30", project: false, decision: null },
  ],
});

const year = (y: number, days: StoredCalendarYear["days"]): StoredCalendarYear => ({ year: y, days, importedAt: "2026-12-01T00:00:00.000Z", source: `calendar-${y}.csv` });

function contract(name: string, open: () => Promise<{ store: Store; cleanup(): Promise<void> }>) {
  describe(`${name}: time facts and the calendar`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, cleanup } = await open());
    });
    afterAll(async () => cleanup());

    it("puts and gives back a document's time facts with its extensions, replacing them", async () => {
      await store.putTimeFacts([facts("D-ext"), extended]);
      expect(await store.getTimeFacts(d("D-ext"))).toEqual(extended);
      const fewer = { ...extended, extensions: extended.extensions.slice(0, 1) };
      await store.putTimeFacts([fewer]);
      expect(await store.getTimeFacts(d("D-ext"))).toEqual(fewer);
      expect(await store.getTimeFacts(d("D-none"))).toBeUndefined();
    });

    it("writes all rows or none", async () => {
      const bad = { ...facts("D-bad2"), origin: "elsewhere" } as unknown as TimeFacts;
      await expect(store.putTimeFacts([facts("D-bad1"), bad])).rejects.toThrow();
      expect(await store.getTimeFacts(d("D-bad1"))).toBeUndefined();
    });

    it("lists open controlled documents by due date, filtered", async () => {
      await store.putTimeFacts([
        facts("F-late", { due: "2026-11-03", overdue: true }),
        facts("F-soon", { due: "2026-11-06", unit: u("U2"), caseOfficer: p("P2") }),
        facts("F-closed", { due: "2026-11-01", closedAt: "2026-11-02T00:00:00.000Z", closeDay: "2026-11-02", closing: "close" }),
        facts("F-free", { controlled: false, due: null, baseDue: null }),
      ]);
      const all = await store.followUpFacts({ limit: 100 });
      expect(all.map((f) => f.doc).filter((x) => x.startsWith("F-"))).toEqual(["F-late", "F-soon"]);
      expect((await store.followUpFacts({ units: [u("U2")], limit: 10 })).map((f) => f.doc)).toEqual(["F-soon"]);
      expect((await store.followUpFacts({ officer: p("P2"), limit: 10 })).map((f) => f.doc)).toEqual(["F-soon"]);
      expect((await store.followUpFacts({ dueOnOrBefore: "2026-11-04", limit: 10 })).map((f) => f.doc)).toEqual(["F-late"]);
      expect(await store.followUpFacts({ origin: "created", limit: 10 })).toEqual([]);
      expect((await store.timeFactsWork({ kind: "open", after: "F-", limit: 10 })).filter((x) => x.startsWith("F-"))).toEqual(["F-free", "F-late", "F-soon"]);
    });

    it("imports calendar years all or nothing, replacing a year whole", async () => {
      await store.putCalendar([year(2026, [{ day: "2026-01-01", off: true, note: "開國紀念日" }, { day: "2026-02-07", off: false, note: "補行上班" }])]);
      await store.putCalendar([year(2026, [{ day: "2026-01-01", off: true, note: "開國紀念日" }])]);
      expect(await store.calendarYears()).toEqual([year(2026, [{ day: "2026-01-01", off: true, note: "開國紀念日" }])]);
      await expect(store.putCalendar([year(2027, [{ day: "2027-01-01", off: true, note: "" }]), year(2028, [{ day: "2029-01-01", off: true, note: "" }])])).rejects.toThrow();
      expect((await store.calendarYears()).map((y) => y.year)).toEqual([2026]);
    });
  });
}

contract("SQLite", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cs-tf-"));
  const store = openSqliteStore(path.join(dir, "countersign.db"));
  return { store, cleanup: async () => (await store.close(), fs.rmSync(dir, { recursive: true, force: true })) };
});

let server: Service | undefined;
contract("PostgreSQL", async () => {
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
