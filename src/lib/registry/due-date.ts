// 限辦日期 from 速別 (最速件 1, 速件 3, 普通件 6 working days after the day of receipt), counted by the
// model's one rule (crdt-model deadline/days.ts: the day of receipt is day 0) on the office calendar —
// the one this device keeps from the agency server (src/lib/deadline), so the registry desk, /new and
// the server's time facts agree. Without a calendar: weekends and fixed-date national holidays only
// (the model's fallback for a year not imported, which the screens flag with CalendarWarning).
import { SPEED_DAYS, addWorkingDays as addWorkingDaysOn, dueDateFor as dueDateOn, isIsoDay, officeCalendar, type OfficeCalendar, type Speed } from "@countersign/crdt-model";
import { formatRocDate, formatRocDateIn } from "$lib/roc-date.ts";

export { SPEED_DAYS };

/** The calendar of a year not imported: weekends and the fixed-date national holidays. */
const FALLBACK: OfficeCalendar = officeCalendar([]);

/** A YYYY-MM-DD that names a real calendar day. */
export const isIsoDate = (s: string): boolean => isIsoDay(s);

/** `n` working days after `from` (which itself does not count), on `cal`. */
export function addWorkingDays(from: string, n: number, cal: OfficeCalendar = FALLBACK): string {
  return addWorkingDaysOn(cal, from, n);
}

/** The due date 速別 implies for a document received on `received`, on `cal`. */
export function dueDateFor(speed: Speed, received: string, cal: OfficeCalendar = FALLBACK): string {
  return dueDateOn(cal, speed, received);
}

/** A YYYY-MM-DD calendar day as an ROC date (中華民國115年1月2日 or 115/01/02). */
export function rocOf(iso: string, style: "long" | "short" = "long"): string {
  // Noon in Taiwan: far from either edge of the day, whatever the viewer's time zone.
  return formatRocDate(new Date(`${iso}T12:00:00+08:00`), style);
}

/** A YYYY-MM-DD calendar day as the interface writes a long ROC date (中華民國115年1月2日 / ROC 115/01/02). */
export function rocIn(iso: string, locale: "zh-TW" | "en"): string {
  return formatRocDateIn(new Date(`${iso}T12:00:00+08:00`), locale);
}
