// metadata.incoming (來文機關, 來文字號, 收文日期): a field of its own, optional, and absent from the
// signed content of every document that does not carry it, so documents stored before it verify as before.
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { asAgencyCode, asDocId, asPersonId, asUnitId } from "../ids.ts";
import { CountersignDocument } from "./document.ts";
import { canonicalContent, contentHash, parseSignedContent } from "./content.ts";
import { metadataSchema, type Metadata } from "./metadata.ts";

const base: Metadata = {
  kind: "letter",
  speed: "urgent",
  secrecy: "none",
  dueDate: "2026-11-26",
  docNumber: null,
  receiptNumber: "1150000007",
  agency: asAgencyCode("A-DEMO-EDU"),
  unit: asUnitId("U-STU"),
  caseOfficer: asPersonId("chen"),
  retention: null,
  category: "",
};
const incoming = { from: "臺南市政府", number: "府教字第1150001234號", receivedOn: "2026-11-23" };

function must<T>(r: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

describe("metadata.incoming", () => {
  it("takes 來文機關, 來文字號 (or null) and 收文日期, and refuses a missing 來文機關, a bad date or an unknown key", () => {
    expect(metadataSchema.safeParse({ ...base, incoming }).success).toBe(true);
    expect(metadataSchema.safeParse({ ...base, incoming: { ...incoming, number: null } }).success).toBe(true);
    expect(metadataSchema.safeParse({ ...base, incoming: { ...incoming, from: "  " } }).success).toBe(false);
    expect(metadataSchema.safeParse({ ...base, incoming: { ...incoming, receivedOn: "115/11/23" } }).success).toBe(false);
    expect(metadataSchema.safeParse({ ...base, incoming: { ...incoming, note: "x" } }).success).toBe(false);
  });

  it("is left out of the signed content when absent: a document without it hashes as it did before the field existed", () => {
    const doc = must(CountersignDocument.create({ id: asDocId("d-incoming-absent"), metadata: base, subject: "主旨" }));
    const content = must(doc.content());
    expect("incoming" in content.metadata).toBe(false);
    expect(canonicalContent(content)).not.toContain(`"incoming":`);
    // The canonical text an older release signed (no such key) reads back and hashes the same.
    const again = must(parseSignedContent(canonicalContent(content)));
    expect(contentHash(again)).toBe(contentHash(content));
  });

  it("is kept in the document and signed with its content when present", () => {
    const doc = must(CountersignDocument.create({ id: asDocId("d-incoming"), metadata: { ...base, incoming }, subject: "主旨" }));
    const content = must(doc.content());
    expect(content.metadata.incoming).toEqual(incoming);
    const copy = must(CountersignDocument.fromUpdate(doc.encodeState()));
    expect(must(copy.metadata()).incoming).toEqual(incoming);
    expect(contentHash(must(parseSignedContent(canonicalContent(content))))).toBe(contentHash(content));
    const without = must(CountersignDocument.create({ id: asDocId("d-incoming"), metadata: base, subject: "主旨" }));
    expect(contentHash(must(without.content()))).not.toBe(contentHash(content));
  });
});

describe("the 文號 the agency server assigns (assignDocNumber)", () => {
  it("is read as metadata.docNumber, whatever the creator wrote there, and leaves no deletion behind (batch sync would carry it for ever)", () => {
    const doc = must(CountersignDocument.create({ id: asDocId("d-numbered"), metadata: { ...base, receiptNumber: null, docNumber: "偽字第1150000001號" }, subject: "主旨" }));
    const sv = doc.stateVector();
    must(doc.assignDocNumber("示教字第1150000042號"));
    expect(must(doc.metadata()).docNumber).toBe("示教字第1150000042號");
    expect(must(doc.content()).metadata.docNumber).toBe("示教字第1150000042號");
    const added = Y.decodeUpdate(doc.encodeState(sv));
    expect(added.ds.clients.size).toBe(0);
    expect(doc.assignDocNumber("x".repeat(65)).ok).toBe(false);
  });
});
