// Messages for the 時效管制 reports and KPIs (issue 10: sync-server/src/reports/, its CLI and routes).
import type { Messages } from "./types.ts";

export const REPORT_MESSAGES: Messages<"report"> = {
  "report.unknown": {
    zh: "沒有這個報表；請以編號 1 至 8 或報表代稱指定。",
    en: "There is no such report; name it by its number 1 to 8 or its word.",
    way: "none",
  },
  "report.unit": {
    zh: "所指的單位不存在，無法產製該單位的報表。",
    en: "The unit named does not exist, so no report can be made for it.",
    way: "none",
  },
  "report.day": {
    zh: "日期或月份格式不正確；日期請寫成 115/11/30，月份寫成 115-11。",
    en: "A day or month is malformed; write days as 115/11/30 (or 2026-11-30) and months as 115-11 (or 2026-11).",
    way: "none",
  },
  "report.range": {
    zh: "期間不正確：起日晚於迄日，或期間過長（報表至多 3 年，指標至多 36 個月）。",
    en: "The range is wrong: it ends before it starts, or is too long (a report covers at most 3 years, KPIs at most 36 months).",
    way: "none",
  },
};
