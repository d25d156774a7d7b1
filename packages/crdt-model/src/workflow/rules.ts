import type { StepId } from "../ids.ts";
import { findStep, type RoutingPlan, type StepType } from "../routing/plan.ts";
import type { ActionKind } from "../chain/types.ts";
import { SECRECY_LEVELS, type Secrecy } from "../schema/metadata.ts";
import { parseDispatchNumber, parseFileNumber, parseIsoDate, parseRetention } from "../filing/numbers.ts";
import { calendarDaysBetween, taipeiDay } from "../deadline/iso-day.ts";
import {
  ARCHIVABLE_STATUSES,
  isLetterKind,
  actsAsDeputy,
  isCaseOfficer,
  isCaseOfficerInPerson,
  isDecided,
  isTimeClosed,
  matchesAssignee,
  pendingExtension,
  ruleDue,
  openStatus,
  pendingSteps,
  stageDone,
  type ChainContext,
  type EntryFacts,
  type WorkState,
} from "./state.ts";

/**
 * The workflow rules: whether an entry may act on a state (`check`, a reason sentence or null) and
 * what it does to it (`apply`). `check` is what verification asks of an entry against the history
 * its signer saw; derivation asks it again against the merged history, where a refusal is then a
 * conflict with a concurrent entry rather than an invalid entry.
 */

const STEP_ACTION: Partial<Record<ActionKind, StepType>> = { approve: "review", countersign: "countersign", decide: "decide" };

// The 時效管制 actions (展期, 逾期原因) go on until the document is 辦結 (發文 / 存查 / 歸檔), on paper too.
const TIME_ACTIONS: readonly ActionKind[] = ["extend-request", "extend-decide", "late-reason"];
const AFTER_DECISION: ReadonlySet<ActionKind> = new Set<ActionKind>(["dispatch", "close", "archive", "late-sign", ...TIME_ACTIONS]);
const STEP_ANSWERS: ReadonlySet<ActionKind> = new Set<ActionKind>(["approve", "countersign", "decide", "return", "late-sign"]);
const ON_PAPER: ReadonlySet<ActionKind> = new Set<ActionKind>(["paper-record", "archive", "late-sign", ...TIME_ACTIONS]);

