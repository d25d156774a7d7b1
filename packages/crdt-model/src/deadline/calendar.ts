// The working-day calendar: the government's yearly office calendar (政府行政機關辦公日曆表) as
// imported, and the fallback for a year not imported.
//
// What must stay true:
// - an imported day always wins (補行上班 Saturdays are workdays, 彈性放假 weekdays are days off);
// - a year not imported is Saturdays, Sundays and FIXED_HOLIDAYS only. The lunar holidays (春節,
//   端午, 中秋, 除夕), 清明, the observed days (補假) and 彈性放假 move every year and come only with
//   the import, so the app shows 「尚未匯入N年辦公日曆」 for such a year;
// - the parser is all or nothing: one bad line refuses the whole file.
import { fail, ok, type Result } from "../result.ts";
import type { CalendarDay, CalendarYear, IsoDay, OfficeCalendar } from "./types.ts";
import { isIsoDay, nextDay } from "./iso-day.ts";

/** The fixed-date national holidays (國定假日) a year without an import falls back to, besides weekends. */
export const FIXED_HOLIDAYS: readonly { month: number; day: number; note: string }[] = [
  { month: 1, day: 1, note: "開國紀念日" },
  { month: 2, day: 28, note: "和平紀念日" },
  { month: 4, day: 4, note: "兒童節" },
  { month: 5, day: 1, note: "勞動節" },
  { month: 10, day: 10, note: "國慶日" },
];

/** The header of the published CSV, exactly. */
export const CALENDAR_CSV_HEADER = "西元日期,星期,是否放假,備註";
const WEEKDAYS = ["日", "一", "二", "三", "四", "五", "六"] as const;

/** 0 Sunday … 6 Saturday, of a valid IsoDay. */
export function weekdayOf(day: IsoDay): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay();
}

const isWeekend = (day: IsoDay): boolean => {
  const w = weekdayOf(day);
  return w === 0 || w === 6;
};

function fixedHoliday(day: IsoDay): string | undefined {
  const month = Number(day.slice(5, 7));
  const d = Number(day.slice(8, 10));
  return FIXED_HOLIDAYS.find((h) => h.month === month && h.day === d)?.note;
}

/** Splits one CSV line; a field may be double-quoted (with "" for a quote), as spreadsheet exports write 備註. */
function splitCsvLine(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = "";
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return null; // unterminated quote
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      if (i < line.length && line[i] !== ",") return null;
    } else {
      const end = line.indexOf(",", i);
      field = end < 0 ? line.slice(i) : line.slice(i, end);
      i = end < 0 ? line.length : end;
    }
    out.push(field);
    if (i >= line.length) return out;
    i++; // the comma
  }
}

const daysInYear = (year: number): number => ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 366 : 365);

/**
 * Parses the published CSV (header 西元日期,星期,是否放假,備註; dates YYYYMMDD; 星期 一…日 matching the
 * date; 是否放假 0 = workday, 2 = day off; 備註 free text). A UTF-8 BOM and CRLF are tolerated, and
 * blank lines at the end. The file lists consecutive days from a 1 January: one whole year, or whole
 * years followed by the first days of the next (115 and early 116). All or nothing: the first bad line
 * refuses the file with a sentence naming it.
 */
export function parseOfficeCalendarCsv(text: string): Result<CalendarYear[]> {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === "") lines.pop();
  const header = (lines[0] ?? "").trim();
  if (header !== CALENDAR_CSV_HEADER) {
    return fail("calendar.header", `Line 1 must be the header ${CALENDAR_CSV_HEADER}, not "${header.slice(0, 60)}".`);
  }
  if (lines.length < 2) return fail("calendar.gap", "The calendar lists no days.");
  const years = new Map<number, CalendarDay[]>();
  let previous: IsoDay | null = null;
  for (let i = 1; i < lines.length; i++) {
    const n = i + 1;
    const fields = splitCsvLine(lines[i]!);
    if (!fields || fields.length !== 4) {
      return fail("calendar.value", `Line ${n} must have four fields (西元日期,星期,是否放假,備註).`);
    }
    const [rawDate, rawWeekday, rawOff, rawNote] = fields.map((f) => f.trim()) as [string, string, string, string];
    const m = /^(\d{4})(\d{2})(\d{2})$/.exec(rawDate);
    const day = m ? `${m[1]}-${m[2]}-${m[3]}` : "";
    if (!m || !isIsoDay(day)) return fail("calendar.date", `Line ${n}: "${rawDate.slice(0, 20)}" is not a date written YYYYMMDD.`);
    const weekday = WEEKDAYS[weekdayOf(day)]!;
    if (rawWeekday !== weekday) {
      return fail("calendar.date", `Line ${n}: ${rawDate} is a 星期${weekday}, not "${rawWeekday.slice(0, 10)}".`);
    }
    if (rawOff !== "0" && rawOff !== "2") {
      return fail("calendar.value", `Line ${n}: 是否放假 must be 0 (workday) or 2 (day off), not "${rawOff.slice(0, 10)}".`);
    }
    if (previous !== null && day <= previous) {
      return day === previous || findDay(years, day)
        ? fail("calendar.duplicate", `Line ${n}: ${rawDate} is listed twice.`)
        : fail("calendar.gap", `Line ${n}: ${rawDate} comes after ${previous.replaceAll("-", "")}; the days must be in order.`);
    }
    if (previous === null && !day.endsWith("-01-01")) {
      return fail("calendar.gap", `Line ${n}: the calendar must begin on 1 January, not ${rawDate}.`);
    }
    if (previous !== null && day !== nextDay(previous)) {
      return fail("calendar.gap", `Line ${n}: the days from ${nextDay(previous).replaceAll("-", "")} to the day before ${rawDate} are missing.`);
    }
    const year = Number(m[1]);
    let list = years.get(year);
    if (!list) years.set(year, (list = []));
    list.push({ day, off: rawOff === "2", note: rawNote });
    previous = day;
  }
  const all = [...years.entries()];
  const [firstYear, firstDays] = all[0]!;
  if (firstDays.length !== daysInYear(firstYear)) {
    return fail("calendar.gap", `The calendar ends on ${previous!.replaceAll("-", "")}: a published year lists every day to 31 December.`);
  }
  return ok(all.map(([year, days]) => ({ year, days })));
}

