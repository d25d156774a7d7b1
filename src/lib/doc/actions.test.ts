import { describe, expect, it } from "vitest";
import { asAgencyCode, asPersonId, asStepId, asUnitId, type RoutingPlan, type SignerProfile, type WorkflowState } from "@countersign/crdt-model";
import { offers } from "./actions.ts";

const agency = asAgencyCode("A-DEMO-EDU");
const profile = (person: string, unit: string, roles: SignerProfile["roles"] = ["supervisor"]): SignerProfile => ({
  v: 1,
  agency,
  unit: asUnitId(unit),
  person: asPersonId(person),
  name: person,
  level: 3,
  roles,
});
const plan: RoutingPlan = {
  v: 1,
  stages: [
    { kind: "single", step: { id: asStepId("review"), type: "review", assignee: { kind: "person", person: asPersonId("lin") }, label: "科長核稿" } },
    { kind: "single", step: { id: asStepId("cs"), type: "countersign", assignee: { kind: "unit", unit: asUnitId("U-PER") }, label: "人事室會辦" } },
    { kind: "single", step: { id: asStepId("decide"), type: "decide", assignee: { kind: "person", person: asPersonId("wang") }, label: "決行" } },
  ],
  decisionLevel: 3,
  deputies: [],
};
const state = (over: Partial<WorkflowState>): WorkflowState => ({
  status: "draft",
  caseOfficer: asPersonId("chen"),
  unit: asUnitId("U-STU"),
  secrecy: "none",
  origin: null,
  deputies: [],
  submitter: null,
  holders: [],
  pending: [],
  plan,
  decision: null,
  lateSigns: [],
  timeline: [],
  conflicts: [],
  findings: [],
  heads: [],
  valid: true,
  ...over,
});
const kinds = (s: WorkflowState, p: SignerProfile) => offers(s, p).map((o) => o.kind);

describe("offers", () => {
  it("a draft: the case officer may submit, switch to paper or raise its secrecy; nobody else may act", () => {
    expect(kinds(state({}), profile("chen", "U-STU", ["case-officer"]))).toEqual(["submit", "switch-to-paper", "reclassify"]);
    expect(kinds(state({}), profile("lin", "U-STU"))).toEqual([]);
  });

  it("in review: the reviewer approves or returns (to the case officer), the case officer may withdraw", () => {
    const s = state({ status: "in-review", pending: [{ step: asStepId("review"), type: "review", assignee: { kind: "person", person: asPersonId("lin") } }] });
    expect(kinds(s, profile("lin", "U-STU"))).toEqual(["approve", "return", "switch-to-paper"]);
    expect(offers(s, profile("lin", "U-STU"))[1]!.targets).toEqual([{ step: null, label: "承辦人" }]);
    expect(kinds(s, profile("chen", "U-STU", ["case-officer"]))).toEqual(["withdraw", "switch-to-paper", "reclassify"]);
  });

  it("a countersign step answers to anyone in the unit, and may return to earlier steps", () => {
    const s = state({ status: "countersigning", pending: [{ step: asStepId("cs"), type: "countersign", assignee: { kind: "unit", unit: asUnitId("U-PER") } }] });
    const o = offers(s, profile("huang", "U-PER"));
    expect(o.map((x) => x.kind)).toContain("countersign");
    expect(o.find((x) => x.kind === "return")!.targets!.map((t) => t.step)).toEqual([null, "review"]);
    expect(kinds(s, profile("wu", "U-ACC"))).toEqual([]);
  });

  it("after a decision that passed over the review, the reviewer may late-sign", () => {
    const s = state({ status: "decided", decision: { entry: "e" as never, content: "c" as never } });
    expect(kinds(s, profile("lin", "U-STU"))).toEqual(["late-sign"]);
  });

  it("the case officer is never offered to approve, countersign or decide his own document, even at a step that names him", () => {
    const s = state({ status: "in-review", pending: [{ step: asStepId("decide"), type: "decide", assignee: { kind: "person", person: asPersonId("chen") } }] });
    expect(kinds(s, profile("chen", "U-STU", ["case-officer", "supervisor"]))).toEqual(["withdraw", "switch-to-paper", "reclassify"]);
  });

  it("密等變更: the case officer may raise the secrecy, a supervisor of the unit lower it, nobody else change it", () => {
    const s = state({ status: "in-review", secrecy: "confidential", origin: { agency, unit: asUnitId("U-STU"), caseOfficer: asPersonId("chen"), secrecy: "confidential" } });
    const offer = (p: SignerProfile) => offers(s, p).find((o) => o.kind === "reclassify")?.secrecy;
    expect(offer(profile("chen", "U-STU", ["case-officer"]))).toEqual(["secret", "top-secret", "absolute"]);
    expect(offer(profile("lin", "U-STU"))).toEqual(["none"]);
    expect(offer(profile("huang", "U-PER"))).toBeUndefined();
    expect(offer(profile("li", "U-STU", ["registry"]))).toBeUndefined();
  });
});
