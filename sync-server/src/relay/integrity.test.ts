import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CountersignDocument, asDocId, type Metadata } from "@countersign/crdt-model";
import { loadStored, pendingFrom } from "./integrity.ts";

const metadata = {
  kind: "memo",
  speed: "ordinary",
  secrecy: "none",
  dueDate: null,
  docNumber: null,
  receiptNumber: null,
  agency: "A-1",
  unit: "U-1",
  caseOfficer: "P-1",
  retention: null,
  category: "",
} as unknown as Metadata;

function base(): CountersignDocument {
  const d = CountersignDocument.create({ id: asDocId("doc-integrity"), metadata, subject: "主旨" });
  if (!d.ok) throw new Error(d.reason);
  return d.value;
}

/** An update whose one struct waits for a clock the copy lacks (the client's previous edit). */
function gapped(from: CountersignDocument): Uint8Array {
  const d = new Y.Doc();
  Y.applyUpdate(d, from.encodeState());
  d.getText("subject").insert(0, "甲");
  const sv = Y.encodeStateVector(d);
  d.getText("subject").insert(0, "乙");
  return Y.encodeStateAsUpdate(d, sv);
}

describe("updates that cannot be integrated now", () => {
  it("an update with a struct waiting for a missing clock is named; one that integrates is not", () => {
    const doc = base();
    const update = gapped(doc);
    const shape = doc.applyShaped(update);
    expect(shape.ok).toBe(true);
    if (!shape.ok) return;
    expect(pendingFrom(doc.ydoc, update, shape.value)).toMatch(/continues at clock 1 where the server holds 0/);

    const other = base();
    const d = new Y.Doc();
    Y.applyUpdate(d, other.encodeState());
    const sv = Y.encodeStateVector(d);
    d.getText("subject").insert(0, "丙");
    const fine = Y.encodeStateAsUpdate(d, sv);
    const s2 = other.applyShaped(fine);
    expect(s2.ok && pendingFrom(other.ydoc, fine, s2.value)).toBeUndefined();
  });

  it("loading stored updates leaves out a pending struct and says so, and serves the rest", () => {
    const doc = base();
    const gap = gapped(doc);
    const waiting = Y.decodeUpdate(gap).structs[0]!.id.client;
    const { ydoc, problems } = loadStored([doc.encodeState(), gap], null);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/wait for changes nobody stored/);
    expect(ydoc.getText("subject").toString()).toBe("主旨");
    // Nothing of it is served, and nothing later completes it.
    expect(Y.decodeUpdate(Y.encodeStateAsUpdate(ydoc)).structs.some((s) => s.id.client === waiting)).toBe(false);
  });

  it("loading stored updates skips one that does not decode and keeps the others", () => {
    const doc = base();
    const later = CountersignDocument.wrap(new Y.Doc());
    Y.applyUpdate(later.ydoc, doc.encodeState());
    const sv = later.stateVector();
    later.insertSubject(2, "（修正）");
    const { ydoc, problems } = loadStored([doc.encodeState(), new Uint8Array([1, 200, 3, 4]), later.encodeState(sv)], null);
    expect(problems.some((p) => /stored update 2 of 3 was left out/.test(p))).toBe(true);
    expect(ydoc.getText("subject").toString()).toBe("主旨（修正）");
  });
});
