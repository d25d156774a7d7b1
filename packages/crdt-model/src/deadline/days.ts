// Counting working days: the one rule the app, the server and the reports share.
//
// THE DAY-COUNTING RULE (also in README.md; what must stay true):
// - The day of receipt or creation (the start day) is day 0 and does not count. Day one is the first
//   working day after it — also when the document arrived on a day off.
// - A deadline of n working days (速別: 最速件 1, 速件 3, 普通件 6) falls on the n-th working day after
//   the start day: dueDateFor = addWorkingDays(start, n).
// - Days used = the working days after the start day up to and including the close day
//   (workingDaysBetween(start, close)), but at least 1: a completion on the start day counts as 1
//   day, no document uses 0 days. A completion on a day off counts up to the previous working day.
// - Overdue ⇔ a working day after the due date has begun by the close day (or, open, by today) ⇔
//   workingDaysBetween(due, day) > 0 ⇔ (for a 速別-derived due) daysUsed > the allowed days. So a
//   document finished on the Saturday after a Friday due date is in time, as its days used say.
//   Reports read the stored `overdue` flag; they never compare dates themselves.
import type { Speed } from "../schema/metadata.ts";
import type { IsoDay, OfficeCalendar } from "./types.ts";
import { assertIsoDay, nextDay } from "./iso-day.ts";

/** 限辦 working days by 速別 (文書處理手冊): 最速件 1, 速件 3, 普通件 6. */
export const SPEED_DAYS: Readonly<Record<Speed, number>> = { "most-urgent": 1, urgent: 3, ordinary: 6 };

/** The longest stretch of days off the arithmetic accepts (a calendar with no workdays is a bug). */
const MAX_DAYS_OFF_IN_A_ROW = 60;

/** The `n`-th working day after `from` (`from` itself does not count); `n` = 0 gives `from`. */
export function addWorkingDays(cal: OfficeCalendar, from: IsoDay, n: number): IsoDay {
  assertIsoDay(from);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${n} is not a whole number of working days ≥ 0.`);
  let day = from;
  let left = n;
  let offInARow = 0;
  while (left > 0) {
    day = nextDay(day);
    if (cal.isWorkday(day)) {
      left--;
      offInARow = 0;
    } else if (++offInARow > MAX_DAYS_OFF_IN_A_ROW) {
      throw new RangeError(`The calendar has no working day for ${MAX_DAYS_OFF_IN_A_ROW} days after ${day}.`);
    }
  }
  return day;
}

/**
 * The working days after `from` up to and including `to`; negative (the count from `to` to `from`,
 * negated) when `to` is earlier; 0 for the same day.
 */
export function workingDaysBetween(cal: OfficeCalendar, from: IsoDay, to: IsoDay): number {
  assertIsoDay(from);
  assertIsoDay(to);
  if (to < from) return -workingDaysBetween(cal, to, from);
  let count = 0;
  for (let day = from; day < to; ) {
    day = nextDay(day);
    if (cal.isWorkday(day)) count++;
  }
  return count;
}

/** Working days a document used from its start day to `endDay` (its close day, or today while open): at least 1. */
export function daysUsed(cal: OfficeCalendar, startDay: IsoDay, endDay: IsoDay): number {
  if (endDay < startDay) throw new RangeError(`The end day ${endDay} is before the start day ${startDay}.`);
  return Math.max(1, workingDaysBetween(cal, startDay, endDay));
}

/** The 限辦日期 速別 gives a document started on `startDay`. */
export function dueDateFor(cal: OfficeCalendar, speed: Speed, startDay: IsoDay): IsoDay {
  return addWorkingDays(cal, startDay, SPEED_DAYS[speed]);
}

/** Whether a document finished (or still open) on `day` is past `due`: a working day after `due` has begun. */
export function isPastDue(cal: OfficeCalendar, due: IsoDay, day: IsoDay): boolean {
  assertIsoDay(due);
  assertIsoDay(day);
  // The first working day after `due` decides (workingDaysBetween(due, day) > 0), found without
  // counting the rest: the inbox asks this of every row on every render, and counting day by day
  // from due dates months back cost a 10,000-document inbox seconds per sync.
  for (let d = due; d < day; ) {
    d = nextDay(d);
    if (cal.isWorkday(d)) return true;
  }
  return false;
}
