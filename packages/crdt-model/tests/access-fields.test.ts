import { describe, expect, it } from "vitest";
import { SAMPLE_STEPS, flow, reasonOf, tick, type Flow } from "./fixture.ts";
import { CountersignDocument } from "../src/schema/document.ts";
import { checkTransition } from "../src/workflow/ingest.ts";
import { signAction } from "../src/chain/sign.ts";
import { derive } from "../src/workflow/derive.ts";
import { asPersonId, asUnitId } from "../src/ids.ts";
import type { Signer } from "../src/identity/certs.ts";
import type { Action } from "../src/chain/types.ts";

// Secrecy (密等), unit and case officer decide who may see and route a document: they are the
// creation's, changed only by signed entries from someone entitled, on every replica and at the relay.

function copy(doc: CountersignDocument): CountersignDocument {
  const r = CountersignDocument.fromUpdate(doc.encodeState());
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

async function signOn(f: Flow, doc: CountersignDocument, who: Signer, action: Action) {
  const s = await derive(doc, f.trust);
  const r = await signAction(doc, who, s.heads, { action, step: null, at: tick() });
  if (!r.ok) throw new Error(r.reason);
  return r.value.id;
}

/** What the relay says of the update `mutate` makes on a client's copy of the flow's document. */
async function relay(f: Flow, mutate: (client: CountersignDocument) => unknown): Promise<string | null> {
  const client = copy(f.doc);
  const sv = client.stateVector();
  await mutate(client);
  const after = copy(f.doc);
  const touched = after.applyUpdateTracked(client.encodeState(sv));
  if (!touched.ok) throw new Error(touched.reason);
  const r = await checkTransition(f.doc, after, f.trust, { beforeState: await derive(f.doc, f.trust), touched: touched.value });
  if (r.ok) return null;
  // An unsigned access change is update.access-field; unreadable metadata is update.malformed.
  expect(r.code).toBe(r.reason.startsWith("The update leaves the metadata unreadable") ? "update.malformed" : "update.access-field");
  return r.reason;
}

describe("every replica derives secrecy, unit and case officer from signed facts", () => {
  it("a plain edit of secrecy, unit or case officer changes nothing derived once anything is signed", async () => {
    const f = await flow();
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    f.doc.setMetadata({ secrecy: "secret", unit: asUnitId("U-PER"), caseOfficer: asPersonId("P-PERSONNEL") });
    const s = await f.state();
    expect({ secrecy: s.secrecy, unit: s.unit, caseOfficer: s.caseOfficer }).toEqual({ secrecy: "none", unit: "U-STU", caseOfficer: "P-OFFICER" });
    expect(s.origin).toEqual({ agency: f.a.ca.agency, unit: "U-STU", caseOfficer: "P-OFFICER", secrecy: "none" });
  });

  it("a draft with nothing signed has its creation's fields: the live metadata", async () => {
    const f = await flow();
    const s = await f.state();
    expect({ secrecy: s.secrecy, unit: s.unit, caseOfficer: s.caseOfficer, origin: s.origin }).toEqual({
      secrecy: "none",
      unit: "U-STU",
      caseOfficer: "P-OFFICER",
      origin: null,
    });
  });

  it("the case officer raises the secrecy with a signed 密等變更; nobody else may", async () => {
    const f = await flow();
    const other = await signOn(f, f.doc, f.a.chief, { kind: "reclassify", secrecy: "secret" });
    expect(await reasonOf(f, other)).toBe("Only the case officer may raise the document's secrecy level.");
    await signOn(f, f.doc, f.a.officer, { kind: "reclassify", secrecy: "confidential" });
    expect((await f.state()).secrecy).toBe("confidential");
  });

  it("a supervisor of the unit or on the route lowers it; the case officer and a countersigning unit's supervisor may not", async () => {
    const f = await flow();
    await signOn(f, f.doc, f.a.officer, { kind: "reclassify", secrecy: "secret" });
    const own = await signOn(f, f.doc, f.a.officer, { kind: "reclassify", secrecy: "none" });
    expect(await reasonOf(f, own)).toBe("Only a supervisor, not the case officer, may lower the document's secrecy level.");
    const unit = await signOn(f, f.doc, f.a.personnel, { kind: "reclassify", secrecy: "none" });
    expect(await reasonOf(f, unit)).toBe("Only a supervisor of the document's unit or on its route may lower its secrecy level.");
    await signOn(f, f.doc, f.a.director, { kind: "reclassify", secrecy: "confidential" });
    expect((await f.state()).secrecy).toBe("confidential");
    await signOn(f, f.doc, f.a.chief, { kind: "reclassify", secrecy: "none" });
    const s = await f.state();
    expect(s.secrecy).toBe("none");
    expect(s.timeline.filter((t) => t.outcome === "applied").map((t) => t.action)).toEqual(["reclassify", "reclassify", "reclassify"]);
  });

  it("a re-assignment to an officer of another unit moves the document there (移文)", async () => {
    const f = await flow();
    await signOn(f, f.doc, f.a.registry, { kind: "reassign", to: asPersonId("P-PERSONNEL"), unit: asUnitId("U-PER") });
    const s = await f.state();
    expect({ unit: s.unit, caseOfficer: s.caseOfficer }).toEqual({ unit: "U-PER", caseOfficer: "P-PERSONNEL" });
    // Now the old unit's registry desk no longer holds it.
    const again = await signOn(f, f.doc, f.a.registry, { kind: "reassign", to: asPersonId("P-OFFICER") });
    expect(await reasonOf(f, again)).toBe("Only the registry desk of the document's unit may re-assign it.");
  });

  it("two first entries that sign different creations cannot both stand", async () => {
    const f = await flow();
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    const forged = copy(f.doc);
    forged.setMetadata({ caseOfficer: asPersonId("P-CLERK") });
    const r = await signAction(forged, f.a.clerk, [], { action: { kind: "switch-to-paper", reason: "接手" }, step: null, at: tick() });
    if (!r.ok) throw new Error(r.reason);
    f.doc.applyUpdate(forged.encodeState(f.doc.stateVector()));
    const s = await f.state();
    const e = s.report.entries.find((x) => x.id === r.value.id);
    // Whichever root the canonical order puts first, the two cannot both stand.
    expect(s.report.entries.filter((x) => !x.valid).length).toBeGreaterThanOrEqual(1);
    if (e?.valid === false) expect(e.reason).toMatch(/another creation|case officer/);
  });
});

describe("the relay refuses unsigned changes to secrecy, unit and case officer", () => {
  it("lowering 密 without a supervisor's signed entry is refused", async () => {
    const f = await flow();
    await signOn(f, f.doc, f.a.officer, { kind: "reclassify", secrecy: "confidential" });
    f.doc.setMetadata({ secrecy: "confidential" });
    expect(await relay(f, (d) => d.setMetadata({ secrecy: "none" }))).toBe(
      "The update changes the secrecy level (密等) without a signed entry: the case officer raises it and a supervisor lowers it, each by a signed 密等變更.",
    );
  });

  it("a plain edit of the case officer or the unit of a draft is refused", async () => {
    const f = await flow();
    expect(await relay(f, (d) => d.setMetadata({ caseOfficer: asPersonId("P-PERSONNEL") }))).toBe(
      "The update changes the case officer without a signed entry: only the registry desk re-assigns a document (改分).",
    );
    expect(await relay(f, (d) => d.setMetadata({ unit: asUnitId("U-PER") }))).toBe(
      "The update changes the document's unit without a signed entry: only the registry desk moves a document (改分).",
    );
  });

  it("a signed 密等變更 with the live secrecy changed in the same update is accepted; an unrelated signed entry does not carry a change", async () => {
    const f = await flow();
    expect(
      await relay(f, async (d) => {
        await signOn(f, d, f.a.officer, { kind: "reclassify", secrecy: "secret" });
        d.setMetadata({ secrecy: "secret" });
      }),
    ).toBeNull();
    const g = await flow();
    await g.sign(g.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    expect(
      await relay(g, async (d) => {
        d.setMetadata({ secrecy: "secret" });
        const s = await derive(d, g.trust);
        await signAction(d, g.a.chief, s.heads, { action: { kind: "approve" }, step: SAMPLE_STEPS.review, at: tick() });
      }),
    ).toBe("The update changes the secrecy level (密等) without a signed entry: the case officer raises it and a supervisor lowers it, each by a signed 密等變更.");
  });

  it("the live metadata may catch up with a 密等變更 signed in an earlier update, and not run ahead of it", async () => {
    const f = await flow();
    await signOn(f, f.doc, f.a.officer, { kind: "reclassify", secrecy: "confidential" });
    expect(await relay(f, (d) => d.setMetadata({ secrecy: "confidential" }))).toBeNull();
    expect(await relay(f, (d) => d.setMetadata({ secrecy: "secret" }))).toBe(
      "The update changes the secrecy level (密等) without a signed entry: the case officer raises it and a supervisor lowers it, each by a signed 密等變更.",
    );
  });

  it("a first signed entry over a changed case officer is refused: taking over a draft needs the registry desk", async () => {
    const f = await flow();
    const reason = await relay(f, async (d) => {
      d.setMetadata({ caseOfficer: asPersonId("P-CLERK") });
      await signOn(f, d, f.a.clerk, { kind: "submit" });
      d.setMetadata({ caseOfficer: asPersonId("P-OFFICER") });
    });
    expect(reason).toBe("The update's signed entry starts from another creation (agency, unit, case officer or secrecy) than the document has.");
  });

  it("the registry desk's signed 改分 with the live case officer changed in the same update is accepted", async () => {
    const f = await flow();
    expect(
      await relay(f, async (d) => {
        await signOn(f, d, f.a.registry, { kind: "reassign", to: asPersonId("P-CLERK") });
        d.setMetadata({ caseOfficer: asPersonId("P-CLERK") });
      }),
    ).toBeNull();
  });

  it("an edit that makes the metadata unreadable is refused", async () => {
    const f = await flow();
    const reason = await relay(f, (d) => d.ydoc.getMap("meta").set("secrecy", "nothing-at-all"));
    expect(reason).toMatch(/^The update leaves the metadata unreadable: /);
  });

  it("a step the case officer signs on a document whose live unit was forged still routes by the signed unit", async () => {
    const f = await flow();
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    f.doc.setMetadata({ unit: asUnitId("U-PER") });
    await f.sign(f.a.chief, { action: { kind: "approve" }, step: SAMPLE_STEPS.review, at: tick() });
    const s = await f.state();
    expect(s.unit).toBe("U-STU");
    expect(s.status).toBe("countersigning");
  });
});
