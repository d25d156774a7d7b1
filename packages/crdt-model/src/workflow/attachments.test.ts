import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { asDocId, asPersonId, asSha256Hex, asUnitId } from "../ids.ts";
import { CountersignDocument } from "../schema/document.ts";
import { contentHash } from "../schema/content.ts";
import type { AttachmentEntry } from "../schema/content.ts";
import { adderFor, adderOf, checkAttachmentChanges, isDeskScan, mayRemoveAttachment } from "./attachments.ts";

const officer = { person: "P-officer", roles: ["case-officer"] };
const desk = { person: "P-desk", roles: ["registry"] };
const otherDesk = { person: "P-desk2", roles: ["registry"] };
const chief = { person: "P-chief", roles: ["supervisor"] };

const entry = (c: string, addedBy: AttachmentEntry["addedBy"]): AttachmentEntry => ({ sha256: asSha256Hex(c.repeat(64)), name: `${c}.pdf`, size: 10, mime: "application/pdf", addedBy });
const scan = entry("a", { person: "P-desk", role: "registry" });
const mine = entry("b", { person: "P-officer", role: "case-officer" });
const legacy = entry("c", null);

describe("who added an attachment", () => {
  it("an entry without an adder reads as the case officer's; the desk's scan is the one added in the registry role", () => {
    expect(adderOf(legacy, "P-officer")).toEqual({ person: "P-officer", role: "case-officer", implied: true });
    expect(adderOf(scan, "P-officer")).toMatchObject({ person: "P-desk", role: "registry", implied: false });
    expect(isDeskScan(scan)).toBe(true);
    expect(isDeskScan(legacy)).toBe(false);
    expect(isDeskScan(mine)).toBe(false);
  });

  it("the desk adds as the desk to another officer's document; everyone else in their first role", () => {
    expect(adderFor(desk, "P-officer")).toEqual({ person: "P-desk", role: "registry" });
    expect(adderFor(officer, "P-officer")).toEqual({ person: "P-officer", role: "case-officer" });
    expect(adderFor({ person: "P-desk", roles: ["registry", "case-officer"] }, "P-desk")).toEqual({ person: "P-desk", role: "registry" });
    expect(adderFor({ person: "P-x", roles: [] }, "P-officer")).toBeUndefined();
  });
});

describe("mayRemoveAttachment: the desk's scans only by the desk", () => {
  it("the case officer and a reviewer may not remove the desk's scan; any registry desk member may", () => {
    expect(mayRemoveAttachment(scan, officer)).toMatchObject({ ok: false, code: "update.attachment-remover" });
    expect(mayRemoveAttachment(scan, chief)).toMatchObject({ ok: false, code: "update.attachment-remover" });
    expect(mayRemoveAttachment(scan, desk).ok).toBe(true);
    expect(mayRemoveAttachment(scan, otherDesk).ok).toBe(true);
  });
  it("other attachments (and those from before adders were recorded) follow the document's own rules", () => {
    expect(mayRemoveAttachment(mine, officer).ok).toBe(true);
    expect(mayRemoveAttachment(legacy, officer).ok).toBe(true);
  });
});

describe("checkAttachmentChanges: the relay's check of an update's attachments", () => {
  it("refuses removing the desk's scan unless the desk sends it", () => {
    expect(checkAttachmentChanges([scan, mine], [mine], officer, "P-officer")).toMatchObject({ ok: false, code: "update.attachment-remover" });
    expect(checkAttachmentChanges([scan, mine], [mine], desk, "P-officer").ok).toBe(true);
  });
  it("refuses rewriting the desk's scan as someone else's (a removal in disguise)", () => {
    const rewritten = { ...scan, addedBy: { person: "P-officer", role: "case-officer" } };
    expect(checkAttachmentChanges([scan], [rewritten], officer, "P-officer")).toMatchObject({ ok: false, code: "update.attachment-remover" });
  });
  it("refuses an entry naming someone else, or a role the sender does not hold, as its adder", () => {
    expect(checkAttachmentChanges([], [scan], officer, "P-officer")).toMatchObject({ ok: false, code: "update.attachment-adder" });
    expect(checkAttachmentChanges([], [entry("d", { person: "P-officer", role: "registry" })], officer, "P-officer")).toMatchObject({ ok: false, code: "update.attachment-adder" });
    expect(checkAttachmentChanges([], [scan], desk, "P-officer").ok).toBe(true);
    expect(checkAttachmentChanges([], [mine], officer, "P-officer").ok).toBe(true);
  });
  it("an entry without an adder is taken only from the case officer (whom it implies)", () => {
    expect(checkAttachmentChanges([], [legacy], officer, "P-officer").ok).toBe(true);
    expect(checkAttachmentChanges([], [legacy], chief, "P-officer")).toMatchObject({ ok: false, code: "update.attachment-adder" });
  });
  it("entries left as they were are not judged (someone else's edits elsewhere pass)", () => {
    expect(checkAttachmentChanges([scan, mine, legacy], [scan, mine, legacy], chief, "P-officer").ok).toBe(true);
  });
});

describe("the adder in the document", () => {
  const meta = {
    kind: "memo" as const,
    speed: "ordinary" as const,
    secrecy: "none" as const,
    dueDate: null,
    docNumber: null,
    receiptNumber: null,
    agency: "A-TEST",
    unit: asUnitId("U-STU"),
    caseOfficer: asPersonId("P-officer"),
    retention: null,
    category: "",
  };
  it("is stored beside the reference, read back, and left out of the signed content", () => {
    const d = CountersignDocument.create({ id: asDocId("att-adder-1"), metadata: meta as never, subject: "附件加入者" });
    if (!d.ok) throw new Error(d.reason);
    const doc = d.value;
    const ref = { sha256: asSha256Hex("e".repeat(64)), name: "來文掃描.pdf", size: 12, mime: "application/pdf" };
    const without = CountersignDocument.wrap(new Y.Doc());
    Y.applyUpdate(without.ydoc, doc.encodeState());
    expect(without.addAttachment(ref).ok).toBe(true); // as documents were written before adders
    expect(doc.addAttachment(ref, { person: "P-desk", role: "registry" }).ok).toBe(true);
    expect(doc.attachmentEntries()).toEqual([{ ...ref, addedBy: { person: "P-desk", role: "registry" } }]);
    expect(without.attachmentEntries()).toEqual([{ ...ref, addedBy: null }]);
    expect(doc.attachments()).toEqual([ref]);
    const a = doc.content();
    const b = without.content();
    if (!a.ok || !b.ok) throw new Error("content");
    expect(contentHash(a.value)).toBe(contentHash(b.value));
    expect(doc.addAttachment(ref, { person: "", role: "registry" })).toMatchObject({ ok: false, code: "schema.attachment" });
  });
});
