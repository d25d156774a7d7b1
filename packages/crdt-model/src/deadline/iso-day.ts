// Calendar days in Taiwan (IsoDay, YYYY-MM-DD) and instants → days. Taiwan keeps UTC+8 all year
// (no daylight saving since 1979), so a day is the UTC+8 date of an instant.
import type { IsoDay } from "./types.ts";

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TAIPEI_OFFSET_MS = 8 * 3600 * 1000;

/** A YYYY-MM-DD that names a real calendar day (not 2026-02-30). */
export function isIsoDay(s: unknown): s is IsoDay {
  if (typeof s !== "string") return false;
  const m = ISO_DAY.exec(s);
  if (!m) return false;
  // Arithmetic, not a Date and its ISO string: every working-day count checks its days, and the
  // inbox counts for every row on every render.
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  // Years before 100 stay refused, as they were (Date.UTC reads them as 19xx).
  return year >= 100 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Days in `month` (1–12) of the proleptic Gregorian `year`, as JavaScript's Date counts them. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Throws a RangeError for anything but a real IsoDay: a programming error, never a person's input. */
export function assertIsoDay(s: string, what = "day"): void {
  if (!isIsoDay(s)) throw new RangeError(`The ${what} "${s}" is not a date written YYYY-MM-DD.`);
}

/** The day `n` calendar days after `day` (n may be negative). */
export function addCalendarDays(day: IsoDay, n: number): IsoDay {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export const nextDay = (day: IsoDay): IsoDay => addCalendarDays(day, 1);

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function calendarDaysBetween(from: IsoDay, to: IsoDay): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * The calendar day in Taiwan (UTC+8) of an instant: an ISO 8601 string with a zone, or a Date.
 * Throws a RangeError for an instant that does not parse (a programming error: instants come from
 * receipts and signed entries that were validated already).
 */
export function taipeiDay(instant: string | Date): IsoDay {
  const ms = typeof instant === "string" ? Date.parse(instant) : instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`"${String(instant)}" is not an instant.`);
  return new Date(ms + TAIPEI_OFFSET_MS).toISOString().slice(0, 10);
}
