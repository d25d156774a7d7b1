import { describe, expect, it } from "vitest";
import { fixtureCalendar } from "../../tests/fixtures/calendar.ts";
import { officeCalendar } from "./calendar.ts";
import { addWorkingDays, daysUsed, dueDateFor, isPastDue, SPEED_DAYS, workingDaysBetween } from "./days.ts";
import { isIsoDay, taipeiDay } from "./iso-day.ts";

const cal = fixtureCalendar();

describe("days", () => {
  it("isIsoDay agrees with JavaScript's own calendar on every day shape of four sample years", () => {
    const byDate = (s: string) => {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)!;
      const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
      return d.getUTCFullYear() === Number(m[1]) && d.toISOString().slice(0, 10) === s;
    };
    for (const y of ["0050", "1900", "2000", "2024", "2026", "2100"])
      for (let mo = 0; mo <= 13; mo++)
        for (let d = 0; d <= 32; d++) {
          const s = `${y}-${String(mo).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
          expect(isIsoDay(s), s).toBe(byDate(s));
        }
  });

  it("isIsoDay accepts real days only", () => {
    expect(["2026-01-01", "2028-02-29"].every(isIsoDay)).toBe(true);
    expect(["2026-02-29", "2026-1-01", "20260101", "", null, 5].some(isIsoDay)).toBe(false);
  });

  it("taipeiDay: the UTC+8 date of an instant", () => {
    expect(taipeiDay("2026-12-31T15:59:59Z")).toBe("2026-12-31");
    expect(taipeiDay("2026-12-31T16:00:00Z")).toBe("2027-01-01");
    expect(taipeiDay(new Date("2026-03-01T23:30:00+08:00"))).toBe("2026-03-01");
    expect(() => taipeiDay("yesterday")).toThrow(RangeError);
  });

  it("SPEED_DAYS: 最速件 1, 速件 3, 普通件 6", () => {
    expect(SPEED_DAYS).toEqual({ "most-urgent": 1, urgent: 3, ordinary: 6 });
  });

  it("a 補班 Saturday counts as a working day", () => {
    // Fri 2026-01-16 + 1 → Sat 01-17 (補行上班).
    expect(addWorkingDays(cal, "2026-01-16", 1)).toBe("2026-01-17");
    expect(dueDateFor(cal, "most-urgent", "2026-01-16")).toBe("2026-01-17");
    expect(workingDaysBetween(cal, "2026-01-16", "2026-01-19")).toBe(2);
  });

  it("a 彈性放假 weekday does not", () => {
    // Wed 2025-12-31 … Thu 01-01 元旦, Fri 01-02 彈性放假, weekend → Mon 01-05.
    expect(addWorkingDays(cal, "2025-12-31", 1)).toBe("2026-01-05");
    expect(workingDaysBetween(cal, "2025-12-31", "2026-01-04")).toBe(0);
  });

  it("the 春節 stretch", () => {
    // Fri 02-13 → days off 02-14 … 02-22 → Mon 02-23.
    expect(dueDateFor(cal, "urgent", "2026-02-13")).toBe("2026-02-25");
  });

  it("crosses the year end into the 116 calendar", () => {
    // Wed 2026-12-23: Thu 24 (1), Fri 25 行憲紀念日, Mon 28 (2), Tue 29 (3), Wed 30 (4), Thu 31 (5),
    // Fri 2027-01-01 開國紀念日, Mon 01-04 (6).
    expect(dueDateFor(cal, "ordinary", "2026-12-23")).toBe("2027-01-04");
    expect(daysUsed(cal, "2026-12-23", "2027-01-04")).toBe(6);
    expect(daysUsed(cal, "2026-12-23", "2027-01-05")).toBe(7);
    expect(workingDaysBetween(cal, "2027-01-04", "2026-12-23")).toBe(-6);
  });

  it("a completion on the start day counts as 1; on a day off, up to the previous working day", () => {
    expect(daysUsed(cal, "2026-03-04", "2026-03-04")).toBe(1);
    expect(daysUsed(cal, "2026-03-04", "2026-03-05")).toBe(1);
    expect(daysUsed(cal, "2026-03-04", "2026-03-06")).toBe(2);
    expect(daysUsed(cal, "2026-03-04", "2026-03-08")).toBe(2); // Sunday: as Friday
    // Received on a Saturday: day one is Monday.
    expect(daysUsed(cal, "2026-03-07", "2026-03-08")).toBe(1);
    expect(daysUsed(cal, "2026-03-07", "2026-03-09")).toBe(1);
    expect(daysUsed(cal, "2026-03-07", "2026-03-10")).toBe(2);
    expect(() => daysUsed(cal, "2026-03-07", "2026-03-06")).toThrow(RangeError);
  });

  it("overdue ⇔ a working day after the due date has begun ⇔ daysUsed > allowed", () => {
    const start = "2026-03-04"; // Wed
    const due = dueDateFor(cal, "urgent", start); // Mon 03-09
    expect(due).toBe("2026-03-09");
    for (const close of ["2026-03-04", "2026-03-09", "2026-03-10", "2026-03-14", "2026-03-16"]) {
      expect(isPastDue(cal, due, close), close).toBe(daysUsed(cal, start, close) > SPEED_DAYS.urgent);
    }
    expect(isPastDue(cal, "2026-03-06", "2026-03-07")).toBe(false); // Saturday after a Friday due
    expect(isPastDue(cal, "2026-03-06", "2026-03-09")).toBe(true);
  });

  it("workingDaysBetween counts as one by one would, across years, both ways, the same day included", () => {
    const oneByOne = (from: string, to: string) => {
      let n = 0;
      for (let t = Date.parse(`${from}T00:00:00Z`) + 86_400_000; t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) if (cal.isWorkday(new Date(t).toISOString().slice(0, 10))) n++;
      return n;
    };
    const days = ["2025-12-31", "2026-01-01", "2026-02-13", "2026-02-23", "2026-03-07", "2026-12-31", "2027-01-04", "2028-02-29", "2029-06-30"];
    for (const a of days)
      for (const b of days) {
        if (a <= b) expect(workingDaysBetween(cal, a, b), `${a} → ${b}`).toBe(oneByOne(a, b));
        else expect(workingDaysBetween(cal, a, b), `${a} → ${b}`).toBe(-oneByOne(b, a));
      }
  });

  it("isPastDue answers as workingDaysBetween(due, day) > 0 for every due date and day of a year, across 春節 and long spans", () => {
    const days: string[] = [];
    for (let t = Date.parse("2026-01-01T00:00:00Z"); t < Date.parse("2027-01-01T00:00:00Z"); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
    for (let i = 0; i < days.length; i += 3)
      for (const j of [i, i + 1, i + 2, i + 5, i + 9, i + 40, days.length - 1])
        if (j < days.length) expect(isPastDue(cal, days[i]!, days[j]!), `${days[i]} → ${days[j]}`).toBe(workingDaysBetween(cal, days[i]!, days[j]!) > 0);
  });

  it("without an import, only weekends and fixed holidays are skipped", () => {
    const plain = officeCalendar([]);
    expect(addWorkingDays(plain, "2026-02-13", 1)).toBe("2026-02-16");
    expect(addWorkingDays(plain, "2026-02-26", 1)).toBe("2026-02-27"); // 02-27 補假 needs the import
    expect(addWorkingDays(plain, "2028-02-25", 1)).toBe("2028-02-29"); // Mon 2028-02-28 和平紀念日
  });

  it("refuses a programming error loudly", () => {
    expect(() => addWorkingDays(cal, "2026-13-01", 1)).toThrow(RangeError);
    expect(() => addWorkingDays(cal, "2026-01-01", -1)).toThrow(RangeError);
    expect(() => addWorkingDays({ isWorkday: () => false, imported: () => false }, "2026-01-01", 1)).toThrow(RangeError);
  });
});
