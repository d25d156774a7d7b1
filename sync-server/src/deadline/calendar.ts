// The agency's office calendar (政府行政機關辦公日曆表) on the server: imported from the published CSV
// (the model's parseOfficeCalendarCsv: all or nothing), kept in calendar_days / calendar_years, and
// read back as the model's OfficeCalendar for due dates, flags and time facts.
//
// What must stay true: an import stores every year of the file or none of them; a year imported
// again is replaced with all its days; a year never imported falls back to weekends and the
// fixed-date national holidays (the model's officeCalendar), and says so (imported(year) false).
import {
  calendarYearSummary,
  officeCalendar,
  ok,
  parseOfficeCalendarCsv,
  type CalendarYearSummary,
  type OfficeCalendarWithNotes,
  type Result,
} from "@countersign/crdt-model";
import type { StoredCalendarYear, TimeFactsStore } from "../storage/types.ts";

/** The calendar as the store holds it now (imported years, fallback elsewhere). */
export async function loadCalendar(store: Pick<TimeFactsStore, "calendarYears">): Promise<OfficeCalendarWithNotes> {
  return officeCalendar(await store.calendarYears());
}

/**
 * Parses and stores a published calendar CSV, all or nothing: a refusal (calendar.header, .date,
 * .duplicate, .value, .gap with the line named) stores nothing. Answers each stored year's summary.
 */
export async function importCalendarCsv(
  store: Pick<TimeFactsStore, "putCalendar">,
  text: string,
  o: { source: string; now: Date },
): Promise<Result<CalendarYearSummary[]>> {
  const parsed = parseOfficeCalendarCsv(text);
  if (!parsed.ok) return parsed;
  const years: StoredCalendarYear[] = parsed.value.map((y) => ({ ...y, importedAt: o.now.toISOString(), source: o.source }));
  await store.putCalendar(years);
  return ok(years.map((y) => calendarYearSummary(years, y.year)));
}

/**
 * A per-server cache of the calendar: read once, dropped on an import (through this server's API or
 * CLI). Another process's import reaches this one within `maxAgeMs`, so no server computes due dates
 * from a stale calendar for long. Instance state, never module state.
 */
export class CalendarCache {
  private cached: { at: number; cal: Promise<OfficeCalendarWithNotes> } | undefined;

  constructor(
    private readonly store: Pick<TimeFactsStore, "calendarYears">,
    private readonly maxAgeMs = 60_000,
  ) {}

  get(): Promise<OfficeCalendarWithNotes> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > this.maxAgeMs) {
      const cal = loadCalendar(this.store);
      this.cached = { at: now, cal };
      cal.catch(() => {
        if (this.cached?.cal === cal) this.cached = undefined;
      });
    }
    return this.cached.cal;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}

/** ROC year ↔ Gregorian year (民國 = 西元 − 1911). */
export const ROC_OFFSET = 1911;
