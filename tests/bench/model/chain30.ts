/** (b) The 30-entry chain whose verify + derive the benchmark times. */
import {
  CountersignDocument,
  asDocId,
  asStepId,
  randomId,
  signAction,
  type Action,
  type EntryId,
  type RoutingPlan,
  type Signer,
  type StepId,
} from "../../../packages/crdt-model/src/index.ts";
import { SAMPLE_UNITS, type SampleAgency } from "../../../packages/crdt-model/src/sample/agency.ts";
import { sampleMetadata } from "../../../packages/crdt-model/src/sample/document.ts";
import { APPROVE, BODY, COUNTERSIGN, SUBJECT, at, unwrap } from "./common.ts";
import { addModelItems } from "./crdt-model-side.ts";

// ---- (b) a 30-entry chain --------------------------------------------------------------------------

const ROUNDS = 7;

/** Seven rounds of a review followed by a parallel countersign of three units, then 決行: 30 entries. */
export function longPlan(a: SampleAgency): { plan: RoutingPlan; schedule: { signer: Signer; action: Action; step: StepId; parallelWith: number }[] } {
  const reviewers = [a.chief, a.clerk, a.registry, a.deputyDirector, a.chief, a.clerk, a.deputyDirector];
  const stages: RoutingPlan["stages"] = [];
  const schedule: { signer: Signer; action: Action; step: StepId; parallelWith: number }[] = [];
  for (let k = 1; k <= ROUNDS; k++) {
    const reviewer = reviewers[k - 1]!;
    const review = asStepId(`review-${k}`);
    stages.push({ kind: "single", step: { id: review, type: "review", assignee: { kind: "person", person: reviewer.profile.person }, label: `第${k}層核稿` } });
    schedule.push({ signer: reviewer, action: APPROVE, step: review, parallelWith: 1 });
    const units = [
      [SAMPLE_UNITS.personnel, a.personnel, "per"],
      [SAMPLE_UNITS.accounting, a.accounting, "acc"],
      [SAMPLE_UNITS.secretariat, a.archivist, "sec"],
    ] as const;
    stages.push({
      kind: "parallel",
      steps: units.map(([unit, , tag]) => ({ id: asStepId(`cs-${k}-${tag}`), type: "countersign" as const, assignee: { kind: "unit" as const, unit } })),
    });
    for (const [, signer, tag] of units) schedule.push({ signer, action: COUNTERSIGN, step: asStepId(`cs-${k}-${tag}`), parallelWith: 3 });
  }
  const decide = asStepId("decide");
  stages.push({ kind: "single", step: { id: decide, type: "decide", assignee: { kind: "person", person: a.director.profile.person } } });
  schedule.push({ signer: a.director, action: { kind: "decide" }, step: decide, parallelWith: 1 });
  return { plan: { v: 1, stages, decisionLevel: 5, deputies: [] }, schedule };
}

export async function buildLongChain(a: SampleAgency): Promise<CountersignDocument> {
  const { plan, schedule } = longPlan(a);
  const doc = unwrap(
    CountersignDocument.create({ id: asDocId(randomId("d")), metadata: sampleMetadata(a), subject: SUBJECT, plan }),
    "crdt-model: create",
  );
  doc.transact(() => {
    addModelItems(doc, "explanation", null, BODY.explanation);
    addModelItems(doc, "proposal", null, BODY.proposal);
  });
  let minute = 0;
  const sign = async (signer: Signer, action: Action, step: StepId | null, parents: EntryId[]) =>
    unwrap(await signAction(doc, signer, parents, { action, step, opinion: "敬陳。", at: at(minute++) }), "30-entry chain").id;
  let heads: EntryId[] = [await sign(a.officer, { kind: "submit" }, null, [])];
  // Each stage's entries are concurrent: all name the previous stage's entries as parents.
  for (let i = 0; i < schedule.length; ) {
    const group = schedule.slice(i, i + schedule[i]!.parallelWith);
    const next: EntryId[] = [];
    for (const s of group) next.push(await sign(s.signer, s.action, s.step, heads));
    heads = next;
    i += group.length;
  }
  return doc;
}
