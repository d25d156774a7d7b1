import { asDocId, asPersonId, asStepId, randomId, type DocId } from "../ids.ts";
import { CountersignDocument } from "../schema/document.ts";
import type { RoutingPlan } from "../routing/plan.ts";
import { signAction, type ActionInput } from "../chain/sign.ts";
import { TrustStore } from "../identity/trust.ts";
import type { Signer } from "../identity/certs.ts";
import { derive, type WorkflowState } from "../workflow/derive.ts";
import { VerifyCache } from "../workflow/verify.ts";
import type { Metadata } from "../schema/metadata.ts";
import { SAMPLE_UNITS, type SampleAgency } from "./agency.ts";

export const SAMPLE_STEPS = {
  review: asStepId("review-chief"),
  personnel: asStepId("cs-personnel"),
  accounting: asStepId("cs-accounting"),
  decide: asStepId("decide"),
};

/** Review by the section chief, a parallel countersign (並會) by personnel and accounting, 決行 by the director. */
export function samplePlan(a: SampleAgency): RoutingPlan {
  return {
    v: 1,
    stages: [
      { kind: "single", step: { id: SAMPLE_STEPS.review, type: "review", assignee: { kind: "person", person: a.chief.profile.person }, label: "科長核稿" } },
      {
        kind: "parallel",
        steps: [
          { id: SAMPLE_STEPS.personnel, type: "countersign", assignee: { kind: "unit", unit: SAMPLE_UNITS.personnel }, label: "人事室會辦" },
          { id: SAMPLE_STEPS.accounting, type: "countersign", assignee: { kind: "unit", unit: SAMPLE_UNITS.accounting }, label: "會計室會辦" },
        ],
      },
      { kind: "single", step: { id: SAMPLE_STEPS.decide, type: "decide", assignee: { kind: "person", person: a.director.profile.person }, label: "局長決行" } },
    ],
    decisionLevel: 5,
    // As a plan written before the deputy table would carry it: parsed, signed with the content, and
    // granting nothing. The deputy director acts for the director through the agency's deputy table.
    deputies: [
      { principal: a.director.profile.person, deputy: a.deputyDirector.profile.person, from: "2020-01-01T00:00:00.000Z", until: "2099-12-31T23:59:59.000Z" },
    ],
  };
}

export function sampleMetadata(a: SampleAgency): Metadata {
  return {
    kind: "memo",
    speed: "urgent",
    secrecy: "none",
    dueDate: "2026-12-04",
    docNumber: "南市教學字第1150001234號",
    receiptNumber: null,
    agency: a.ca.agency,
    unit: SAMPLE_UNITS.student,
    caseOfficer: asPersonId(a.officer.profile.person),
    retention: "10",
    category: "學務.獎懲",
  };
}

/** A 簽 with 主旨, 說明 items nested three deep and 擬辦, ready to submit. */
export function createSampleDocument(a: SampleAgency, id: DocId = asDocId(randomId("d"))): CountersignDocument {
  const created = CountersignDocument.create({
    id,
    metadata: sampleMetadata(a),
    subject: "有關本市115學年度國民中學學生獎懲實施要點修正一案，簽請核示。",
    plan: samplePlan(a),
  });
  if (!created.ok) throw new Error(created.reason); // sample data is fixed: failing here is a bug
  const doc = created.value;
  doc.transact(() => {
    const one = doc.addItem("explanation", null, "依據教育部115年1月2日臺教學(二)字第1150000001號函辦理。");
    const two = doc.addItem("explanation", null, "本要點修正重點如下：");
    if (two.ok) {
      const sub = doc.addItem("explanation", two.value, "增訂學生校外表現之獎勵規定。");
      if (sub.ok) doc.addItem("explanation", sub.value, "參加全國性競賽獲前三名者，記大功乙次。");
      doc.addItem("explanation", two.value, "刪除已不合時宜之懲處條文。");
    }
    void one;
    doc.addItem("proposal", null, "奉核後函發各國民中學辦理。");
  });
  return doc;
}

export function sampleTrust(a: SampleAgency): TrustStore {
  return new TrustStore({ cas: [a.ca.cert], delegation: [a.delegation], deputies: a.deputies ? [a.deputies] : [] });
}

/** Signs one action on the current valid heads. */
export async function act(doc: CountersignDocument, signer: Signer, trust: TrustStore, input: ActionInput, cache?: VerifyCache): Promise<WorkflowState> {
  const before = await derive(doc, trust, { cache });
  const r = await signAction(doc, signer, before.heads, input, { cache });
  if (!r.ok) throw new Error(r.reason);
  return derive(doc, trust, { cache });
}

/**
 * The full sample flow: submit, chief approves (editing the text first), personnel and accounting
 * countersign in parallel, the director decides. Returns the decided document.
 */
export async function buildDecidedSample(a: SampleAgency): Promise<{ doc: CountersignDocument; trust: TrustStore }> {
  const trust = sampleTrust(a);
  const cache = new VerifyCache();
  const doc = createSampleDocument(a);
  const t0 = Date.now() - 3600_000;
  const at = (m: number) => new Date(t0 + m * 60_000);
  await act(doc, a.officer, trust, { action: { kind: "submit" }, step: null, opinion: "陳請核示。", at: at(0) }, cache);
  doc.setSubject("有關本市115學年度國民中學學生獎懲實施要點修正草案一案，簽請核示。");
  await act(doc, a.chief, trust, { action: { kind: "approve" }, step: SAMPLE_STEPS.review, opinion: "主旨酌修，擬陳。", at: at(10) }, cache);
  await act(doc, a.personnel, trust, { action: { kind: "countersign" }, step: SAMPLE_STEPS.personnel, opinion: "敬會，無意見。", at: at(20) }, cache);
  await act(doc, a.accounting, trust, { action: { kind: "countersign" }, step: SAMPLE_STEPS.accounting, opinion: "所需經費由學務經費支應。", at: at(21) }, cache);
  await act(doc, a.director, trust, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, opinion: "如擬。", at: at(40) }, cache);
  return { doc, trust };
}
