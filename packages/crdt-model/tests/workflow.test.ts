import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { ARCHIVE, DISPATCH, SAMPLE_STEPS, decided, flow, tick, toDecision } from "./fixture.ts";
import { asPersonId } from "../src/ids.ts";
import { createSampleAgency } from "../src/sample/agency.ts";
import { buildDecidedSample } from "../src/sample/document.ts";
import { CountersignDocument } from "../src/schema/document.ts";
import { derive } from "../src/workflow/derive.ts";

describe("workflow", () => {
  it("a parallel countersign (並會) waits for both branches and then merges into the decision stage", async () => {
    const f = await flow();
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    expect((await f.state()).status).toBe("in-review");
    await f.sign(f.a.chief, { action: { kind: "approve" }, step: SAMPLE_STEPS.review, at: tick() });
    let s = await f.state();
    expect(s.status).toBe("countersigning");
    expect(s.pending.map((p) => p.step).sort()).toEqual([SAMPLE_STEPS.accounting, SAMPLE_STEPS.personnel].sort());
    await f.sign(f.a.accounting, { action: { kind: "countersign" }, step: SAMPLE_STEPS.accounting, at: tick() });
    s = await f.state();
    expect(s.pending.map((p) => p.step)).toEqual([SAMPLE_STEPS.personnel]);
    await f.sign(f.a.personnel, { action: { kind: "countersign" }, step: SAMPLE_STEPS.personnel, at: tick() });
    s = await f.state();
    expect(s.status).toBe("in-review");
    expect(s.holders).toEqual([{ kind: "person", person: f.a.director.profile.person }]);
  });

  it("a return to the case officer needs a new submission, which starts a new round", async () => {
    const f = await flow();
    await toDecision(f);
    await f.sign(f.a.director, { action: { kind: "return", to: null }, step: SAMPLE_STEPS.decide, opinion: "請補充經費來源。", at: tick() });
    let s = await f.state();
    expect(s.status).toBe("returned");
    expect(s.holders).toEqual([{ kind: "person", person: f.a.officer.profile.person }]);
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    s = await f.state();
    expect(s.status).toBe("in-review");
    expect(s.pending.map((p) => p.step)).toEqual([SAMPLE_STEPS.review]);
  });

  it("a return to an earlier step reopens that step and every later one", async () => {
    const f = await flow();
    await toDecision(f);
    await f.sign(f.a.director, { action: { kind: "return", to: SAMPLE_STEPS.review }, step: SAMPLE_STEPS.decide, at: tick() });
    let s = await f.state();
    expect(s.status).toBe("returned");
    expect(s.holders).toEqual([{ kind: "person", person: f.a.chief.profile.person }]);
    await f.sign(f.a.chief, { action: { kind: "approve" }, step: SAMPLE_STEPS.review, at: tick() });
    s = await f.state();
    expect(s.status).toBe("countersigning");
  });

  it("the case officer can withdraw (取回) a submitted document", async () => {
    const f = await flow();
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    await f.sign(f.a.officer, { action: { kind: "withdraw" }, step: null, at: tick() });
    expect((await f.state()).status).toBe("draft");
  });

  it("the registry desk re-assigns (改分) and only the new case officer may submit", async () => {
    const f = await flow();
    await f.sign(f.a.registry, { action: { kind: "reassign", to: asPersonId("P-CLERK") }, step: null, at: tick() });
    const old = await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    let s = await f.state();
    expect(s.report.entries.find((e) => e.id === old)?.reason).toBe("Only the case officer may submit the document.");
    await f.sign(f.a.clerk, { action: { kind: "submit" }, step: null, at: tick() });
    s = await f.state();
    expect(s.caseOfficer).toBe("P-CLERK");
    expect(s.status).toBe("in-review");
  });

  it("a deputy named in the plan decides for the director (職務代理)", async () => {
    const f = await flow();
    await toDecision(f);
    await f.sign(f.a.deputyDirector, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, at: tick() });
    const s = await f.state();
    expect(s.status).toBe("decided");
    expect(s.valid).toBe(true);
  });

  it("dispatch and archive follow the decision; a late signature (補簽) fills a skipped review", async () => {
    const f = await flow({ letter: true });
    const plan = f.doc.plan();
    if (!plan.ok || !plan.value) throw new Error("no plan");
    // Review by the chief, then 決行: no countersign, so the director may decide before the review.
    f.doc.setPlan({ ...plan.value, stages: [plan.value.stages[0]!, plan.value.stages[2]!] });
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    await f.sign(f.a.director, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, opinion: "先行決行。", at: tick() });
    await f.sign(f.a.chief, { action: { kind: "late-sign", reason: "公出返回後補簽。" }, step: SAMPLE_STEPS.review, at: tick() });
    let s = await f.state();
    expect(s.lateSigns.map((l) => l.step)).toEqual([SAMPLE_STEPS.review]);
    await f.sign(f.a.mailRoom, { action: { ...DISPATCH }, step: null, at: tick() });
    expect((await f.state()).status).toBe("dispatched");
    await f.sign(f.a.archivist, { action: { ...ARCHIVE }, step: null, at: tick() });
    s = await f.state();
    expect(s.status).toBe("archived");
    expect(s.valid).toBe(true);
  });

  it("switching to paper stops online signing", async () => {
    const f = await flow();
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    await f.sign(f.a.officer, { action: { kind: "switch-to-paper", reason: "附件為大型圖說，改以紙本陳核。" }, step: null, at: tick() });
    const id = await f.sign(f.a.chief, { action: { kind: "approve" }, step: SAMPLE_STEPS.review, at: tick() });
    const s = await f.state();
    expect(s.status).toBe("on-paper");
    expect(s.report.entries.find((e) => e.id === id)?.reason).toBe("The document was switched to paper.");
  });

  it("RSA certificates verify with PKCS#1 v1.5 and with PSS signatures", async () => {
    for (const alg of ["RS256", "PS256"] as const) {
      const a = await createSampleAgency({ alg, code: `A-RSA-${alg}` });
      const { doc, trust } = await buildDecidedSample(a);
      const s = await derive(doc, trust);
      expect(s.report.entries.every((e) => e.valid)).toBe(true);
      expect(s.status).toBe("decided");
    }
  });

  it("a document travels as a Yjs update and verifies the same on another replica", async () => {
    const f = await decided();
    const copy = CountersignDocument.fromUpdate(f.doc.encodeState());
    if (!copy.ok) throw new Error(copy.reason);
    const a = await derive(f.doc, f.trust);
    const b = await derive(copy.value, f.trust);
    expect(b.status).toBe(a.status);
    expect(b.timeline).toEqual(a.timeline);
  });
});

