import { describe, expect, it } from "vitest";
import { fixtureCalendar } from "../../tests/fixtures/calendar.ts";
import { DISPATCH, ARCHIVE, decided, flow, tick, type Flow } from "../../tests/fixture.ts";
import type { EntryId } from "../ids.ts";
import type { WorkflowState } from "../workflow/derive.ts";
import { baseDueFor, deadlineOf, needsLateReason, timeFactsOf, type TimeFactsInput } from "./facts.ts";

// Time facts against the fixture calendar (115/116). The chain is real (the sample 簽 / 函); the
// trusted times are set by the test, as the server's receipts would give them.
const cal = fixtureCalendar();
const START = "2026-03-04T01:00:00Z"; // Wed 2026-03-04, 09:00 in Taipei

function input(f: Flow, state: WorkflowState, times: Record<string, string>, over: Partial<TimeFactsInput> = {}): TimeFactsInput {
  return {
    doc: f.doc,
    state,
    startedAt: START,
    origin: "created",
    incoming: null,
    outgoing: null,
    trustedAt: (e: EntryId) => times[e],
    calendar: cal,
    now: new Date("2026-03-06T02:00:00Z"),
    ...over,
  };
}

describe("baseDueFor", () => {
  it("收文 takes a stated date; otherwise the earlier of the stated date and 速別's", () => {
    const at = { speed: "urgent" as const, startDay: "2026-03-04", cal };
    expect(baseDueFor({ ...at, origin: "received", stated: "2026-03-31" })).toBe("2026-03-31");
    expect(baseDueFor({ ...at, origin: "received", stated: null })).toBe("2026-03-09");
    expect(baseDueFor({ ...at, origin: "created", stated: "2026-03-31" })).toBe("2026-03-09");
    expect(baseDueFor({ ...at, origin: "created", stated: "2026-03-05" })).toBe("2026-03-05");
  });
});

describe("timeFactsOf", () => {
  it("an open 簽: start day, 速別's due date, days used to today, not yet 逾期, then 逾期", async () => {
    const f = await flow();
    if (!f.doc.setMetadata({ dueDate: null }).ok) throw new Error("metadata");
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    const s = await f.state();
    const t = timeFactsOf(input(f, s, {}));
    expect(t).toMatchObject({
      doc: f.doc.id,
      unit: s.unit,
      caseOfficer: s.caseOfficer,
      kind: "memo",
      speed: "urgent",
      origin: "created",
      incoming: null,
      startDay: "2026-03-04",
      controlled: true,
      baseDue: "2026-03-09",
      due: "2026-03-09",
      closing: null,
      closedAt: null,
      mode: "online",
      daysUsed: 2,
      overdue: false,
      lateReason: null,
      updatedAt: "2026-03-06T02:00:00.000Z",
    });
    // Saturday 03-07 and Monday 03-09 (the due day) are in time; Tuesday is 逾期.
    expect(timeFactsOf(input(f, s, {}, { now: new Date("2026-03-09T09:00:00Z") })).overdue).toBe(false);
    const late = timeFactsOf(input(f, s, {}, { now: new Date("2026-03-10T01:00:00Z") }));
    expect([late.daysUsed, late.overdue]).toEqual([4, true]);
  });

  it("a 簽 filed (存查): closed at the trusted time of its entry; 逾期 and its 逾期原因", async () => {
    const f = await decided();
    // The sample states 2026-12-04; a 創稿's limit is the earlier of that and 速別's (2026-03-09 here).
    const c = await f.sign(f.a.officer, { action: { kind: "close", lateReason: "會辦單位意見分歧。" }, step: null, at: tick() });
    const s = await f.state();
    const onTime = timeFactsOf(input(f, s, { [c]: "2026-03-09T08:00:00Z" }));
    expect(onTime).toMatchObject({ baseDue: "2026-03-09", closing: "close", closedAt: "2026-03-09T08:00:00Z", closeDay: "2026-03-09", daysUsed: 3, overdue: false });
    const late = timeFactsOf(input(f, s, { [c]: "2026-03-10T08:00:00Z" }));
    expect(late).toMatchObject({ closeDay: "2026-03-10", daysUsed: 4, overdue: true, lateReason: "會辦單位意見分歧。" });
    // Without a receipt yet, the signer's claimed time stands in.
    const claimed = timeFactsOf(input(f, s, {}, { startedAt: "2026-01-01T00:00:00Z" }));
    expect(claimed.closedAt).toBe(s.timeline.find((x) => x.id === c)!.at);
  });

  it("a 收文 with a stated date, 展期 approved: the due date in force, with trusted request and decision times; 專案管制 is never 逾期", async () => {
    const f = await flow();
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    const s = await f.state();
    const req = "a".repeat(64) as EntryId;
    const dec = "b".repeat(64) as EntryId;
    const extended: WorkflowState = {
      ...s,
      extensions: [
        { request: req, requestedBy: s.caseOfficer!, requestedAt: "2026-12-01T00:00:00Z", reason: "需會商。", until: "2026-12-20", project: false, decision: { entry: dec, by: s.caseOfficer!, at: "2026-12-01T01:00:00Z", approved: true } },
      ],
      extendedDue: "2026-12-20",
    };
    const t = timeFactsOf(input(f, extended, { [req]: "2026-12-02T01:00:00Z" }, { origin: "received", incoming: "exchange", startedAt: "2026-11-30T01:00:00Z", now: new Date("2026-12-18T02:00:00Z") }));
    expect(t).toMatchObject({ origin: "received", incoming: "exchange", baseDue: "2026-12-04", due: "2026-12-20", overdue: false, projectControl: false });
    expect(t.extensions[0]).toMatchObject({ requestedAt: "2026-12-02T01:00:00Z", decision: { at: "2026-12-01T01:00:00Z", approved: true } });
    // 2026-12-20 is a Sunday: Monday 12-21 is the first working day past it.
    const later = timeFactsOf(input(f, extended, {}, { origin: "received", startedAt: "2026-11-30T01:00:00Z", now: new Date("2026-12-22T02:00:00Z") }));
    expect(later.overdue).toBe(true);
    const project = timeFactsOf(input(f, { ...extended, projectControl: true }, {}, { origin: "received", startedAt: "2026-11-30T01:00:00Z", now: new Date("2026-12-22T02:00:00Z") }));
    expect([project.projectControl, project.overdue]).toEqual([true, false]);
  });

  it("a letter: 發文 closes it and its channel out is kept", async () => {
    const f = await decided({ letter: true });
    const d = await f.sign(f.a.mailRoom, { action: { ...DISPATCH }, step: null, at: tick() });
    const t = timeFactsOf(input(f, await f.state(), { [d]: "2026-03-05T03:00:00Z" }, { outgoing: "exchange" }));
    expect(t).toMatchObject({ kind: "letter", closing: "dispatch", outgoing: "exchange", closeDay: "2026-03-05", daysUsed: 1, mode: "online" });
    // Archived afterwards: still closed by its 發文.
    await f.sign(f.a.archivist, { action: { ...ARCHIVE }, step: null, at: tick() });
    expect(timeFactsOf(input(f, await f.state(), { [d]: "2026-03-05T03:00:00Z" })).closing).toBe("dispatch");
  });

  it("on paper: mode paper, closed by its 歸檔; a 便簽 is not controlled", async () => {
    const f = await flow();
    await f.sign(f.a.officer, { action: { kind: "switch-to-paper", reason: "附件逾百頁。" }, step: null, at: tick() });
    await f.sign(f.a.officer, { action: { kind: "paper-record", reason: "紙本已決行。" }, step: null, at: tick() });
    const a = await f.sign(f.a.archivist, { action: { ...ARCHIVE }, step: null, at: tick() });
    const t = timeFactsOf(input(f, await f.state(), { [a]: "2026-03-11T03:00:00Z" }));
    expect(t).toMatchObject({ mode: "paper", closing: "archive", closeDay: "2026-03-11", daysUsed: 5 });

    const n = await flow();
    if (!n.doc.setMetadata({ kind: "note" }).ok) throw new Error("metadata");
    const facts = timeFactsOf(input(n, await n.state(), {}, { now: new Date("2026-06-01T00:00:00Z") }));
    expect(facts).toMatchObject({ controlled: false, baseDue: null, due: null, overdue: false });
    expect(facts.daysUsed).toBeGreaterThan(0);
  });
});

