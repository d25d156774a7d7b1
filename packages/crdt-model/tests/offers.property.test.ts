import { describe, expect, it } from "vitest";
import { CountersignDocument } from "../src/schema/document.ts";
import { signAction } from "../src/chain/sign.ts";
import { derive } from "../src/workflow/derive.ts";
import { VerifyCache } from "../src/workflow/verify.ts";
import { availableActions, offerContext, type Offer, type OfferContext } from "../src/workflow/offers.ts";
import { formatDispatchNumber } from "../src/filing/numbers.ts";
import { allSteps, findStep } from "../src/routing/plan.ts";
import { SECRECY_LEVELS, type DocumentKind } from "../src/schema/metadata.ts";
import { asDocId, type EntryId, type StepId } from "../src/ids.ts";
import type { Action, ActionKind } from "../src/chain/types.ts";
import type { Signer } from "../src/identity/certs.ts";
import { sampleMetadata, samplePlan } from "../src/sample/document.ts";
import { Rng, fixtureAgency } from "./fuzz/world.ts";

// The property that makes availableActions the app's one source of "what may I do": on random
// documents (the fuzz scenarios' agency and plan, random kinds, categories, and walks that sometimes
// fork as concurrent signers do), every action it offers, once signed, verifies as valid; and a
// random sample of what it does not offer is refused — except what it leaves out on purpose
// (offers.ts: 改分, 修改流程, 補簽 of a step not passed over). Seeded: OFFERS_SEED replays a run,
// OFFERS_RUNS sets how many documents.
const SEED = Number(process.env.OFFERS_SEED ?? Date.now() % 1_000_000_000);
const RUNS = Number(process.env.OFFERS_RUNS ?? 12);

const { agency: A, trust } = fixtureAgency();
const SIGNERS: Signer[] = [A.officer, A.chief, A.personnel, A.accounting, A.director, A.deputyDirector, A.registry, A.mailRoom, A.archivist, A.clerk];
const cache = new VerifyCache();
const KINDS: DocumentKind[] = ["memo", "letter", "memo", "brief-letter"];
const CATEGORIES = ["學務", "學務.獎懲", "人事", "總務"];
const CANDIDATE_KINDS: ActionKind[] = [
  "submit",
  "approve",
  "countersign",
  "decide",
  "return",
  "withdraw",
  "reclassify",
  "switch-to-paper",
  "late-sign",
  "dispatch",
  "close",
  "archive",
  "paper-record",
  "extend-request",
  "extend-decide",
  "late-reason",
];
// Dates around the sample's stated 限辦日期 (2026-12-04) and the default limit (30 days beyond it).
const UNTILS = ["2026-05-30", "2026-12-04", "2026-12-05", "2026-12-20", "2027-01-03", "2027-01-04", "2027-03-01"];

const STEP_KINDS = new Set<ActionKind>(["approve", "countersign", "decide", "return", "late-sign"]);

// The countersigns before the review: 決行 may then come before the review is signed, which is left to 補簽.
const sample = samplePlan(A);
const countersignFirst = { ...sample, stages: [sample.stages[1]!, sample.stages[0]!, sample.stages[2]!] };

const PROGRESS = new Set<ActionKind>(["submit", "approve", "countersign", "decide", "dispatch", "close", "archive", "paper-record", "late-sign"]);

let serial = 0;
/** The concrete actions an offer stands for (one per return target or secrecy level). */
function concrete(o: Offer, rng: Rng): Action[] {
  switch (o.kind) {
    case "return":
      return (o.targets ?? []).map((t) => ({ kind: "return", to: t.step }));
    case "reclassify":
      return (o.secrecy ?? []).map((secrecy) => ({ kind: "reclassify", secrecy }));
    case "switch-to-paper":
    case "late-sign":
    case "paper-record":
      return [{ kind: o.kind, reason: "依規定辦理。" }];
    case "extend-request": {
      // Inside the bounds the offer gives: a plain 展期 up to plainUntil, 專案管制 past it.
      const ext = o.extension!;
      const next = addDays(ext.after, 1);
      const out: Action[] = [];
      if (ext.plainUntil !== null) out.push({ kind: "extend-request", until: rng.chance(0.5) ? next : ext.plainUntil, reason: "需會商。" });
      const past = ext.plainUntil === null ? next : addDays(ext.plainUntil, 1 + rng.int(20));
      out.push({ kind: "extend-request", until: past, reason: "需專案管制。", project: true });
      return out;
    }
    case "extend-decide":
      return [{ kind: "extend-decide", request: o.request!.entry, approved: rng.chance(0.7) }];
    case "late-reason":
      return [{ kind: "late-reason", reason: "會辦費時。" }];
    case "dispatch":
      return [{ kind: "dispatch", number: formatDispatchNumber({ prefix: "示教", year: 115, serial: ++serial }), date: "2026-06-02" }];
    case "archive":
      return [{ kind: "archive", fileNumber: `115-0101-${String(++serial).padStart(6, "0")}-001-00001`, retention: rng.pick([5, 10, 30, "permanent"] as const) }];
    default:
      return [{ kind: o.kind } as Action];
  }
}