export function check(s: WorkState, e: EntryFacts, ctx: ChainContext): string | null {
  const a = e.payload.action;
  const p = e.profile;

  // After 歸檔 the record is closed for everyone, the archivist included.
  if (s.status === "archived") return "The document is archived; nothing more may be signed on it.";
  if (isDecided(s)) {
    if (!AFTER_DECISION.has(a.kind)) return "The action comes after the decision.";
    if (s.decision && e.payload.content !== s.decision.content) return "The content signed differs from the decided content.";
  }
  if (s.status === "on-paper" && !ON_PAPER.has(a.kind)) return "The document was switched to paper.";
  if (s.paperRecord && e.payload.content !== s.paperRecord.content) return "The content signed differs from the content its 線上補登 recorded.";

  // An action answers a step only if it is a step's answer; any other entry names none, so no
  // entry can claim a step it did not act on (the history, the print and the index read `step`).
  const stepped = STEP_ANSWERS.has(a.kind);
  if (!stepped && e.payload.step !== null) return `A ${a.kind} answers no step; its entry must name none.`;

  switch (a.kind) {
    case "submit": {
      if (s.submitted) return "The document has already been submitted.";
      if (!e.content.plan) return "The signed content holds no routing plan.";
      if (!isCaseOfficer(s, p, e.at, ctx)) return "Only the case officer may submit the document.";
      return null;
    }
    case "approve":
    case "countersign":
    case "decide": {
      // No self-approval: whatever the plan or the deputy table says, the case officer never
      // approves, countersigns or decides his own document.
      if (isCaseOfficerInPerson(s, p, ctx)) return `The case officer may not ${a.kind} his own document.`;
      if (s.submitter === p.person && p.agency === ctx.agency) return `Whoever submitted the document may not ${a.kind} it.`;
      const open = openStepCheck(s, e, ctx);
      if (open) return open;
      const plan = s.plan!;
      const step = findStep(plan, e.payload.step!)!.step;
      if (step.type !== STEP_ACTION[a.kind]) return `A ${step.type} step cannot be answered with ${a.kind}.`;
      if (a.kind === "decide") {
        // 決行 may come before review steps are signed (they can be late-signed), never before a 會辦.
        const missing = plan.stages
          .flatMap((st) => (st.kind === "single" ? [st.step] : st.steps))
          .some((st) => st.type === "countersign" && !s.done.has(st.id));
        if (missing) return "The decision comes before every countersign is done.";
        // A deputy (from the agency's deputy table) decides at his own level, which must meet the
        // delegation table's; anyone else must also meet the level the plan asks for.
        if (actsAsDeputy(step.assignee, p)) {
          const required = ctx.tableLevel(e.content);
          if (p.level < required) return `A deputy decides at his own level, below the required level (level ${p.level}, required ${required}).`;
        } else {
          const required = ctx.requiredLevel(e.content, plan);
          if (p.level < required) return `The decision is below the required level (level ${p.level}, required ${required}).`;
        }
      } else if (!pendingSteps(s).some((st) => st.id === step.id)) {
        return "The step is not pending in the history the signer saw.";
      }
      return null;
    }
    case "return": {
      // The case officer (or whoever submitted) never acts at a step of his own document, a return
      // included: he withdraws (取回) instead.
      if (isCaseOfficerInPerson(s, p, ctx)) return "The case officer may not return his own document; he withdraws it (取回).";
      if (s.submitter === p.person && p.agency === ctx.agency) return "Whoever submitted the document may not return it.";
      const open = openStepCheck(s, e, ctx);
      if (open) return open;
      if (!pendingSteps(s).some((st) => st.id === e.payload.step)) return "The step is not pending in the history the signer saw.";
      if (a.to !== null) {
        const target = findStep(s.plan!, a.to);
        if (!target || target.stageIndex >= s.stage) return "A return must go to an earlier step or to the case officer.";
      }
      return null;
    }
    case "withdraw":
      if (!s.submitted) return "Only a submitted document can be withdrawn.";
      if (!isCaseOfficer(s, p, e.at, ctx)) return "Only the case officer may withdraw the document.";
      return null;
    case "reassign":
      if (!(p.roles.includes("registry") && p.agency === ctx.agency && p.unit === s.unit))
        return "Only the registry desk of the document's unit may re-assign it.";
      if (a.to === s.caseOfficer && (a.unit ?? s.unit) === s.unit) return "The document is already assigned to that person.";
      return null;
    case "reclassify": {
      if (a.secrecy === s.secrecy) return "The document already has that secrecy level.";
      if (rank(a.secrecy) > rank(s.secrecy))
        return isCaseOfficer(s, p, e.at, ctx) ? null : "Only the case officer may raise the document's secrecy level.";
      if (!p.roles.includes("supervisor") || p.agency !== ctx.agency || isCaseOfficerInPerson(s, p, ctx))
        return "Only a supervisor, not the case officer, may lower the document's secrecy level.";
      const plan = s.plan ?? e.content.plan;
      const onRoute = !!plan && plan.stages.some((st) => stepsOfStage(st).some((x) => x.assignee.kind === "person" && x.assignee.person === p.person));
      if (p.unit !== s.unit && !onRoute) return "Only a supervisor of the document's unit or on its route may lower its secrecy level.";
      return null;
    }
    case "switch-to-paper":
      if (isCaseOfficer(s, p, e.at, ctx) || (p.roles.includes("registry") && p.agency === ctx.agency)) return null;
      if (s.plan && pendingSteps(s).some((st) => matchesAssignee(st.assignee, p, e.at, s, ctx))) return null;
      return "Only the case officer, the registry desk or the current holder may switch the document to paper.";
    case "late-sign": {
      // 補簽 fills a step that was passed over: after the decision (a review the decider did not wait
      // for) or on a document handled on paper. A step still ahead is signed in its turn, and a 決行
      // is never signed late — a decision is made, not recorded afterwards.
      if (!s.plan || (!s.submitted && !isDecided(s))) return "Only a submitted document can be signed late.";
      if (!isDecided(s) && s.status !== "on-paper") return "Only a step passed over by the decision, or on a paper document, can be signed late.";
      const step = e.payload.step === null ? undefined : findStep(s.plan, e.payload.step);
      if (!step) return "The entry names a step that is not in the routing plan.";
      if (step.step.type === "decide") return "A 決行 step is never signed late.";
      if (s.done.has(step.step.id)) return "Only a step that was skipped can be signed late.";
      if (isCaseOfficerInPerson(s, p, ctx)) return "The case officer may not sign a step of his own document late.";
      if (!matchesAssignee(step.step.assignee, p, e.at, s, ctx)) return "The signer is not assigned to that step.";
      return null;
    }
    case "dispatch": {
      if (s.dispatch) return "The document was already dispatched.";
      if (s.status !== "decided") return "Only a decided document can be dispatched.";
      if (!isLetterKind(e.content.metadata.kind)) return "Only a letter (函, 書函, 開會通知單, 公告, 令) is dispatched; another decided document is filed with 存查.";
      if (!(p.roles.includes("mail-room") && p.agency === ctx.agency)) return "Only the mail room may dispatch the document.";
      if (a.number === undefined || a.date === undefined) return "A 發文 must carry the 發文字號 the agency server assigned and the 發文日期 (entry version 2).";
      const number = parseDispatchNumber(a.number);
      if (!number.ok) return number.reason;
      const date = parseIsoDate(a.date, "發文日期");
      return date.ok ? null : date.reason;
    }
    case "close":
      if (s.closed) return "The document was already filed with 存查.";
      if (s.status !== "decided") return "Only a decided document can be filed with 存查.";
      if (isLetterKind(e.content.metadata.kind)) return "A decided letter is dispatched (發文), not filed with 存查.";
      if (!isCaseOfficer(s, p, e.at, ctx)) return "Only the case officer may file the document with 存查.";
      return null;
    case "archive": {
      if (!ARCHIVABLE_STATUSES.includes(s.status)) return "Only a document that was dispatched, filed with 存查 or handled on paper can be archived.";
      if (s.status === "on-paper" && !s.paperRecord) return "A document handled on paper is archived after its 線上補登.";
      if (!(p.roles.includes("archives") && p.agency === ctx.agency)) return "Only the archives may archive the document.";
      if (a.retention === undefined) return "A 歸檔 must carry the 檔號 and the 保存年限 (entry version 2).";
      const file = parseFileNumber(a.fileNumber);
      if (!file.ok) return file.reason;
      const retention = parseRetention(a.retention);
      return retention.ok ? null : retention.reason;
    }
    case "paper-record":
      if (s.status !== "on-paper") return "Only a document switched to paper can be recorded online (線上補登).";
      if (s.paperRecord) return "The document's 線上補登 is already recorded.";
      if (!isCaseOfficer(s, p, e.at, ctx) && !(p.roles.includes("registry") && p.agency === ctx.agency))
        return "Only the case officer or the registry desk may record a paper document online (線上補登).";
      return null;
    case "extend-request":
      return checkExtendRequest(s, e, a, ctx);
    case "extend-decide": {
      const x = s.extensions.find((r) => r.request === a.request);
      if (!x) return "The 展期核定 answers no 展期 request in the history the signer saw.";
      if (x.decision) return "That 展期 request was already decided.";
      if (p.agency !== ctx.agency) return "Only the document's agency decides its 展期.";
      // No self-approval: neither the one who asked nor the case officer decides the request.
      if (p.person === x.requestedBy) return "Whoever asked for the 展期 may not decide it.";
      if (isCaseOfficerInPerson(s, p, ctx)) return "The case officer may not decide a 展期 of his own document.";
      const need = ctx.extensionPolicy.approverLevel;
      if (p.level < need) return `A 展期 is decided at level ${need} or above (the signer's level is ${p.level}).`;
      return null;
    }
    case "late-reason": {
      if (isTimeClosed(s)) return "The document is finished (辦結); its 逾期原因 goes with the closing entry.";
      if (isCaseOfficer(s, p, e.at, ctx)) return null;
      if (pendingSteps(s).some((st) => matchesAssignee(st.assignee, p, e.at, s, ctx))) return null;
      if (s.status === "decided" && isLetterKind(e.content.metadata.kind) && p.roles.includes("mail-room") && p.agency === ctx.agency) return null;
      return "Only the case officer or whoever holds the document may give its 逾期原因.";
    }
    case "amend-plan": {
      if (!s.submitted || !s.plan) return "Only the plan of a submitted document needs a signed amendment.";
      if (!e.content.plan) return "The signed content holds no routing plan.";
      const holder = pendingSteps(s).some((st) => matchesAssignee(st.assignee, p, e.at, s, ctx));
      if (!holder && !isCaseOfficer(s, p, e.at, ctx)) return "Only the case officer or the current holder may amend the routing plan.";
      for (const done of s.done.keys())
        if (!findStep(e.content.plan, done)) return "An amendment may not remove a step that is already done.";
      return null;
    }
  }
}

