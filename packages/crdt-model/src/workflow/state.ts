import type { AgencyCode, EntryId, PersonId, Sha256Hex, StepId, UnitId } from "../ids.ts";
import type { Secrecy } from "../schema/metadata.ts";
import type { EntryPayload } from "../chain/types.ts";
import type { SignerProfile } from "../identity/profile.ts";
import type { SignedContent } from "../schema/content.ts";
import type { Retention } from "../filing/numbers.ts";
import { findStep, stepsOf, type Assignee, type RoutingPlan, type Stage, type Step } from "../routing/plan.ts";
import type { ExtensionPolicy, IsoDay } from "../deadline/types.ts";

export const STATUSES = [
  "draft",
  "in-review",
  "countersigning",
  "returned",
  "decided",
  "dispatched",
  "closed",
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
  closed: "已存查",
  archived: "已歸檔",
  "on-paper": "改紙本",
};

/**
 * The status sets, written once. Open: still being drafted or signed (editable, on someone's desk).
 * Finished: decided and after. Archivable: what 歸檔 takes — sent out (發文), filed without a letter
 * (存查), or handled on paper (after 線上補登).
 */
export const OPEN_STATUSES: readonly Status[] = ["draft", "in-review", "countersigning", "returned"];
export const FINISHED_STATUSES: readonly Status[] = ["decided", "dispatched", "closed", "archived"];
export const ARCHIVABLE_STATUSES: readonly Status[] = ["dispatched", "closed", "on-paper"];
export const isOpenStatus = (s: string): boolean => (OPEN_STATUSES as readonly string[]).includes(s);
export const isFinishedStatus = (s: string): boolean => (FINISHED_STATUSES as readonly string[]).includes(s);

/** The kinds that leave the agency once decided (發文); any other decided kind is filed with 存查. */
export const LETTER_KINDS: readonly string[] = ["letter", "brief-letter", "meeting-notice", "announcement", "order"];
export const isLetterKind = (kind: string): boolean => LETTER_KINDS.includes(kind);

/** 待發文: a decided letter. The index row's `status` and `kind` are enough to tell. */
export const awaitsDispatch = (row: { status: string; kind: string }): boolean => row.status === "decided" && isLetterKind(row.kind);
/**
 * 待歸檔: dispatched, filed (存查) or on paper, and held by the archives (a paper document only once
 * its 線上補登 is recorded; until then its case officer holds it).
 */
export const awaitsArchive = (row: { status: string; holders: readonly string[] }): boolean =>
  (ARCHIVABLE_STATUSES as readonly string[]).includes(row.status) && row.holders.includes("role:archives");

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

/**
 * Facts fixed for a whole chain. `agency`, `unit`, `caseOfficer` and `secrecy` are the document's
 * creation (its first state, as the chain's first entry signed it); the unit, case officer and
 * secrecy in force later are the WorkState's, changed only by signed entries.
 */
export interface ChainContext {
  agency: AgencyCode;
  unit: UnitId;
  caseOfficer: PersonId;
  secrecy: Secrecy;
  /** Level required for 決行 given the content the decider signed: the higher of delegation table and plan. */
  requiredLevel: (content: SignedContent, plan: RoutingPlan) => number;
  /** The delegation table's level alone: what a deputy (acting at his own level) must hold. */
  tableLevel: (content: SignedContent) => number;
  /** Whether `deputy` acts for `principal` of `agency` at `at`, by that agency's deputy table. */
  actsFor: (agency: AgencyCode, principal: PersonId, deputy: PersonId, at: Date) => boolean;
  /** The agency's 展期 policy (its delegation table's `extensions`, else the default). */
  extensionPolicy: ExtensionPolicy;
  /**
   * The first due date the 展期 rules measure from, the same on every replica without a calendar or a
   * clock: the creation's stated 限辦日期, else its 速別's working days after the day (in Taiwan) of the
   * chain's first entry, counted on weekends and the fixed-date holidays only (verify.ts
   * `chainContext`). The due date people see uses the imported calendar and the trusted start
   * (deadline/facts.ts); this one only anchors the limits and the "later than" rule.
   */
  firstDue: IsoDay;
}

/** One 展期 request as the chain records it, with its decision once signed (claimed times). */
export interface ExtensionState {
  request: EntryId;
  requestedBy: PersonId;
  at: string;
  reason: string;
  until: IsoDay;
  project: boolean;
  decision: { entry: EntryId; by: PersonId; at: string; approved: boolean } | null;
}

