// The routing-plan builder on the sample agency's directory: the steps it adds, the refusals (one
// sentence each, the draft unchanged), and a plan it builds carried through submit, review, 並會 and
// 決行 by the model's real verification, with a deputy deciding for the principal.
import { describe, expect, it } from "vitest";
import { SAMPLE_UNITS, act, createSampleAgency, derive, sampleTrust, type SampleAgency, type Signer } from "@countersign/crdt-model";
import { createDraft } from "./create.ts";
import type { DirPerson, DirUnit } from "./directory.ts";
import {
  addAgencyStep,
  addCountersign,
  addReview,
  buildPlan,
  categories,
  decisionRequirement,
  deputiesFor,
  draftFromPlan,
  eligibleDeciders,
  emptyDraft,
  joinWithNext,
  mayEditPlan,
  describeAssignee,
  moveStage,
  removeBranch,
  removeStage,
  setDecider,
  splitStage,
  type PlanDraft,
} from "./plan-builder.ts";

const agency = await createSampleAgency();
const counter = () => {
  let n = 0;
  return () => `s${++n}`;
};
const person = (s: Signer): DirPerson => ({ id: s.profile.person, name: s.profile.name, unit: s.profile.unit, level: s.profile.level, roles: [...s.profile.roles], active: true });
const people = (a: SampleAgency) => [a.officer, a.chief, a.personnel, a.accounting, a.director, a.deputyDirector].map(person);
const units: DirUnit[] = [
  { id: SAMPLE_UNITS.personnel, name: "人事室", parent: null },
  { id: SAMPLE_UNITS.accounting, name: "會計室", parent: null },
];
const officer = agency.officer.profile.person;

