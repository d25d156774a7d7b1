import { describe, expect, it } from "vitest";
import { fixtureAgency } from "../../tests/fuzz/world.ts";
import { CountersignDocument } from "../schema/document.ts";
import { signAction } from "../chain/sign.ts";
import { asDocId, asUnitId } from "../ids.ts";
import type { Action } from "../chain/types.ts";
import type { Signer } from "../identity/certs.ts";
import type { StepId } from "../ids.ts";
import type { DocumentKind } from "../schema/metadata.ts";
import { SAMPLE_STEPS, sampleMetadata, samplePlan } from "../sample/document.ts";
import { derive } from "./derive.ts";
import { VerifyCache } from "./verify.ts";
import { availableActions, offerContext, type Offer } from "./offers.ts";

const { agency: A, trust } = fixtureAgency();
const cache = new VerifyCache();
let n = 0;
let clock = Date.parse("2026-06-01T01:00:00Z");

function newDoc(kind: DocumentKind = "memo", category = "學務.獎懲"): CountersignDocument {
  const made = CountersignDocument.create({
    id: asDocId(`offers-${++n}`),
    metadata: { ...sampleMetadata(A), kind, category },
    subject: "有關學生獎懲一案。",
    plan: samplePlan(A),
  });
  if (!made.ok) throw new Error(made.reason);
  return made.value;
}

async function sign(doc: CountersignDocument, who: Signer, action: Action, step: StepId | null = null): Promise<void> {
  const s = await derive(doc, trust, { cache });
  clock += 60_000;
  const r = await signAction(doc, who, s.heads, { action, step, at: new Date(clock) });
  if (!r.ok) throw new Error(r.reason);
}

async function offers(doc: CountersignDocument, who: Signer): Promise<Offer[]> {
  const ws = await derive(doc, trust, { cache });
  const ctx = offerContext(doc, ws.report, trust, new Date(clock + 60_000));
  if (!ctx.ok) throw new Error(ctx.reason);
  return availableActions(ws, who.profile, ctx.value);
}
// The 時效管制 offers (申請展期, 展期核定, 逾期原因) have their own test below; the lists here are the workflow's.
const TIME_KINDS = new Set(["extend-request", "extend-decide", "late-reason"]);
const kinds = async (doc: CountersignDocument, who: Signer) =>
  (await offers(doc, who)).filter((o) => !TIME_KINDS.has(o.kind)).map((o) => (o.step ? `${o.kind}:${o.step}` : o.kind));
const timeKinds = async (doc: CountersignDocument, who: Signer) => (await offers(doc, who)).filter((o) => TIME_KINDS.has(o.kind)).map((o) => o.kind);

async function decided(kind: DocumentKind = "memo"): Promise<CountersignDocument> {
  const doc = newDoc(kind);
  await sign(doc, A.officer, { kind: "submit" });
  await sign(doc, A.chief, { kind: "approve" }, SAMPLE_STEPS.review);
  await sign(doc, A.personnel, { kind: "countersign" }, SAMPLE_STEPS.personnel);
  await sign(doc, A.accounting, { kind: "countersign" }, SAMPLE_STEPS.accounting);
  await sign(doc, A.director, { kind: "decide" }, SAMPLE_STEPS.decide);
  return doc;
}

