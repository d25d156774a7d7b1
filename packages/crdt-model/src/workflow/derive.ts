import { NO_AGENCY, type AgencyCode, type EntryId, type PersonId, type Sha256Hex, type StepId, type UnitId } from "../ids.ts";
import type { Metadata, Secrecy } from "../schema/metadata.ts";
import { ok, type Result } from "../result.ts";
import { deputiesOf } from "../routing/deputies.ts";
import type { CountersignDocument } from "../schema/document.ts";
import type { TrustStore } from "../identity/trust.ts";
import type { Role, SignerProfile } from "../identity/profile.ts";
import type { ActionKind } from "../chain/types.ts";
import { heads } from "../chain/dag.ts";
import { canonicalJson } from "../canonical.ts";
import { allSteps, toJson, type Assignee, type Deputy, type RoutingPlan, type StepType } from "../routing/plan.ts";
import { isLetterKind, pendingSteps, type Status } from "./state.ts";
import type { Retention } from "../filing/numbers.ts";
import { replay, type Conflict } from "./replay.ts";
import type { ExtensionFact, IsoDay } from "../deadline/types.ts";
import { verify, type VerifyCache, type VerificationReport } from "./verify.ts";

export type Holder = Assignee | { kind: "role"; role: Role; agency: AgencyCode };

export interface TimelineItem {
  id: string;
  action: ActionKind | null;
  step: string | null;
  signer: SignerProfile | null;
  at: string | null;
  opinion: string;
  /** applied: changed the state; conflict/redundant: lost to a concurrent entry; invalid: see reason. */
  outcome: "applied" | "conflict" | "redundant" | "invalid";
  reason: string | null;
}

/** The facts that decide who may see and route a document. */
export interface AccessFields {
  agency: AgencyCode;
  unit: UnitId;
  caseOfficer: PersonId;
  secrecy: Secrecy;
}

export interface WorkflowState {
  status: Status;
  /**
   * Case officer, unit and secrecy in force: the creation's, changed only by valid signed entries
   * (reassign, reclassify), never by a plain edit of the metadata. Null only for a document whose
   * metadata cannot be read and that has no signed entry.
   */
  caseOfficer: PersonId | null;
  unit: UnitId | null;
  /** When nothing signed or readable says, the most closed reading: 密 (named participants only). */
  secrecy: Secrecy;
  /** The creation the chain's first entry signed; null while nothing is signed (the live metadata is then all there is). */
  origin: AccessFields | null;
  /** The agency's deputy-table arrangements for the case officer and the people the plan names. */
  deputies: Deputy[];
  /** Who signed the submission in force (the case officer or his deputy); he may not approve it too. */
  submitter: PersonId | null;
  /** Who holds the document now (whom it waits on). */
  holders: Holder[];
  pending: { step: StepId; type: StepType; assignee: Assignee }[];
  plan: RoutingPlan | null;
  decision: { entry: EntryId; content: Sha256Hex } | null;
  lateSigns: { step: StepId; entry: EntryId }[];
  /** 發文: the 發文字號 and 發文日期 its signed entry carries. */
  dispatch: { entry: EntryId; number: string; date: string } | null;
  /** 存查. */
  closed: { entry: EntryId } | null;
  /** 歸檔: 檔號 and 保存年限. After it the document is read-only for everyone. */
  archive: { entry: EntryId; fileNumber: string; retention: Retention } | null;
  /** 線上補登 of a document handled on paper. */
  paperRecord: { entry: EntryId; content: Sha256Hex } | null;
  /**
   * 展期 requests and their decisions, in the order applied. Times are the signers' claimed times
   * (`requestedAt`, `decision.at`); the server's time facts put the trusted ones in their place.
   */
  extensions: ExtensionFact[];
  /** The due date the last approved 展期 set (null: none approved; the due date is then the base one). */
  extendedDue: IsoDay | null;
  /** The last 逾期原因 given (a 逾期原因 entry or the closing entry's), null if none. */
  lateReason: string | null;
  /** Under 專案管制: an approved 展期 beyond the limits. */
  projectControl: boolean;
  timeline: TimelineItem[];
  conflicts: Conflict[];
  /** Problems with the document as a whole, as sentences. */
  findings: string[];
  /** Heads of the valid chain: the parents of the next entry anyone signs. */
  heads: EntryId[];
  /** Every entry valid and no findings. */
  valid: boolean;
}


/**
 * The workflow state, a pure function of the verified chain and the document: the same set of
 * entries gives the same state on every replica whatever order they arrived in. Invalid entries
 * appear in the timeline with their reason and change nothing.
 */
