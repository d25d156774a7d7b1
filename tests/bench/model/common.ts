/**
 * Shared parts of the model benchmark (tests/bench/model.bench.ts): the failure type and assertion
 * helpers, environment parsing, timing and statistics, and the lifecycle workload both sides run
 * (the plan, the body template, the signed steps and the outcome check).
 */
import {
  VerifyCache,
  asStepId,
  type Action,
  type Result,
  type RoutingPlan,
  type Section,
  type Sha256Hex,
  type Signer,
  type StepId,
} from "../../../packages/crdt-model/src/index.ts";
import { SAMPLE_UNITS, type SampleAgency } from "../../../packages/crdt-model/src/sample/agency.ts";
import type { Status } from "../../../packages/crdt-model/src/workflow/state.ts";

// ---- helpers -------------------------------------------------------------------------------------

export const log = (...args: unknown[]): void => console.error("[bench]", ...args);
export const now = (): number => performance.now();
export const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

export class BenchFailure extends Error {}

export function must(cond: unknown, what: string): asserts cond {
  if (!cond) throw new BenchFailure(what);
}

export function unwrap<T>(r: Result<T>, what: string): T {
  if (!r.ok) throw new BenchFailure(`${what}: ${r.reason}`);
  return r.value;
}

export function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new BenchFailure(`${name} must be an integer ≥ ${min}, got ${raw}`);
  return n;
}

/** Nearest-rank percentile of already sorted samples. */
function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function stats(samples: readonly number[]): { median: number; p90: number; min: number; max: number; mean: number } {
  const s = [...samples].sort((x, y) => x - y);
  return {
    median: round(percentile(s, 0.5)),
    p90: round(percentile(s, 0.9)),
    min: round(s[0]!),
    max: round(s[s.length - 1]!),
    mean: round(s.reduce((x, y) => x + y, 0) / s.length),
  };
}

const BASE_TIME = Date.now() - 3600_000;
export const at = (minutes: number): Date => new Date(BASE_TIME + minutes * 60_000);

// ---- the workload (shared by both sides) ---------------------------------------------------------

export const SUBJECT = "有關本市115學年度國民中學學生獎懲實施要點修正一案，簽請核示。";
export const SUBJECT_EDITED = "有關本市115學年度國民中學學生獎懲實施要點修正草案一案，簽請核示。";
export const NOTE = "（所需經費由學務經費項下支應。）";

export interface ItemTemplate {
  text: string;
  children?: ItemTemplate[];
}

/** 說明 nested three deep and 擬辦, as in the sample document. */
export const BODY: Record<Section, ItemTemplate[]> = {
  explanation: [
    { text: "依據教育部115年1月2日臺教學(二)字第1150000001號函辦理。" },
    {
      text: "本要點修正重點如下：",
      children: [
        { text: "增訂學生校外表現之獎勵規定。", children: [{ text: "參加全國性競賽獲前三名者，記大功乙次。" }] },
        { text: "刪除已不合時宜之懲處條文。" },
      ],
    },
  ],
  measures: [],
  proposal: [{ text: "奉核後函發各國民中學辦理。" }],
};

export const LC = {
  registry: asStepId("review-registry"),
  clerk: asStepId("review-clerk"),
  chief: asStepId("review-chief"),
  personnel: asStepId("cs-personnel"),
  accounting: asStepId("cs-accounting"),
  secretariat: asStepId("cs-secretariat"),
  archives: asStepId("cs-archives"),
  deputy: asStepId("review-deputy"),
  decide: asStepId("decide"),
};

/**
 * The lifecycle plan: three reviews in sequence (登記桌, 協稿, 科長), a parallel countersign (並會) of
 * four units, a review by the deputy director, then 決行 by the director. With the submission that is
 * exactly 10 signed entries.
 */
export function lifecyclePlan(a: SampleAgency): RoutingPlan {
  const person = (s: Signer) => ({ kind: "person" as const, person: s.profile.person });
  return {
    v: 1,
    stages: [
      { kind: "single", step: { id: LC.registry, type: "review", assignee: person(a.registry), label: "登記桌檢核" } },
      { kind: "single", step: { id: LC.clerk, type: "review", assignee: person(a.clerk), label: "協稿" } },
      { kind: "single", step: { id: LC.chief, type: "review", assignee: person(a.chief), label: "科長核稿" } },
      {
        kind: "parallel",
        steps: [
          { id: LC.personnel, type: "countersign", assignee: { kind: "unit", unit: SAMPLE_UNITS.personnel }, label: "人事室會辦" },
          { id: LC.accounting, type: "countersign", assignee: { kind: "unit", unit: SAMPLE_UNITS.accounting }, label: "會計室會辦" },
          { id: LC.secretariat, type: "countersign", assignee: { kind: "unit", unit: SAMPLE_UNITS.secretariat }, label: "秘書室會辦" },
          { id: LC.archives, type: "countersign", assignee: person(a.archivist), label: "檔案室會辦" },
        ],
      },
      { kind: "single", step: { id: LC.deputy, type: "review", assignee: person(a.deputyDirector), label: "副局長核稿" } },
      { kind: "single", step: { id: LC.decide, type: "decide", assignee: person(a.director), label: "局長決行" } },
    ],
    decisionLevel: 5,
    deputies: [
      { principal: a.director.profile.person, deputy: a.deputyDirector.profile.person, from: "2020-01-01T00:00:00.000Z", until: "2099-12-31T23:59:59.000Z" },
    ],
  };
}

