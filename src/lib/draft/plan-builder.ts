// Building a routing plan from the directory, as pure functions over a draft: review steps (a
// person), countersign steps of units in sequence or in parallel (並會), steps of another agency, and
// the decision step at the level the delegation table requires for the document's category. Every
// change returns a new draft or a one-sentence reason and leaves the old draft as it was; the plan
// written into the document is always one `parseRoutingPlan` accepts.
import {
  asPersonId,
  asStepId,
  asUnitId,
  fail,
  levelTitle,
  ok,
  parseRoutingPlan,
  randomId,
  requiredLevel,
  stepsOf,
  type DelegationTable,
  type Deputy,
  type Result,
  type RoutingPlan,
  type Stage,
  type Step,
  isAgencyCode,
  isUnitId,
} from "@countersign/crdt-model";
import type { DirDeputy, DirPerson, DirUnit } from "./directory.ts";

/** The plan being built: the stages before the decision, and the decision step (last, alone). */
export interface PlanDraft {
  stages: Stage[];
  decision: Step | null;
}

/** What the delegation table requires for a category: the level and its title (局長, 科長…). */
export interface Requirement {
  level: number;
  title: string;
  /** False when no delegation table is known yet (never synced): the level is then a guess of 1. */
  known: boolean;
}

/** Makes step ids; tests pass a counter so plans are reproducible. */
export type IdMaker = () => string;
export const randomStepId: IdMaker = () => randomId("s-").slice(0, 14);

export const emptyDraft = (): PlanDraft => ({ stages: [], decision: null });

/** The draft for a plan already in the document (the decision is its last stage). */
export function draftFromPlan(plan: RoutingPlan | null): PlanDraft {
  if (!plan) return emptyDraft();
  const last = plan.stages[plan.stages.length - 1];
  const decision = last?.kind === "single" && last.step.type === "decide" ? last.step : null;
  return { stages: decision ? plan.stages.slice(0, -1) : [...plan.stages], decision };
}

export function decisionRequirement(table: DelegationTable | null, category: string): Requirement {
  if (!table) return { level: 1, title: levelTitleOr(null, 1), known: false };
  const level = requiredLevel(table, category);
  return { level, title: levelTitle(table, level), known: true };
}

const levelTitleOr = (table: DelegationTable | null, level: number): string => (table ? levelTitle(table, level) : `第${level}層`);

/** The categories a document may take: the delegation table's, broadest first. */
export function categories(table: DelegationTable | null): string[] {
  return table ? [...new Set(table.rules.map((r) => r.category))].sort((a, b) => a.localeCompare(b, "zh-Hant")) : [];
}

/** People who may decide at that level: active, at or above it, highest office first. */
export function eligibleDeciders(people: readonly DirPerson[], req: Requirement): DirPerson[] {
  return people.filter((p) => p.active && p.level >= req.level).sort((a, b) => b.level - a.level || a.name.localeCompare(b.name, "zh-Hant"));
}

const allOf = (d: PlanDraft): Step[] => [...d.stages.flatMap(stepsOf), ...(d.decision ? [d.decision] : [])];

const names = (s: Step) => {
  const a = s.assignee;
  return a.kind === "person" ? `person:${a.person}` : a.kind === "unit" ? `unit:${a.agency ?? ""}:${a.unit}` : `agency:${a.agency}:${a.unit ?? ""}`;
};

/** Adds a review step (核稿) by a person, after the stages already there. */
export function addReview(d: PlanDraft, person: DirPerson, caseOfficer: string, id: IdMaker = randomStepId): Result<PlanDraft> {
  if (!person.active) return fail("plan-edit.inactive", `${person.name} is no longer active in the directory.`);
  if (person.id === caseOfficer) return fail("plan-edit.self-review", "The case officer cannot review their own document.");
  if (allOf(d).some((s) => s.type === "review" && names(s) === `person:${person.id}`)) return fail("plan-edit.duplicate", `${person.name} already reviews this document.`);
  const step: Step = { id: asStepId(id()), type: "review", assignee: { kind: "person", person: asPersonId(person.id) }, label: `${person.name}核稿` };
  return ok({ ...d, stages: [...d.stages, { kind: "single", step }] });
}

