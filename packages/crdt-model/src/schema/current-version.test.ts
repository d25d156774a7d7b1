import { beforeAll, describe, expect, it } from "vitest";
import { createSampleAgency, type SampleAgency } from "../sample/agency.ts";
import { createSampleDocument } from "../sample/document.ts";
import { signAction } from "../chain/sign.ts";
import { CountersignDocument } from "./document.ts";

let a: SampleAgency;
beforeAll(async () => {
  a = await createSampleAgency();
});

/** The version as a wrapper with nothing kept computes it. */
function fresh(doc: CountersignDocument) {
  const v = CountersignDocument.wrap(doc.ydoc).currentVersion();
  if (!v.ok) throw new Error(v.reason);
  return v.value;
}

function current(doc: CountersignDocument) {
  const v = doc.currentVersion();
  if (!v.ok) throw new Error(v.reason);
  return v.value;
}

describe("CountersignDocument.currentVersion kept between changes", () => {
  it("follows every kind of local edit, deletions included (which leave the state vector as it was)", () => {
    const doc = createSampleDocument(a);
    const item = doc.body("proposal")[0]!.id;
    const sha = "a".repeat(64) as never;
    const edits: [string, () => void][] = [
      ["insert into 主旨", () => doc.insertSubject(0, "急")],
      ["delete from 主旨", () => doc.deleteSubject(0, 1)],
      ["insert into an item", () => void doc.insertItemText("proposal", item, 0, "擬")],
      ["delete from an item", () => void doc.deleteItemText("proposal", item, 0, 1)],
      ["add an item", () => void doc.addItem("measures", null, "辦法一")],
      ["remove an item", () => void doc.removeItem("measures", doc.body("measures")[0]!.id)],
      ["metadata", () => expect(doc.setMetadata({ speed: "ordinary" }).ok).toBe(true)],
      ["add an attachment", () => void doc.addAttachment({ sha256: sha, name: "a.pdf", size: 1, mime: "application/pdf" })],
      ["remove an attachment", () => doc.removeAttachment(sha)],
      ["clear the plan", () => doc.clearPlan()],
    ];
    for (const [what, edit] of edits) {
      const before = current(doc);
      edit();
      const after = current(doc);
      expect(after, what).toEqual(fresh(doc));
      expect(after.hash, what).not.toBe(before.hash);
    }
  });

  it("follows remote updates, a deletion alone included", () => {
    const doc = createSampleDocument(a);
    const peer = CountersignDocument.fromUpdate(doc.encodeState());
    if (!peer.ok) throw new Error(peer.reason);
    const before = current(doc);
    const sv = doc.stateVector();
    peer.value.deleteSubject(0, 2);
    expect(doc.applyUpdate(peer.value.encodeState(sv)).ok).toBe(true);
    expect(doc.stateVector()).toEqual(sv);
    expect(current(doc).hash).not.toBe(before.hash);
    expect(current(doc)).toEqual(fresh(doc));
    expect(current(doc).hash).toBe(current(peer.value).hash);
  });

  it("is kept across signing (the chain and versions are not content), and not inside a transaction", async () => {
    const doc = createSampleDocument(a);
    const before = doc.currentVersion();
    const r = await signAction(doc, a.officer, [], { action: { kind: "submit" }, step: null });
    expect(r.ok).toBe(true);
    expect(doc.currentVersion()).toBe(before);
    doc.putReceipt(r.ok ? r.value.id : ("x" as never), "{}");
    expect(doc.currentVersion()).toBe(before);

    let inside: string | undefined;
    doc.transact(() => {
      current(doc);
      doc.insertSubject(0, "急");
      inside = current(doc).hash;
    });
    expect(inside).toBe(fresh(doc).hash);
    expect(current(doc)).toEqual(fresh(doc));
  });
});
