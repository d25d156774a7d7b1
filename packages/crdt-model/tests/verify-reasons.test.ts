import { describe, expect, it } from "vitest";
import { ARCHIVE, DISPATCH, SAMPLE_STEPS, agency, decided, flow, reasonOf, tick, toDecision } from "./fixture.ts";
import { tamper } from "../src/sample/tamper.ts";
import { createSampleAgency } from "../src/sample/agency.ts";
import { createSampleDocument } from "../src/sample/document.ts";
import { entryId, serializeEntry, signedBytes, type EntryPayload } from "../src/chain/types.ts";
import { toBase64 } from "../src/bytes.ts";
import { asStepId, asPersonId } from "../src/ids.ts";
import { TrustStore } from "../src/identity/trust.ts";

// One test per verification reason, named by the sentence the verifier gives.

describe("verification reasons", () => {
  it("The entry's id does not match its hash.", async () => {
    const f = await decided();
    const id = f.idOf("decide");
    await tamper(f.doc, f.a, "altered-entry");
    expect(await reasonOf(f, id)).toBe("The entry's id does not match its hash.");
  });

  it("The entry is not valid JSON.", async () => {
    const f = await decided();
    f.doc.unsafeRaw().chain.set("0".repeat(64), "{not json");
    expect(await reasonOf(f, "0".repeat(64))).toBe("The entry is not valid JSON.");
  });

  it("The entry is malformed: … (wrong types are named with their path)", async () => {
    const f = await decided();
    f.doc.unsafeRaw().chain.set("1".repeat(64), JSON.stringify({ payload: { v: 1, doc: 42 }, sig: "x" }));
    expect(await reasonOf(f, "1".repeat(64))).toMatch(/^The entry is malformed: .*\(at payload\.doc\)\.$/);
  });

  it("The entry's parents are not sorted and unique.", async () => {
    const f = await flow();
    const submit = await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    const v = f.doc.currentVersion();
    if (!v.ok) throw new Error(v.reason);
    const payload: EntryPayload = {
      v: 1, doc: f.doc.id, parents: [submit, submit], content: v.value.hash,
      step: SAMPLE_STEPS.review, action: { kind: "approve" }, opinion: "", cert: toBase64(f.a.chief.certDer), alg: "ES256", at: tick().toISOString(),
    };
    const id = entryId(payload);
    f.doc.unsafeRaw().chain.set(id, serializeEntry({ payload, sig: toBase64(await f.a.chief.sign(signedBytes(payload))) }));
    expect(await reasonOf(f, id)).toBe("The entry's parents are not sorted and unique.");
  });

  it("The signature does not verify against the signer's certificate.", async () => {
    const f = await decided();
    await tamper(f.doc, f.a, "signature");
    const s = await f.state();
    expect(await reasonOf(f, f.idOf("decide"))).toBe("The signature does not verify against the signer's certificate.");
    // An invalid entry never changes the state: the decision did not happen.
    expect(s.status).toBe("in-review");
    expect(s.pending.map((p) => p.step)).toEqual([SAMPLE_STEPS.decide]);
  });

  it("The signer's certificate does not parse: …", async () => {
    const f = await flow();
    const v = f.doc.currentVersion();
    if (!v.ok) throw new Error(v.reason);
    const payload: EntryPayload = {
      v: 1, doc: f.doc.id, parents: [], content: v.value.hash, step: null, action: { kind: "submit" }, opinion: "",
      cert: toBase64(new Uint8Array([48, 3, 2, 1, 0])), alg: "ES256", at: tick().toISOString(),
    };
    const id = entryId(payload);
    f.doc.addEntry(id, { payload, sig: "AAAA" }, v.value.canonical);
    expect(await reasonOf(f, id)).toMatch(/^The signer's certificate does not parse: /);
  });

  it("The signer's certificate is not issued by a trusted authority.", async () => {
    const f = await flow();
    const other = await createSampleAgency({ code: "A-OTHER" });
    // Same person id, same unit names, but a key certified by an agency this verifier does not trust.
    const id = await f.sign(other.officer, { action: { kind: "submit" }, step: null, at: tick() });
    expect(await reasonOf(f, id)).toBe("The signer's certificate is not issued by a trusted authority.");
  });

  it("The signer's certificate is not registered for a person here.", async () => {
    const f = await flow();
    // An outside CA (say, the citizen-card CA) is trusted only for certificates registered here.
    const outside = await createSampleAgency({ code: "A-OUTSIDE" });
    const trust = new TrustStore({ cas: [f.a.ca.cert, outside.ca.cert], boundOnly: [outside.ca.cert], delegation: [f.a.delegation] });
    const id = await f.sign(outside.officer, { action: { kind: "submit" }, step: null, at: tick() }, []);
    const { derive } = await import("../src/workflow/derive.ts");
    const report = (await derive(f.doc, trust)).report;
    expect(report.entries.find((e) => e.id === id)?.reason).toBe("The signer's certificate is not registered for a person here.");
    // Registered (bound) to the case officer, the same certificate signs as that person.
    const bound = new TrustStore({
      cas: [f.a.ca.cert, outside.ca.cert],
      boundOnly: [outside.ca.cert],
      bindings: [{ cert: outside.officer.cert, profile: f.a.officer.profile }],
      delegation: [f.a.delegation],
    });
    expect((await derive(f.doc, bound)).report.entries.find((e) => e.id === id)?.reason).toBeNull();
  });

  it("The signer's certificate has been revoked.", async () => {
    const f = await decided();
    const revoked = f.trust.withRevoked(f.a.ca.cert, f.a.director.cert.serialNumber);
    const s = await (await import("../src/workflow/derive.ts")).derive(f.doc, revoked);
    expect(s.report.entries.find((e) => e.id === f.idOf("decide"))?.reason).toBe("The signer's certificate has been revoked.");
    expect(s.status).toBe("in-review");
  });

  it("The signer's certificate was not valid at the claimed time.", async () => {
    const f = await flow();
    const id = await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: new Date("2099-01-01T00:00:00Z") });
    expect(await reasonOf(f, id)).toBe("The signer's certificate was not valid at the claimed time.");
  });

  it("A parent entry is missing: …", async () => {
    const f = await decided();
    const approve = f.idOf("approve");
    const personnel = f.idOf("countersign");
    await tamper(f.doc, f.a, "missing-parent");
    expect(await reasonOf(f, personnel)).toBe(`A parent entry is missing: ${approve}.`);
  });

  it("A parent entry is invalid: …", async () => {
    const f = await decided();
    const approve = f.idOf("approve");
    const raw = f.doc.unsafeRaw().chain;
    const stored = JSON.parse(raw.get(approve) as string) as { payload: unknown; sig: string };
    raw.set(approve, JSON.stringify({ ...stored, sig: stored.sig.slice(0, -4) + (stored.sig.endsWith("AAAA") ? "BBBB" : "AAAA") }));
    expect(await reasonOf(f, f.idOf("countersign"))).toBe(`A parent entry is invalid: ${approve}.`);
  });

  it("The signed version of the content is missing.", async () => {
    const f = await flow();
    const id = await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    const hash = JSON.parse(f.doc.unsafeRaw().chain.get(id) as string).payload.content as string;
    f.doc.unsafeRaw().versions.delete(hash);
    expect(await reasonOf(f, id)).toBe("The signed version of the content is missing.");
  });

  it("The content hash does not match the stored version.", async () => {
    const f = await flow();
    const id = await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    const versions = f.doc.unsafeRaw().versions;
    const hash = JSON.parse(f.doc.unsafeRaw().chain.get(id) as string).payload.content as string;
    versions.set(hash, (versions.get(hash) as string).replace("簽請核示", "簽請鑒核"));
    expect(await reasonOf(f, id)).toBe("The content hash does not match the stored version.");
  });

  it("The signer is not assigned to that step.", async () => {
    const f = await decided();
    await tamper(f.doc, f.a, "unassigned-signer");
    const s = await f.state();
    const bad = s.report.entries.find((e) => e.signer?.person === f.a.clerk.profile.person);
    expect(bad?.reason).toBe("The signer is not assigned to that step.");
  });

  it("The decision is below the required level (level 3, required 4).", async () => {
    const f = await flow();
    // The plan sends 決行 to the section chief, but 學務.獎懲 needs level 4 by the delegation table.
    const plan = f.doc.plan();
    if (!plan.ok || !plan.value) throw new Error("no plan");
    const p = plan.value;
    p.decisionLevel = 3;
    const last = p.stages[p.stages.length - 1]!;
    if (last.kind === "single") last.step.assignee = { kind: "person", person: asPersonId(f.a.chief.profile.person) };
    p.stages = [p.stages[1]!, last];
    f.doc.setPlan(p);
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    await f.sign(f.a.personnel, { action: { kind: "countersign" }, step: SAMPLE_STEPS.personnel, at: tick() });
    await f.sign(f.a.accounting, { action: { kind: "countersign" }, step: SAMPLE_STEPS.accounting, at: tick() });
    const id = await f.sign(f.a.chief, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, at: tick() });
    expect(await reasonOf(f, id)).toBe("The decision is below the required level (level 3, required 4).");
  });

  it("The action comes after the decision.", async () => {
    const f = await decided();
    const id = await f.sign(f.a.chief, { action: { kind: "return", to: null }, step: SAMPLE_STEPS.review, at: tick() });
    expect(await reasonOf(f, id)).toBe("The action comes after the decision.");
  });

  it("The content signed differs from the decided content.", async () => {
    const f = await decided();
    f.doc.setSubject("決行後改過的主旨");
    const id = await f.sign(f.a.archivist, { action: { ...ARCHIVE }, step: null, at: tick() });
    expect(await reasonOf(f, id)).toBe("The content signed differs from the decided content.");
  });

  it("The step is not pending in the history the signer saw.", async () => {
    const f = await flow();
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    const id = await f.sign(f.a.accounting, { action: { kind: "countersign" }, step: SAMPLE_STEPS.accounting, at: tick() });
    expect(await reasonOf(f, id)).toBe("The step is not pending in the history the signer saw.");
  });

  it("The entry names a step that is not in the routing plan.", async () => {
    const f = await flow();
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    const id = await f.sign(f.a.chief, { action: { kind: "approve" }, step: asStepId("no-such-step"), at: tick() });
    expect(await reasonOf(f, id)).toBe("The entry names a step that is not in the routing plan.");
  });

  it("The document has not been submitted.", async () => {
    const f = await flow();
    const id = await f.sign(f.a.chief, { action: { kind: "approve" }, step: SAMPLE_STEPS.review, at: tick() });
    expect(await reasonOf(f, id)).toBe("The document has not been submitted.");
  });

  it("Only the case officer may submit the document.", async () => {
    const f = await flow();
    const id = await f.sign(f.a.clerk, { action: { kind: "submit" }, step: null, at: tick() });
    expect(await reasonOf(f, id)).toBe("Only the case officer may submit the document.");
  });

  it("The decision comes before every countersign is done.", async () => {
    const f = await flow();
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    await f.sign(f.a.chief, { action: { kind: "approve" }, step: SAMPLE_STEPS.review, at: tick() });
    const id = await f.sign(f.a.director, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, at: tick() });
    expect(await reasonOf(f, id)).toBe("The decision comes before every countersign is done.");
  });

  it("A return must go to an earlier step or to the case officer.", async () => {
    const f = await flow();
    await toDecision(f);
    const id = await f.sign(f.a.director, { action: { kind: "return", to: SAMPLE_STEPS.decide }, step: SAMPLE_STEPS.decide, at: tick() });
    expect(await reasonOf(f, id)).toBe("A return must go to an earlier step or to the case officer.");
  });

  it("Only the mail room may dispatch the document.", async () => {
    const f = await decided({ letter: true });
    const id = await f.sign(f.a.officer, { action: { ...DISPATCH }, step: null, at: tick() });
    expect(await reasonOf(f, id)).toBe("Only the mail room may dispatch the document.");
  });

  it("Only the registry desk of the document's unit may re-assign it.", async () => {
    const f = await flow();
    const id = await f.sign(f.a.chief, { action: { kind: "reassign", to: asPersonId("P-CLERK") }, step: null, at: tick() });
    expect(await reasonOf(f, id)).toBe("Only the registry desk of the document's unit may re-assign it.");
  });

  it("The entry belongs to another document.", async () => {
    const f = await flow();
    const other = createSampleDocument(await agency());
    const foreign = await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    const raw = f.doc.unsafeRaw().chain.get(foreign) as string;
    const hash = JSON.parse(raw).payload.content as string;
    other.unsafeRaw().versions.set(hash, f.doc.version(hash as never)!);
    other.unsafeRaw().chain.set(foreign, raw);
    const { derive } = await import("../src/workflow/derive.ts");
    const s = await derive(other, f.trust);
    expect(s.report.entries.find((e) => e.id === foreign)?.reason).toBe("The entry belongs to another document.");
  });
});