/** Adds countersign steps (會辦) for units: one after another, or as one parallel stage (並會). */
export function addCountersign(d: PlanDraft, units: readonly DirUnit[], parallel: boolean, id: IdMaker = randomStepId): Result<PlanDraft> {
  if (units.length === 0) return fail("plan-edit.no-unit", "Choose at least one unit to countersign.");
  const taken = new Set(allOf(d).map(names));
  for (const u of units) if (taken.has(`unit::${u.id}`)) return fail("plan-edit.duplicate", `${u.name} already countersigns this document.`);
  if (new Set(units.map((u) => u.id)).size !== units.length) return fail("plan-edit.duplicate", "A unit is chosen twice.");
  const steps: Step[] = units.map((u) => ({ id: asStepId(id()), type: "countersign", assignee: { kind: "unit", unit: asUnitId(u.id) }, label: `${u.name}會辦` }));
  const added: Stage[] = parallel && steps.length > 1 ? [{ kind: "parallel", steps }] : steps.map((step) => ({ kind: "single", step }));
  return ok({ ...d, stages: [...d.stages, ...added] });
}

/** Adds a countersign step of another agency (跨機關會辦), optionally naming its unit. */
export function addAgencyStep(d: PlanDraft, agency: { code: string; name?: string }, unit: string | null, ownAgency: string, id: IdMaker = randomStepId): Result<PlanDraft> {
  const code = agency.code.trim();
  const u = unit?.trim() || null;
  if (!isAgencyCode(code)) return fail("plan-edit.agency-code", "An agency code may hold only letters, digits and . _ : - (at most 128).");
  if (u !== null && !isUnitId(u)) return fail("plan-edit.agency-code", "A unit code may hold only letters, digits and . _ : - (at most 128).");
  if (code === ownAgency) return fail("plan-edit.agency-code", "That is this agency's own code: add one of its units instead.");
  if (allOf(d).some((s) => names(s) === `agency:${code}:${u ?? ""}`)) return fail("plan-edit.duplicate", `Agency ${code} already countersigns this document.`);
  const step: Step = {
    id: asStepId(id()),
    type: "countersign",
    assignee: u ? { kind: "agency", agency: code, unit: u } : { kind: "agency", agency: code },
    label: `${agency.name?.trim() || code}${u ? ` ${u}` : ""}會辦`,
  };
  return ok({ ...d, stages: [...d.stages, { kind: "single", step }] });
}

/** Chooses who decides (決行); refuses anyone below the level the delegation table requires. */
export function setDecider(d: PlanDraft, person: DirPerson, req: Requirement, id: IdMaker = randomStepId): Result<PlanDraft> {
  if (!person.active) return fail("plan-edit.inactive", `${person.name} is no longer active in the directory.`);
  if (person.level < req.level)
    return fail("plan-edit.level", `${person.name} holds level ${person.level}, but the delegation table requires ${req.title} (level ${req.level}) or higher to decide this category.`);
  const stepId = d.decision?.id ?? asStepId(id());
  return ok({ ...d, decision: { id: stepId, type: "decide", assignee: { kind: "person", person: asPersonId(person.id) }, label: `${person.name}決行` } });
}

const inRange = (d: PlanDraft, i: number): boolean => Number.isInteger(i) && i >= 0 && i < d.stages.length;

/** Moves a stage up (-1) or down (+1); the decision always stays last. */
export function moveStage(d: PlanDraft, index: number, delta: -1 | 1): Result<PlanDraft> {
  const to = index + delta;
  if (!inRange(d, index) || !inRange(d, to)) return fail("plan-edit.stage", "That stage cannot move further.");
  const stages = [...d.stages];
  [stages[index], stages[to]] = [stages[to]!, stages[index]!];
  return ok({ ...d, stages });
}

export function removeStage(d: PlanDraft, index: number): Result<PlanDraft> {
  if (!inRange(d, index)) return fail("plan-edit.stage", "There is no such stage.");
  return ok({ ...d, stages: d.stages.filter((_, i) => i !== index) });
}

/** Removes one branch of a parallel stage; a group left with one branch becomes a single step. */
export function removeBranch(d: PlanDraft, index: number, branch: number): Result<PlanDraft> {
  const stage = d.stages[index];
  if (!stage || stage.kind !== "parallel" || !stage.steps[branch]) return fail("plan-edit.stage", "There is no such parallel branch.");
  const steps = stage.steps.filter((_, i) => i !== branch);
  const next: Stage = steps.length === 1 ? { kind: "single", step: steps[0]! } : { kind: "parallel", steps };
  return ok({ ...d, stages: d.stages.map((s, i) => (i === index ? next : s)) });
}