describe("availableActions", () => {
  it("a draft: the case officer may submit, switch to paper or raise its secrecy; the registry desk may switch it to paper; nobody else may act", async () => {
    const doc = newDoc();
    expect(await kinds(doc, A.officer)).toEqual(["submit", "switch-to-paper", "reclassify"]);
    expect((await offers(doc, A.officer)).find((o) => o.kind === "reclassify")?.secrecy).toEqual(["confidential", "secret", "top-secret", "absolute"]);
    expect(await kinds(doc, A.registry)).toEqual(["switch-to-paper"]);
    for (const who of [A.chief, A.director, A.mailRoom, A.archivist, A.clerk]) expect(await kinds(doc, who)).toEqual([]);
  });

  it("in review: the reviewer approves or returns to the case officer; the case officer may withdraw; a supervisor of the unit may not lower 普通", async () => {
    const doc = newDoc();
    await sign(doc, A.officer, { kind: "submit" });
    expect(await kinds(doc, A.chief)).toEqual([`approve:${SAMPLE_STEPS.review}`, `return:${SAMPLE_STEPS.review}`, "switch-to-paper"]);
    expect((await offers(doc, A.chief)).find((o) => o.kind === "return")?.targets).toEqual([{ step: null, label: "承辦人" }]);
    expect(await kinds(doc, A.officer)).toEqual(["withdraw", "switch-to-paper", "reclassify"]);
    expect(await kinds(doc, A.director)).toEqual([]); // 決行 waits for the countersigns
  });

  it("countersigns by unit, returns to earlier steps; the decider may decide once every countersign is done, and his deputy at his own level", async () => {
    const doc = newDoc("memo", "學務");
    await sign(doc, A.officer, { kind: "submit" });
    await sign(doc, A.chief, { kind: "approve" }, SAMPLE_STEPS.review);
    const per = await offers(doc, A.personnel);
    expect(per.filter((o) => !TIME_KINDS.has(o.kind)).map((o) => o.kind)).toEqual(["countersign", "return", "switch-to-paper"]);
    expect(per.find((o) => o.kind === "return")!.targets!.map((t) => t.step)).toEqual([null, SAMPLE_STEPS.review]);
    await sign(doc, A.personnel, { kind: "countersign" }, SAMPLE_STEPS.personnel);
    expect(await kinds(doc, A.director)).toEqual([]);
    await sign(doc, A.accounting, { kind: "countersign" }, SAMPLE_STEPS.accounting);
    expect(await kinds(doc, A.director)).toContain(`decide:${SAMPLE_STEPS.decide}`);
    // 學務 needs level 3 by the table; the deputy director (4) acts for the director at his own level.
    expect(await kinds(doc, A.deputyDirector)).toContain(`decide:${SAMPLE_STEPS.decide}`);
  });

  it("a deputy below the delegation table's level is not offered 決行", async () => {
    const doc = newDoc("memo", "人事"); // the fixture's table: 人事 at the director's level
    await sign(doc, A.officer, { kind: "submit" });
    await sign(doc, A.chief, { kind: "approve" }, SAMPLE_STEPS.review);
    await sign(doc, A.personnel, { kind: "countersign" }, SAMPLE_STEPS.personnel);
    await sign(doc, A.accounting, { kind: "countersign" }, SAMPLE_STEPS.accounting);
    expect(await kinds(doc, A.director)).toContain(`decide:${SAMPLE_STEPS.decide}`);
    expect(await kinds(doc, A.deputyDirector)).not.toContain(`decide:${SAMPLE_STEPS.decide}`);
  });

  it("a decided 簽: its case officer files it (存查); no 發文; after 存查 the archives archive it, then nobody acts", async () => {
    const doc = await decided("memo");
    expect(await kinds(doc, A.officer)).toEqual(["close"]);
    expect(await kinds(doc, A.mailRoom)).toEqual([]);
    expect(await kinds(doc, A.archivist)).toEqual([]);
    await sign(doc, A.officer, { kind: "close" });
    expect(await kinds(doc, A.archivist)).toEqual(["archive"]);
    expect((await offers(doc, A.archivist))[0]).toMatchObject({ kind: "archive", needsFiling: true });
    expect(await kinds(doc, A.officer)).toEqual([]);
    await sign(doc, A.archivist, { kind: "archive", fileNumber: "115-0101-000001-001-00001", retention: 10 });
    for (const who of [A.officer, A.archivist, A.chief, A.director, A.registry, A.mailRoom]) expect(await kinds(doc, who)).toEqual([]);
  });

  it("a decided 函: the mail room dispatches (發文), not the case officer's 存查; then the archives archive it", async () => {
    const doc = await decided("letter");
    expect(await kinds(doc, A.mailRoom)).toEqual(["dispatch"]);
    expect((await offers(doc, A.mailRoom))[0]).toMatchObject({ kind: "dispatch", reservesNumber: true });
    expect(await kinds(doc, A.officer)).toEqual([]);
    await sign(doc, A.mailRoom, { kind: "dispatch", number: "示教字第1150000007號", date: "2026-06-01" });
    expect(await kinds(doc, A.archivist)).toEqual(["archive"]);
    expect(await kinds(doc, A.mailRoom)).toEqual([]);
  });

  it("after the content changed past the decision, nothing more is offered (the rules would refuse it)", async () => {
    const doc = await decided("memo");
    doc.setSubject("改過的主旨");
    expect(await kinds(doc, A.officer)).toEqual([]);
  });

  it("a 決行 before the review was signed leaves the reviewer 補簽", async () => {
    // Plan without the review's precedence: the countersigns come first, then the review, then 決行.
    const doc = newDoc("memo", "學務");
    const plan = samplePlan(A);
    doc.setPlan({ ...plan, stages: [plan.stages[1]!, plan.stages[0]!, plan.stages[2]!] });
    await sign(doc, A.officer, { kind: "submit" });
    await sign(doc, A.personnel, { kind: "countersign" }, SAMPLE_STEPS.personnel);
    await sign(doc, A.accounting, { kind: "countersign" }, SAMPLE_STEPS.accounting);
    expect(await kinds(doc, A.director)).toContain(`decide:${SAMPLE_STEPS.decide}`); // before the review
    await sign(doc, A.director, { kind: "decide" }, SAMPLE_STEPS.decide);
    expect(await kinds(doc, A.chief)).toEqual([`late-sign:${SAMPLE_STEPS.review}`]);
  });

  it("on paper: the case officer or the registry desk records it online (線上補登), then the archives archive it", async () => {
    const doc = newDoc();
    await sign(doc, A.officer, { kind: "submit" });
    await sign(doc, A.officer, { kind: "switch-to-paper", reason: "附件過大。" });
    expect(await kinds(doc, A.officer)).toEqual(["paper-record"]);
    expect((await offers(doc, A.officer))[0]).toMatchObject({ kind: "paper-record", needsReason: true, needsScans: true });
    expect(await kinds(doc, A.registry)).toEqual(["paper-record"]);
    expect(await kinds(doc, A.archivist)).toEqual([]);
    await sign(doc, A.registry, { kind: "paper-record", reason: "紙本已核定，掃描補登。" });
    expect(await kinds(doc, A.archivist)).toEqual(["archive"]);
  });

  it("the case officer is never offered to approve, countersign or decide his own document", async () => {
    const doc = newDoc("memo", "學務");
    const plan = samplePlan(A);
    doc.setPlan({ ...plan, stages: [{ kind: "single", step: { id: SAMPLE_STEPS.decide, type: "decide", assignee: { kind: "unit", unit: asUnitId("U-STU") } } }], decisionLevel: 1 });
    await sign(doc, A.officer, { kind: "submit" });
    expect(await kinds(doc, A.officer)).not.toContain(`decide:${SAMPLE_STEPS.decide}`);
    expect(await kinds(doc, A.chief)).toContain(`decide:${SAMPLE_STEPS.decide}`);
    expect(await kinds(doc, A.clerk)).not.toContain(`decide:${SAMPLE_STEPS.decide}`); // level 1, the table asks 3
  });

  it("時效管制: the case officer asks for a 展期 and gives a 逾期原因; the head decides; nobody once 辦結", async () => {
    const doc = newDoc();
    await sign(doc, A.officer, { kind: "submit" });
    expect(await timeKinds(doc, A.officer)).toEqual(["extend-request", "late-reason"]);
    expect(await timeKinds(doc, A.chief)).toEqual(["late-reason"]); // he holds the review step
    expect(await timeKinds(doc, A.clerk)).toEqual([]);
    const ask = (await offers(doc, A.officer)).find((o) => o.kind === "extend-request")!;
    // The sample states 限辦日期 2026-12-04; the default policy allows 30 days beyond it.
    expect(ask.extension).toEqual({ after: "2026-12-04", plainUntil: "2027-01-03" });
    await sign(doc, A.officer, { kind: "extend-request", until: "2026-12-20", reason: "需會商。" });
    expect(await timeKinds(doc, A.officer)).toEqual(["late-reason"]); // one pending at a time
    expect(await timeKinds(doc, A.deputyDirector)).toEqual([]); // level 4: below the head's
    const decideOffer = (await offers(doc, A.director)).find((o) => o.kind === "extend-decide")!;
    expect(decideOffer.request).toEqual(expect.objectContaining({ until: "2026-12-20", reason: "需會商。", project: false, requestedBy: A.officer.profile.person }));
    await sign(doc, A.director, { kind: "extend-decide", request: decideOffer.request!.entry, approved: true });
    expect((await offers(doc, A.officer)).find((o) => o.kind === "extend-request")?.extension).toEqual({ after: "2026-12-20", plainUntil: "2027-01-03" });

    const filed = await decided();
    await sign(filed, A.officer, { kind: "close" });
    expect(await timeKinds(filed, A.officer)).toEqual([]);
  });
});
