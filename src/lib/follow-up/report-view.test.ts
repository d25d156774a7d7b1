import { describe, expect, it } from "vitest";
import type { ReportTable } from "$lib/api/report-types.ts";
import { cellText, chartOf, reportTitle } from "./report-view.ts";

const table: ReportTable = {
  id: "3",
  word: "timeliness",
  number: "三",
  title: "公文時效統計表",
  titleEn: "Timeliness statistics",
  from: "2026-11-01",
  to: "2026-11-30",
  unit: null,
  asOf: "2026-12-01",
  columns: [
    { key: "unit", label: "單位", labelEn: "Unit", type: "text" },
    { key: "closed", label: "辦結件數", labelEn: "Closed", type: "int" },
    { key: "rate", label: "逾期率", labelEn: "Overdue rate", type: "percent" },
    { key: "days", label: "平均處理日數", labelEn: "Average days", type: "days" },
    { key: "due", label: "限辦日期", labelEn: "Due", type: "date" },
  ],
  rows: [
    { unit: "學務管理科", closed: 12, rate: 8.333, days: 3.5, due: "2026-11-30" },
    { unit: "人事室", closed: 0, rate: null, days: null, due: null },
  ],
  totals: { unit: "合計", closed: 12, rate: 8.333, days: 3.5, due: null },
  chart: { type: "bar", x: "unit", series: ["closed", "rate"], columns: null, points: null },
};

describe("a report in the app", () => {
  it("writes each cell by its column's type", () => {
    const [unit, closed, rate, days, due] = table.columns;
    expect(cellText(unit!, "學務管理科")).toBe("學務管理科");
    expect(cellText(closed!, 12)).toBe("12");
    expect(cellText(rate!, 8.333)).toBe("8.33%");
    expect(cellText(rate!, null)).toBe("—");
    expect(cellText(days!, 3.5)).toBe("3.50");
    expect(cellText(due!, "2026-11-30")).toBe("115/11/30");
    // English: the engine's own words in English, data as written.
    expect(cellText(unit!, "合計", "en")).toBe("Total");
    expect(cellText(unit!, "學務管理科", "en")).toBe("學務管理科");
  });

  it("titles it with the SOP's number in either language", () => {
    expect(reportTitle(table, "zh-TW")).toBe("（三）公文時效統計表");
    expect(reportTitle(table, "en")).toBe("(三) Timeliness statistics");
  });

  it("charts its rows (or its own points) by the chart's keys, labelled by column", () => {
    expect(chartOf(table, "zh-TW")).toEqual({
      type: "bar",
      labels: ["學務管理科", "人事室"],
      series: [
        { label: "辦結件數", data: [12, 0], percent: false },
        { label: "逾期率 (%)", data: [8.333, null], percent: true },
      ],
    });
    const points = chartOf(
      { ...table, chart: { type: "bar", x: "u", series: ["n"], columns: [{ key: "u", label: "單位", labelEn: "Unit", type: "text" }, { key: "n", label: "件數", labelEn: "Count", type: "int" }], points: [{ u: "會計室", n: 2 }] } },
      "en",
    );
    expect(points).toEqual({ type: "bar", labels: ["會計室"], series: [{ label: "Count", data: [2], percent: false }] });
    expect(chartOf({ ...table, chart: null }, "zh-TW")).toBeNull();
  });
});
