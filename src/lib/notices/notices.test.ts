import { describe, expect, it } from "vitest";
import { officeCalendar } from "@countersign/crdt-model";
import { countFlags, flagOf, isMine, noticesOf, type NoticeSource } from "./notices.ts";

// No imported year: weekends and the fixed-date holidays. 2026-11-06 is a Friday.
const cal = officeCalendar([]);
const row = (doc: string, o: Partial<NoticeSource>): NoticeSource => ({
  doc,
  subject: `主旨 ${doc}`,
  status: "in-review",
  dueDate: "2026-11-10",
  unit: "U-STU",
  caseOfficer: "chen",
  holders: ["person:lin"],
  ...o,
});

describe("notices (期前 / 逾期) from the local copy", () => {
  it("flags by working days: past due is 逾期, within two working days is 期前", () => {
    // Friday 11-06: Monday 11-09 is one working day away, Tuesday 11-10 two, Wednesday 11-11 three.
    expect(flagOf(cal, "2026-11-09", "2026-11-06")).toEqual({ flag: "due-soon", days: 1 });
    expect(flagOf(cal, "2026-11-10", "2026-11-06")).toEqual({ flag: "due-soon", days: 2 });
    expect(flagOf(cal, "2026-11-11", "2026-11-06").flag).toBeNull();
    expect(flagOf(cal, "2026-11-06", "2026-11-06")).toEqual({ flag: "due-soon", days: 0 });
    // Due Friday, seen on Saturday and Sunday: not yet overdue (no working day after it has begun).
    expect(flagOf(cal, "2026-11-06", "2026-11-08").flag).toBe("due-soon");
    expect(flagOf(cal, "2026-11-06", "2026-11-09")).toEqual({ flag: "overdue", days: 1 });
    // Under 專案管制: never flagged (reported apart), as the model's deadlineOf says.
    expect(flagOf(cal, "2026-11-02", "2026-11-09", 2, true).flag).toBeNull();
  });

  it("lists the viewer's own documents (holder, role holder or case officer), open ones only, overdue first", () => {
    const rows = [
      row("a", { dueDate: "2026-11-09" }),
      row("b", { dueDate: "2026-11-02", caseOfficer: "wu", holders: ["person:chen"] }),
      row("c", { dueDate: "2026-11-02", caseOfficer: "wu", holders: ["role:mail-room"], status: "decided" }),
      row("d", { dueDate: "2026-11-02", status: "dispatched" }),
      row("e", { dueDate: null }),
      row("f", { dueDate: "2026-11-30" }),
      row("a", { dueDate: "2026-11-09" }),
    ];
    const chen = noticesOf(rows, { person: "chen", roles: ["case-officer"] }, "2026-11-06", cal, { agencyWide: false });
    expect(chen.map((n) => [n.doc, n.flag])).toEqual([
      ["b", "overdue"],
      ["a", "due-soon"],
    ]);
    const chou = noticesOf(rows, { person: "chou", roles: ["mail-room"] }, "2026-11-06", cal, { agencyWide: false });
    expect(chou.map((n) => n.doc)).toEqual(["c"]);
    const hsu = noticesOf(rows, { person: "hsu", roles: ["follow-up"] }, "2026-11-06", cal, { agencyWide: true });
    expect(hsu.map((n) => n.doc)).toEqual(["b", "c", "a"]);
    expect(countFlags(hsu)).toEqual({ overdue: 2, soon: 1 });
    expect(isMine(row("x", {}), { person: "lin", roles: [] })).toBe(true);
  });
});
