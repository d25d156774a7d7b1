// A report table for the writers' tests: every column type, quoting, a formula, nulls and a totals row.
import type { TableForFile } from "./cells.ts";

export const SAMPLE: TableForFile = {
  id: "3",
  number: "三",
  title: "公文時效統計表",
  from: "2026-11-01",
  to: "2026-11-30",
  unit: null,
  asOf: "2026-12-01",
  columns: [
    { key: "unit", label: "單位", type: "text" },
    { key: "closed", label: "辦結件數", type: "int" },
    { key: "rate", label: "線上簽核比率", type: "percent" },
    { key: "avg", label: "平均處理日數", type: "days" },
    { key: "due", label: "限辦日期", type: "date" },
  ],
  rows: [
    { unit: "秘書室", closed: 1234, rate: 87.5, avg: 3.25, due: "2026-11-30" },
    { unit: '研考科, "稽催"\n第二行', closed: 0, rate: null, avg: null, due: null },
    { unit: "=HYPERLINK(\"x\")", closed: 7, rate: 100, avg: 1, due: "2027-01-04" },
  ],
  totals: { unit: null, closed: 1241, rate: 88.1, avg: 3.1, due: null },
};