const rank = (x: Secrecy): number => SECRECY_LEVELS.indexOf(x);

/**
 * 申請展期: by the case officer (or his deputy) on a document not yet 辦結, one pending at a time, to
 * a day later than the due date in force (`ruleDue`) and than the request's own day. The limits
 * (`ctx.extensionPolicy`: approved extensions, calendar days beyond `ctx.firstDue`) refuse a plain
 * request past them; past them only 專案管制 (`project: true`) may be asked, and only there.
 * Deterministic: nothing here reads a calendar or the clock, only the chain and its context.
 */
function checkExtendRequest(s: WorkState, e: EntryFacts, a: Extract<EntryFacts["payload"]["action"], { kind: "extend-request" }>, ctx: ChainContext): string | null {
  if (isTimeClosed(s)) return "The document is finished (辦結); it has no due date left to extend.";
  if (!isCaseOfficer(s, e.profile, e.at, ctx)) return "Only the case officer may ask for a 展期.";
  if (pendingExtension(s)) return "A 展期 request is already waiting for its decision.";
  const due = ruleDue(s, ctx);
  if (a.until <= due) return `The new due date must be later than the due date in force (${due}).`;
  const today = taipeiDay(e.at);
  if (a.until <= today) return `The new due date must be later than the day of the request (${today}).`;
  const policy = ctx.extensionPolicy;
  const approved = s.extensions.filter((x) => x.decision?.approved).length;
  const days = calendarDaysBetween(ctx.firstDue, a.until);
  const within = approved < policy.maxCount && days <= policy.maxDays;
  if (a.project && within) return "專案管制 is asked only beyond the 展期 limits; this 展期 is within them.";
  if (!a.project && !within)
    return `The 展期 is beyond the agency's limits (${policy.maxCount} extensions, ${policy.maxDays} days in all beyond ${ctx.firstDue}); only 專案管制 may be asked.`;
  return null;
}