const addDays = (day: string, n: number): string => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};

/** A random action that may or may not be allowed; `requests` are the document's 展期 requests so far. */
function candidate(rng: Rng, steps: StepId[], requests: string[]): { action: Action; step: StepId | null } {
  const kind = rng.pick(CANDIDATE_KINDS);
  if (kind === "extend-request")
    return { action: { kind, until: rng.pick(UNTILS), reason: "理由。", ...(rng.chance(0.4) ? { project: true as const } : {}) }, step: null };
  if (kind === "extend-decide")
    return { action: { kind, request: (requests.length && rng.chance(0.8) ? rng.pick(requests) : "f".repeat(64)) as EntryId, approved: rng.chance(0.5) }, step: null };
  // The rules ignore the step of an action that answers none (they accept a 密等變更 naming a step),
  // so those are tried as they would be signed: without one.
  const step = !STEP_KINDS.has(kind) || rng.chance(0.2) ? null : rng.pick(steps);
  const fake: Offer = { kind, step, label: null, targets: [{ step: rng.chance(0.5) ? null : rng.pick(steps), label: "" }], secrecy: [rng.pick(SECRECY_LEVELS)] };
  return { action: concrete(fake, rng)[0]!, step };
}

const same = (a: Action, b: Action) => JSON.stringify(a) === JSON.stringify(b);
function offered(offers: Offer[], action: Action, step: StepId | null): boolean {
  // The 時效管制 offers stand for ranges (any date in bounds, either decision, any reason).
  if (action.kind === "extend-request") {
    const ext = offers.find((o) => o.kind === "extend-request")?.extension;
    if (!ext || step !== null || action.until <= ext.after) return false;
    const plain = ext.plainUntil !== null && action.until <= ext.plainUntil;
    return action.project ? !plain : plain;
  }
  if (action.kind === "extend-decide") return step === null && offers.some((o) => o.kind === "extend-decide" && o.request?.entry === action.request);
  if (action.kind === "late-reason") return step === null && offers.some((o) => o.kind === "late-reason");
  return offers.some((o) => o.kind === action.kind && o.step === step && concrete(o, new Rng(0)).some((c) => c.kind !== "dispatch" && c.kind !== "archive" ? same(c, action) : true));
}

/** Signs `action` on a copy of `doc` and says whether the verifier finds the entry valid (with its reason). */
async function trySign(doc: CountersignDocument, who: Signer, action: Action, step: StepId | null, at: Date): Promise<{ valid: boolean; reason: string | null }> {
  const copy = CountersignDocument.fromUpdate(doc.encodeState());
  if (!copy.ok) throw new Error(copy.reason);
  const before = await derive(copy.value, trust, { cache });
  const signed = await signAction(copy.value, who, before.heads, { action, step, at });
  if (!signed.ok) return { valid: false, reason: signed.reason };
  const after = await derive(copy.value, trust, { cache });
  const e = after.report.entries.find((x) => x.id === signed.value.id)!;
  return { valid: e.valid, reason: e.reason };
}

/** 補簽 of a step still pending or not reached yet is accepted by the rules but left out on purpose. */
function leftOut(action: Action, step: StepId | null, ctx: OfferContext): boolean {
  if (action.kind !== "late-sign" || step === null || !ctx.work.plan || ctx.work.decision) return false;
  const at = findStep(ctx.work.plan, step);
  return !!at && at.stageIndex >= ctx.work.stage;
}