describe("conflicts between concurrent offline actions", () => {
  async function forked() {
    const f = await flow();
    await toDecision(f);
    const other = CountersignDocument.fromUpdate(f.doc.encodeState());
    if (!other.ok) throw new Error(other.reason);
    return { f, other: other.value };
  }
  const merge = (x: CountersignDocument, y: CountersignDocument) => {
    x.applyUpdate(y.encodeState(x.stateVector()));
    y.applyUpdate(x.encodeState(y.stateVector()));
  };

  it("a decision and a concurrent return: the decision stands and the return is reported as a conflict", async () => {
    const { f, other } = await forked();
    const heads = (await f.state()).heads;
    const { signAction } = await import("../src/chain/sign.ts");
    const d = await signAction(f.doc, f.a.director, heads, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, at: tick() });
    const r = await signAction(other, f.a.deputyDirector, heads, { action: { kind: "return", to: null }, step: SAMPLE_STEPS.decide, at: tick() });
    if (!d.ok || !r.ok) throw new Error("signing failed");
    merge(f.doc, other);
    const [sa, sb] = [await derive(f.doc, f.trust), await derive(other, f.trust)];
    for (const s of [sa, sb]) {
      expect(s.status).toBe("decided");
      expect(s.conflicts).toEqual([
        { winner: d.value.id, loser: r.value.id, kind: "conflict", reason: "The action comes after the decision.", resolved: false },
      ]);
      expect(s.timeline.find((t) => t.id === r.value.id)?.outcome).toBe("conflict");
    }
  });

  it("two different decisions: one stands by the documented rule, the other is a conflict on every replica", async () => {
    const { f, other } = await forked();
    const heads = (await f.state()).heads;
    const { signAction } = await import("../src/chain/sign.ts");
    const d1 = await signAction(f.doc, f.a.director, heads, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, at: tick() });
    other.setSubject("副局長改寫後的主旨");
    const d2 = await signAction(other, f.a.deputyDirector, heads, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, at: tick() });
    if (!d1.ok || !d2.ok) throw new Error("signing failed");
    merge(f.doc, other);
    const sa = await derive(f.doc, f.trust);
    const sb = await derive(other, f.trust);
    expect(sa.decision).toEqual(sb.decision);
    // Same action: the signer with the higher level (the director, 5 > 4) stands.
    expect(sa.decision?.entry).toBe(d1.value.id);
    expect(sa.conflicts.map((c) => [c.winner, c.loser, c.kind])).toEqual([[d1.value.id, d2.value.id, "conflict"]]);
  });

  it("the same decision twice (principal and deputy, same content) is redundant, not a conflict", async () => {
    const { f, other } = await forked();
    const heads = (await f.state()).heads;
    const { signAction } = await import("../src/chain/sign.ts");
    const d1 = await signAction(f.doc, f.a.director, heads, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, at: tick() });
    const d2 = await signAction(other, f.a.deputyDirector, heads, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, at: tick() });
    if (!d1.ok || !d2.ok) throw new Error("signing failed");
    merge(f.doc, other);
    const s = await derive(f.doc, f.trust);
    expect(s.conflicts.map((c) => c.kind)).toEqual(["redundant"]);
    expect(s.status).toBe("decided");
  });

  it("a later entry that saw both sides marks the conflict resolved", async () => {
    const { f, other } = await forked();
    const heads = (await f.state()).heads;
    const { signAction } = await import("../src/chain/sign.ts");
    await signAction(f.doc, f.a.director, heads, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, at: tick() });
    await signAction(other, f.a.deputyDirector, heads, { action: { kind: "return", to: null }, step: SAMPLE_STEPS.decide, at: tick() });
    merge(f.doc, other);
    await f.sign(f.a.officer, { action: { kind: "close" }, step: null, at: tick() });
    const s = await f.state();
    expect(s.status).toBe("closed");
    expect(s.conflicts[0]?.resolved).toBe(true);
  });
});

describe("bad input", () => {
  it("The update is malformed: … and nothing is applied", async () => {
    const f = await decided();
    const before = Y.encodeStateVector(f.doc.ydoc);
    const update = f.doc.encodeState();
    const r = f.doc.applyUpdate(update.slice(0, Math.floor(update.length / 2)));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/^The update is malformed: /);
    expect(Y.encodeStateVector(f.doc.ydoc)).toEqual(before);
  });

  it("The update does not hold a Countersign document (no document id).", () => {
    const r = CountersignDocument.fromUpdate(Y.encodeStateAsUpdate(new Y.Doc()));
    expect(r).toEqual({ ok: false, code: "update.malformed", reason: "The update does not hold a Countersign document (no document id)." });
  });
});