function must<T>(r: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

describe("the decision level", () => {
  it("follows the delegation table's most specific category, with its title", () => {
    expect(decisionRequirement(agency.delegation, "學務")).toEqual({ level: 3, title: "科長／單位主管", known: true });
    expect(decisionRequirement(agency.delegation, "學務.獎懲")).toEqual({ level: 4, title: "副局長", known: true });
    expect(decisionRequirement(agency.delegation, "")).toEqual({ level: 5, title: "局長", known: true });
    expect(decisionRequirement(null, "學務").known).toBe(false);
    expect(categories(agency.delegation)).toEqual(expect.arrayContaining(["學務", "學務.獎懲", "人事"]));
  });

  it("offers as deciders only active people at or above the required level, highest first", () => {
    const req = decisionRequirement(agency.delegation, "學務.獎懲");
    expect(eligibleDeciders(people(agency), req).map((p) => p.name)).toEqual(["王局長", "張副局長"]);
  });

  it("the delegation table requires 副局長 (level 4) or higher: a section chief is refused as decider", () => {
    const req = decisionRequirement(agency.delegation, "學務.獎懲");
    const r = setDecider(emptyDraft(), person(agency.chief), req, counter());
    expect(r).toEqual({ ok: false, code: "plan-edit.level", reason: "林科長 holds level 3, but the delegation table requires 副局長 (level 4) or higher to decide this category." });
  });
});

describe("building the steps", () => {
  it("adds a review, units in parallel (並會) and in sequence, another agency, and the decision last", () => {
    const id = counter();
    let d = must(addReview(emptyDraft(), person(agency.chief), officer, id));
    d = must(addCountersign(d, units, true, id));
    d = must(addAgencyStep(d, { code: "A-OTHER", name: "示範市政府人事處" }, "U-1", agency.ca.agency, id));
    d = must(setDecider(d, person(agency.director), decisionRequirement(agency.delegation, "學務"), id));
    const plan = must(buildPlan(d, decisionRequirement(agency.delegation, "學務"), 5));
    expect(plan.decisionLevel).toBe(3);
    expect(plan.stages.map((s) => (s.kind === "single" ? `${s.step.type}:${s.step.label}` : `parallel:${s.steps.map((x) => x.label).join("+")}`))).toEqual([
      "review:林科長核稿",
      "parallel:人事室會辦+會計室會辦",
      "countersign:示範市政府人事處 U-1會辦",
      "decide:王局長決行",
    ]);
    expect(plan.stages[2]).toMatchObject({ step: { assignee: { kind: "agency", agency: "A-OTHER", unit: "U-1" } } });
  });

  it("units chosen in sequence become one stage each, in the order chosen", () => {
    const d = must(addCountersign(emptyDraft(), units, false, counter()));
    expect(d.stages.map((s) => s.kind)).toEqual(["single", "single"]);
  });

  it("moves, joins, splits and removes stages; the decision stays last", () => {
    const id = counter();
    let d = must(addReview(emptyDraft(), person(agency.chief), officer, id));
    d = must(addCountersign(d, units, false, id));
    d = must(moveStage(d, 2, -1));
    expect(d.stages.map((s) => (s.kind === "single" ? s.step.label : "p"))).toEqual(["林科長核稿", "會計室會辦", "人事室會辦"]);
    d = must(joinWithNext(d, 1));
    expect(d.stages[1]).toMatchObject({ kind: "parallel" });
    d = must(removeBranch(d, 1, 0));
    expect(d.stages[1]).toMatchObject({ kind: "single", step: { label: "人事室會辦" } });
    d = must(addCountersign(d, [units[1]!], false, id));
    d = must(joinWithNext(d, 1));
    d = must(splitStage(d, 1));
    expect(d.stages).toHaveLength(3);
    d = must(removeStage(d, 0));
    expect(d.stages.map((s) => (s.kind === "single" ? s.step.label : "p"))).toEqual(["人事室會辦", "會計室會辦"]);
  });

  const refusals: [string, (d: PlanDraft) => { ok: boolean; code?: string; reason?: string }][] = [
    ["The case officer cannot review their own document.", (d) => addReview(d, person(agency.officer), officer)],
    ["林科長 already reviews this document.", (d) => addReview(d, person(agency.chief), officer)],
    ["人事室 already countersigns this document.", (d) => addCountersign(d, [units[0]!], false)],
    ["Choose at least one unit to countersign.", (d) => addCountersign(d, [], true)],
    ["That is this agency's own code: add one of its units instead.", (d) => addAgencyStep(d, { code: agency.ca.agency }, null, agency.ca.agency)],
    ["An agency code may hold only letters, digits and . _ : - (at most 128).", (d) => addAgencyStep(d, { code: "臺南市" }, null, agency.ca.agency)],
    ["That stage cannot move further.", (d) => moveStage(d, 0, -1)],
    ["There is no such stage.", (d) => removeStage(d, 7)],
    ["Only a parallel stage can be split.", (d) => splitStage(d, 0)],
    ["The last stage has nothing after it to run in parallel with.", (d) => joinWithNext(d, 1)],
    ["Choose who decides (決行) before the routing plan can be saved.", (d) => buildPlan(d, decisionRequirement(agency.delegation, "學務"), null)],
  ];
  for (const [reason, change] of refusals)
    it(reason, () => {
      let d = must(addReview(emptyDraft(), person(agency.chief), officer, counter()));
      d = must(addCountersign(d, [units[0]!], false, () => "s9"));
      const before = JSON.stringify(d);
      const r = change(d);
      expect(r).toMatchObject({ ok: false, reason });
      expect(r.code).toMatch(/^plan-edit\./);
      expect(JSON.stringify(d)).toBe(before);
    });

  it("reads a plan back into a draft with the decision apart", () => {
    const id = counter();
    let d = must(addReview(emptyDraft(), person(agency.chief), officer, id));
    d = must(setDecider(d, person(agency.director), decisionRequirement(agency.delegation, "人事"), id));
    const plan = must(buildPlan(d, decisionRequirement(agency.delegation, "人事"), 5));
    expect(draftFromPlan(plan)).toEqual(d);
    expect(draftFromPlan(null)).toEqual(emptyDraft());
  });
});

describe("deputies", () => {
  it("names the deputies of people in the plan whose period has not ended, and no one else's", () => {
    const id = counter();
    const d = must(setDecider(emptyDraft(), person(agency.director), decisionRequirement(agency.delegation, "人事"), id));
    const now = new Date("2026-11-21T00:00:00Z");
    const list = [
      { principal: agency.director.profile.person, deputy: agency.deputyDirector.profile.person, from: "2026-11-20", until: "2026-11-30" },
      { principal: agency.director.profile.person, deputy: agency.chief.profile.person, from: "2026-01-01", until: "2026-02-01" }, // over
      { principal: agency.personnel.profile.person, deputy: agency.accounting.profile.person, from: "2026-11-20", until: "2026-11-30" }, // not in the plan
    ];
    expect(deputiesFor(d, list, now)).toEqual([
      { principal: agency.director.profile.person, deputy: agency.deputyDirector.profile.person, from: "2026-11-20T00:00:00.000Z", until: "2026-11-30T00:00:00.000Z" },
    ]);
  });
});

describe("a plan built here, carried through the model's real verification", () => {
  it("a 簽 drafted here is submitted, reviewed, countersigned in parallel and decided by the decider's deputy under the agency's deputy table, at his own level; the chain is valid", async () => {
    const a = agency;
    const trust = sampleTrust(a);
    const doc = must(
      createDraft(
        { kind: "memo", speed: "urgent", secrecy: "none", dueDate: "2026-11-26", category: "學務.獎懲", subject: "有關本局學生獎懲案，請核示。", items: { explanation: ["依據辦法辦理。", "經查屬實。"], proposal: ["擬予嘉獎一次。"] } },
        a.officer.profile,
      ),
    );
    // 人事 is decided by 局長 (level 5): 張副局長 (level 4) may not, not even as his deputy. 學務.獎懲
    // needs level 4: 局長 is chosen, and his deputy in the agency's table (sampleTrust) decides at his own level.
    expect(setDecider(emptyDraft(), person(a.deputyDirector), decisionRequirement(a.delegation, "人事")).ok).toBe(false);
    const req = decisionRequirement(a.delegation, "學務.獎懲");
    let d = must(addReview(emptyDraft(), person(a.chief), a.officer.profile.person));
    d = must(addCountersign(d, units, true));
    d = must(setDecider(d, person(a.director), req));
    must(doc.setPlan(must(buildPlan(d, req, 5))));
    expect(must(doc.plan())!.deputies).toEqual([]);

    const plan = must(doc.plan())!;
    const step = (i: number, j = 0) => {
      const s = plan.stages[i]!;
      return (s.kind === "single" ? s.step : s.steps[j]!).id;
    };
    await act(doc, a.officer, trust, { action: { kind: "submit" }, step: null, opinion: "陳請核示。" });
    await act(doc, a.chief, trust, { action: { kind: "approve" }, step: step(0), opinion: "擬如擬。" });
    await act(doc, a.personnel, trust, { action: { kind: "countersign" }, step: step(1, 0), opinion: "敬會。" });
    await act(doc, a.accounting, trust, { action: { kind: "countersign" }, step: step(1, 1), opinion: "敬會。" });
    const s = await act(doc, a.deputyDirector, trust, { action: { kind: "decide" }, step: step(2), opinion: "代為決行。" });
    expect(s.status).toBe("decided");
    expect(s.valid).toBe(true);
    expect((await derive(doc, trust)).timeline.every((e) => e.outcome === "applied")).toBe(true);
  });
});

describe("who builds the plan, and when", () => {
  it("the case officer, while a draft or returned to them; nobody once it is out for signing", () => {
    const base = { caseOfficer: "chen", pending: [] as unknown[] };
    expect(mayEditPlan({ ...base, status: "draft" }, "chen")).toBe(true);
    expect(mayEditPlan({ ...base, status: "draft" }, "lin")).toBe(false);
    expect(mayEditPlan({ ...base, status: "returned" }, "chen")).toBe(true);
    expect(mayEditPlan({ ...base, status: "returned", pending: [{}] }, "chen")).toBe(false); // returned to a reviewer
    expect(mayEditPlan({ ...base, status: "in-review", pending: [{}] }, "chen")).toBe(false);
    expect(mayEditPlan({ ...base, status: "decided" }, "chen")).toBe(false);
  });

  it("describes assignees by name from the directory, by id without it", () => {
    const dir = { people: people(agency), units, agencies: [{ code: "A-2", name: "乙機關" }] };
    expect(describeAssignee({ kind: "person", person: agency.chief.profile.person }, dir)).toBe("林科長");
    expect(describeAssignee({ kind: "unit", unit: SAMPLE_UNITS.personnel }, dir)).toBe("人事室");
    expect(describeAssignee({ kind: "agency", agency: "A-2" as never, unit: "U-9" as never }, dir)).toBe("乙機關 U-9");
    expect(describeAssignee({ kind: "unit", unit: SAMPLE_UNITS.personnel }, null)).toBe(SAMPLE_UNITS.personnel);
  });
});
