/** (a) The lifecycle on crdt-model: one document, two replicas, signed with signAction, derived with derive. */
import {
  CountersignDocument,
  TrustStore,
  asDocId,
  derive,
  randomId,
  signAction,
  type EntryId,
  type ItemId,
  type Section,
  type VerifyCache,
  type WorkflowState,
} from "../../../packages/crdt-model/src/index.ts";
import type { SampleAgency } from "../../../packages/crdt-model/src/sample/agency.ts";
import { sampleMetadata } from "../../../packages/crdt-model/src/sample/document.ts";
import {
  BODY,
  NOTE,
  S,
  SUBJECT,
  SUBJECT_EDITED,
  at,
  checkOutcome,
  lifecyclePlan,
  must,
  now,
  unwrap,
  type ItemTemplate,
  type Outcome,
  type PhaseTimes,
  type ReplicaCaches,
  type StepSpec,
} from "./common.ts";

// ---- (a) crdt-model side -------------------------------------------------------------------------

export function addModelItems(doc: CountersignDocument, section: Section, parent: ItemId | null, items: readonly ItemTemplate[]): ItemId[] {
  const ids: ItemId[] = [];
  for (const t of items) {
    const id = unwrap(doc.addItem(section, parent, t.text), "addItem");
    ids.push(id);
    if (t.children) addModelItems(doc, section, id, t.children);
  }
  return ids;
}

/** Signs on a replica through its own VerifyCache (as the app signs: the replica's cache learns its own entry's parse). */
async function modelSign(doc: CountersignDocument, cache: VerifyCache, a: SampleAgency, spec: StepSpec, parents: readonly EntryId[]): Promise<EntryId> {
  const r = await signAction(doc, spec.signer(a), parents, { action: spec.action, step: spec.step, opinion: spec.opinion, at: at(spec.minute) }, { cache });
  return unwrap(r, `crdt-model: signing ${spec.step ?? "submit"}`).id;
}

function modelOutcome(doc: CountersignDocument, s: WorkflowState): Outcome {
  const v = unwrap(doc.currentVersion(), "crdt-model: currentVersion");
  return {
    status: s.status,
    valid: s.valid && s.conflicts.length === 0,
    applied: s.timeline.filter((t) => t.outcome === "applied").length,
    entries: s.timeline.length,
    decisionContent: s.decision?.content ?? null,
    contentHash: v.hash,
    heads: s.heads,
    subject: doc.subject(),
    proposal: doc.body("proposal")[0]?.text ?? "",
  };
}

export async function modelLifecycle(a: SampleAgency, trust: TrustStore, caches: ReplicaCaches, t: PhaseTimes): Promise<CountersignDocument> {
  let t0 = now();
  const A = unwrap(
    CountersignDocument.create({ id: asDocId(randomId("d")), metadata: sampleMetadata(a), subject: SUBJECT, plan: lifecyclePlan(a) }),
    "crdt-model: create",
  );
  let proposal: ItemId | undefined;
  A.transact(() => {
    addModelItems(A, "explanation", null, BODY.explanation);
    proposal = addModelItems(A, "proposal", null, BODY.proposal)[0];
  });
  must(proposal, "crdt-model: no 擬辦 item");
  t.create += now() - t0;

  t0 = now();
  const submit = await modelSign(A, caches[0], a, S.submit, []);
  const registry = await modelSign(A, caches[0], a, S.registry, [submit]);
  const clerk = await modelSign(A, caches[0], a, S.clerk, [registry]);
  A.setSubject(SUBJECT_EDITED);
  const chief = await modelSign(A, caches[0], a, S.chief, [clerk]);
  t.steps += now() - t0;

  // Replica B receives the whole document, then both diverge.
  t0 = now();
  const B = unwrap(CountersignDocument.fromUpdate(A.encodeState()), "crdt-model: fork");
  t.sync += now() - t0;

  t0 = now();
  const personnel = await modelSign(A, caches[0], a, S.personnel, [chief]);
  const accounting = await modelSign(A, caches[0], a, S.accounting, [chief]);
  unwrap(B.insertItemText("proposal", proposal, B.body("proposal")[0]!.text.length, NOTE), "crdt-model: edit 擬辦");
  const secretariat = await modelSign(B, caches[1], a, S.secretariat, [chief]);
  const archives = await modelSign(B, caches[1], a, S.archives, [chief]);
  t.steps += now() - t0;

  // Merge both ways: exchange state vectors, then the diffs each side lacks.
  t0 = now();
  const svA = A.stateVector();
  const svB = B.stateVector();
  const toB = A.encodeState(svB);
  const toA = B.encodeState(svA);
  unwrap(A.applyUpdate(toA), "crdt-model: merge into A");
  unwrap(B.applyUpdate(toB), "crdt-model: merge into B");
  t.sync += now() - t0;

  t0 = now();
  const deputy = await modelSign(A, caches[0], a, S.deputy, [personnel, accounting, secretariat, archives]);
  const decide = await modelSign(A, caches[0], a, S.decide, [deputy]);
  t.steps += now() - t0;

  t0 = now();
  unwrap(B.applyUpdate(A.encodeState(B.stateVector())), "crdt-model: final sync");
  t.sync += now() - t0;

  t0 = now();
  const sA = await derive(A, trust, { cache: caches[0] });
  const sB = await derive(B, trust, { cache: caches[1] });
  t.derive += now() - t0;

  checkOutcome("crdt-model", modelOutcome(A, sA), modelOutcome(B, sB), decide);
  return A;
}
