// The eight reports' columns: what each table shows, in the SOP's words (zh-TW) and in English. The
// catalogue itself (ids, words, titles) is the contract's REPORTS, so the app and the CLI list the
// same names. README.md says how every column is counted; keep the two together.
import { schemas } from "@countersign/contract";

export type ReportId = schemas.reports.ReportId;
export type ReportColumn = schemas.reports.ReportColumn;
export const REPORTS = schemas.reports.REPORTS;
export const reportOf = schemas.reports.reportOf;

const col = (key: string, label: string, labelEn: string, type: ReportColumn["type"]): ReportColumn => ({ key, label, labelEn, type });

const UNIT = [col("unitId", "單位代號", "Unit id", "text"), col("unitName", "單位", "Unit", "text")];

/** The columns of a per-document list: which document, its 文號, 主旨 and case officer. */
const DOC = [
  col("doc", "公文識別碼", "Document id", "text"),
  col("docNumber", "文號", "Document number", "text"),
  col("subject", "主旨", "Subject", "text"),
  col("caseOfficerName", "承辦人", "Case officer", "text"),
];

export const COLUMNS: Record<ReportId, readonly ReportColumn[]> = {
  // (一) per unit: documents started in the range, by 速別, and the working days they used.
  "1": [
    ...UNIT,
    col("documents", "收創文件數", "Documents received or created", "int"),
    col("mostUrgent", "最速件數（限1日）", "Most urgent (1 day)", "int"),
    col("mostUrgentDays", "最速件平均使用日數", "Most urgent: mean days used", "days"),
    col("urgent", "速件數（限3日）", "Urgent (3 days)", "int"),
    col("urgentDays", "速件平均使用日數", "Urgent: mean days used", "days"),
    col("ordinary", "普通件數（限6日）", "Ordinary (6 days)", "int"),
    col("ordinaryDays", "普通件平均使用日數", "Ordinary: mean days used", "days"),
    col("closed", "已辦結", "Closed", "int"),
    col("open", "未辦結", "Open", "int"),
    col("averageDays", "平均使用日數", "Mean days used", "days"),
    col("maxDays", "最長使用日數", "Most days used", "int"),
    col("extended", "展期件數", "Extended", "int"),
  ],
  // (二) one row per open controlled document, per unit, by due date.
  "2": [
    ...UNIT,
    ...DOC,
    col("speed", "速別", "Speed", "text"),
    col("startDay", "收創日期", "Received or created", "date"),
    col("due", "限辦日期", "Due", "date"),
    col("status", "狀態", "Status", "text"),
    col("daysLate", "逾期日數", "Days overdue", "int"),
    col("extensionCount", "展期次數", "Extensions", "int"),
  ],
  // (三) per unit: the documents to handle in the range (carried over + received + created), how they ended.
  "3": [
    ...UNIT,
    col("carried", "上期未結", "Carried over", "int"),
    col("received", "本期收文", "Received", "int"),
    col("created", "本期創稿", "Created", "int"),
    col("total", "應辦總數", "To handle", "int"),
    col("closedOnTime", "如期辦結", "Closed on time", "int"),
    col("closedLate", "逾期辦結", "Closed late", "int"),
    col("openOnTime", "未結未逾期", "Open, not overdue", "int"),
    col("openLate", "未結已逾期", "Open, overdue", "int"),
    col("projectControl", "專案管制", "Project control", "int"),
    col("averageDays", "平均處理日數", "Mean days to close", "days"),
    col("onTimeRate", "如期辦結率", "Closed on time (%)", "percent"),
  ],
  // (四) per unit: the month's results, the KPIs' counts.
  "4": [
    ...UNIT,
    col("received", "收文數", "Received", "int"),
    col("created", "創稿數", "Created", "int"),
    col("secret", "密件數", "Classified", "int"),
    col("closed", "辦結數", "Closed", "int"),
    col("closedOnTime", "如期辦結", "Closed on time", "int"),
    col("closedLate", "逾期辦結", "Closed late", "int"),
    col("averageDays", "平均處理日數", "Mean days to close", "days"),
    col("onTimeRate", "如期辦結率", "Closed on time (%)", "percent"),
    col("onlineSigned", "線上簽核件數", "Signed online", "int"),
    col("onlineRate", "線上簽核比率", "Online signing rate (%)", "percent"),
    col("exchangeIn", "電子交換收文", "Received by exchange", "int"),
    col("exchangeOut", "電子交換發文", "Sent by exchange", "int"),
    col("dispatched", "發文數", "Dispatched", "int"),
    col("extensions", "展期件數", "Extensions approved", "int"),
  ],
  // (五) per unit: this range against the one before it, and the rank by on-time rate.
  "5": [
    ...UNIT,
    col("closed", "本期辦結", "Closed", "int"),
    col("closedPrev", "前期辦結", "Closed (previous)", "int"),
    col("averageDays", "本期平均處理日數", "Mean days", "days"),
    col("averageDaysPrev", "前期平均處理日數", "Mean days (previous)", "days"),
    col("averageDaysChange", "平均處理日數增減", "Change in mean days", "days"),
    col("onTimeRate", "本期如期辦結率", "On time (%)", "percent"),
    col("onTimeRatePrev", "前期如期辦結率", "On time (%, previous)", "percent"),
    col("onlineRate", "本期線上簽核比率", "Online (%)", "percent"),
    col("onlineRatePrev", "前期線上簽核比率", "Online (%, previous)", "percent"),
    col("rank", "名次", "Rank", "int"),
  ],
  // (六) one row per 展期 requested in the range.
  "6": [
    ...UNIT,
    ...DOC,
    col("requestDay", "申請日期", "Requested", "date"),
    col("baseDue", "原限辦日期", "First due date", "date"),
    col("until", "展期至", "Extended to", "date"),
    col("decision", "核定", "Decision", "text"),
    col("decidedByName", "核定人", "Decided by", "text"),
    col("project", "專案管制", "Project control", "text"),
    col("reason", "展期原因", "Reason", "text"),
  ],
  // (七) one row per document late in the range: closed late in it, or open and overdue at its end.
  "7": [
    ...UNIT,
    ...DOC,
    col("speed", "速別", "Speed", "text"),
    col("startDay", "收創日期", "Received or created", "date"),
    col("due", "限辦日期", "Due", "date"),
    col("closeDay", "辦結日期", "Closed", "date"),
    col("daysUsed", "使用日數", "Days used", "int"),
    col("daysLate", "逾期日數", "Days overdue", "int"),
    col("lateReason", "逾期原因", "Reason for lateness", "text"),
  ],
  // (八) per unit: the documents closed in the range, signed online or handled on paper.
  "8": [
    ...UNIT,
    col("closed", "辦結數", "Closed", "int"),
    col("online", "電子簽核件數", "Signed online", "int"),
    col("onlineDays", "電子簽核平均處理日數", "Online: mean days", "days"),
    col("onlineLate", "電子簽核逾期件數", "Online: late", "int"),
    col("paper", "紙本件數", "On paper", "int"),
    col("paperDays", "紙本平均處理日數", "Paper: mean days", "days"),
    col("paperLate", "紙本逾期件數", "Paper: late", "int"),
    col("onlineShare", "電子簽核占比", "Share online (%)", "percent"),
    col("paperSavedSheets", "節省紙張（張）", "Paper saved (sheets)", "int"),
  ],
};

/** Columns of the per-unit counts charted beside a list report ((二), (六), (七)). */
export const LIST_CHART_COLUMNS: readonly ReportColumn[] = [col("unitName", "單位", "Unit", "text"), col("count", "件數", "Documents", "int")];
