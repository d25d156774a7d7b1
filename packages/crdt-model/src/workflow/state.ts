import type { AgencyCode, EntryId, PersonId, Sha256Hex, StepId, UnitId } from "../ids.ts";
import type { EntryPayload } from "../chain/types.ts";
import type { SignerProfile } from "../identity/profile.ts";
import type { SignedContent } from "../schema/content.ts";
import { findStep, stepsOf, type Assignee, type RoutingPlan, type Stage, type Step } from "../routing/plan.ts";

export const STATUSES = [
  "draft",
  "in-review",
  "countersigning",
  "returned",
  "decided",
  "dispatched",
  "archived",
  "on-paper",
] as const;
export type Status = (typeof STATUSES)[number];

export const STATUS_LABELS: Record<Status, string> = {
  draft: "草稿",
  "in-review": "陳核中",
  countersigning: "會辦中",
  returned: "已退回",
  decided: "已決行",
  dispatched: "已發文",
  archived: "已歸檔",
  "on-paper": "改紙本",
};

/** An entry that passed the per-entry checks, with what the workflow rules need from it. */
export interface EntryFacts {
  id: EntryId;
  parents: readonly EntryId[];
  payload: EntryPayload;
  profile: SignerProfile;
  at: Date;
  /** The content version the entry signed. */
  content: SignedContent;
  ancestors: Set<EntryId>;
}

/** Facts fixed for a whole chain, taken from the content its first entry signed. */
export interface ChainContext {
  agency: AgencyCode;
  unit: UnitId;
  caseOfficer: PersonId;
  /** Level required for 決行 given the content the decider signed (delegation table or plan). */
  requiredLevel: (content: SignedContent, plan: RoutingPlan) => number;
}

export interface WorkState {
  status: Status;
  submitted: boolean;
  plan: RoutingPlan | null;
  stage: number;
  /** Steps completed in the current round, and by which entry. */
  done: Map<StepId, EntryId>;
  returnedTo: StepId | null;
  caseOfficer: PersonId;
  decision: { entry: EntryId; content: Sha256Hex } | null;
  /** The entry that last changed the status or stage, and per step the entry that last touched it. */
  lastChange: EntryId | null;
  stepChange: Map<StepId, EntryId>;
  lateSigns: { step: StepId; entry: EntryId }[];
  applied: EntryId[];
}

export function initialState(ctx: ChainContext): WorkState {
  return {
    status: "draft",
    submitted: false,
    plan: null,
    stage: 0,
    done: new Map(),
    returnedTo: null,
    caseOfficer: ctx.caseOfficer,
    decision: null,
    lastChange: null,
    stepChange: new Map(),
    lateSigns: [],
    applied: [],
  };
}

export function cloneState(s: WorkState): WorkState {
  return {
    ...s,
    done: new Map(s.done),
    stepChange: new Map(s.stepChange),
    lateSigns: [...s.lateSigns],
    applied: [...s.applied],
  };
}

export const isDecided = (s: WorkState): boolean =>
  s.status === "decided" || s.status === "dispatched" || s.status === "archived";

export function stageDone(stage: Stage, done: Map<StepId, EntryId>): boolean {
  return stepsOf(stage).every((s) => done.has(s.id));
}

/** The status of a submitted, undecided document, from the stage it stands at. */
export function openStatus(plan: RoutingPlan, stage: number): Status {
  const current = plan.stages[stage];
  return current && stepsOf(current).some((s) => s.type === "countersign") ? "countersigning" : "in-review";
}

/** Steps of the current stage not yet completed: what is pending now. */
export function pendingSteps(s: WorkState): Step[] {
  if (!s.plan || !s.submitted || isDecided(s) || s.status === "on-paper") return [];
  const stage = s.plan.stages[s.stage];
  return stage ? stepsOf(stage).filter((st) => !s.done.has(st.id)) : [];
}

export function stepIndex(plan: RoutingPlan, id: StepId): number | undefined {
  return findStep(plan, id)?.stageIndex;
}

/** Does this signer answer for the assignee at time `at` (in person, as a deputy, or as a member)? */
export function matchesAssignee(a: Assignee, p: SignerProfile, at: Date, plan: RoutingPlan, ctx: ChainContext): boolean {
  switch (a.kind) {
    case "person": {
      if (p.agency !== (a.agency ?? ctx.agency)) return false;
      if (p.person === a.person) return true;
      return plan.deputies.some(
        (d) => d.principal === a.person && d.deputy === p.person && at >= new Date(d.from) && at <= new Date(d.until),
      );
    }
    case "unit":
      return p.agency === (a.agency ?? ctx.agency) && p.unit === a.unit;
    case "agency":
      return p.agency === a.agency && (a.unit === undefined || p.unit === a.unit);
  }
}

export function isCaseOfficer(s: WorkState, p: SignerProfile, at: Date, ctx: ChainContext, planForDeputies?: RoutingPlan): boolean {
  const plan = planForDeputies ?? s.plan ?? { v: 1 as const, stages: [], decisionLevel: 1, deputies: [] };
  return matchesAssignee({ kind: "person", person: s.caseOfficer }, p, at, plan, ctx);
}