/** Joins a stage with the next one into a parallel stage (並會): both proceed at once. */
export function joinWithNext(d: PlanDraft, index: number): Result<PlanDraft> {
  const a = d.stages[index];
  const b = d.stages[index + 1];
  if (!a || !b) return fail("plan-edit.stage", "The last stage has nothing after it to run in parallel with.");
  const steps = [...stepsOf(a), ...stepsOf(b)];
  return ok({ ...d, stages: [...d.stages.slice(0, index), { kind: "parallel", steps }, ...d.stages.slice(index + 2)] });
}

/** Splits a parallel stage into single steps that follow one another in the same order. */
export function splitStage(d: PlanDraft, index: number): Result<PlanDraft> {
  const stage = d.stages[index];
  if (!stage || stage.kind !== "parallel") return fail("plan-edit.stage", "Only a parallel stage can be split.");
  return ok({ ...d, stages: [...d.stages.slice(0, index), ...stage.steps.map((step): Stage => ({ kind: "single", step })), ...d.stages.slice(index + 1)] });
}

/**
 * The deputies (職務代理人) of the people named in the plan, from the agency's deputy table: every
 * period that has not ended by `now`. Shown beside the plan for information only — who may act as a
 * deputy is the agency's table, which every replica verifies with, not anything written in the plan.
 */
export function deputiesFor(d: PlanDraft, list: readonly DirDeputy[], now: Date = new Date()): Deputy[] {
  const persons = new Set(allOf(d).flatMap((s) => (s.assignee.kind === "person" ? [s.assignee.person as string] : [])));
  const out = new Map<string, Deputy>();
  for (const x of list) {
    const from = Date.parse(x.from);
    const until = Date.parse(x.until);
    if (!persons.has(x.principal) || Number.isNaN(from) || Number.isNaN(until) || until <= now.getTime() || from >= until) continue;
    const dep: Deputy = { principal: asPersonId(x.principal), deputy: asPersonId(x.deputy), from: new Date(from).toISOString(), until: new Date(until).toISOString() };
    out.set(`${dep.principal}|${dep.deputy}|${dep.from}|${dep.until}`, dep);
  }
  return [...out.values()].sort((a, b) => (a.principal + a.from < b.principal + b.from ? -1 : 1));
}

/**
 * The routing plan for the document: the stages, then the decision; the decision level the
 * delegation table requires. Refused with a reason until it is complete and valid. Its `deputies`
 * list stays empty: deputies come from the agency's deputy table, and a plan's own list grants nothing.
 */
export function buildPlan(d: PlanDraft, req: Requirement, deciderLevel: number | null): Result<RoutingPlan> {
  if (!d.decision) return fail("plan-edit.no-decider", "Choose who decides (決行) before the routing plan can be saved.");
  if (deciderLevel !== null && deciderLevel < req.level)
    return fail("plan-edit.level", `The chosen decider holds level ${deciderLevel}, below ${req.title} (level ${req.level}) that the delegation table requires.`);
  return parseRoutingPlan({ v: 1, stages: [...d.stages, { kind: "single", step: d.decision }], decisionLevel: req.level, deputies: [] });
}

/**
 * Whether `person` may build the plan now: the case officer, while the document is a draft or has
 * been returned to them (nothing pending): when the model offers 陳核 (availableActions).
 */
export function mayEditPlan(ws: { status: string; caseOfficer: string | null; pending: readonly unknown[] }, person: string): boolean {
  return ws.caseOfficer === person && (ws.status === "draft" || (ws.status === "returned" && ws.pending.length === 0));
}

/** A step's assignee in words, from the directory (ids when it does not know them). */
export function describeAssignee(a: Step["assignee"], dir: { people: readonly DirPerson[]; units: readonly DirUnit[]; agencies: readonly { code: string; name: string }[] } | null): string {
  switch (a.kind) {
    case "person":
      return dir?.people.find((p) => p.id === a.person)?.name ?? a.person;
    case "unit":
      return dir?.units.find((u) => u.id === a.unit)?.name ?? a.unit;
    case "agency": {
      const name = dir?.agencies.find((x) => x.code === a.agency)?.name ?? a.agency;
      return a.unit ? `${name} ${a.unit}` : name;
    }
  }
}