export interface WorkState {
  status: Status;
  submitted: boolean;
  plan: RoutingPlan | null;
  stage: number;
  /** Steps completed in the current round, and by which entry. */
  done: Map<StepId, EntryId>;
  returnedTo: StepId | null;
  /** Who decide access and routing: from the creation, changed only by reassign / reclassify entries. */
  caseOfficer: PersonId;
  unit: UnitId;
  secrecy: Secrecy;
  /** Who signed the submission in force (the case officer or his deputy): he may not also approve it. */
  submitter: PersonId | null;
  decision: { entry: EntryId; content: Sha256Hex } | null;
  /** The entry that last changed the status or stage, and per step the entry that last touched it. */
  lastChange: EntryId | null;
  stepChange: Map<StepId, EntryId>;
  lateSigns: { step: StepId; entry: EntryId }[];
  dispatch: { entry: EntryId; number: string; date: string } | null;
  closed: { entry: EntryId } | null;
  archive: { entry: EntryId; fileNumber: string; retention: Retention } | null;
  /** 線上補登 of a document handled on paper: the content it recorded is fixed from then on, like a decision's. */
  paperRecord: { entry: EntryId; content: Sha256Hex } | null;
  /** 展期 requests in the order applied; a decided one is replaced by a copy carrying its decision. */
  extensions: ExtensionState[];
  /** The last 逾期原因 given: by a late-reason entry or with the closing entry. */
  lateReason: { entry: EntryId; reason: string } | null;
  /** An approved 專案管制 request: the document is followed apart from the 展期 limits. */
  projectControl: boolean;
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
    unit: ctx.unit,
    secrecy: ctx.secrecy,
    submitter: null,
    decision: null,
    lastChange: null,
    stepChange: new Map(),
    lateSigns: [],
    dispatch: null,
    closed: null,
    archive: null,
    paperRecord: null,
    extensions: [],
    lateReason: null,
    projectControl: false,
    applied: [],
  };
}

export function cloneState(s: WorkState): WorkState {
  return {
    ...s,
    done: new Map(s.done),
    stepChange: new Map(s.stepChange),
    lateSigns: [...s.lateSigns],
    extensions: [...s.extensions],
    applied: [...s.applied],
  };
}

/** Decided and after: an archived document is decided unless it was handled on paper. */
export const isDecided = (s: WorkState): boolean =>
  s.status === "decided" || s.status === "dispatched" || s.status === "closed" || (s.status === "archived" && s.decision !== null);

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
  if (!s.plan || !s.submitted || !isOpenStatus(s.status)) return [];
  const stage = s.plan.stages[s.stage];
  return stage ? stepsOf(stage).filter((st) => !s.done.has(st.id)) : [];
}

export function stepIndex(plan: RoutingPlan, id: StepId): number | undefined {
  return findStep(plan, id)?.stageIndex;
}

/**
 * Does this signer answer for the assignee at time `at`: in person, as a member of the unit or
 * agency, or as the person's deputy under the agency's deputy table (never the routing plan's own
 * list). The document's case officer is never anyone's deputy on it: a deputy arrangement cannot
 * make him approve, countersign or decide his own case.
 */
export function matchesAssignee(a: Assignee, p: SignerProfile, at: Date, s: Pick<WorkState, "caseOfficer">, ctx: ChainContext): boolean {
  switch (a.kind) {
    case "person": {
      const agency = a.agency ?? ctx.agency;
      if (p.agency !== agency) return false;
      if (p.person === a.person) return true;
      return !isCaseOfficerInPerson(s, p, ctx) && ctx.actsFor(agency, a.person, p.person, at);
    }
    case "unit":
      return p.agency === (a.agency ?? ctx.agency) && p.unit === a.unit;
    case "agency":
      return p.agency === a.agency && (a.unit === undefined || p.unit === a.unit);
  }
}

/** The signer is a deputy at this person step (not the assignee himself). */
export function actsAsDeputy(a: Assignee, p: SignerProfile): boolean {
  return a.kind === "person" && a.person !== p.person;
}

export function isCaseOfficerInPerson(s: Pick<WorkState, "caseOfficer">, p: SignerProfile, ctx: ChainContext): boolean {
  return p.agency === ctx.agency && p.person === s.caseOfficer;
}

/** The case officer, or his deputy under the deputy table (職務代理) while he is away. */
export function isCaseOfficer(s: Pick<WorkState, "caseOfficer">, p: SignerProfile, at: Date, ctx: ChainContext): boolean {
  return matchesAssignee({ kind: "person", person: s.caseOfficer }, p, at, s, ctx);
}

/** 辦結 for 時效管制: dispatched (發文), filed (存查) or archived (歸檔). A decided letter awaiting 發文 is still open. */
export const isTimeClosed = (s: Pick<WorkState, "status">): boolean => s.status === "dispatched" || s.status === "closed" || s.status === "archived";

/** The 展期 request still waiting for its decision (at most one), if any. */
export const pendingExtension = (s: Pick<WorkState, "extensions">): ExtensionState | undefined => s.extensions.find((x) => x.decision === null);

/** The due date in force for the 展期 rules: the last approved request's `until`, else the chain's first due. */
export function ruleDue(s: Pick<WorkState, "extensions">, ctx: Pick<ChainContext, "firstDue">): IsoDay {
  let due = ctx.firstDue;
  for (const x of s.extensions) if (x.decision?.approved) due = x.until;
  return due;
}
