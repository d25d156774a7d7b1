// How the app shows a report (ReportTable, from the server's reports engine): each cell written by its
// column's type, and the report's chart as labels and series. Pure, so the table, the chart and the
// print view agree and are tested without a browser. The columns carry their own labels (zh-TW and
// English); nothing here knows which report it is.
import { schemas } from "@countersign/contract";
import type { Locale } from "$lib/i18n.ts";
import type { ReportColumn, ReportRow, ReportTable } from "$lib/api/report-types.ts";
import { rocDay } from "./dates.ts";

/** A column's label in the interface's language. */
export const columnLabel = (c: ReportColumn, locale: Locale): string => (locale === "en" ? c.labelEn : c.label);

/** A report's title in the interface's language, with the SOP's number: （三）公文時效統計表. */
export const reportTitle = (r: { number: string; title: string; titleEn: string }, locale: Locale): string =>
  locale === "en" ? `(${r.number}) ${r.titleEn}` : `（${r.number}）${r.title}`;

/**
 * One cell as text: counts as they are, percents and days with two decimals, dates in ROC, none as
 * "—"; in English, the few words the engine writes into text cells (合計, 逾期, 核准 …) in English
 * (the contract's CELL_TEXT_EN), everything else (names, subjects, reasons) as written.
 */
export function cellText(c: ReportColumn, v: string | number | null | undefined, locale: Locale = "zh-TW"): string {
  if (v === null || v === undefined || v === "") return "—";
  switch (c.type) {
    case "int":
      return typeof v === "number" ? String(Math.round(v)) : v;
    case "percent":
      return typeof v === "number" ? `${v.toFixed(2)}%` : v;
    case "days":
      return typeof v === "number" ? v.toFixed(2) : v;
    case "date":
      return typeof v === "string" ? rocDay(v) : String(v);
    case "text":
      return locale === "en" && typeof v === "string" ? (schemas.reports.CELL_TEXT_EN[v] ?? v) : String(v);
  }
}

/** Numbers line up on the right; words and dates on the left. */
export const isNumeric = (c: ReportColumn): boolean => c.type === "int" || c.type === "percent" || c.type === "days";

export interface ChartData {
  type: "bar" | "line";
  labels: string[];
  series: { label: string; data: (number | null)[]; percent: boolean }[];
}

const PALETTE = ["#1d4e89", "#d64545", "#2f9e44", "#e09a2d", "#7048e8", "#5b6775", "#0c8599", "#c2255c"];
export const seriesColor = (i: number): string => PALETTE[i % PALETTE.length]!;

/**
 * The report's chart as data: its own rows (points null) or the points it carries, the x column's
 * values as labels (dates in ROC), one series per charted key, labelled by its column. Null when the
 * report has no chart or nothing to draw.
 */
export function chartOf(table: ReportTable, locale: Locale): ChartData | null {
  const ch = table.chart;
  if (!ch) return null;
  const rows: ReportRow[] = ch.points ?? table.rows;
  const columns = ch.columns ?? table.columns;
  if (rows.length === 0 || ch.series.length === 0) return null;
  const col = (key: string) => columns.find((c) => c.key === key);
  const xCol = col(ch.x);
  const labels = rows.map((r) => {
    const v = r[ch.x];
    return xCol ? cellText(xCol, v, locale) : String(v ?? "—");
  });
  const series = ch.series.map((key) => {
    const c = col(key);
    return {
      label: c ? columnLabel(c, locale) + (c.type === "percent" ? " (%)" : "") : key,
      data: rows.map((r) => (typeof r[key] === "number" ? (r[key] as number) : null)),
      percent: c?.type === "percent",
    };
  });
  return { type: ch.type, labels, series };
}
