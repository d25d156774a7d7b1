import { asEntryId, type EntryId, type StepId } from "../ids.ts";
import { actionVersion, type Action, type ActionKind, type EntryPayload } from "../chain/types.ts";
import type { SignerProfile } from "../identity/profile.ts";
import type { CountersignDocument } from "../schema/document.ts";
import type { SignedContent } from "../schema/content.ts";
import type { TrustStore } from "../identity/trust.ts";
import { SECRECY_LEVELS, type Secrecy } from "../schema/metadata.ts";
import { heads } from "../chain/dag.ts";
import { allSteps, findStep, stepsOf, type RoutingPlan } from "../routing/plan.ts";
import { fail, ok, type Result } from "../result.ts";
import { check } from "./rules.ts";
import { replay } from "./replay.ts";
import { chainContext, type VerificationReport } from "./verify.ts";
import { initialState, pendingExtension, ruleDue, type ChainContext, type EntryFacts, type WorkState } from "./state.ts";
import { addCalendarDays, taipeiDay } from "../deadline/iso-day.ts";
import type { IsoDay } from "../deadline/types.ts";
import type { WorkflowState } from "./derive.ts";

/**
 * What a person may sign now. Not a second copy of the workflow rules: every candidate action is put
 * to the rules' own `check` (rules.ts) against the state the verified chain replays to, with the
 * content the person would sign, their certificate's profile (roles, level, unit) and the time —
 * so the delegation table's level for 決行, the agency's deputy table, no self-approval and the
 * order of the plan are decided exactly as the verifier and the relay decide them.
 * `offers.property.test.ts` signs what is offered on random documents and checks it verifies, and
 * that what is not offered is refused.
 *
 * Deliberately not offered although the rules would accept them, because each needs its own screen
 * or would only confuse: 改分 (the registry desk's page, which knows the directory), 修改流程 while
 * out for signing (the plan editor serves drafts), 補簽 of a step still pending or not yet reached
 * (that is 核稿 / 會辦 itself), and 密等變更 to the level the document already has.
 */

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
  /** The opinion doubles as the action's required reason (改紙本, 補簽, 密等變更, 線上補登). */
  needsReason?: boolean;
  /** 密等變更: the levels this person may set (higher for the case officer, lower for a supervisor). */
  secrecy?: Secrecy[];
  /** 發文: the agency server assigns the 發文字號 (and 發文日期) first, so it needs a connection. */
  reservesNumber?: boolean;
  /** 歸檔: asks the 檔號 (`parseFileNumber`) and the 保存年限 (`parseRetention`). */
  needsFiling?: boolean;
  /** 線上補登: the paper document's scans are attached before signing (the entry signs them). */
  needsScans?: boolean;
  /**
   * 申請展期: the new date must be later than `after` (the due date in force for the rules, or today
   * if later). Up to `plainUntil` it is a plain 展期; later (or always, when null: the limits are
   * spent) only as 專案管制 (`project: true`). The app shows the due date from the calendar; the
   * rules' bound is `after`.
   */
  extension?: { after: IsoDay; plainUntil: IsoDay | null };
  /** 展期核定: the pending request it answers (approve or refuse). */
  request?: { entry: EntryId; requestedBy: string; until: IsoDay; reason: string; project: boolean };
}

/**
 * What the rules need besides the derived state, for the moment of signing: the chain's fixed facts
 * (agency, creation, delegation and deputy tables), the rules' state after the valid chain, and what
 * would be signed (the document's current content, with the chain's heads as parents). Build it with
 * `offerContext`.
 */
export interface OfferContext {
  chain: ChainContext;
  work: WorkState;
  content: SignedContent;
  hash: EntryPayload["content"];
  parents: EntryId[];
  ancestors: Set<EntryId>;
  at: Date;
}

/**
 * The context for offers on `doc` now: its current content, the verification report `derive`
 * returned with the state (`report`), and the trust store it verified with. Refused when the
 * current content cannot be read (nothing can be signed then).
 */
export function offerContext(doc: CountersignDocument, report: VerificationReport, trust: TrustStore, at: Date = new Date()): Result<OfferContext> {
  const current = doc.currentVersion();
  if (!current.ok) return fail("chain.cannot-sign", `The document cannot be signed: ${current.reason}`, current);
  // Nothing signed yet: the first entry's content is the creation, so the chain's facts are the current content's.
  const chain = report.ctx ?? chainContext(current.value.content, trust, at);
  const work = report.ctx ? replay(report.valid, report.ctx).state : initialState(chain);
  return ok({
    chain,
    work,
    content: current.value.content,
    hash: current.value.hash,
    parents: heads(report.valid.map((f) => ({ id: f.id, parents: f.payload.parents }))),
    ancestors: new Set(report.valid.map((f) => f.id)),
    at,
  });
}

/** A placeholder entry id: the rules never read an entry's own id. */
const PROBE_ID = asEntryId("0".repeat(64));

/** Whether the rules accept `action` at `step`, signed by `me` now. */
export function accepts(me: SignerProfile, ctx: OfferContext, action: Action, step: StepId | null): boolean {
  const payload: EntryPayload = {
    v: actionVersion(action),
    doc: ctx.content.doc,
    parents: ctx.parents,
    content: ctx.hash,
    step,
    action,
    opinion: "",
    cert: "",
    alg: "ES256",
    at: ctx.at.toISOString(),
  };
  const facts: EntryFacts = { id: PROBE_ID, parents: ctx.parents, payload, profile: me, at: ctx.at, content: ctx.content, ancestors: ctx.ancestors };
  return check(ctx.work, facts, ctx.chain) === null;
}

