import { describe, expect, it } from "vitest";
import { SAMPLE_STEPS, decided, flow, reasonOf, tick, toDecision, type Flow } from "./fixture.ts";
import { derive } from "../src/workflow/derive.ts";
import { actionVersion, parseEntry, type Action } from "../src/chain/types.ts";
import { TrustStore } from "../src/identity/trust.ts";
import { DEFAULT_EXTENSION_POLICY, extensionPolicyOf, parseDelegationTable } from "../src/routing/delegation.ts";
import type { EntryId } from "../src/ids.ts";

// 時效管制 in the chain (entry format version 3): 申請展期, 展期核定 and 逾期原因, and 逾期原因 with the
// closing entries. The sample document states its 限辦日期 (2026-12-04), which is the first due date
// the 展期 limits measure from; the sample delegation table has no `extensions`, so the default
// policy applies: the head (level 5) approves, at most 2 extensions and 30 days in all.

const FIRST_DUE = "2026-12-04";
const plusDays = (day: string, n: number) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};
const request = (until: string, project?: true): Action => ({ kind: "extend-request", until, reason: "需會商相關機關。", ...(project ? { project } : {}) });
const decide = (req: EntryId, approved = true): Action => ({ kind: "extend-decide", request: req, approved });

const versionOf = (f: Flow, id: string) => {
  const e = parseEntry(f.doc.rawEntries().get(id), id);
  if (!e.ok) throw new Error(e.reason);
  return e.value.entry.payload.v;
};
async function signed(f: Flow, who: keyof Flow["a"] & string, action: Action) {
  const signer = f.a[who as "officer"];
  const id = await f.sign(signer, { action, step: null, at: tick() });
  return { id, reason: await reasonOf(f, id) };
}

describe("entry format version 3", () => {
  it("is used only for what versions 1 and 2 cannot say", () => {
    expect(actionVersion({ kind: "close" })).toBe(2);
    expect(actionVersion({ kind: "close", lateReason: "x" })).toBe(3);
    expect(actionVersion({ kind: "dispatch" })).toBe(1);
    expect(actionVersion({ kind: "dispatch", number: "n", date: "2026-01-01" })).toBe(2);
    expect(actionVersion({ kind: "dispatch", number: "n", date: "2026-01-01", lateReason: "x" })).toBe(3);
    expect(actionVersion({ kind: "archive", fileNumber: "f", retention: 10, lateReason: "x" })).toBe(3);
    expect(actionVersion({ kind: "paper-record", reason: "r" })).toBe(2);
    expect(actionVersion(request("2026-12-20"))).toBe(3);
    expect(actionVersion({ kind: "late-reason", reason: "x" })).toBe(3);
  });

  it("a version-2 entry cannot carry a 逾期原因; a version-3 request needs a real day and a reason", async () => {
    const f = await decided();
    const id = await f.sign(f.a.officer, { action: { kind: "close", lateReason: "人力不足。" }, step: null, at: tick() });
    const raw = JSON.parse(f.doc.rawEntries().get(id) as string) as { payload: { v: number } };
    expect(raw.payload.v).toBe(3);
    expect(parseEntry({ ...raw, payload: { ...raw.payload, v: 2 } }).ok).toBe(false);
    const base = { ...raw.payload, v: 3 };
    for (const action of [
      { kind: "extend-request", until: "2026-02-30", reason: "x" },
      { kind: "extend-request", until: "2026-12-20", reason: " " },
      { kind: "extend-request", until: "2026-12-20", reason: "x", project: false },
      { kind: "extend-decide", request: "nope", approved: true },
      { kind: "late-reason", reason: "" },
      { kind: "close", lateReason: "" },
    ])
      expect(parseEntry({ ...raw, payload: { ...base, action } }).ok, JSON.stringify(action)).toBe(false);
  });
});

