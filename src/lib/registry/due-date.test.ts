import { describe, expect, it } from "vitest";
import { officeCalendar } from "@countersign/crdt-model";
import { SPEED_DAYS, addWorkingDays, dueDateFor, isIsoDate, rocOf } from "./due-date.ts";

describe("限辦日期 from 速別", () => {
  it("最速件 1, 速件 3, 普通件 6 working days", () => {
    expect(SPEED_DAYS).toEqual({ "most-urgent": 1, urgent: 3, ordinary: 6 });
    // Monday 2026-11-23
    expect(dueDateFor("most-urgent", "2026-11-23")).toBe("2026-11-24");
    expect(dueDateFor("urgent", "2026-11-23")).toBe("2026-11-26");
    expect(dueDateFor("ordinary", "2026-11-23")).toBe("2026-12-01");
  });

  it("a document received on Friday or at the weekend counts from the next Monday", () => {
    expect(dueDateFor("most-urgent", "2026-11-20")).toBe("2026-11-23"); // Friday → Monday
    expect(dueDateFor("most-urgent", "2026-11-21")).toBe("2026-11-23"); // Saturday → Monday
    expect(dueDateFor("urgent", "2026-11-22")).toBe("2026-11-25"); // Sunday → Wednesday
  });

  it("without an imported calendar, fixed-date national holidays are skipped like weekends (元旦)", () => {
    expect(dueDateFor("most-urgent", "2026-12-31")).toBe("2027-01-04");
    expect(addWorkingDays("2026-12-31", 1)).toBe("2027-01-04");
  });

  it("an imported calendar rules: a 補行上班 Saturday counts, a 彈性放假 weekday does not", () => {
    const days = Array.from({ length: 365 }, (_, i) => {
      const day = new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10);
      const w = new Date(`${day}T00:00:00Z`).getUTCDay();
      const off = day === "2026-11-23" ? true : day === "2026-11-21" ? false : w === 0 || w === 6;
      return { day, off, note: "" };
    });
    const cal = officeCalendar([{ year: 2026, days }]);
    expect(dueDateFor("most-urgent", "2026-11-20", cal)).toBe("2026-11-21"); // Friday → the make-up Saturday
    expect(dueDateFor("urgent", "2026-11-20", cal)).toBe("2026-11-25"); // Sat 21, (Mon 23 off), Tue 24, Wed 25
  });

  it("a date that is not a calendar day is refused, never rolled over", () => {
    expect(isIsoDate("2026-02-29")).toBe(false);
    expect(isIsoDate("2028-02-29")).toBe(true);
    expect(() => addWorkingDays("2026-13-01", 1)).toThrow(RangeError);
  });

  it("due dates read as ROC dates", () => {
    expect(rocOf("2026-12-01")).toBe("中華民國115年12月1日");
    expect(rocOf("2026-12-01", "short")).toBe("115/12/01");
  });
});
