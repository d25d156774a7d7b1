import { CountersignDocument } from "../../src/schema/document.ts";
import { signAction } from "../../src/chain/sign.ts";
import { derive, type WorkflowState } from "../../src/workflow/derive.ts";
import { VerifyCache, type VerificationReport } from "../../src/workflow/verify.ts";
import { check } from "../../src/workflow/rules.ts";
import { stateBefore } from "../../src/workflow/replay.ts";
import { SECTIONS } from "../../src/schema/body.ts";
import { asDocId, type StepId } from "../../src/ids.ts";
import type { Action } from "../../src/chain/types.ts";
import type { Signer } from "../../src/identity/certs.ts";
import type { Assignee } from "../../src/routing/plan.ts";
import { samplePlan, sampleMetadata, SAMPLE_STEPS } from "../../src/sample/document.ts";
import { Rng, fixtureAgency } from "./world.ts";

const world = fixtureAgency();
// Shared by every replica and scenario: it only memoises facts about immutable inputs (certificate
// parses, imported keys, signature checks), exactly as a long-running server or app session would.
const sharedCache = new VerifyCache();
const A = world.agency;
const SIGNERS: Signer[] = [A.officer, A.chief, A.personnel, A.accounting, A.director, A.deputyDirector, A.registry, A.mailRoom, A.archivist, A.clerk];

interface Replica {
  doc: CountersignDocument;
  cache: VerifyCache;
}

/** What one replica sees and signs; the canonical projection compared across replicas at the end. */
function view(s: WorkflowState) {
  return {
    status: s.status,
    caseOfficer: s.caseOfficer,
    holders: s.holders,
    pending: s.pending,
    decision: s.decision,
    lateSigns: s.lateSigns,
    conflicts: s.conflicts,
    findings: s.findings,
    heads: s.heads,
    timeline: s.timeline.map((t) => [t.id, t.outcome, t.reason]),
  };
}

function signersFor(a: Assignee): Signer[] {
  return SIGNERS.filter((s) => {
    switch (a.kind) {
      case "person":
        return s.profile.person === a.person || (a.person === A.director.profile.person && s === A.deputyDirector);
      case "unit":
        return s.profile.unit === a.unit;
      case "agency":
        return s.profile.agency === a.agency;
    }
  });
}

/** A plausible next action for this replica's view, sometimes a deliberately wrong one. */
function chooseAction(rng: Rng, s: WorkflowState): { signer: Signer; action: Action; step: StepId | null } {
  if (rng.chance(0.08)) {
    const step = rng.pick([null, SAMPLE_STEPS.review, SAMPLE_STEPS.personnel, SAMPLE_STEPS.decide]);
    const action = rng.pick<Action>([
      { kind: "approve" },
      { kind: "decide" },
      { kind: "submit" },
      { kind: "dispatch", number: "示教字第1150000001號", date: "2026-12-05" },
      { kind: "close" },
      { kind: "archive", fileNumber: "115-0101-000001-001-00001", retention: 10 },
      { kind: "withdraw" },
    ]);
    return { signer: rng.pick(SIGNERS), action, step };
  }
  if (rng.chance(0.04)) return { signer: A.registry, action: { kind: "reassign", to: rng.pick([A.officer, A.clerk]).profile.person }, step: null };
  switch (s.status) {
    case "draft":
      return { signer: s.caseOfficer === A.clerk.profile.person ? A.clerk : A.officer, action: { kind: "submit" }, step: null };
    case "returned":
    case "in-review":
    case "countersigning": {
      // Returned to the case officer: nothing is pending, so the officer submits again.
      if (s.pending.length === 0)
        return { signer: s.caseOfficer === A.clerk.profile.person ? A.clerk : A.officer, action: { kind: "submit" }, step: null };
      if (rng.chance(0.05)) return { signer: A.officer, action: { kind: "withdraw" }, step: null };
      if (rng.chance(0.02)) return { signer: A.officer, action: { kind: "switch-to-paper", reason: "改以紙本陳核。" }, step: null };
      const p = rng.pick(s.pending);
      const signer = rng.pick(signersFor(p.assignee));
      if (rng.chance(0.15)) {
        const to = p.step === SAMPLE_STEPS.decide && rng.chance(0.5) ? SAMPLE_STEPS.review : null;
        return { signer, action: { kind: "return", to }, step: p.step };
      }
      const kind = p.type === "review" ? "approve" : p.type === "countersign" ? "countersign" : "decide";
      return { signer, action: { kind } as Action, step: p.step };
    }
    // The sample is a 簽 (memo): 存查 is its way on; 發文 is a deliberately wrong one (the rules refuse it).
    case "decided":
      return rng.chance(0.8)
        ? { signer: A.officer, action: { kind: "close" }, step: null }
        : { signer: A.mailRoom, action: { kind: "dispatch", number: "示教字第1150000002號", date: "2026-12-05" }, step: null };
    case "on-paper":
      if (!s.paperRecord && rng.chance(0.7)) return { signer: A.officer, action: { kind: "paper-record", reason: "紙本已陳核決行，補登掃描檔。" }, step: null };
      return { signer: A.archivist, action: { kind: "archive", fileNumber: "115-0101-000003-001-00001", retention: "permanent" }, step: null };
    case "dispatched":
    case "closed":
      return rng.chance(0.9)
        ? { signer: A.archivist, action: { kind: "archive", fileNumber: "115-0101-000002-001-00001", retention: 10 }, step: null }
        : { signer: A.archivist, action: { kind: "archive", fileNumber: "115/0101/1", retention: 10 }, step: null };
    case "archived":
      return { signer: A.chief, action: { kind: "late-sign", reason: "補簽。" }, step: SAMPLE_STEPS.review };
  }
}

