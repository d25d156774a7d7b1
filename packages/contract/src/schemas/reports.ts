// 時效管制 reports and KPIs (issue 10): the SOP's eight reports (嘉義市政府公文處理流程稽催管考作業流程)
// and the KPIs of Tainan's plan, as the server's reports engine (sync-server/src/reports/) answers them
// and the CLI, the HTTP routes and the app read them.
//
// What must stay true: a report is one table whose columns say their own labels (zh-TW and English)
// and types, so a writer (CSV, ODS, the app's table) needs nothing but the table; ids "1".."8" and the
// words never change once shipped (scripts and bookmarks name them). Days are Taiwan calendar days
// (YYYY-MM-DD), months YYYY-MM (Gregorian); ROC forms are accepted on the way in by parseReportDay
// and parseReportMonth and shown by the writers.
import { z } from "zod";
import { unitId } from "../ids.ts";

/** The eight reports in the SOP's order: id "1".."8", a word, the SOP's number and name. */
export const REPORTS = [
  { id: "1", word: "deadlines", number: "一", title: "公文限辦日期及公文處理使用日數彙整表", titleEn: "Due dates and days used" },
  { id: "2", word: "reminders", number: "二", title: "各單位未辦結公文稽催通知單", titleEn: "Reminder notice of unfinished documents by unit" },
  { id: "3", word: "timeliness", number: "三", title: "公文時效統計表", titleEn: "Timeliness statistics" },
  { id: "4", word: "monthly", number: "四", title: "公文處理成績月報表", titleEn: "Monthly performance report" },
  { id: "5", word: "comparison", number: "五", title: "公文處理成績比較表", titleEn: "Performance comparison with the previous period" },
  { id: "6", word: "extensions", number: "六", title: "公文處理展期原因彙整表", titleEn: "Reasons for extensions (展期)" },
  { id: "7", word: "lateness", number: "七", title: "公文處理逾限原因彙整表", titleEn: "Reasons for lateness (逾期)" },
  { id: "8", word: "paper-online", number: "八", title: "公文處理（紙本／電子簽核）成效比較表", titleEn: "Paper and online signing compared" },
] as const;

export const REPORT_IDS = ["1", "2", "3", "4", "5", "6", "7", "8"] as const;
export const REPORT_WORDS = ["deadlines", "reminders", "timeliness", "monthly", "comparison", "extensions", "lateness", "paper-online"] as const;
export const reportId = z.enum(REPORT_IDS);
export type ReportId = z.infer<typeof reportId>;
export const reportWord = z.enum(REPORT_WORDS);
export type ReportWord = z.infer<typeof reportWord>;
export type ReportInfo = (typeof REPORTS)[number];

/** A report named by its id ("3") or its word ("timeliness"), as the CLI and URLs take it; undefined when neither. */
export function reportOf(name: string): ReportInfo | undefined {
  return REPORTS.find((r) => r.id === name || r.word === name);
}

/** The catalogue entry as the API lists it (GET /api/reports). */
export const reportInfo = z.object({
  id: reportId,
  word: reportWord,
  number: z.string(),
  title: z.string(),
  titleEn: z.string(),
});
export const reportList = z.object({ reports: z.array(reportInfo) });

/** How a column's values are written: text; int (a count); percent (0–100, two decimals; null when the base is 0); days (working days, two decimals); date (YYYY-MM-DD). */
export const columnType = z.enum(["text", "int", "percent", "days", "date"]);
export type ColumnType = z.infer<typeof columnType>;

export const reportColumn = z.object({
  key: z.string(),
  label: z.string(),
  labelEn: z.string(),
  type: columnType,
});
export type ReportColumn = z.infer<typeof reportColumn>;

export const reportCell = z.union([z.string(), z.number(), z.null()]);
export const reportRow = z.record(z.string(), reportCell);
export type ReportRow = z.infer<typeof reportRow>;

/**
 * The report's chart. `x` is the key of the category (a unit's name, a month), `series` the keys of
 * the numbers drawn. `points` null: draw the table's own rows with its columns; otherwise draw these
 * points, whose keys `columns` labels (list reports such as (二), (六), (七) chart a count per unit).
 */
export const reportChart = z.object({
  type: z.enum(["bar", "line"]),
  x: z.string(),
  series: z.array(z.string()),
  columns: z.array(reportColumn).nullable(),
  points: z.array(reportRow).nullable(),
});
export type ReportChart = z.infer<typeof reportChart>;

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "is not a day (YYYY-MM-DD)");
const isoMonth = z.string().regex(/^\d{4}-\d{2}$/, "is not a month (YYYY-MM)");

/** One report over a range: rows (one per unit, or one per document for the lists) and the agency total. */
export const reportTable = z.object({
  id: reportId,
  word: reportWord,
  number: z.string(),
  title: z.string(),
  titleEn: z.string(),
  from: isoDay,
  to: isoDay,
  /** The unit reported on; null: the whole agency. */
  unit: z.string().nullable(),
  /** The day open documents are judged on (逾期 or not), Taiwan time. */
  asOf: isoDay,
  columns: z.array(reportColumn),
  rows: z.array(reportRow),
  /** The agency (or the unit's) total row, keyed like rows; null for lists without one. */
  totals: reportRow.nullable(),
  chart: reportChart.nullable(),
  /** For (五) 比較表: the range compared against. */
  previous: z.object({ from: isoDay, to: isoDay }).optional(),
});
export type ReportTable = z.infer<typeof reportTable>;

