// Due dates as the app shows them, on the fixture office calendar (the model's, in the published
// format): the 期前 / 逾期 flag, the years not imported, and the calendar kept on this device (Dexie on
// fake-indexeddb) — written all or nothing, read back the same, damaged rows skipped — and one
// document's deadline from its derived state (展期 approved, pending, refused; 逾期原因).
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { officeCalendar, type WorkflowState } from "@countersign/crdt-model";
import { fixtureCalendarYears } from "../../../packages/crdt-model/tests/fixtures/calendar.ts";
import { LocalDb } from "$lib/local/db.ts";
import { calendarOf, readCalendar, writeCalendar } from "./calendar-cache.ts";
import { dueFlag, rocYear, unimportedYears } from "./due.ts";
import { baseDueOf, closingNeedsReason, docDeadline } from "./doc-due.ts";

const years = fixtureCalendarYears();
const cal = officeCalendar(years);

describe("the 期前 / 逾期 flag", () => {
  it("is none for a finished document or one without a due date", () => {
    expect(dueFlag(cal, "2026-03-02", "2026-03-10", true)).toBe("none");
    expect(dueFlag(cal, null, "2026-03-10", false)).toBe("none");
  });

  it("is 逾期 once a working day after the due date has begun, not on the weekend after a Friday due", () => {
    expect(dueFlag(cal, "2026-03-06", "2026-03-09", false)).toBe("overdue"); // Friday due, Monday
    expect(dueFlag(cal, "2026-03-06", "2026-03-07", false)).toBe("due-soon"); // the Saturday after: still in time
  });

  it("is 期前 within two working days, counted on the imported calendar (彈性放假 skipped)", () => {
    expect(dueFlag(cal, "2026-03-04", "2026-03-02", false)).toBe("due-soon");
    expect(dueFlag(cal, "2026-03-05", "2026-03-02", false)).toBe("ok");
    // 2026-01-02 (Fri) is a 彈性放假 in the fixture: from Wed 12-31 to Mon 01-05 is Mon only… plus 01-01 off.
    expect(dueFlag(cal, "2026-01-05", "2025-12-31", false)).toBe("due-soon");
  });

  it("names the years of the dates shown whose calendar was not imported", () => {
    expect(unimportedYears(cal, ["2026-05-01", "2027-01-04", null, "2028-01-03", "not a day"])).toEqual([2028]);
    expect(unimportedYears(officeCalendar([]), ["2026-12-01"]).map(rocYear)).toEqual([115]);
  });
});

describe("the calendar kept on this device", () => {
  it("is written and read back whole; a new answer replaces it; damaged rows are skipped", async () => {
    const db = new LocalDb(`test-calendar-${Math.random()}`);
    expect(await readCalendar(db)).toEqual([]);
    await writeCalendar(db, years);
    const back = await readCalendar(db);
    expect(back.map((y) => y.year)).toEqual([2026, 2027]);
    expect(calendarOf(back).imported(2026)).toBe(true);
    expect(calendarOf(back).isWorkday("2026-01-17")).toBe(true); // the fixture's 補行上班 Saturday
    await writeCalendar(db, years.slice(0, 1));
    expect((await readCalendar(db)).map((y) => y.year)).toEqual([2026]);
    await db.calendar.put({ year: 2030, days: [{ day: "2030-02-30", off: true, note: "" }] });
    expect((await readCalendar(db)).map((y) => y.year)).toEqual([2026]);
    db.close();
  });
});

describe("one document's deadline (doc-due.ts)", () => {
  const at = "2026-03-02T01:00:00.000Z"; // Monday 2026-03-02, 09:00 in Taipei
  const timeline = [{ outcome: "applied", at }] as unknown as WorkflowState["timeline"];
  const state = (over: Partial<WorkflowState> = {}) =>
    ({ status: "in-review", timeline, extensions: [], lateReason: null, projectControl: false, ...over }) as WorkflowState;
  const request = (until: string, approved: boolean | null, project = false) => ({
    request: "e1" as never,
    requestedBy: "chen" as never,
    requestedAt: at,
    reason: "需調查",
    until,
    project,
    decision: approved === null ? null : { entry: "e2" as never, by: "wang" as never, at, approved },
  });

  it("is the model's first due date: 收文's stated date; 創稿's earlier of the stated date and 速別's; 便簽 none", () => {
    const memo = { kind: "memo", receiptNumber: null } as const;
    expect(docDeadline(state(), { ...memo, dueDate: "2026-03-05", speed: "ordinary" }, cal, "2026-03-02").due).toBe("2026-03-05");
    // 普通件: 6 working days after Monday 2026-03-02 is 2026-03-10; a later stated date does not extend it.
    expect(docDeadline(state(), { ...memo, dueDate: "2026-03-20", speed: "ordinary" }, cal, "2026-03-02").due).toBe("2026-03-10");
    expect(docDeadline(state(), { kind: "letter", receiptNumber: "1150000038", dueDate: "2026-03-20", speed: "ordinary" }, cal, "2026-03-02").due).toBe("2026-03-20");
    expect(baseDueOf(state(), { ...memo, dueDate: null, speed: "urgent" }, cal, "2026-03-02")).toBe("2026-03-05");
    expect(baseDueOf(state(), { kind: "note", receiptNumber: null, dueDate: "2026-03-05", speed: "urgent" }, cal, "2026-03-02")).toBeNull();
  });

  it("moves with an approved 展期 only; a pending request is shown, a refused one changes nothing", () => {
    const meta = { kind: "memo", receiptNumber: null, dueDate: "2026-03-06", speed: "ordinary" } as const;
    const pending = docDeadline(state({ extensions: [request("2026-03-31", null)] }), meta, cal, "2026-03-02");
    expect(pending).toMatchObject({ base: "2026-03-06", due: "2026-03-06", approved: 0, pending: { until: "2026-03-31", reason: "需調查" } });
    const refused = docDeadline(state({ extensions: [request("2026-03-31", false)] }), meta, cal, "2026-03-02");
    expect(refused).toMatchObject({ due: "2026-03-06", approved: 0, pending: null });
    const approved = docDeadline(state({ extensions: [request("2026-03-31", true, true)], projectControl: true }), meta, cal, "2026-03-09");
    // Under 專案管制 it is followed apart: no 期前 / 逾期 flag (the model's deadlineOf).
    expect(approved).toMatchObject({ base: "2026-03-06", due: "2026-03-31", approved: 1, project: true, flag: "none" });
    const plain = docDeadline(state({ extensions: [request("2026-03-31", true)] }), meta, cal, "2026-03-30");
    expect(plain).toMatchObject({ due: "2026-03-31", approved: 1, project: false, flag: "due-soon" });
  });

  it("asks a late closing for its reason unless one was given; never a finished document", () => {
    const meta = { kind: "memo", receiptNumber: null, dueDate: "2026-03-06", speed: "ordinary" } as const;
    const late = docDeadline(state({ status: "decided" }), meta, cal, "2026-03-09");
    expect(late.flag).toBe("overdue");
    expect(closingNeedsReason(late, "2026-03-09", cal)).toBe(true);
    expect(closingNeedsReason(late, "2026-03-07", cal)).toBe(false); // the Saturday after a Friday due
    expect(closingNeedsReason(docDeadline(state({ status: "decided", lateReason: "資料延遲" }), meta, cal, "2026-03-09"), "2026-03-09", cal)).toBe(false);
    expect(docDeadline(state({ status: "closed" }), meta, cal, "2026-03-09").flag).toBe("none");
  });
});
