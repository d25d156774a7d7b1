// What a report is asked for: ROC and ISO days and months, ranges, the as-of day, the range (五)
// compares against. Bad input is refused with its report.* code before any query.
import { describe, expect, it } from "vitest";
import { schemas } from "@countersign/contract";
import { checkMonths, checkRange, reportIdOf, taiwanToday } from "./input.ts";
import { previousRange } from "./summaries.ts";

const { parseReportDay, parseReportMonth } = schemas.reports;

describe("days and months, ISO or ROC", () => {
  it("reads YYYY-MM-DD and ROC 115/11/30, 115-11-30, 99/1/2; refuses what is not a real day", () => {
    expect(parseReportDay("2026-11-30")).toBe("2026-11-30");
    expect(parseReportDay("115/11/30")).toBe("2026-11-30");
    expect(parseReportDay("115-11-30")).toBe("2026-11-30");
    expect(parseReportDay("99/1/2")).toBe("2010-01-02");
    for (const bad of ["", "2026-02-30", "115/13/01", "115/02/29", "1151130", "2026/11/30x", "0/01/01"]) expect(parseReportDay(bad), bad).toBeUndefined();
    expect(parseReportDay("113/02/29")).toBe("2024-02-29");
  });

  it("reads months YYYY-MM and ROC 115-11 or 115/11", () => {
    expect(parseReportMonth("2026-11")).toBe("2026-11");
    expect(parseReportMonth("115-11")).toBe("2026-11");
    expect(parseReportMonth("115/1")).toBe("2026-01");
    for (const bad of ["2026-13", "115-00", "11", "2026-11-01", "x"]) expect(parseReportMonth(bad), bad).toBeUndefined();
  });
});

describe("ranges", () => {
  const now = new Date("2026-12-05T17:00:00Z"); // 12-06 01:00 in Taiwan

  it("the as-of day defaults to today in Taiwan, and the end is the earlier of to and as-of", () => {
    expect(taiwanToday(now)).toBe("2026-12-06");
    expect(checkRange({ from: "115/11/01", to: "115/11/30" }, now)).toEqual({ ok: true, value: { from: "2026-11-01", to: "2026-11-30", asOf: "2026-12-06", end: "2026-11-30" } });
    expect(checkRange({ from: "2026-12-01", to: "2026-12-31" }, now)).toMatchObject({ ok: true, value: { end: "2026-12-06" } });
  });

  it("refuses malformed days, reversed and too long ranges, unknown reports", () => {
    expect(checkRange({ from: "2026-11-31", to: "2026-12-01" })).toMatchObject({ ok: false, code: "report.day" });
    expect(checkRange({ from: "2026-11-01", to: "2026-11-30", asOf: "soon" })).toMatchObject({ ok: false, code: "report.day" });
    expect(checkRange({ from: "2026-11-02", to: "2026-11-01" })).toMatchObject({ ok: false, code: "report.range" });
    expect(checkRange({ from: "2023-01-01", to: "2026-01-04" })).toMatchObject({ ok: false, code: "report.range" });
    expect(checkRange({ from: "2023-12-01", to: "2026-11-30" })).toMatchObject({ ok: true });
    expect(reportIdOf("paper-online")).toEqual({ ok: true, value: "8" });
    expect(reportIdOf("0")).toMatchObject({ ok: false, code: "report.unknown" });
  });

  it("a KPI series is at most 36 months, oldest first", () => {
    expect(checkMonths("115-11", "2027-02")).toEqual({ ok: true, value: ["2026-11", "2026-12", "2027-01", "2027-02"] });
    expect(checkMonths("2024-01", "2026-12")).toMatchObject({ ok: true });
    expect(checkMonths("2024-01", "2027-01")).toMatchObject({ ok: false, code: "report.range" });
  });

  it("(五) compares whole months with the months before, other ranges with the days just before", () => {
    expect(previousRange("2026-11-01", "2026-11-30")).toEqual({ from: "2026-10-01", to: "2026-10-31" });
    expect(previousRange("2026-03-01", "2026-03-31")).toEqual({ from: "2026-02-01", to: "2026-02-28" });
    expect(previousRange("2026-01-01", "2026-03-31")).toEqual({ from: "2025-10-01", to: "2025-12-31" });
    expect(previousRange("2026-11-10", "2026-11-16")).toEqual({ from: "2026-11-03", to: "2026-11-09" });
  });
});