// Well-formed stand-ins for the numbers the real action carries (the server assigns the 發文字號,
// the archivist types the 檔號): the rules check their shape, which the forms check before signing.
const PROBE_DISPATCH: Action = { kind: "dispatch", number: "示教字第1150000001號", date: "2026-01-02" };
const PROBE_ARCHIVE: Action = { kind: "archive", fileNumber: "115-0101-000001-001-00001", retention: 10 };
const PROBE_REASON = "—";

/**
 * The actions `me` may sign on the document now, in the order a page shows them: the step actions
 * (核稿 / 會辦 / 決行 and 退回), the case officer's, the filing actions, then the rest.
 */
export function availableActions(ws: WorkflowState, me: SignerProfile, ctx: OfferContext): Offer[] {
  const out: Offer[] = [];
  const yes = (action: Action, step: StepId | null = null) => accepts(me, ctx, action, step);
  const s = ctx.work;

  if (yes({ kind: "submit" })) out.push({ kind: "submit", step: null, label: null });

  if (s.plan) {
    const pending = new Set(ws.pending.map((p) => p.step));
    for (const st of allSteps(s.plan)) {
      const label = st.label ?? null;
      const kind = st.type === "review" ? "approve" : st.type === "countersign" ? "countersign" : "decide";
      if (yes({ kind }, st.id)) out.push({ kind, step: st.id, label });
      if (pending.has(st.id)) {
        const targets = returnTargets(s.plan).filter((t) => yes({ kind: "return", to: t.step }, st.id));
        if (targets.length) out.push({ kind: "return", step: st.id, label, targets });
      }
    }
  }

  if (yes({ kind: "withdraw" })) out.push({ kind: "withdraw", step: null, label: null });
  if (yes(PROBE_DISPATCH)) out.push({ kind: "dispatch", step: null, label: null, reservesNumber: true });
  if (yes({ kind: "close" })) out.push({ kind: "close", step: null, label: null });
  if (yes({ kind: "paper-record", reason: PROBE_REASON })) out.push({ kind: "paper-record", step: null, label: null, needsReason: true, needsScans: true });
  if (yes(PROBE_ARCHIVE)) out.push({ kind: "archive", step: null, label: null, needsFiling: true });
  if (yes({ kind: "switch-to-paper", reason: PROBE_REASON })) out.push({ kind: "switch-to-paper", step: null, label: null, needsReason: true });

  // 時效管制: 申請展期, 展期核定 and 逾期原因 (the app shows 逾期原因 when the document is late).
  const ext = extensionBounds(ctx);
  if (yes({ kind: "extend-request", until: addCalendarDays(ext.after, 1), reason: PROBE_REASON, ...(ext.plainUntil === null || ext.plainUntil <= ext.after ? { project: true as const } : {}) }))
    out.push({ kind: "extend-request", step: null, label: null, needsReason: true, extension: { after: ext.after, plainUntil: ext.plainUntil !== null && ext.plainUntil > ext.after ? ext.plainUntil : null } });
  const pendingReq = pendingExtension(s);
  if (pendingReq && yes({ kind: "extend-decide", request: pendingReq.request, approved: true }))
    out.push({
      kind: "extend-decide",
      step: null,
      label: null,
      request: { entry: pendingReq.request, requestedBy: pendingReq.requestedBy, until: pendingReq.until, reason: pendingReq.reason, project: pendingReq.project },
    });
  if (yes({ kind: "late-reason", reason: PROBE_REASON })) out.push({ kind: "late-reason", step: null, label: null, needsReason: true });

  const levels = SECRECY_LEVELS.filter((lv) => lv !== s.secrecy && yes({ kind: "reclassify", secrecy: lv }));
  if (levels.length) out.push({ kind: "reclassify", step: null, label: null, needsReason: true, secrecy: [...levels] });

  // 補簽: a step of mine that was passed over — by the decision, or left behind in an earlier stage.
  if (s.plan)
    for (const st of allSteps(s.plan)) {
      const passed = s.decision !== null || (findStep(s.plan, st.id)?.stageIndex ?? 0) < s.stage;
      if (passed && !ws.pending.some((p) => p.step === st.id) && yes({ kind: "late-sign", reason: PROBE_REASON }, st.id))
        out.push({ kind: "late-sign", step: st.id, label: st.label ?? null, needsReason: true });
    }
  return out;
}

/** The bounds `checkExtendRequest` (rules.ts) puts on a new date, for the offer and its form. */
function extensionBounds(ctx: OfferContext): { after: IsoDay; plainUntil: IsoDay | null } {
  const due = ruleDue(ctx.work, ctx.chain);
  const today = taipeiDay(ctx.at);
  const after = due > today ? due : today;
  const policy = ctx.chain.extensionPolicy;
  const approved = ctx.work.extensions.filter((x) => x.decision?.approved).length;
  return { after, plainUntil: approved < policy.maxCount ? addCalendarDays(ctx.chain.firstDue, policy.maxDays) : null };
}

function returnTargets(plan: RoutingPlan): ReturnTarget[] {
  const targets: ReturnTarget[] = [{ step: null, label: "承辦人" }];
  for (const st of plan.stages) for (const x of stepsOf(st)) targets.push({ step: x.id, label: x.label ?? x.id });
  return targets;
}