describe("document-level findings", () => {
  it("The content was changed after the decision.", async () => {
    const f = await decided();
    await tamper(f.doc, f.a, "content-after-decision");
    const s = await f.state();
    expect(s.findings).toEqual(["The content was changed after the decision."]);
    expect(s.valid).toBe(false);
  });

  it("The routing plan was changed without a signed amendment.", async () => {
    const f = await flow();
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    const plan = f.doc.plan();
    if (!plan.ok || !plan.value) throw new Error("no plan");
    f.doc.setPlan({ ...plan.value, stages: plan.value.stages.slice(1) });
    expect((await f.state()).findings).toEqual(["The routing plan was changed without a signed amendment."]);
  });

  it("a signed amendment changes the plan in force without a finding", async () => {
    const f = await flow();
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    const plan = f.doc.plan();
    if (!plan.ok || !plan.value) throw new Error("no plan");
    f.doc.setPlan({ ...plan.value, stages: plan.value.stages.slice(1) });
    await f.sign(f.a.officer, { action: { kind: "amend-plan" }, step: null, opinion: "免會簽科長。", at: tick() });
    const s = await f.state();
    expect(s.findings).toEqual([]);
    expect(s.status).toBe("countersigning");
    expect(s.pending.map((p) => p.step).sort()).toEqual([SAMPLE_STEPS.accounting, SAMPLE_STEPS.personnel].sort());
  });
});
