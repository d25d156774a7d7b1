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
  // Whole years' counts and day-of-year prefix sums, made once per calendar and year: the inbox asks
  // this (days left) of every row on every render, and counting day by day from due dates months
  // away cost a 10,000-document inbox seconds per sync. The same answer as counting one by one.
  const fromYear = Number(from.slice(0, 4));
  const toYear = Number(to.slice(0, 4));
  let count = 0;
  for (let y = fromYear; y < toYear; y++) count += yearCounts(cal, y).at(-1)!;
  return count + yearCounts(cal, toYear)[dayOfYear(to)]! - yearCounts(cal, fromYear)[dayOfYear(from)]!;
}

/**
 * Per calendar (an office calendar never changes once made: a new import makes a new one) and year:
 * counts[i] = the working days from 1 January through the i-th day of the year (0-based). Weakly
 * held: a calendar no one holds any more takes its counts with it.
 */
const countsByCalendar = new WeakMap<OfficeCalendar, Map<number, Int32Array>>();

function yearCounts(cal: OfficeCalendar, year: number): Int32Array {
  let years = countsByCalendar.get(cal);
  if (!years) countsByCalendar.set(cal, (years = new Map()));
  let counts = years.get(year);
  if (!counts) {
    const first = `${String(year).padStart(4, "0")}-01-01`;
    const days = dayOfYear(`${String(year).padStart(4, "0")}-12-31`) + 1;
    counts = new Int32Array(days);
    let day = first;
    for (let i = 0, n = 0; i < days; i++, day = nextDay(day)) counts[i] = n += cal.isWorkday(day) ? 1 : 0;
    years.set(year, counts);
  }
  return counts;
}

/** 0 for 1 January. */
function dayOfYear(day: IsoDay): number {
  return Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse(`${day.slice(0, 4)}-01-01T00:00:00Z`)) / 86_400_000);
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