function findDay(years: Map<number, CalendarDay[]>, day: IsoDay): boolean {
  return years.get(Number(day.slice(0, 4)))?.some((d) => d.day === day) ?? false;
}

/** The office calendar behind the OfficeCalendar interface, with the notes for `calendar show`. */
export interface OfficeCalendarWithNotes extends OfficeCalendar {
  /** 備註 of an imported day, or the fixed holiday's name for a year not imported; "" otherwise. */
  note(day: IsoDay): string;
}

/**
 * The working-day calendar from imported years. Imported days rule; a day of a year not imported (or
 * past the end of a partial year) is a workday unless a Saturday, a Sunday or a FIXED_HOLIDAYS date.
 * When a day is given twice (two imports), the later one wins. A year counts as imported only when
 * every one of its days was given.
 */
export function officeCalendar(years: readonly CalendarYear[]): OfficeCalendarWithNotes {
  const days = new Map<IsoDay, CalendarDay>();
  for (const y of years) for (const d of y.days) days.set(d.day, d);
  const counts = new Map<number, number>();
  for (const day of days.keys()) {
    const year = Number(day.slice(0, 4));
    counts.set(year, (counts.get(year) ?? 0) + 1);
  }
  const whole = new Set([...counts].filter(([year, n]) => n === daysInYear(year)).map(([year]) => year));
  return {
    isWorkday(day: IsoDay): boolean {
      const given = days.get(day);
      if (given) return !given.off;
      return !isWeekend(day) && fixedHoliday(day) === undefined;
    },
    imported: (year: number): boolean => whole.has(year),
    note(day: IsoDay): string {
      const given = days.get(day);
      if (given) return given.note;
      return fixedHoliday(day) ?? "";
    },
  };
}

/** What `countersign calendar show` prints for a year. */
export interface CalendarYearSummary {
  year: number;
  /** ROC year (民國): year − 1911. */
  rocYear: number;
  imported: boolean;
  /** Days off that fall on a weekday (國定假日, 補假, 彈性放假 …), in order. */
  daysOff: CalendarDay[];
  /** Saturdays and Sundays that are workdays (補行上班), in order. */
  makeUpWorkdays: CalendarDay[];
  /** Working days in the year. */
  workdays: number;
}

/** Days off on weekdays and make-up workdays of `year` (Gregorian), from a calendar or imported years. */
export function calendarYearSummary(source: OfficeCalendar | readonly CalendarYear[], year: number): CalendarYearSummary {
  const cal: OfficeCalendar = Array.isArray(source) ? officeCalendar(source as readonly CalendarYear[]) : (source as OfficeCalendar);
  const noteOf = (day: IsoDay): string => ("note" in cal && typeof cal.note === "function" ? (cal as OfficeCalendarWithNotes).note(day) : "");
  const daysOff: CalendarDay[] = [];
  const makeUpWorkdays: CalendarDay[] = [];
  let workdays = 0;
  for (let day = `${String(year).padStart(4, "0")}-01-01`; day.startsWith(String(year).padStart(4, "0")); day = nextDay(day)) {
    const work = cal.isWorkday(day);
    if (work) workdays++;
    if (!work && !isWeekend(day)) daysOff.push({ day, off: true, note: noteOf(day) });
    if (work && isWeekend(day)) makeUpWorkdays.push({ day, off: false, note: noteOf(day) });
  }
  return { year, rocYear: year - 1911, imported: cal.imported(year), daysOff, makeUpWorkdays, workdays };
}