function edit(rng: Rng, doc: CountersignDocument): void {
  const section = rng.pick(SECTIONS);
  const items = doc.body(section);
  const r = rng.next();
  if (r < 0.3 || items.length === 0) {
    const parent = items.length && rng.chance(0.4) ? rng.pick(items).id : null;
    doc.addItem(section, parent, rng.pick(["依據來函辦理。", "請查照。", "經費由本局支應。", "第"]));
  } else if (r < 0.6) {
    const it = rng.pick(items);
    doc.insertItemText(section, it.id, rng.int(it.text.length + 1), rng.pick(["甲", "乙", "（修正）", "x"]));
  } else if (r < 0.75) {
    const it = rng.pick(items);
    doc.deleteItemText(section, it.id, rng.int(it.text.length + 1), 1 + rng.int(3));
  } else if (r < 0.85) {
    doc.removeItem(section, rng.pick(items).id);
  } else {
    doc.insertSubject(rng.int(doc.subject().length + 1), rng.pick(["速", "請核示", "！"]));
  }
}

interface Packet {
  to: number;
  update: Uint8Array;
}

/**
 * One convergence scenario: `replicas` copies edit and sign concurrently; updates are delivered
 * partially, late, twice and out of order; at the end everything is delivered and every replica must
 * hold the same content and derive the same state. Throws with the seed on any divergence.
 */
export interface ScenarioResult {
  entries: number;
  conflicts: number;
  kinds: string[];
  status: string;
  resolved: number;
  returns: number;
}

