import { describe, expect, it } from "vitest";
import { CALENDAR_115_CSV, CALENDAR_116_CSV, fixtureCalendar } from "../../tests/fixtures/calendar.ts";
import { calendarYearSummary, FIXED_HOLIDAYS, officeCalendar, parseOfficeCalendarCsv } from "./calendar.ts";

const HEADER = "西元日期,星期,是否放假,備註";
const lines115 = CALENDAR_115_CSV.trimEnd().split("\r\n");
const withLine = (n: number, line: string): string => lines115.map((l, i) => (i === n - 1 ? line : l)).join("\n");
const code = (text: string): string | undefined => {
  const r = parseOfficeCalendarCsv(text);
  return r.ok ? undefined : r.code;
};

describe("parseOfficeCalendarCsv", () => {
  it("reads the fixture: every day of 2026, the notes, days off and workdays", () => {
    const r = parseOfficeCalendarCsv(CALENDAR_115_CSV);
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.map((y) => y.year)).toEqual([2026]);
    expect(r.value[0]!.days).toHaveLength(365);
    expect(r.value[0]!.days[0]).toEqual({ day: "2026-01-01", off: true, note: "開國紀念日" });
    expect(r.value[0]!.days.find((d) => d.day === "2026-01-17")).toEqual({ day: "2026-01-17", off: false, note: "補行上班" });
  });

  it("tolerates a BOM, LF or CRLF, trailing blank lines and a quoted 備註", () => {
    const text = `\uFEFF${lines115.join("\n")}\n\n`.replace("20260101,四,2,開國紀念日", '20260101,四,2,"開國紀念日, ""元旦"""');
    const r = parseOfficeCalendarCsv(text);
    if (!r.ok) throw new Error(r.reason);
    expect(r.value[0]!.days[0]!.note).toBe('開國紀念日, "元旦"');
  });

  it("accepts a whole year followed by the first days of the next", () => {
    const next = CALENDAR_116_CSV.trimEnd().split("\r\n").slice(1, 11);
    const r = parseOfficeCalendarCsv([...lines115, ...next].join("\r\n"));
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.map((y) => [y.year, y.days.length])).toEqual([[2026, 365], [2027, 10]]);
    const cal = officeCalendar(r.value);
    expect([cal.imported(2026), cal.imported(2027)]).toEqual([true, false]);
  });

  it("refuses a wrong header, naming it", () => {
    expect(code(withLine(1, "日期,星期,是否放假,備註"))).toBe("calendar.header");
    expect(code("")).toBe("calendar.header");
    const r = parseOfficeCalendarCsv(withLine(1, "Date,Weekday,Off,Note"));
    expect(r.ok ? "" : r.reason).toContain("Line 1");
  });

  it("refuses a bad date or a 星期 that does not match, naming the line", () => {
    expect(code(withLine(5, "2026-01-04,日,2,"))).toBe("calendar.date");
    expect(code(withLine(5, "20260230,日,2,"))).toBe("calendar.date");
    const r = parseOfficeCalendarCsv(withLine(5, "20260104,一,2,"));
    expect(r).toMatchObject({ ok: false, code: "calendar.date" });
    expect(r.ok ? "" : r.reason).toMatch(/^Line 5: 20260104 is a 星期日/);
  });

  it("refuses a bad 是否放假 or a line without four fields", () => {
    expect(code(withLine(5, "20260104,日,1,"))).toBe("calendar.value");
    expect(code(withLine(5, "20260104,日,2"))).toBe("calendar.value");
    expect(code(withLine(5, '20260104,日,2,"unterminated'))).toBe("calendar.value");
  });

  it("refuses a duplicated day", () => {
    const dup = [...lines115.slice(0, 10), lines115[9]!, ...lines115.slice(10)].join("\n");
    const r = parseOfficeCalendarCsv(dup);
    expect(r).toMatchObject({ ok: false, code: "calendar.duplicate" });
    expect(r.ok ? "" : r.reason).toContain("Line 11");
  });

  it("refuses missing days: a gap, a late start, a year cut short", () => {
    expect(code(lines115.filter((_, i) => i !== 40).join("\n"))).toBe("calendar.gap");
    expect(code([HEADER, ...lines115.slice(2)].join("\n"))).toBe("calendar.gap");
    expect(code(lines115.slice(0, 300).join("\n"))).toBe("calendar.gap");
    expect(code(HEADER)).toBe("calendar.gap");
  });
});

