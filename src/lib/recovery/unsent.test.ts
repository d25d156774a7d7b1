// The downloadable unsent work: readable text in the official numbering, and the bytes that restore it.
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CountersignDocument, asAgencyCode, asDocId, asPersonId, asUnitId, fromBase64, type Metadata } from "@countersign/crdt-model";
import { applicableUpdates } from "./salvage.ts";
import { documentText, mergeUnsent, textOfUpdates, unsentFile, unsentFileName } from "./unsent.ts";

const meta: Metadata = {
  kind: "memo",
  speed: "urgent",
  secrecy: "none",
  dueDate: "2026-11-30",
  docNumber: "示教學字第1150001000號",
  receiptNumber: null,
  agency: asAgencyCode("A-DEMO"),
  unit: asUnitId("U-STU"),
  caseOfficer: asPersonId("chen"),
  retention: "10",
  category: "學務",
};

function sample(): CountersignDocument {
  const created = CountersignDocument.create({ id: asDocId("demo-900"), metadata: meta, subject: "有關校園安全演練一案" });
  if (!created.ok) throw new Error(created.reason);
  const doc = created.value;
  doc.addItem("explanation", null, "依據本局115年計畫辦理。");
  const two = doc.addItem("explanation", null, "演練事項如下：");
  if (two.ok) doc.addItem("explanation", two.value, "地震避難。");
  doc.addItem("proposal", null, "奉核後實施。");
  return doc;
}

describe("unsent work as a file", () => {
  it("the text carries the subject and the numbered items 一、(一)", () => {
    expect(documentText(sample())).toBe(["主旨：有關校園安全演練一案", "說明：", "一、依據本局115年計畫辦理。", "二、演練事項如下：", "  (一)地震避難。", "擬辦：", "一、奉核後實施。"].join("\n"));
  });

  it("the queued updates restore the typed text when applied to a copy, and appear in base64 in the file", () => {
    const doc = sample();
    const before = doc.stateVector();
    const queued: Uint8Array[] = [];
    doc.ydoc.on("update", (u: Uint8Array) => queued.push(u));
    doc.setSubject("有關校園安全演練一案（離線修改）");
    const merged = mergeUnsent(queued)!;
    const file = unsentFile([{ v: 1, doc: "demo-900", text: documentText(doc), update: merged, reason: "The update changes the content of a decided document.", at: "2026-11-21T08:00:00.000Z" }]);
    expect(file).toContain("主旨：有關校園安全演練一案（離線修改）");
    expect(file).toContain("The update changes the content of a decided document.");
    const b64 = file.split("\n").at(-2)!;
    // Applied to the server's version (what the document was before), the bytes bring the edit back.
    const server = new Y.Doc();
    Y.applyUpdate(server, Y.encodeStateAsUpdate(doc.ydoc, undefined));
    const restored = new Y.Doc();
    Y.applyUpdate(restored, Y.encodeStateAsUpdate(doc.ydoc, before)); // nothing of the base…
    Y.applyUpdate(restored, Y.encodeStateAsUpdate(server)); // …until the base arrives
    Y.applyUpdate(restored, fromBase64(b64));
    expect(CountersignDocument.wrap(restored).subject()).toBe("有關校園安全演練一案（離線修改）");
  });

  it("nothing queued gives no bytes; garbage rows are left out of what is read back", () => {
    expect(mergeUnsent([])).toBeNull();
    const doc = sample();
    const good = Y.encodeStateAsUpdate(doc.ydoc);
    const rows = [good, new TextEncoder().encode("garbage garbage"), "not bytes", new Uint8Array([255, 255, 255, 255])];
    expect(applicableUpdates(rows)).toEqual([good]);
    expect(textOfUpdates(applicableUpdates(rows))).toContain("主旨：有關校園安全演練一案");
    expect(textOfUpdates([])).toBeNull();
  });

  it("file names say what they hold and never carry path characters", () => {
    expect(unsentFileName("demo/005", new Date("2026-11-21T08:09:10Z"))).toBe("countersign-unsent-demo_005-20261121080910.txt");
  });
});