export async function runScenario(seed: number, opts: { replicas?: number; rounds?: number } = {}): Promise<ScenarioResult> {
  const rng = new Rng(seed);
  const n = opts.replicas ?? 2 + rng.int(3);
  const rounds = opts.rounds ?? 6 + rng.int(14);
  const created = CountersignDocument.create({
    id: asDocId(`fuzz-${seed}`),
    metadata: sampleMetadata(A),
    subject: "有關學生獎懲一案。",
    plan: samplePlan(A),
    clientId: 1,
  });
  if (!created.ok) throw new Error(created.reason);
  const first = created.value.encodeState();
  const replicas: Replica[] = [];
  const inflight: Packet[] = [];
  for (let i = 0; i < n; i++) {
    const doc = i === 0 ? created.value : CountersignDocument.fromUpdate(first, i + 1);
    if (!("ydoc" in doc)) {
      if (!doc.ok) throw new Error(doc.reason);
    }
    const d = "ydoc" in doc ? doc : (doc as { ok: true; value: CountersignDocument }).value;
    d.onUpdate((update, origin) => {
      if (origin === "remote") return;
      for (let j = 0; j < n; j++) if (j !== i) inflight.push({ to: j, update });
    });
    replicas.push({ doc: d, cache: sharedCache });
  }
  let clock = Date.parse("2026-06-01T01:00:00Z");

  for (let round = 0; round < rounds; round++) {
    const i = rng.int(n);
    const r = replicas[i]!;
    const roll = rng.next();
    if (roll < 0.35) {
      edit(rng, r.doc);
    } else if (roll < 0.8) {
      const s = await derive(r.doc, world.trust, { cache: r.cache });
      const { signer, action, step } = chooseAction(rng, s);
      clock += 60_000 * (1 + rng.int(30));
      const signed = await signAction(r.doc, signer, s.heads, { action, step, opinion: rng.chance(0.5) ? "如擬。" : "", at: new Date(clock) });
      if (!signed.ok) throw new Error(`seed ${seed}: signing failed: ${signed.reason}`);
    }
    // Deliver some packets: random subset, shuffled, some duplicated, some held back.
    rng.shuffle(inflight);
    const deliver = inflight.splice(0, rng.int(inflight.length + 1));
    for (const p of deliver) {
      apply(replicas[p.to]!, p.update, seed);
      if (rng.chance(0.1)) inflight.push(p); // delivered again later
    }
  }
  // Heal the network: everything in flight, then a full state exchange, in a shuffled order.
  for (const p of rng.shuffle(inflight.splice(0))) apply(replicas[p.to]!, p.update, seed);
  for (const i of rng.shuffle([...replicas.keys()]))
    for (const j of rng.shuffle([...replicas.keys()]))
      if (i !== j) apply(replicas[j]!, replicas[i]!.doc.encodeState(replicas[j]!.doc.stateVector()), seed);

  const results = await Promise.all(replicas.map((r) => derive(r.doc, world.trust, { cache: r.cache })));
  checkIncrementalVerify(results[0]!.report, seed);
  const reference = JSON.stringify({ content: content(replicas[0]!.doc), state: view(results[0]!) });
  for (let i = 1; i < n; i++) {
    const other = JSON.stringify({ content: content(replicas[i]!.doc), state: view(results[i]!) });
    if (other !== reference)
      throw new Error(`seed ${seed}: replica ${i} diverged from replica 0\n  0: ${reference.slice(0, 2000)}\n  ${i}: ${other.slice(0, 2000)}`);
  }
  // A fresh replica built from a shuffled concatenation of everyone's state agrees too.
  const fresh = CountersignDocument.fromUpdate(replicas[rng.int(n)]!.doc.encodeState(), 99);
  if (!fresh.ok) throw new Error(fresh.reason);
  const sf = await derive(fresh.value, world.trust, { cache: sharedCache });
  if (JSON.stringify({ content: content(fresh.value), state: view(sf) }) !== reference) throw new Error(`seed ${seed}: a fresh replica diverged`);
  const s0 = results[0]!;
  return {
    entries: s0.timeline.length,
    conflicts: s0.conflicts.length,
    kinds: s0.conflicts.map((c) => `${s0.timeline.find((t) => t.id === c.winner)?.action}>${s0.timeline.find((t) => t.id === c.loser)?.action}:${c.kind}`),
    status: s0.status,
    resolved: s0.conflicts.filter((c) => c.resolved).length,
    returns: s0.timeline.filter((t) => t.action === "return" && t.outcome === "applied").length,
  };
}

/**
 * verify reuses a parent's state for single-parent entries; here every valid entry is checked again
 * against a full replay of its ancestors, which must agree.
 */
function checkIncrementalVerify(report: VerificationReport, seed: number): void {
  if (!report.ctx) return;
  const valid = new Map(report.valid.map((f) => [f.id, f]));
  for (const f of report.valid) {
    const reason = check(stateBefore(f, valid, report.ctx), f, report.ctx);
    if (reason !== null) throw new Error(`seed ${seed}: entry ${f.id} is valid incrementally but not on full replay: ${reason}`);
  }
}

function apply(r: Replica, update: Uint8Array, seed: number): void {
  const res = r.doc.applyUpdate(update, "remote");
  if (!res.ok) throw new Error(`seed ${seed}: ${res.reason}`);
}

function content(doc: CountersignDocument): unknown {
  const v = doc.currentVersion();
  return v.ok ? { hash: v.value.hash, body: SECTIONS.map((s) => doc.body(s)) } : v.reason;
}
