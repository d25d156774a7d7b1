import { describe, expect, it } from "vitest";
import { act, createSampleAgency, createSampleDocument, derive, sampleTrust } from "@countersign/crdt-model";
import { mayAttachScans } from "./paper-record.ts";

const a = await createSampleAgency();
const trust = sampleTrust(a);

describe("mayAttachScans (線上補登's scans)", () => {
  it("opens the attachments of a paper document to its case officer and the registry desk, until the 線上補登 is signed", async () => {
    const doc = createSampleDocument(a);
    await act(doc, a.officer, trust, { action: { kind: "submit" }, step: null });
    let ws = await derive(doc, trust);
    expect(mayAttachScans(doc, ws, trust, a.officer.profile)).toBe(false); // still out for signing: not on paper
    await act(doc, a.chief, trust, { action: { kind: "switch-to-paper", reason: "附件為大型圖說。" }, step: null });
    ws = await derive(doc, trust);
    expect(mayAttachScans(doc, ws, trust, a.officer.profile)).toBe(true);
    expect(mayAttachScans(doc, ws, trust, a.registry.profile)).toBe(true);
    expect(mayAttachScans(doc, ws, trust, a.chief.profile)).toBe(false);
    expect(mayAttachScans(doc, ws, null, a.officer.profile)).toBe(false);
    await act(doc, a.registry, trust, { action: { kind: "paper-record", reason: "紙本已決行，補登。" }, step: null });
    ws = await derive(doc, trust);
    expect(mayAttachScans(doc, ws, trust, a.officer.profile)).toBe(false);
  });
});
