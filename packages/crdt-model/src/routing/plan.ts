import { z } from "zod";
import { stepIdSchema, type AgencyCode, type PersonId, type StepId, type UnitId } from "../ids.ts";
import { agencyCodeSchema, personIdSchema, unitIdSchema } from "../schema/metadata.ts";
import { fail, ok, type Result } from "../result.ts";
import { issueSentence } from "../schema/reason.ts";

/**
 * Who must act at a step. A unit or an agency step may be answered by any officer of it; a person
 * step by that person or a deputy (職務代理人) named in the plan for the time of signing.
 * An omitted agency means the document's own agency.
 */
export type Assignee =
  | { kind: "person"; person: PersonId; agency?: AgencyCode }
  | { kind: "unit"; unit: UnitId; agency?: AgencyCode }
  | { kind: "agency"; agency: AgencyCode; unit?: UnitId };

export type StepType = "review" | "countersign" | "decide";

export interface Step {
  id: StepId;
  type: StepType;
  assignee: Assignee;
  label?: string;
}

/** A stage is one step, or a parallel group (並會) whose branches all finish before the next stage (並會整併). */
export type Stage = { kind: "single"; step: Step } | { kind: "parallel"; steps: Step[] };

export interface Deputy {
  principal: PersonId;
  deputy: PersonId;
  /** ISO instants bounding when the deputy may act. */
  from: string;
  until: string;
}

export interface RoutingPlan {
  v: 1;
  stages: Stage[];
  /** The level the delegation table requires for 決行 of this document's category. */
  decisionLevel: number;
  deputies: Deputy[];
}

const assigneeSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("person"), person: personIdSchema, agency: agencyCodeSchema.optional() }),
  z.object({ kind: z.literal("unit"), unit: unitIdSchema, agency: agencyCodeSchema.optional() }),
  z.object({ kind: z.literal("agency"), agency: agencyCodeSchema, unit: unitIdSchema.optional() }),
]);

const stepSchema = z.object({
  id: stepIdSchema,
  type: z.enum(["review", "countersign", "decide"]),
  assignee: assigneeSchema,
  label: z.string().max(200).optional(),
});

const stageSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("single"), step: stepSchema }),
  z.object({ kind: z.literal("parallel"), steps: z.array(stepSchema).min(2, "a parallel group needs at least two branches") }),
]);

const instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "a time must be an ISO 8601 instant");

export const routingPlanSchema = z.object({
  v: z.literal(1),
  stages: z.array(stageSchema).min(1, "a routing plan needs at least the decision step"),
  decisionLevel: z.number().int().min(1).max(20),
  deputies: z.array(z.object({ principal: personIdSchema, deputy: personIdSchema, from: instant, until: instant })),
});

export function stepsOf(stage: Stage): Step[] {
  switch (stage.kind) {
    case "single":
      return [stage.step];
    case "parallel":
      return stage.steps;
  }
}

export function allSteps(plan: RoutingPlan): Step[] {
  return plan.stages.flatMap(stepsOf);
}

/** Structural rules beyond types: unique step ids, exactly one decision, and it comes last, alone. */
export function parseRoutingPlan(input: unknown): Result<RoutingPlan> {
  const parsed = routingPlanSchema.safeParse(input);
  if (!parsed.success) return fail("routing.plan", issueSentence("The routing plan", parsed.error));
  const plan = parsed.data as RoutingPlan;
  const steps = allSteps(plan);
  const ids = new Set<string>();
  for (const s of steps) {
    if (ids.has(s.id)) return fail("routing.plan", `The routing plan names step ${s.id} twice.`);
    ids.add(s.id);
  }
  const decisions = steps.filter((s) => s.type === "decide");
  if (decisions.length !== 1) return fail("routing.plan", "The routing plan must have exactly one decision step.");
  const last = plan.stages[plan.stages.length - 1];
  if (!last || last.kind !== "single" || last.step.type !== "decide")
    return fail("routing.plan", "The decision step must be the last stage of the routing plan.");
  for (const stage of plan.stages)
    if (stage.kind === "parallel" && stage.steps.some((s) => s.type === "decide"))
      return fail("routing.plan", "A parallel group cannot hold the decision step.");
  return ok(plan);
}

export function findStep(plan: RoutingPlan, id: StepId): { step: Step; stageIndex: number } | undefined {
  for (let i = 0; i < plan.stages.length; i++) {
    const step = stepsOf(plan.stages[i]!).find((s) => s.id === id);
    if (step) return { step, stageIndex: i };
  }
  return undefined;
}

export function toJson(plan: RoutingPlan): import("../canonical.ts").Json {
  return JSON.parse(JSON.stringify(plan)) as import("../canonical.ts").Json;
}