describe("展期: request and decision", () => {
  it("the case officer asks, the head approves, the new due date is the chain's", async () => {
    const f = await flow();
    await toDecision(f);
    const r = await signed(f, "officer", request("2026-12-20"));
    expect(r.reason).toBeNull();
    expect(versionOf(f, r.id)).toBe(3);
    let s = await f.state();
    expect(s.extensions).toEqual([
      expect.objectContaining({ request: r.id, requestedBy: f.a.officer.profile.person, until: "2026-12-20", project: false, decision: null, reason: "需會商相關機關。" }),
    ]);
    expect(s.extendedDue).toBeNull();
    expect(s.status).toBe("in-review"); // the status is untouched (the 決行 step waits)
    const d = await signed(f, "director", decide(r.id));
    expect(d.reason).toBeNull();
    s = await f.state();
    expect(s.extensions[0]!.decision).toEqual(expect.objectContaining({ entry: d.id, by: f.a.director.profile.person, approved: true }));
    expect(s.extendedDue).toBe("2026-12-20");
    expect(s.projectControl).toBe(false);
    expect(s.valid).toBe(true);
  });

  it("refuses: another than the case officer, a second pending request, a date not later than the due date in force", async () => {
    const f = await flow();
    expect((await signed(f, "clerk", request("2026-12-20"))).reason).toMatch(/Only the case officer may ask for a 展期/);
    expect((await signed(f, "officer", request(FIRST_DUE))).reason).toMatch(/later than the due date in force \(2026-12-04\)/);
    const first = await signed(f, "officer", request("2026-12-20"));
    expect(first.reason).toBeNull();
    expect((await signed(f, "officer", request("2026-12-22"))).reason).toMatch(/already waiting/);
    await signed(f, "director", decide(first.id));
    // The due date in force is now the approved one.
    expect((await signed(f, "officer", request("2026-12-19"))).reason).toMatch(/\(2026-12-20\)/);
    expect((await signed(f, "officer", request("2026-12-21"))).reason).toBeNull();
  });

  it("refuses a decision by the requester, the case officer, a level below the approver's, or twice", async () => {
    const f = await flow();
    const r = await signed(f, "officer", request("2026-12-20"));
    expect((await signed(f, "officer", decide(r.id))).reason).toMatch(/Whoever asked/);
    expect((await signed(f, "chief", decide(r.id))).reason).toMatch(/level 5 or above \(the signer's level is 3\)/);
    expect((await signed(f, "deputyDirector", decide(r.id))).reason).toMatch(/level 5 or above/);
    expect((await signed(f, "director", decide(r.id, false))).reason).toBeNull();
    expect((await signed(f, "director", decide(r.id))).reason).toMatch(/already decided/);
    const s = await f.state();
    expect(s.extendedDue).toBeNull();
    expect(s.extensions[0]!.decision?.approved).toBe(false);
    // A refused request leaves room for another.
    expect((await signed(f, "officer", request("2026-12-18"))).reason).toBeNull();
  });

  it("a decision answers only a request in its ancestry", async () => {
    const f = await flow();
    const heads = (await f.state()).heads;
    const r = await signed(f, "officer", request("2026-12-20"));
    const d = await f.sign(f.a.director, { action: decide(r.id), step: null, at: tick() }, heads);
    expect(await reasonOf(f, d)).toMatch(/answers no 展期 request/);
  });

  it("the limits: a plain request past them is refused, only 專案管制 is asked there, and an approved one sets projectControl", async () => {
    const f = await flow();
    // 31 days beyond the first due date: past the 30 days.
    expect((await signed(f, "officer", request(plusDays(FIRST_DUE, 31)))).reason).toMatch(/beyond the agency's limits/);
    expect((await signed(f, "officer", request(plusDays(FIRST_DUE, 30), true))).reason).toMatch(/only beyond the 展期 limits/);
    for (const until of ["2026-12-10", "2026-12-15"]) {
      const r = await signed(f, "officer", request(until));
      expect(r.reason).toBeNull();
      expect((await signed(f, "director", decide(r.id))).reason).toBeNull();
    }
    // Two approved: a third plain request is past maxCount.
    expect((await signed(f, "officer", request("2026-12-18"))).reason).toMatch(/beyond the agency's limits \(2 extensions, 30 days/);
    const p = await signed(f, "officer", request("2027-02-01", true));
    expect(p.reason).toBeNull();
    expect((await f.state()).projectControl).toBe(false);
    expect((await signed(f, "director", decide(p.id))).reason).toBeNull();
    const s = await f.state();
    expect(s.projectControl).toBe(true);
    expect(s.extendedDue).toBe("2027-02-01");
    expect(s.extensions.map((x) => x.project)).toEqual([false, false, true]);
  });

  it("the agency's policy comes from its delegation table", async () => {
    const f = await flow();
    const table = parseDelegationTable({ ...f.a.delegation, extensions: { approverLevel: 4, maxCount: 1, maxDays: 10 } });
    if (!table.ok) throw new Error(table.reason);
    expect(extensionPolicyOf(table.value)).toEqual({ approverLevel: 4, maxCount: 1, maxDays: 10 });
    expect(extensionPolicyOf(f.a.delegation)).toEqual({ ...DEFAULT_EXTENSION_POLICY, approverLevel: 5 });
    expect(extensionPolicyOf(null)).toEqual(DEFAULT_EXTENSION_POLICY);
    expect(parseDelegationTable({ ...f.a.delegation, extensions: { approverLevel: 4, maxCount: -1, maxDays: 10 } }).ok).toBe(false);
    const trust = new TrustStore({ cas: [f.a.ca.cert], delegation: [table.value], deputies: f.a.deputies ? [f.a.deputies] : [] });
    const r = await f.sign(f.a.officer, { action: request(plusDays(FIRST_DUE, 10)), step: null, at: tick() });
    const d = await f.sign(f.a.deputyDirector, { action: decide(r), step: null, at: tick() });
    let s = await derive(f.doc, trust);
    expect(s.report.entries.find((e) => e.id === d)?.reason).toBeNull();
    expect(s.extendedDue).toBe(plusDays(FIRST_DUE, 10));
    const again = await f.sign(f.a.officer, { action: request(plusDays(FIRST_DUE, 11)), step: null, at: tick() }, s.heads);
    s = await derive(f.doc, trust);
    expect(s.report.entries.find((e) => e.id === again)?.reason).toMatch(/1 extensions, 10 days/);
  });

  it("goes on after 決行 until 辦結, and on paper; refused once 存查", async () => {
    const f = await decided();
    const r = await signed(f, "officer", request("2026-12-20"));
    expect(r.reason).toBeNull();
    expect((await signed(f, "director", decide(r.id))).reason).toBeNull();
    await f.sign(f.a.officer, { action: { kind: "close" }, step: null, at: tick() });
    expect((await f.state()).status).toBe("closed");
    expect((await signed(f, "officer", request("2026-12-24"))).reason).toMatch(/finished/);
    expect((await signed(f, "officer", { kind: "late-reason", reason: "x" })).reason).toMatch(/finished/);

    const g = await flow();
    await g.sign(g.a.officer, { action: { kind: "switch-to-paper", reason: "附件逾百頁。" }, step: null, at: tick() });
    expect((await signed(g, "officer", request("2026-12-20"))).reason).toBeNull();
  });
});

describe("逾期原因", () => {
  it("on an open document, by the case officer or a holder; the last one given is the document's", async () => {
    const f = await flow();
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    expect((await signed(f, "clerk", { kind: "late-reason", reason: "不是我的。" })).reason).toMatch(/Only the case officer or whoever holds/);
    expect((await signed(f, "officer", { kind: "late-reason", reason: "等待會辦單位回復。" })).reason).toBeNull();
    expect((await f.state()).lateReason).toBe("等待會辦單位回復。");
    // The chief holds the review step.
    expect((await signed(f, "chief", { kind: "late-reason", reason: "核稿期間公出。" })).reason).toBeNull();
    expect((await f.state()).lateReason).toBe("核稿期間公出。");
  });

  it("with the closing entry: 存查 and 發文 carry it (version 3)", async () => {
    const f = await decided();
    const c = await signed(f, "officer", { kind: "close", lateReason: "案情複雜。" });
    expect(c.reason).toBeNull();
    expect(versionOf(f, c.id)).toBe(3);
    expect((await f.state()).lateReason).toBe("案情複雜。");

    const g = await decided({ letter: true });
    const d = await signed(g, "mailRoom", { kind: "dispatch", number: "示教字第1150000001號", date: "2026-12-05", lateReason: "受文者地址待查。" });
    expect(d.reason).toBeNull();
    const s = await g.state();
    expect([s.status, s.lateReason]).toEqual(["dispatched", "受文者地址待查。"]);
  });

  it("a decision step is still what it was: 決行 with a 逾期原因 entry beside it", async () => {
    const f = await flow();
    await toDecision(f);
    await signed(f, "officer", { kind: "late-reason", reason: "會辦費時。" });
    const d = await f.sign(f.a.director, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, at: tick() });
    expect(await reasonOf(f, d)).toBeNull();
    expect((await f.state()).status).toBe("decided");
  });
});