export const APPROVE: Action = { kind: "approve" };
export const COUNTERSIGN: Action = { kind: "countersign" };

/** One signed step of the lifecycle, in order; `replica` says who signs it while the replicas diverge. */
export interface StepSpec {
  signer: (a: SampleAgency) => Signer;
  action: Action;
  step: StepId | null;
  opinion: string;
  minute: number;
}

export const S = {
  submit: { signer: (a) => a.officer, action: { kind: "submit" }, step: null, opinion: "陳請核示。", minute: 0 },
  registry: { signer: (a) => a.registry, action: APPROVE, step: LC.registry, opinion: "文號無誤。", minute: 5 },
  clerk: { signer: (a) => a.clerk, action: APPROVE, step: LC.clerk, opinion: "擬如擬。", minute: 8 },
  chief: { signer: (a) => a.chief, action: APPROVE, step: LC.chief, opinion: "主旨酌修，擬陳。", minute: 10 },
  personnel: { signer: (a) => a.personnel, action: COUNTERSIGN, step: LC.personnel, opinion: "敬會，無意見。", minute: 20 },
  accounting: { signer: (a) => a.accounting, action: COUNTERSIGN, step: LC.accounting, opinion: "所需經費由學務經費支應。", minute: 21 },
  secretariat: { signer: (a) => a.mailRoom, action: COUNTERSIGN, step: LC.secretariat, opinion: "已補註經費來源。", minute: 22 },
  archives: { signer: (a) => a.archivist, action: COUNTERSIGN, step: LC.archives, opinion: "敬會。", minute: 23 },
  deputy: { signer: (a) => a.deputyDirector, action: APPROVE, step: LC.deputy, opinion: "擬准。", minute: 30 },
  decide: { signer: (a) => a.director, action: { kind: "decide" }, step: LC.decide, opinion: "如擬。", minute: 40 },
} satisfies Record<string, StepSpec>;

export const LIFECYCLE_STEPS: StepSpec[] = Object.values(S);
export const ENTRIES_PER_DOC = LIFECYCLE_STEPS.length; // 10

export interface PhaseTimes {
  create: number;
  steps: number;
  sync: number;
  derive: number;
}
/**
 * The verify caches of the lifecycle's two replicas (two devices): each long-lived, as a replica's is
 * for its lifetime, so each has imported every signer's key once (its CertificateCache) and each
 * still checks every signature of every new document itself — 10 signatures per replica.
 */
export type ReplicaCaches = readonly [VerifyCache, VerifyCache];
export const newReplicaCaches = (): ReplicaCaches => [new VerifyCache(), new VerifyCache()];

export const newPhases = (): PhaseTimes => ({ create: 0, steps: 0, sync: 0, derive: 0 });
export const phaseTotal = (t: PhaseTimes): number => t.create + t.steps + t.sync + t.derive;

/** What both sides must end with, checked outside the timed sections. */
export interface Outcome {
  status: Status;
  valid: boolean;
  applied: number;
  entries: number;
  decisionContent: Sha256Hex | null;
  contentHash: Sha256Hex;
  heads: string[];
  subject: string;
  proposal: string;
}

export function checkOutcome(side: string, x: Outcome, y: Outcome, decideId: string): void {
  for (const [name, o] of [["A", x], ["B", y]] as const) {
    must(o.status === "decided", `${side} replica ${name}: status ${o.status}, expected decided`);
    must(o.valid, `${side} replica ${name}: the chain or document is not valid`);
    must(o.entries === ENTRIES_PER_DOC, `${side} replica ${name}: ${o.entries} entries, expected ${ENTRIES_PER_DOC}`);
    must(o.applied === ENTRIES_PER_DOC, `${side} replica ${name}: ${o.applied} entries applied, expected ${ENTRIES_PER_DOC}`);
    must(o.decisionContent === o.contentHash, `${side} replica ${name}: the decided content is not the current content`);
    must(o.heads.length === 1 && o.heads[0] === decideId, `${side} replica ${name}: heads ${o.heads.join(",")} are not the decision`);
    must(o.subject === SUBJECT_EDITED, `${side} replica ${name}: the 主旨 edit was lost`);
    must(o.proposal.endsWith(NOTE), `${side} replica ${name}: the concurrent 擬辦 edit was lost`);
  }
  must(x.contentHash === y.contentHash, `${side}: the replicas hold different content after merging`);
}

export async function timeRuns(runs: number, fn: () => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    await fn();
    out.push(now() - t0);
  }
  return out;
}
