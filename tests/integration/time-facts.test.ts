// Time facts kept as entries arrive, through a real relay: a document drafted live gets its row with
// the trusted start (the server's first receipt), 創稿, the 限辦日期 from 速別 on the agency's calendar;
// a signed entry updates it. And the relay's 逾期原因 rule as the server asks it (late-reason.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDocId, dueDateFor, officeCalendar, taipeiDay, type TimeFacts, type WorkflowState } from "@countersign/crdt-model";
import { startAgency, until, type RunningAgency } from "./support/agency-server.ts";
import { draftLive } from "./support/live-draft.ts";
import { Deadlines } from "../../sync-server/src/deadline/service.ts";
import { lateReasonRefusal } from "../../sync-server/src/deadline/late-reason.ts";

describe("time facts as entries arrive (SQLite, real relay)", () => {
  let a: RunningAgency;
  beforeAll(async () => {
    a = await startAgency();
  });
  afterAll(async () => a?.stop());

  it("writes a drafted document's row with its trusted start and its 限辦日期 from 速別", async () => {
    const { id, p } = await draftLive(a, `tf-${Date.now()}`);
    let facts: TimeFacts | undefined;
    await until(async () => (facts = await a.store.getTimeFacts(asDocId(id))) !== undefined, 10_000, "the time facts row");
    // A draft has no signed entry yet: its start is when the server first stored it (no receipt to
    // be earlier); once entries arrive, their receipts are the trusted times.
    const first = facts!.startedAt;
    expect(Math.abs(Date.parse(first) - Date.now())).toBeLessThan(60_000);
    const startDay = taipeiDay(first);
    expect(facts).toMatchObject({
      doc: id,
      unit: "U-STU",
      caseOfficer: "P-officer",
      kind: "memo",
      speed: "ordinary",
      origin: "created",
      incoming: null,
      outgoing: null,
      startedAt: first,
      startDay,
      controlled: true,
      baseDue: dueDateFor(officeCalendar([]), "ordinary", startDay),
      closing: null,
      mode: "online",
      overdue: false,
      lateReason: null,
    });
    p.destroy();
  });
});

describe("the relay's 逾期原因 rule (late-reason.ts)", () => {
  const base = { controlled: true, due: "2026-12-02", closing: null, projectControl: false, lateReason: null } as unknown as TimeFacts;
  const deadlines = (facts: Partial<TimeFacts>, today: string) =>
    new Deadlines({
      store: { receipts: async () => [], peers: async () => [], calendarYears: async () => [] } as never,
      agency: "A-TEST" as never,
      now: () => new Date(`${today}T02:00:00Z`),
      compute: () => ({ ...base, ...facts }),
    });
  const open = { dispatch: null, closed: null, archive: null } as unknown as WorkflowState;
  const closed = { dispatch: null, closed: { entry: "e1" }, archive: null } as unknown as WorkflowState;
  const doc = { id: "D", metadata: () => ({ ok: false }) } as never;

  it("refuses a closing after the due date without a reason, and only the closing", async () => {
    expect(await lateReasonRefusal(deadlines({}, "2026-12-07"), doc, open, closed)).toMatchObject({ ok: false, code: "update.late-reason" });
    expect(await lateReasonRefusal(deadlines({}, "2026-12-07"), doc, open, open)).toBeUndefined();
    expect(await lateReasonRefusal(deadlines({}, "2026-12-07"), doc, closed, closed)).toBeUndefined();
  });

  it("lets it through with a reason, in time, or under 專案管制", async () => {
    expect(await lateReasonRefusal(deadlines({ lateReason: "待他機關回復" }, "2026-12-07"), doc, open, closed)).toBeUndefined();
    expect(await lateReasonRefusal(deadlines({}, "2026-12-02"), doc, open, closed)).toBeUndefined();
    expect(await lateReasonRefusal(deadlines({ projectControl: true }, "2026-12-07"), doc, open, closed)).toBeUndefined();
  });
});