/**
 * The KPIs of one month (agency-wide or one unit). Counts are documents; rates are percent with two
 * decimals, null when their base is 0. Each field's rows are said in sync-server/src/reports/README.md.
 */
export const kpiSet = z.object({
  month: isoMonth,
  unit: z.string().nullable(),
  /** 收文總數: received documents (收文) started in the month. */
  received: z.number().int(),
  /** 密件數: documents (收文 and 創稿) started in the month whose 密等 is not 普通. */
  secret: z.number().int(),
  /** 自創簽稿數: documents created here (創稿) started in the month. */
  created: z.number().int(),
  /** 線上簽核件數: documents closed (辦結) in the month, signed online. */
  onlineSigned: z.number().int(),
  /** 線上簽核比率 = onlineSigned ÷ (received − secret + created) × 100. */
  onlineRate: z.number().nullable(),
  /** Received in the month by electronic exchange (電子交換收文). */
  exchangeIn: z.number().int(),
  /** 電子交換比率 (收文) = exchangeIn ÷ received × 100. */
  exchangeInRate: z.number().nullable(),
  /** Dispatched (發文) in the month: every channel, and by electronic exchange. */
  dispatched: z.number().int(),
  exchangeOut: z.number().int(),
  /** 電子交換比率 (發文) = exchangeOut ÷ dispatched × 100. */
  exchangeOutRate: z.number().nullable(),
  /** Documents closed (辦結) in the month. */
  closed: z.number().int(),
  /** 平均處理日數: the mean working days used by the documents closed in the month. */
  averageDays: z.number().nullable(),
  /** Closed in the month after their due date (逾期辦結). */
  closedLate: z.number().int(),
  /** 逾期率 = closedLate ÷ closed × 100. */
  overdueRate: z.number().nullable(),
  /** 展期件數: approved 展期 requested in the month. */
  extensions: z.number().int(),
  /** The baseline month of efficiencyGain, and its 平均處理日數. */
  baseline: isoMonth.nullable(),
  baselineAverageDays: z.number().nullable(),
  /** 公文效率提升 = (baseline's 平均處理日數 − this month's) ÷ baseline's × 100 (positive: faster). */
  efficiencyGain: z.number().nullable(),
  /** Paper saved: onlineSigned × 4 sheets (seed 003: four sheets per document signed online). */
  paperSavedSheets: z.number().int(),
});
export type KpiSet = z.infer<typeof kpiSet>;
export const kpiSeries = z.object({ months: z.array(kpiSet) });

// ---- what callers send (the CLI's flags, the HTTP query strings) ----------------------------------

const ROC_DAY = /^(\d{2,3})[/-](\d{1,2})[/-](\d{1,2})$/;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

const realDay = (y: number, m: number, d: number): string | undefined => {
  if (y < 1912 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31) return undefined;
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return undefined;
  return t.toISOString().slice(0, 10);
};

/** A day given as YYYY-MM-DD or in ROC form (115/11/30, 115-11-30): the YYYY-MM-DD day, or undefined when malformed or not a real day. */
export function parseReportDay(s: string): string | undefined {
  const iso = ISO_DAY.exec(s);
  if (iso) return realDay(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const roc = ROC_DAY.exec(s);
  if (roc) return realDay(Number(roc[1]) + 1911, Number(roc[2]), Number(roc[3]));
  return undefined;
}

/** A month given as YYYY-MM or in ROC form (115-11, 115/11): the YYYY-MM month, or undefined when malformed. */
export function parseReportMonth(s: string): string | undefined {
  const m = /^(\d{2,4})[/-](\d{1,2})$/.exec(s);
  if (!m) return undefined;
  const year = m[1]!.length === 4 ? Number(m[1]) : Number(m[1]) + 1911;
  const month = Number(m[2]);
  if (year < 1912 || year > 9999 || month < 1 || month > 12) return undefined;
  return `${String(year)}-${String(month).padStart(2, "0")}`;
}

/** GET /api/reports/:id: the range (days, YYYY-MM-DD or ROC), the unit, and the day open documents are judged on. */
export const reportQuery = z.object({
  from: z.string().max(10),
  to: z.string().max(10),
  unit: unitId.optional(),
  asOf: z.string().max(10).optional(),
});
/** GET /api/kpis. */
export const kpiQuery = z.object({
  month: z.string().max(7),
  unit: unitId.optional(),
  baseline: z.string().max(7).optional(),
});
/** GET /api/kpis/series: every month from `from` to `to` (at most 36). */
export const kpiSeriesQuery = z.object({
  from: z.string().max(7),
  to: z.string().max(7),
  unit: unitId.optional(),
  /** With a baseline month, each month's 公文效率提升 is against it (the trend line of the gain). */
  baseline: z.string().max(7).optional(),
});

/**
 * The words the engine writes into text cells (the total row's name, statuses, decisions, 速別), zh-TW
 * as the printed forms have them, with their English for the app's English mode. A writer that shows
 * English maps a cell through this; any other text (names, 主旨, reasons) is user content, shown as is.
 */
export const CELL_TEXT_EN: Readonly<Record<string, string>> = {
  合計: "Total",
  "（未分文）": "(no unit yet)",
  逾期: "Overdue",
  未逾期: "Not overdue",
  專案管制: "Project control",
  核准: "Approved",
  不准: "Refused",
  待核定: "Awaiting decision",
  是: "Yes",
  否: "No",
  最速件: "Most urgent",
  速件: "Urgent",
  普通件: "Ordinary",
};
