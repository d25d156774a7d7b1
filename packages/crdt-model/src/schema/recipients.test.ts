import { describe, expect, it } from "vitest";
import { createSampleAgency } from "../sample/agency.ts";
import { createSampleDocument } from "../sample/document.ts";

describe("受文者 / 正本 / 副本 in the metadata", () => {
  it("are kept, signed with the content, and absent ones leave the content hash as it was", async () => {
    const a = await createSampleAgency();
    const doc = createSampleDocument(a);
    const before = doc.currentVersion();
    if (!before.ok) throw new Error(before.reason);
    expect(doc.metadata().ok && "recipients" in (doc.metadata() as { value: object }).value).toBe(false);

    const roster = [
      { delivery: "original", kind: "agency", name: "示範市立第一國民中學", agencyCode: "A-DEMO-JHS1" },
      { delivery: "copy", kind: "unit", name: "本局學務管理科", agencyCode: "A-DEMO-EDU", unitCode: "U-STU", attachments: false },
    ] as const;
    expect(doc.setMetadata({ recipients: roster.map((r) => ({ ...r })) }).ok).toBe(true);
    const m = doc.metadata();
    expect(m.ok && m.value.recipients).toEqual(roster);
    const after = doc.currentVersion();
    expect(after.ok && after.value.hash).not.toBe(before.value.hash);
  });

  it("a recipient without an agency code is refused with a sentence, and nothing changes", async () => {
    const a = await createSampleAgency();
    const doc = createSampleDocument(a);
    const r = doc.setMetadata({ recipients: [{ delivery: "original", kind: "agency", name: "某機關", agencyCode: " " }] });
    expect(r.ok ? null : r.code).toBe("schema.metadata");
    expect(r.ok ? "" : r.reason).toMatch(/agency code/);
    const m = doc.metadata();
    expect(m.ok && m.value.recipients).toBeUndefined();
  });
});
