import { describe, expect, it } from "vitest";
import { DISPATCH, decided, flow, tick, toDecision, type Flow } from "./fixture.ts";
import { CountersignDocument } from "../src/schema/document.ts";
import { checkTransition } from "../src/workflow/ingest.ts";
import { signAction } from "../src/chain/sign.ts";
import { derive } from "../src/workflow/derive.ts";
import { tamper } from "../src/sample/tamper.ts";
import { createSampleAgency } from "../src/sample/agency.ts";

// The relay's refusal classes, one test each, named by the reason the sender is told.

function copy(doc: CountersignDocument): CountersignDocument {
  const r = CountersignDocument.fromUpdate(doc.encodeState());
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

/** Each refusal class's code (refusal/codes-model.ts): the relay and the app act on these, not on the sentences. */
const CODE_OF: readonly [RegExp, string][] = [
  [/^The update adds an invalid entry: /, "update.invalid-entry"],
  [/^The update alters or removes the signed (entry|version) /, "update.alters-signed"],
  [/^The update alters or removes the receipt |^Only the agency server writes receipts/, "update.receipt"],
  [/^The update changes the content of a decided document/, "update.decided"],
  [/^The update changes the routing plan without/, "update.plan"],
  [/^The update changes the document id/, "update.doc-id"],
];

async function reasonFor(f: Flow, mutate: (after: CountersignDocument) => unknown): Promise<string | null> {
  const after = copy(f.doc);
  await mutate(after);
  const r = await checkTransition(f.doc, after, f.trust);
  if (r.ok) return null;
  const expected = CODE_OF.find(([re]) => re.test(r.reason));
  expect(r.code).toBe(expected?.[1]);
  return r.reason;
}

describe("checkTransition (validation on ingest)", () => {
  it("accepts an ordinary edit and a valid new entry, and names the entries it adds", async () => {
    const f = await flow();
    const after = copy(f.doc);
    after.setSubject("新的主旨");
    const s = await derive(after, f.trust);
    const signed = await signAction(after, f.a.officer, s.heads, { action: { kind: "submit" }, step: null, at: tick() });
    if (!signed.ok) throw new Error(signed.reason);
    const r = await checkTransition(f.doc, after, f.trust);
    expect(r.ok && r.value.added).toEqual([signed.value.id]);
  });

  it("reports which parts an update touched; a plain text edit skips verification", async () => {
    const f = await flow();
    const after = copy(f.doc);
    const editor = copy(f.doc);
    const sv = editor.stateVector();
    editor.setSubject("只改主旨");
    const touched = after.applyUpdateTracked(editor.encodeState(sv));
    expect(touched.ok && [...touched.value]).toEqual(["subject"]);
    const beforeState = await derive(f.doc, f.trust);
    const r = await checkTransition(f.doc, after, f.trust, { beforeState, touched: touched.ok ? touched.value : undefined });
    expect(r.ok && r.value.state).toBe(beforeState);
  });

  it("a signed entry in the update is always verified, whatever else it touches", async () => {
    const f = await flow();
    const after = copy(f.doc);
    const signer = copy(f.doc);
    const sv = signer.stateVector();
    await signAction(signer, f.a.clerk, [], { action: { kind: "submit" }, step: null, at: tick() });
    const touched = after.applyUpdateTracked(signer.encodeState(sv));
    expect(touched.ok && [...touched.value].sort()).toEqual(["chain", "versions"]);
    const r = await checkTransition(f.doc, after, f.trust, { beforeState: await derive(f.doc, f.trust), touched: touched.ok ? touched.value : undefined });
    expect(r).toEqual({
      ok: false,
      code: "update.invalid-entry",
      reason: "The update adds an invalid entry: Only the case officer may submit the document.",
      inner: { code: "entry.invalid", reason: "Only the case officer may submit the document." },
    });
  });

  it("The update adds an invalid entry: …", async () => {
    const f = await flow();
    const reason = await reasonFor(f, async (after) => {
      await signAction(after, f.a.clerk, [], { action: { kind: "submit" }, step: null, at: tick() });
    });
    expect(reason).toBe("The update adds an invalid entry: Only the case officer may submit the document.");
  });

  it("The update alters or removes the signed entry …", async () => {
    const f = await decided();
    expect(await reasonFor(f, (after) => tamper(after, f.a, "signature"))).toMatch(/^The update alters or removes the signed entry [0-9a-f]{64}\.$/);
    expect(await reasonFor(f, (after) => tamper(after, f.a, "missing-parent"))).toMatch(/^The update alters or removes the signed entry /);
  });

  it("The update alters or removes the signed version …", async () => {
    const f = await decided();
    const reason = await reasonFor(f, (after) => {
      const versions = after.unsafeRaw().versions;
      const key = [...versions.keys()][0]!;
      versions.set(key, "{}");
    });
    expect(reason).toMatch(/^The update alters or removes the signed version [0-9a-f]{64}\.$/);
  });

  it("The update changes the content of a decided document.", async () => {
    const f = await decided();
    expect(await reasonFor(f, (after) => after.setSubject("決行後改寫"))).toBe("The update changes the content of a decided document.");
  });

  it("The update changes the routing plan without a signed amendment.", async () => {
    const f = await flow();
    await toDecision(f);
    const reason = await reasonFor(f, (after) => {
      const p = after.plan();
      if (!p.ok || !p.value) throw new Error("no plan");
      after.setPlan({ ...p.value, decisionLevel: 1 });
    });
    expect(reason).toBe("The update changes the routing plan without a signed amendment.");
  });

  it("clearing the draft plan before submission is accepted; after submission it is refused as an unsigned plan change", async () => {
    const f = await flow();
    const draft = copy(f.doc);
    draft.clearPlan();
    expect(draft.plan()).toEqual({ ok: true, value: null });
    expect((await checkTransition(f.doc, draft, f.trust)).ok).toBe(true);
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    expect(await reasonFor(f, (after) => after.clearPlan())).toBe("The update changes the routing plan without a signed amendment.");
  });

  it("a plan change with its signed amendment in the same update is accepted", async () => {
    const f = await flow();
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    const after = copy(f.doc);
    const p = after.plan();
    if (!p.ok || !p.value) throw new Error("no plan");
    after.setPlan({ ...p.value, stages: p.value.stages.slice(1) });
    const s = await derive(after, f.trust);
    await signAction(after, f.a.officer, s.heads, { action: { kind: "amend-plan" }, step: null, at: tick() });
    expect((await checkTransition(f.doc, after, f.trust)).ok).toBe(true);
  });

  it("Only the agency server writes receipts.", async () => {
    const f = await decided();
    expect(await reasonFor(f, (after) => after.putReceipt(f.idOf("decide"), "{}"))).toBe("Only the agency server writes receipts.");
  });

  it("The update alters or removes the receipt for …", async () => {
    const f = await decided();
    f.doc.putReceipt(f.idOf("decide"), '{"receivedAt":"x"}');
    const reason = await reasonFor(f, (after) => after.ydoc.getMap("receipts").set(f.idOf("decide"), '{"receivedAt":"y"}'));
    expect(reason).toBe(`The update alters or removes the receipt for ${f.idOf("decide")}.`);
  });

  it("The update changes the document id.", async () => {
    const f = await flow();
    expect(await reasonFor(f, (after) => after.unsafeRaw().meta.set("docId", "other"))).toBe("The update changes the document id.");
  });

  it("an entry signed by a certificate of another agency is refused as invalid", async () => {
    const f = await flow();
    const other = await createSampleAgency({ code: "A-ELSEWHERE" });
    const reason = await reasonFor(f, async (after) => {
      await signAction(after, other.officer, [], { action: { kind: "submit" }, step: null, at: tick() });
    });
    expect(reason).toBe("The update adds an invalid entry: The signer's certificate is not issued by a trusted authority.");
  });

  it("dispatch after the decision, signing the decided content, is accepted", async () => {
    const f = await decided({ letter: true });
    const after = copy(f.doc);
    const s = await derive(after, f.trust);
    await signAction(after, f.a.mailRoom, s.heads, { action: { ...DISPATCH }, step: null, at: tick() });
    expect((await checkTransition(f.doc, after, f.trust)).ok).toBe(true);
  });
});
