// What this user may do now, from the derived state. The model's rules decide in the end (an entry
// they refuse is shown as invalid and the relay will not store it); this only keeps the page from
// offering actions that could not succeed, so it mirrors those rules without deputies or levels.
import {
  ROLE_LABELS,
  SECRECY_LEVELS,
  allSteps,
  findStep,
  type ActionKind,
  type Assignee,
  type Holder,
  type Secrecy,
  type SignerProfile,
  type StepId,
  type WorkflowState,
} from "@countersign/crdt-model";

export interface ReturnTarget {
  step: StepId | null;
  label: string;
}

export interface Offer {
  kind: ActionKind;
  step: StepId | null;
  /** The step's label in the plan (科長核稿, 人事室會辦 …), when the action answers a step. */
  label: string | null;
  /** 退回: where the document may go back to (null = the case officer). */
  targets?: ReturnTarget[];
  /** The opinion doubles as the action's required reason (改紙本, 補簽, 密等變更). */
  needsReason?: boolean;
  /** 密等變更: the levels this user may set (higher for the case officer, lower for a supervisor). */
  secrecy?: Secrecy[];
}

export function answers(a: Assignee, me: SignerProfile): boolean {
  switch (a.kind) {
    case "person":
      return a.person === me.person && (a.agency ?? me.agency) === me.agency;
    case "unit":
      return a.unit === me.unit && (a.agency ?? me.agency) === me.agency;
    case "agency":
      return a.agency === me.agency && (a.unit === undefined || a.unit === me.unit);
  }
}

const OPEN = new Set(["draft", "in-review", "countersigning", "returned"]);
const STEP_ACTION = { review: "approve", countersign: "countersign", decide: "decide" } as const;
const ANSWERED = new Set<ActionKind | null>(["approve", "countersign", "decide", "late-sign"]);

export function offers(s: WorkflowState, me: SignerProfile): Offer[] {
  const out: Offer[] = [];
  const isCaseOfficer = s.caseOfficer === me.person;
  const submitted = s.pending.length > 0;
  if (isCaseOfficer && s.plan && (s.status === "draft" || (s.status === "returned" && !submitted))) out.push({ kind: "submit", step: null, label: null });

  for (const p of s.pending) {
    // The case officer never approves, countersigns or decides his own document (no self-approval),
    // nor does whoever submitted it for him.
    if (!answers(p.assignee, me) || !s.plan || isCaseOfficer || s.submitter === me.person) continue;
    const found = findStep(s.plan, p.step);
    const label = found?.step.label ?? null;
    out.push({ kind: STEP_ACTION[p.type], step: p.step, label });
    const targets: ReturnTarget[] = [{ step: null, label: "承辦人" }];
    if (found)
      for (const [i, stage] of s.plan.stages.entries())
        if (i < found.stageIndex) for (const st of stage.kind === "single" ? [stage.step] : stage.steps) targets.push({ step: st.id, label: st.label ?? st.id });
    out.push({ kind: "return", step: p.step, label, targets });
  }

  if (isCaseOfficer && submitted) out.push({ kind: "withdraw", step: null, label: null });
  const holder = s.pending.some((p) => answers(p.assignee, me));
  if (OPEN.has(s.status) && (isCaseOfficer || holder || me.roles.includes("registry"))) out.push({ kind: "switch-to-paper", step: null, label: null, needsReason: true });

  // 密等變更 while the document may still change: the case officer raises it, a supervisor of the
  // unit or on the route (not the case officer) lowers it — the model's rule (workflow/rules.ts).
  if (OPEN.has(s.status)) {
    const rank = SECRECY_LEVELS.indexOf(s.secrecy);
    const onRoute = !!s.plan && allSteps(s.plan).some((st) => st.assignee.kind === "person" && st.assignee.person === me.person);
    const choices = isCaseOfficer
      ? SECRECY_LEVELS.filter((_, i) => i > rank)
      : me.roles.includes("supervisor") && me.agency === s.origin?.agency && (me.unit === s.unit || onRoute)
        ? SECRECY_LEVELS.filter((_, i) => i < rank)
        : [];
    if (choices.length) out.push({ kind: "reclassify", step: null, label: null, needsReason: true, secrecy: [...choices] });
  }

  // 補簽: a step of mine that was passed over (the decision may come before a review is signed).
  if (s.plan && (submitted || s.decision)) {
    const done = new Set(s.timeline.filter((e) => e.outcome === "applied" && ANSWERED.has(e.action)).map((e) => e.step));
    const pending = new Set(s.pending.map((p) => p.step));
    for (const st of allSteps(s.plan))
      if (!done.has(st.id) && !pending.has(st.id) && answers(st.assignee, me)) out.push({ kind: "late-sign", step: st.id, label: st.label ?? null, needsReason: true });
  }
  return out;
}

/** A holder or assignee in words: a person's name when we have seen it signed, a unit's name, a role. */
export function describeHolder(h: Holder, names: Record<string, string>, units: Record<string, string>): string {
  switch (h.kind) {
    case "person":
      return names[h.person] ?? h.person;
    case "unit":
      return units[h.unit] ?? h.unit;
    case "agency":
      return h.unit ? (units[h.unit] ?? h.unit) : h.agency;
    case "role":
      return ROLE_LABELS[h.role];
  }
}