const stepsOfStage = (st: RoutingPlan["stages"][number]) => (st.kind === "single" ? [st.step] : st.steps);

/** Shared by the step actions: the document is out for signing and the signer holds that step. */
function openStepCheck(s: WorkState, e: EntryFacts, ctx: ChainContext): string | null {
  if (!s.submitted || !s.plan) return "The document has not been submitted.";
  if (e.payload.step === null) return "The action needs a step.";
  const found = findStep(s.plan, e.payload.step);
  if (!found) return "The entry names a step that is not in the routing plan.";
  if (s.done.has(found.step.id)) return "The step is not pending in the history the signer saw.";
  if (!matchesAssignee(found.step.assignee, e.profile, e.at, s, ctx)) return "The signer is not assigned to that step.";
  return null;
}

/** Applies an entry that `check` accepted. */
export function apply(s: WorkState, e: EntryFacts): void {
  const a = e.payload.action;
  const step = e.payload.step;
  s.applied.push(e.id);
  switch (a.kind) {
    case "submit":
      s.plan = e.content.plan;
      s.submitted = true;
      s.submitter = e.profile.person;
      s.done.clear();
      s.returnedTo = null;
      s.stage = 0;
      s.status = openStatus(s.plan!, 0);
      s.lastChange = e.id;
      return;
    case "approve":
    case "countersign":
      markDone(s, step!, e);
      advance(s);
      s.lastChange = e.id;
      return;
    case "decide":
      markDone(s, step!, e);
      s.status = "decided";
      s.returnedTo = null;
      s.decision = { entry: e.id, content: e.payload.content };
      s.lastChange = e.id;
      return;
    case "return":
      s.stepChange.set(step!, e.id);
      if (a.to === null) {
        s.submitted = false;
        s.done.clear();
        s.stage = 0;
      } else {
        const to = findStep(s.plan!, a.to)!.stageIndex;
        reopenFrom(s, s.plan!, to);
        s.stage = to;
      }
      s.status = "returned";
      s.returnedTo = a.to;
      s.lastChange = e.id;
      return;
    case "withdraw":
      s.submitted = false;
      s.done.clear();
      s.stage = 0;
      s.returnedTo = null;
      s.status = "draft";
      s.lastChange = e.id;
      return;
    case "reassign":
      s.caseOfficer = a.to;
      if (a.unit) s.unit = a.unit;
      return;
    case "reclassify":
      s.secrecy = a.secrecy;
      return;
    case "switch-to-paper":
      s.status = "on-paper";
      s.lastChange = e.id;
      return;
    case "late-sign":
      markDone(s, step!, e);
      s.lateSigns.push({ step: step!, entry: e.id });
      return;
    case "dispatch":
      if (a.lateReason !== undefined) s.lateReason = { entry: e.id, reason: a.lateReason };
      s.status = "dispatched";
      s.dispatch = { entry: e.id, number: a.number!, date: a.date! };
      s.lastChange = e.id;
      return;
    case "close":
      if (a.lateReason !== undefined) s.lateReason = { entry: e.id, reason: a.lateReason };
      s.status = "closed";
      s.closed = { entry: e.id };
      s.lastChange = e.id;
      return;
    case "archive":
      if (a.lateReason !== undefined) s.lateReason = { entry: e.id, reason: a.lateReason };
      s.status = "archived";
      s.archive = { entry: e.id, fileNumber: a.fileNumber!, retention: a.retention! };
      s.lastChange = e.id;
      return;
    case "paper-record":
      if (a.lateReason !== undefined) s.lateReason = { entry: e.id, reason: a.lateReason };
      s.paperRecord = { entry: e.id, content: e.payload.content };
      s.lastChange = e.id;
      return;
    case "extend-request":
      s.extensions.push({ request: e.id, requestedBy: e.profile.person, at: e.payload.at, reason: a.reason, until: a.until, project: a.project === true, decision: null });
      return;
    case "extend-decide": {
      const decision = { entry: e.id, by: e.profile.person, at: e.payload.at, approved: a.approved };
      s.extensions = s.extensions.map((x) => (x.request === a.request ? { ...x, decision } : x));
      if (a.approved && s.extensions.some((x) => x.request === a.request && x.project)) s.projectControl = true;
      return;
    }
    case "late-reason":
      s.lateReason = { entry: e.id, reason: a.reason };
      return;
    case "amend-plan":
      s.plan = e.content.plan;
      for (const id of [...s.done.keys()]) if (!findStep(s.plan!, id)) s.done.delete(id);
      s.stage = 0;
      advance(s);
      if (s.status !== "returned") s.status = openStatus(s.plan!, s.stage);
      s.lastChange = e.id;
      return;
  }
}

function markDone(s: WorkState, step: StepId, e: EntryFacts): void {
  s.done.set(step, e.id);
  s.stepChange.set(step, e.id);
}

/** Moves past every completed stage (並會整併: a parallel stage is complete when all branches are). */
function advance(s: WorkState): void {
  const plan = s.plan!;
  while (s.stage < plan.stages.length - 1 && stageDone(plan.stages[s.stage]!, s.done)) s.stage++;
  if (s.status === "returned" && s.returnedTo !== null && s.done.has(s.returnedTo)) s.returnedTo = null;
  if (s.returnedTo === null) s.status = openStatus(plan, s.stage);
}

function reopenFrom(s: WorkState, plan: RoutingPlan, stage: number): void {
  for (let i = stage; i < plan.stages.length; i++) {
    const st = plan.stages[i]!;
    for (const step of st.kind === "single" ? [st.step] : st.steps) s.done.delete(step.id);
  }
}
