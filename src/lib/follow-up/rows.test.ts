import { describe, expect, it } from "vitest";
import { NO_FILTER, byDue, choices, countsByUnit, filterRows, noticeRows, type FollowUpRow } from "./rows.ts";
import { monthRange, monthsBefore, parseRocDay, parseRocMonth, rocDay, rocMonth } from "./dates.ts";

const row = (doc: string, o: Partial<FollowUpRow>): FollowUpRow => ({
  doc,
  subject: doc,
  unit: "U-STU",
  unitName: "學務管理科",
  caseOfficer: "chen",
  caseOfficerName: "陳承辦",
  kind: "memo",
  speed: "ordinary",
  origin: "created",
  startDay: "2026-11-02",
  due: "2026-11-10",
  flag: "ok",
  daysLate: 0,
  daysLeft: 3,
  holders: ["陳承辦"],
  receiptNumber: null,
  docNumber: null,
  extensionCount: 0,
  projectControl: false,
  ...o,
});

const rows = [
  row("a", { due: "2026-11-20" }),
  row("b", { due: "2026-11-03", flag: "overdue", daysLate: 7, unit: "U-PER", caseOfficer: "huang", holders: ["黃主任"] }),
  row("c", { due: "2026-11-10", flag: "due-soon", speed: "urgent", origin: "received" }),
  row("d", { due: "2026-11-10", flag: "overdue", kind: "letter" }),
  row("e", { due: "2026-11-10", flag: "due-soon", speed: "most-urgent" }),
];

describe("the follow-up list", () => {
  it("orders by due date, then 逾期 before 期前, then 速別", () => {
    expect([...rows].sort(byDue).map((r) => r.doc)).toEqual(["b", "d", "e", "c", "a"]);
  });

  it("filters by unit, officer, 速別, 文別, 收文/創稿 and flag, each alone and together", () => {
    expect(filterRows(rows, NO_FILTER)).toHaveLength(5);
    expect(filterRows(rows, { ...NO_FILTER, unit: "U-PER" }).map((r) => r.doc)).toEqual(["b"]);
    expect(filterRows(rows, { ...NO_FILTER, officer: "chen" }).map((r) => r.doc)).toEqual(["d", "e", "c", "a"]);
    expect(filterRows(rows, { ...NO_FILTER, speed: "urgent" }).map((r) => r.doc)).toEqual(["c"]);
    expect(filterRows(rows, { ...NO_FILTER, kind: "letter" }).map((r) => r.doc)).toEqual(["d"]);
    expect(filterRows(rows, { ...NO_FILTER, origin: "received" }).map((r) => r.doc)).toEqual(["c"]);
    expect(filterRows(rows, { ...NO_FILTER, flag: "overdue", unit: "U-STU" }).map((r) => r.doc)).toEqual(["d"]);
  });

  it("counts per unit, most overdue first, and lists a unit's notice rows (逾期 and 期前 only)", () => {
    expect(countsByUnit(rows)).toEqual([
      { unit: "U-STU", open: 4, overdue: 1, dueSoon: 2 },
      { unit: "U-PER", open: 1, overdue: 1, dueSoon: 0 },
    ]);
    expect(noticeRows(rows, "U-STU").map((r) => r.doc)).toEqual(["d", "e", "c"]);
    expect(noticeRows(rows, "U-ACC")).toEqual([]);
  });

  it("offers each filter's distinct values", () => {
    expect(choices(rows, "caseOfficer")).toEqual(["chen", "huang"]);
    expect(choices(rows, "speed")).toEqual(["most-urgent", "ordinary", "urgent"]);
  });
});

describe("ROC dates on the desk", () => {
  it("shows days and months in the ROC calendar", () => {
    expect(rocDay("2026-11-30")).toBe("115/11/30");
    expect(rocDay(null)).toBe("—");
    expect(rocMonth("2026-11")).toBe("115-11");
  });

  it("reads typed ROC days and months, refusing days that do not exist", () => {
    expect(parseRocDay("115/11/01")).toBe("2026-11-01");
    expect(parseRocDay(" 115-2-28 ")).toBe("2026-02-28");
    expect(parseRocDay("115/02/29")).toBeNull();
    expect(parseRocDay("2026-11-01")).toBeNull();
    expect(parseRocDay("115/13/01")).toBeNull();
    expect(parseRocMonth("115-11")).toBe("2026-11");
    expect(parseRocMonth("115/13")).toBeNull();
  });

  it("gives a month's range and earlier months across a year's end", () => {
    expect(monthRange("2026-02")).toEqual({ from: "2026-02-01", to: "2026-02-28" });
    expect(monthsBefore("2026-02", 3)).toBe("2025-11");
    expect(monthsBefore("2026-12", 0)).toBe("2026-12");
  });
});
