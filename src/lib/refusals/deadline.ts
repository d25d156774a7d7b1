// Messages for 時效管制 (issue 10): the office calendar CSV (the model's parseOfficeCalendarCsv, on the
// server's import and the CLI alike).
import type { Messages } from "./types.ts";

export const CALENDAR_MESSAGES: Messages<"calendar"> = {
  "calendar.header": {
    zh: "這不是政府行政機關辦公日曆表的 CSV：第一行必須是「西元日期,星期,是否放假,備註」。整份檔案未匯入。",
    en: "This is not the office calendar CSV: its first line must be the header 西元日期,星期,是否放假,備註. Nothing was imported.",
    way: "none",
  },
  "calendar.date": {
    zh: "檔案中有一行的日期不是 YYYYMMDD，或星期與日期不符（下方說明指出哪一行）。整份檔案未匯入。",
    en: "A line's date is not written YYYYMMDD, or its 星期 does not match the date (the line is named below). Nothing was imported.",
    way: "none",
  },
  "calendar.duplicate": {
    zh: "檔案中同一天出現兩次（下方說明指出哪一行）。整份檔案未匯入。",
    en: "A day is listed twice (the line is named below). Nothing was imported.",
    way: "none",
  },
  "calendar.value": {
    zh: "檔案中有一行不是四個欄位，或「是否放假」不是 0（上班）或 2（放假）。整份檔案未匯入。",
    en: "A line does not have four fields, or its 是否放假 is not 0 (workday) or 2 (day off). Nothing was imported.",
    way: "none",
  },
  "calendar.gap": {
    zh: "日曆缺少日期或順序不對：每一年須自 1 月 1 日起逐日列到 12 月 31 日。整份檔案未匯入。",
    en: "Days are missing or out of order: a year must list every day from 1 January to 31 December. Nothing was imported.",
    way: "none",
  },
};