export function deriveFromReport(doc: CountersignDocument, report: VerificationReport): WorkflowState {
  const { state, conflicts } = report.ctx ? replay(report.valid, report.ctx) : { state: null, conflicts: [] };
  const lost = new Map(conflicts.map((c) => [c.loser as string, c]));
  const timeline: TimelineItem[] = report.entries.map((e) => {
    const c = lost.get(e.id);
    return {
      id: e.id,
      action: e.action,
      step: e.step,
      signer: e.signer,
      at: e.at,
      opinion: e.opinion,
      outcome: !e.valid ? "invalid" : c ? c.kind : "applied",
      reason: e.reason ?? c?.reason ?? null,
    };
  });

  // A decided (or recorded) document is checked against its current content, which holds the live
  // metadata and plan as read and parsed (and is kept while the content does not change): read them
  // from it rather than parse them again.
  const current = state?.decision || state?.paperRecord ? doc.currentVersion() : undefined;
  const meta: Result<Metadata> = current?.ok ? ok(current.value.content.metadata) : doc.metadata();
  const livePlan: Result<RoutingPlan | null> = current?.ok ? ok(current.value.content.plan) : doc.plan();
  const findings: string[] = [];
  const status: Status = state?.status ?? "draft";
  const caseOfficer = state?.caseOfficer ?? (meta.ok ? meta.value.caseOfficer : null);
  const unit = state?.unit ?? (meta.ok ? meta.value.unit : null);
  const secrecy: Secrecy = state?.secrecy ?? (meta.ok ? meta.value.secrecy : "confidential");
  const ctx = report.ctx;
  const origin: AccessFields | null = ctx ? { agency: ctx.agency, unit: ctx.unit, caseOfficer: ctx.caseOfficer, secrecy: ctx.secrecy } : null;
  if (state?.decision) {
    if (!current?.ok || current.value.hash !== state.decision.content) findings.push("The content was changed after the decision.");
  } else if (state?.paperRecord) {
    if (!current?.ok || current.value.hash !== state.paperRecord.content) findings.push("The content was changed after its 線上補登.");
  } else if (state?.submitted && state.plan && status !== "on-paper") {
    const live = livePlan.ok && livePlan.value ? canonicalJson(toJson(livePlan.value)) : null;
    if (live !== canonicalJson(toJson(state.plan))) findings.push("The routing plan was changed without a signed amendment.");
  }

  const pending = state ? pendingSteps(state).map((s) => ({ step: s.id, type: s.type, assignee: s.assignee })) : [];
  const agency = report.ctx?.agency ?? (meta.ok ? meta.value.agency : NO_AGENCY);
  let holders: Holder[];
  switch (status) {
    case "draft":
      holders = caseOfficer ? [{ kind: "person", person: caseOfficer }] : [];
      break;
    case "returned":
      holders = state?.returnedTo === null && caseOfficer ? [{ kind: "person", person: caseOfficer }] : pending.map((p) => p.assignee);
      break;
    case "in-review":
    case "countersigning":
      holders = pending.map((p) => p.assignee);
      break;
    case "decided":
      // A letter goes to the mail room for 發文; anything else back to its case officer for 存查. The
      // kind is the decided content's: the live metadata cannot change after the decision.
      holders = meta.ok && isLetterKind(meta.value.kind) ? [{ kind: "role", role: "mail-room", agency }] : caseOfficer ? [{ kind: "person", person: caseOfficer }] : [];
      break;
    case "on-paper":
      // Handled on paper: the case officer records it online (線上補登), then the archives take it.
      holders = state?.paperRecord ? [{ kind: "role", role: "archives", agency }] : caseOfficer ? [{ kind: "person", person: caseOfficer }] : [];
      break;
    case "dispatched":
    case "closed":
      holders = [{ kind: "role", role: "archives", agency }];
      break;
    case "archived":
      holders = [];
      break;
  }

  const plan = state?.plan ?? (livePlan.ok ? livePlan.value : null);
  const principals = new Set<string>(caseOfficer ? [caseOfficer] : []);
  if (plan) for (const st of allSteps(plan)) if (st.assignee.kind === "person" && (st.assignee.agency ?? agency) === agency) principals.add(st.assignee.person);

  return {
    status,
    caseOfficer,
    unit,
    secrecy,
    origin,
    deputies: deputiesOf(report.deputies, principals),
    submitter: state?.submitter ?? null,
    holders,
    pending,
    plan,
    decision: state?.decision ?? null,
    lateSigns: state?.lateSigns ?? [],
    dispatch: state?.dispatch ?? null,
    closed: state?.closed ?? null,
    archive: state?.archive ?? null,
    paperRecord: state?.paperRecord ?? null,
    extensions: (state?.extensions ?? []).map((x) => ({
      request: x.request,
      requestedBy: x.requestedBy,
      requestedAt: x.at,
      reason: x.reason,
      until: x.until,
      project: x.project,
      decision: x.decision ? { ...x.decision } : null,
    })),
    extendedDue: state?.extensions.filter((x) => x.decision?.approved).at(-1)?.until ?? null,
    lateReason: state?.lateReason?.reason ?? null,
    projectControl: state?.projectControl ?? false,
    timeline,
    conflicts,
    findings,
    heads: heads(report.valid.map((f) => ({ id: f.id, parents: f.payload.parents }))),
    valid: report.entries.every((e) => e.valid) && findings.length === 0,
  };
}

/** Verifies and derives in one call: what the app and the server use. */
export async function derive(
  doc: CountersignDocument,
  trust: TrustStore,
  opts: { cache?: VerifyCache } = {},
): Promise<WorkflowState & { report: VerificationReport }> {
  const report = await verify(doc, trust, opts);
  return { ...deriveFromReport(doc, report), report };
}