describe("officeCalendar", () => {
  const cal = fixtureCalendar();

  it("imported days rule: 補行上班 Saturday works, 彈性放假 and lunar holidays are off", () => {
    expect(cal.isWorkday("2026-01-17")).toBe(true); // Saturday, 補行上班
    expect(cal.isWorkday("2026-01-02")).toBe(false); // Friday, 彈性放假
    expect(cal.isWorkday("2026-02-17")).toBe(false); // 春節
    expect(cal.isWorkday("2026-01-05")).toBe(true);
    expect(cal.imported(2026) && cal.imported(2027)).toBe(true);
    expect(cal.note("2026-06-19")).toBe("端午節");
  });

  it("a year not imported: weekends and the fixed-date holidays only", () => {
    const none = officeCalendar([]);
    expect(none.imported(2026)).toBe(false);
    expect(none.isWorkday("2028-01-01")).toBe(false); // 開國紀念日 (a Saturday anyway)
    expect(none.isWorkday("2028-02-28")).toBe(false); // Monday, 和平紀念日
    expect(none.isWorkday("2028-10-10")).toBe(false);
    expect(none.isWorkday("2026-02-17")).toBe(true); // 春節 needs the import
    expect(none.isWorkday("2026-01-17")).toBe(false); // so does 補班
    expect(FIXED_HOLIDAYS.map((h) => `${h.month}/${h.day}`)).toEqual(["1/1", "2/28", "4/4", "5/1", "10/10"]);
    expect(none.note("2028-10-10")).toBe("國慶日");
  });

  it("a later import of a day wins", () => {
    const c = officeCalendar([
      { year: 2026, days: [{ day: "2026-03-02", off: false, note: "" }] },
      { year: 2026, days: [{ day: "2026-03-02", off: true, note: "颱風" }] },
    ]);
    expect(c.isWorkday("2026-03-02")).toBe(false);
    expect(c.imported(2026)).toBe(false);
  });
});

describe("calendarYearSummary", () => {
  it("lists weekday days off and make-up workdays of 115", () => {
    const s = calendarYearSummary(fixtureCalendar(), 2026);
    expect(s).toMatchObject({ year: 2026, rocYear: 115, imported: true });
    expect(s.makeUpWorkdays).toEqual([{ day: "2026-01-17", off: false, note: "補行上班" }]);
    expect(s.daysOff.slice(0, 2)).toEqual([
      { day: "2026-01-01", off: true, note: "開國紀念日" },
      { day: "2026-01-02", off: true, note: "彈性放假" },
    ]);
    expect(s.daysOff.every((d) => !["2026-02-14", "2026-02-15"].includes(d.day))).toBe(true); // weekend days are not listed
    expect(s.workdays).toBe(365 - 104 - s.daysOff.length + 1);
  });

  it("from years, and for a year not imported", () => {
    const r = parseOfficeCalendarCsv(CALENDAR_116_CSV);
    if (!r.ok) throw new Error(r.reason);
    expect(calendarYearSummary(r.value, 2027).imported).toBe(true);
    const none = calendarYearSummary([], 2028);
    expect(none.imported).toBe(false);
    expect(none.daysOff.map((d) => d.note)).toEqual(["和平紀念日", "兒童節", "勞動節", "國慶日"]); // 1/1/2028 is a Saturday
  });
});