describe("availableActions against the rules", () => {
  it(`offers only what verifies, and what verifies is offered (seed ${SEED}, ${RUNS} documents)`, async () => {
    console.log(`offers property test: seed ${SEED} (rerun: OFFERS_SEED=${SEED} OFFERS_RUNS=${RUNS})`);
    const rng = new Rng(SEED);
    let clock = Date.parse("2026-06-01T01:00:00Z");
    let positives = 0;
    let negatives = 0;
    let forks = 0;
    const seenKinds = new Set<string>();
    for (let run = 0; run < RUNS; run++) {
      const kind = rng.pick(KINDS);
      const made = CountersignDocument.create({
        id: asDocId(`offers-prop-${SEED}-${run}`),
        metadata: { ...sampleMetadata(A), kind, category: rng.pick(CATEGORIES), secrecy: rng.chance(0.2) ? "confidential" : "none" },
        subject: "有關學生獎懲一案。",
        plan: rng.chance(0.35) ? countersignFirst : samplePlan(A),
      });
      if (!made.ok) throw new Error(made.reason);
      const doc = made.value;
      const steps = allSteps(samplePlan(A)).map((s) => s.id);
      for (let round = 0; round < 16; round++) {
        clock += 60_000;
        const at = new Date(clock);
        const ws = await derive(doc, trust, { cache });
        const ctx = offerContext(doc, ws.report, trust, at);
        if (!ctx.ok) throw new Error(ctx.reason);
        const all: { who: Signer; action: Action; step: StepId | null }[] = [];
        for (const who of SIGNERS) {
          const offers = availableActions(ws, who.profile, ctx.value);
          for (const o of offers)
            for (const action of concrete(o, rng)) {
              const r = await trySign(doc, who, action, o.step, at);
              const where = `seed ${SEED}, run ${run}, round ${round}: ${who.profile.person} offered ${JSON.stringify(action)} at ${o.step} on ${ws.status}`;
              expect({ where, valid: r.valid, reason: r.reason }).toEqual({ where, valid: true, reason: null });
              positives++;
              seenKinds.add(action.kind);
              all.push({ who, action, step: o.step });
            }
          // What is not offered is refused.
          for (let k = 0; k < 3; k++) {
            const c = candidate(rng, steps, ws.extensions.map((x) => x.request));
            if (offered(offers, c.action, c.step) || leftOut(c.action, c.step, ctx.value)) continue;
            const r = await trySign(doc, who, c.action, c.step, at);
            const where = `seed ${SEED}, run ${run}, round ${round}: ${who.profile.person} not offered ${JSON.stringify(c.action)} at ${c.step} on ${ws.status}`;
            expect({ where, valid: r.valid }).toEqual({ where, valid: false });
            negatives++;
          }
        }
        if (all.length === 0) break; // archived: nobody may act
        // Walk on: mostly an action that moves the document along, so walks reach 決行, 發文, 存查 and 歸檔.
        const onwards = all.filter((x) => PROGRESS.has(x.action.kind));
        const next = rng.pick(onwards.length && rng.chance(0.85) ? onwards : all);
        const s = await signAction(doc, next.who, ws.heads, { action: next.action, step: next.step, at });
        if (!s.ok) throw new Error(s.reason);
        // Sometimes a second offer signed on the same heads, as a colleague offline would: the chain
        // forks, and the next states come from merged, concurrent histories (with their conflicts).
        if (rng.chance(0.2)) {
          const other = rng.pick(all);
          const t = await signAction(doc, other.who, ws.heads, { action: other.action, step: other.step, at: new Date(clock + 1) });
          if (!t.ok) throw new Error(t.reason);
          forks++;
        }
        if (rng.chance(0.1)) doc.insertSubject(0, "（修正）");
      }
    }
    // The walk must reach the filing actions, or it proves little about them.
    for (const k of ["decide", "close", "archive"]) expect({ k, seen: seenKinds.has(k) }).toEqual({ k, seen: true });
    expect(positives).toBeGreaterThan(RUNS * 5);
    expect(negatives).toBeGreaterThan(RUNS * 5);
    console.log(`offers property test: ${positives} offers signed and valid, ${negatives} others refused, ${forks} forks; kinds offered: ${[...seenKinds].sort().join(", ")}`);
  }, 300_000);
});
