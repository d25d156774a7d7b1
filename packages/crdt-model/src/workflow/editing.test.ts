import { describe, expect, it } from "vitest";
import { asPersonId, asStepId, asUnitId } from "../ids.ts";
import { mayDraft, mayEditContent, mayEditText, type EditingState } from "./editing.ts";

const officer = { person: "P-officer", unit: "U-STU" };
const chief = { person: "P-chief", unit: "U-STU" };
const personnel = { person: "P-per", unit: "U-PER" };

const state = (over: Partial<EditingState>): EditingState => ({ status: "draft", caseOfficer: asPersonId("P-officer"), holders: [{ kind: "person", person: asPersonId("P-officer") }], pending: [], ...over });
const reviewStep = { step: asStepId("review"), type: "review" as const, assignee: { kind: "person" as const, person: asPersonId("P-chief") } };
const inReview = state({ status: "in-review", holders: [{ kind: "person", person: asPersonId("P-chief") }], pending: [reviewStep] });
const countersigning = state({ status: "countersigning", holders: [{ kind: "unit", unit: asUnitId("U-PER") }], pending: [{ step: asStepId("cs"), type: "countersign", assignee: { kind: "unit", unit: asUnitId("U-PER") } }] });

describe("mayDraft: 新增公文", () => {
  it("case officers and supervisors draft; the mail room, archives, follow-up, admin and the registry desk do not", () => {
    expect(mayDraft({ roles: ["case-officer"] })).toBe(true);
    expect(mayDraft({ roles: ["supervisor"] })).toBe(true);
    for (const r of ["mail-room", "archives", "follow-up", "admin", "registry"]) expect(mayDraft({ roles: [r] })).toBe(false);
    expect(mayDraft({ roles: [] })).toBe(false);
  });
});

describe("mayEditText / mayEditContent: who writes 主旨 and the body", () => {
  it("a draft: the case officer alone", () => {
    expect(mayEditText(state({}), officer)).toBe(true);
    expect(mayEditText(state({}), chief)).toBe(false);
    const r = mayEditContent(state({}), chief, ["body"]);
    expect(r).toMatchObject({ ok: false, code: "update.content-editor" });
  });

  it("returned to the case officer: his again; returned to a reviewer: the reviewer's", () => {
    expect(mayEditText(state({ status: "returned" }), officer)).toBe(true);
    const toChief = state({ status: "returned", holders: [{ kind: "person", person: asPersonId("P-chief") }], pending: [reviewStep] });
    expect(mayEditText(toChief, chief)).toBe(true);
    expect(mayEditText(toChief, officer)).toBe(false);
  });

  it("out for signing: the holder's 修改 (a person, or a member of the unit that holds it), not the case officer's", () => {
    expect(mayEditText(inReview, chief)).toBe(true);
    expect(mayEditText(inReview, officer)).toBe(false);
    expect(mayEditText(inReview, personnel)).toBe(false);
    expect(mayEditText(countersigning, personnel)).toBe(true);
    expect(mayEditText(countersigning, chief)).toBe(false);
  });

  it("decided and after: nobody", () => {
    for (const status of ["decided", "dispatched", "closed", "archived", "on-paper"] as const) expect(mayEditText(state({ status }), officer)).toBe(false);
  });

  it("an update that touches no text passes whoever sends it (other parts have their own rules)", () => {
    expect(mayEditContent(state({}), chief, ["chain", "versions"]).ok).toBe(true);
    expect(mayEditContent(state({}), chief, ["subject"]).ok).toBe(false);
  });
});
