// Time facts kept as entries arrive, through a real relay: a document drafted live gets its row with
// the trusted start (the server's first receipt), 創稿, the 限辦日期 from 速別 on the agency's calendar;
// a signed entry updates it. And the relay's 逾期原因 rule as the server asks it (late-reason.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDocId, dueDateFor, officeCalendar, taipeiDay, type TimeFacts, type WorkflowState } from "@countersign/crdt-model";
import { join } from "node:path";
import { pino } from "pino";
import { AgencyServer, openSqliteStore } from "@countersign/sync-server";
import { startAgency, tokenFor, until, type RunningAgency, type Who } from "./support/agency-server.ts";
import { filingHelpers } from "./support/filing.ts";
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

describe("逾期原因 through a real relay: a late 存查 without a reason is refused whole, with one it is stored", () => {
  let a: RunningAgency;
  // The server's day is 40 days ahead: every document started today is past its 速別 due date.
  const ahead = 40 * 86_400_000;
  beforeAll(async () => {
    const running = await startAgency();
    await running.server.stop();
    const store = openSqliteStore(join(running.dir, "countersign.db"));
    const server = new AgencyServer({ store, agency: running.agency, log: pino({ level: "silent" }), port: 0, host: "127.0.0.1", checkAnswers: true, deadlineClock: () => new Date(Date.now() + ahead) });
    const port = await server.start();
    for (const who of Object.keys(running.people) as Who[]) running.people[who].token = await tokenFor(store, running.agency, running.people[who]);
    a = { ...running, store, server, port, http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/sync`, stop: () => server.stop() };
  });
  afterAll(async () => a?.stop());

  it("refuses the closing entry, changes nothing, then takes it with its reason", async () => {
    const f = filingHelpers(() => a, "late");
    const id = await f.document("decided", { kind: "memo" });
    const before = await f.snapshot(id);
    const refused = await f.act(id, "officer", { action: { kind: "close" }, step: null });
    expect(refused).toEqual([expect.objectContaining({ code: "update.late-reason" })]);
    expect(await f.snapshot(id)).toEqual(before);
    expect(await f.act(id, "officer", { action: { kind: "close", lateReason: "待他機關回復資料" }, step: null })).toEqual([]);
    await until(async () => (await a.store.getTimeFacts(asDocId(id)))?.closing === "close", 10_000, "the closed row");
    expect(await a.store.getTimeFacts(asDocId(id))).toMatchObject({ closing: "close", lateReason: "待他機關回復資料" });
  });
});
