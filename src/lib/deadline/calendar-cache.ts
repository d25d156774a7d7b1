// The office calendar (辦公日曆) on this device: the imported years as the agency server last gave them
// (GET /api/calendar), kept in the local Dexie store (table `calendar`, db.ts version 3) so that due
// dates are counted offline on the same calendar as the server's.
//
// What must stay true: the app never counts working days on a calendar of its own making — every due
// date goes through the model's `officeCalendar` on these years (a year not imported falls back to the
// model's weekends + fixed-date holidays, and the app says so: CalendarWarning). A failed or partial
// answer never replaces what is kept: the years are written in one transaction, all or nothing.
import { isIsoDay, officeCalendar, type CalendarYear, type OfficeCalendar } from "@countersign/crdt-model";
import type { LocalDb } from "$lib/local/db.ts";

/** The years kept on this device, in year order ([] before the first sync). */
export async function readCalendar(db: LocalDb): Promise<CalendarYear[]> {
  const rows = await db.calendar.toArray();
  return rows.filter(wellFormed).sort((a, b) => a.year - b.year);
}

/** Replaces the kept years with `years` (the server's whole answer: a year it no longer has goes too). */
export async function writeCalendar(db: LocalDb, years: readonly CalendarYear[]): Promise<void> {
  const kept = years.filter(wellFormed);
  await db.transaction("rw", db.calendar, async () => {
    await db.calendar.clear();
    if (kept.length) await db.calendar.bulkPut(kept.map((y) => ({ year: y.year, days: y.days.map((d) => ({ day: d.day, off: d.off, note: d.note })) })));
  });
}

/** A year read back from storage or the wire that the calendar may use (a damaged row is skipped, not trusted). */
function wellFormed(y: CalendarYear): boolean {
  return Number.isInteger(y.year) && Array.isArray(y.days) && y.days.every((d) => typeof d.day === "string" && isIsoDay(d.day) && typeof d.off === "boolean");
}

/** The calendar every due date on this device is counted on. */
export const calendarOf = (years: readonly CalendarYear[]): OfficeCalendar => officeCalendar(years);
