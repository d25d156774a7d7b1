import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CountersignDocument, MAX_TYPE_DEPTH, asDocId, type Metadata } from "../src/index.ts";
import { deepNesting } from "./support/hostile-updates.ts";

const metadata: Metadata = {
  kind: "memo",
  speed: "ordinary",
  secrecy: "none",
  dueDate: null,
  docNumber: null,
  receiptNumber: null,
  agency: "A-1" as Metadata["agency"],
  unit: "U-1" as Metadata["unit"],
  caseOfficer: "P-1" as Metadata["caseOfficer"],
  retention: null,
  category: "",
};

function base(): CountersignDocument {
  const d = CountersignDocument.create({ id: asDocId("doc-structure"), metadata, subject: "主旨" });
  if (!d.ok) throw new Error(d.reason);
  return d.value;
}

describe("bounds on the Yjs structure of an update", () => {
  it("a 20,000-deep nesting whose root is deleted is refused before anything is applied", () => {
    const doc = base();
    const before = doc.encodeState();
    const r = doc.applyUpdate(deepNesting(doc.ydoc, "attachments", 20_000, true));
    expect(r).toEqual({ ok: false, code: "update.malformed", reason: `The update nests types deeper than ${MAX_TYPE_DEPTH} levels.` });
    expect(doc.encodeState()).toEqual(before);
    // The copy still takes ordinary edits.
    const other = CountersignDocument.wrap(new Y.Doc());
    Y.applyUpdate(other.ydoc, before);
    other.insertSubject(0, "新");
    expect(doc.applyUpdate(other.encodeState(doc.stateVector())).ok).toBe(true);
    expect(doc.subject()).toBe("新主旨");
  });

  it("an unknown top-level type is refused, and is not created in the copy", () => {
    const doc = base();
    const d = new Y.Doc();
    Y.applyUpdate(d, doc.encodeState());
    const sv = Y.encodeStateVector(d);
    d.getText("notes").insert(0, "x");
    const r = doc.applyUpdate(Y.encodeStateAsUpdate(d, sv));
    expect(r).toEqual({ ok: false, code: "update.malformed", reason: "The update writes the top-level type notes, which a Countersign document does not have." });
    expect(doc.ydoc.share.has("notes")).toBe(false);
  });

  it("nesting at the bound is accepted, one deeper is refused, counting the levels already in the document", () => {
    const doc = base();
    expect(doc.applyUpdate(deepNesting(doc.ydoc, "attachments", MAX_TYPE_DEPTH - 2)).ok).toBe(true);
    // Two more levels under the deepest map already there: exactly at the bound.
    let deepest = doc.ydoc.getMap("attachments").get("x") as Y.Map<unknown>;
    while (deepest.get("x") instanceof Y.Map) deepest = deepest.get("x") as Y.Map<unknown>;
    const d = new Y.Doc();
    Y.applyUpdate(d, doc.encodeState());
    let far = d.getMap("attachments").get("x") as Y.Map<unknown>;
    while (far.get("x") instanceof Y.Map) far = far.get("x") as Y.Map<unknown>;
    const sv = Y.encodeStateVector(d);
    const child = new Y.Map<unknown>();
    far.set("x", child);
    child.set("x", new Y.Map<unknown>());
    expect(doc.applyUpdate(Y.encodeStateAsUpdate(d, sv)).ok).toBe(true);
    const sv2 = Y.encodeStateVector(d);
    (child.get("x") as Y.Map<unknown>).set("x", new Y.Map<unknown>());
    expect(doc.applyUpdate(Y.encodeStateAsUpdate(d, sv2))).toEqual({ ok: false, code: "update.malformed", reason: `The update nests types deeper than ${MAX_TYPE_DEPTH} levels.` });
  });

  it("the body's own four levels of items are well within the bound", () => {
    const doc = base();
    let parent = doc.addItem("explanation", null, "一");
    for (let i = 0; i < 3; i++) {
      if (!parent.ok) throw new Error(parent.reason);
      parent = doc.addItem("explanation", parent.value, `層${i}`);
    }
    const copy = CountersignDocument.wrap(new Y.Doc());
    expect(copy.applyUpdate(doc.encodeState()).ok).toBe(true);
    expect(copy.body("explanation")[0]!.children[0]!.children[0]!.children[0]!.text).toBe("層2");
  });

  it("nesting split over two clients whose structs reference each other is measured whole", () => {
    const doc = base();
    const a = new Y.Doc();
    Y.applyUpdate(a, doc.encodeState());
    const sv = Y.encodeStateVector(a);
    const b = new Y.Doc();
    let m = a.getMap("plan");
    for (let i = 0; i < MAX_TYPE_DEPTH + 4; i++) {
      // Alternate the writing client, so the chain of parents crosses clients in the update.
      const writer = i % 2 ? b : a;
      Y.applyUpdate(writer, Y.encodeStateAsUpdate(i % 2 ? a : b));
      let t: Y.Map<unknown> = writer.getMap("plan");
      for (let k = 0; k < i; k++) t = t.get("x") as Y.Map<unknown>;
      t.set("x", new Y.Map<unknown>());
      m = t;
    }
    void m;
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    const r = doc.applyUpdate(Y.mergeUpdates([Y.encodeStateAsUpdate(a, sv)]));
    expect(r).toEqual({ ok: false, code: "update.malformed", reason: `The update nests types deeper than ${MAX_TYPE_DEPTH} levels.` });
  });
});