describe("deadlineOf", () => {
  const at = (today: string, extra: Partial<Parameters<typeof deadlineOf>[0]> = {}) => deadlineOf({ baseDue: "2026-03-09", today, cal, ...extra });
  it("ok, 期前 within 2 working days (across a weekend), overdue after; none when finished, under 專案管制 or without a date", () => {
    expect(at("2026-03-04")).toEqual({ baseDue: "2026-03-09", due: "2026-03-09", status: "ok", workingDaysLeft: 3 });
    expect(at("2026-03-05").status).toBe("due-soon"); // Fri 03-06, Mon 03-09
    expect(at("2026-03-08").status).toBe("due-soon");
    expect(at("2026-03-09")).toMatchObject({ status: "due-soon", workingDaysLeft: 0 });
    expect(at("2026-03-10")).toMatchObject({ status: "overdue", workingDaysLeft: -1 });
    expect(at("2026-03-05", { dueSoonDays: 1 }).status).toBe("ok");
    expect(at("2026-03-10", { finished: true }).status).toBe("none");
    expect(at("2026-03-10", { projectControl: true }).status).toBe("none");
    expect(deadlineOf({ baseDue: null, today: "2026-03-10", cal })).toEqual({ baseDue: null, due: null, status: "none", workingDaysLeft: null });
  });
  it("an approved extension moves the due date; a refused or pending one does not", () => {
    const extensions = [
      { until: "2026-03-20", decision: { entry: "x" as EntryId, by: "p" as never, at: "", approved: true } },
      { until: "2026-03-31", decision: { entry: "y" as EntryId, by: "p" as never, at: "", approved: false } },
      { until: "2026-04-30", decision: null },
    ];
    expect(at("2026-03-10", { extensions })).toMatchObject({ due: "2026-03-20", status: "ok" });
    expect(at("2026-03-10", { due: "2026-03-11" })).toMatchObject({ due: "2026-03-11", status: "due-soon" });
  });
});

describe("needsLateReason", () => {
  const open = { controlled: true, due: "2026-03-06", closing: null, projectControl: false, lateReason: null };
  it("past the due date, open, controlled, no reason yet; a closing on the day off after it is in time", () => {
    expect(needsLateReason(open, "2026-03-06", cal)).toBe(false);
    expect(needsLateReason(open, "2026-03-07", cal)).toBe(false); // Saturday
    expect(needsLateReason(open, "2026-03-09", cal)).toBe(true);
    expect(needsLateReason(open, "2026-03-07")).toBe(true); // without a calendar: any later day
    expect(needsLateReason({ ...open, lateReason: "已說明。" }, "2026-03-09", cal)).toBe(false);
    expect(needsLateReason({ ...open, projectControl: true }, "2026-03-09", cal)).toBe(false);
    expect(needsLateReason({ ...open, controlled: false }, "2026-03-09", cal)).toBe(false);
    expect(needsLateReason({ ...open, closing: "close" }, "2026-03-09", cal)).toBe(false);
    expect(needsLateReason({ ...open, due: null }, "2026-03-09", cal)).toBe(false);
  });
});
