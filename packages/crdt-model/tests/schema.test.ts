import { describe, expect, it } from "vitest";
import { DISPATCH, agency, decided, tick } from "./fixture.ts";
import { CountersignDocument } from "../src/schema/document.ts";
import { sampleMetadata } from "../src/sample/document.ts";
import { asDocId, type ItemId } from "../src/ids.ts";
import { itemLabel } from "../src/schema/body.ts";
import { diffSignedVersions, versionLines } from "../src/history/diff.ts";
import { parseEntry } from "../src/chain/types.ts";
import { TrustStore } from "../src/identity/trust.ts";
import { canonicalJson } from "../src/canonical.ts";
import { decodeDocumentFile, encodeDocumentFile } from "../src/file/docfile.ts";

async function blank(clientId?: number) {
  const a = await agency();
  const r = CountersignDocument.create({ id: asDocId("d-same"), metadata: sampleMetadata(a), clientId });
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}
const must = <T>(r: { ok: true; value: T } | { ok: false; reason: string }): T => {
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};

describe("canonical content hashing", () => {
  it("two replicas with the same content hash the same whatever their edit history and client ids", async () => {
    const x = await blank(11);
    x.setSubject("有關本案，請核示。");
    const i = must(x.addItem("explanation", null, "依據來函辦理。"));
    must(x.addItem("explanation", i, "第一點。"));

    const y = await blank(77);
    y.insertSubject(0, "請核示。");
    y.insertSubject(0, "有關本案，");
    const j = must(y.addItem("explanation", null, "依據函辦理"));
    must(y.insertItemText("explanation", j, 2, "來"));
    must(y.insertItemText("explanation", j, 6, "。"));
    const k = must(y.addItem("explanation", j, "錯字"));
    must(y.setItemText("explanation", k, "第一點。"));
    const junk = must(y.addItem("proposal", null, "刪掉我"));
    must(y.removeItem("proposal", junk));

    expect(must(x.currentVersion()).hash).toBe(must(y.currentVersion()).hash);
    y.insertSubject(0, " ");
    expect(must(x.currentVersion()).hash).not.toBe(must(y.currentVersion()).hash);
  });

  it("canonical JSON sorts keys and refuses numbers with more than one written form", () => {
    expect(canonicalJson({ b: 1, a: [true, null, "中"] })).toBe('{"a":[true,null,"中"],"b":1}');
    expect(() => canonicalJson({ x: 0.1 })).toThrow(/safe integers/);
  });
});

describe("body items", () => {
  it("items nest four deep with the labels 一、 (一) 1、 (1); a fifth level is refused", async () => {
    const d = await blank();
    let parent: ItemId | null = null;
    for (let depth = 1; depth <= 4; depth++) parent = must(d.addItem("measures", parent, `第${depth}層`));
    expect(d.addItem("measures", parent, "第5層")).toEqual({ ok: false, code: "schema.item", reason: "Items nest at most 4 levels deep." });
    expect([itemLabel(1, 2), itemLabel(2, 11), itemLabel(3, 3), itemLabel(4, 4)]).toEqual(["二、", "(十一)", "3、", "(4)"]);
  });

  it("There is no item … in explanation.", async () => {
    const d = await blank();
    expect(d.setItemText("explanation", "nope" as ItemId, "x")).toEqual({ ok: false, code: "schema.item", reason: "There is no item nope in explanation." });
  });

  it("The metadata is invalid: … and nothing changes", async () => {
    const d = await blank();
    const before = must(d.currentVersion()).hash;
    const r = d.setMetadata({ dueDate: "115/01/02" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe("The metadata is invalid: a date must be written YYYY-MM-DD (at dueDate).");
    expect(must(d.currentVersion()).hash).toBe(before);
  });

  it("The attachment reference is invalid: … (attachments are referenced by SHA-256)", async () => {
    const d = await blank();
    const r = d.addAttachment({ sha256: "abc" as never, name: "a.pdf", size: 1, mime: "application/pdf" });
    expect(r.ok).toBe(false);
    must(d.addAttachment({ sha256: "a".repeat(64) as never, name: "公文附件.pdf", size: 1024, mime: "application/pdf" }));
    expect(d.attachments().map((x) => x.name)).toEqual(["公文附件.pdf"]);
  });
});

describe("signing history (簽核歷程)", () => {
  it("every signer's version is kept and the diff shows what the reviewer changed", async () => {
    const f = await decided({ letter: true });
    const entries = [...f.doc.rawEntries()].map(([k, raw]) => must(parseEntry(raw, k)).entry.payload);
    const submit = entries.find((p) => p.action.kind === "submit")!;
    // 主旨 is rewritten after the decision; the mail room's dispatch signs that other version.
    f.doc.setSubject("修正後的主旨");
    const later = await f.sign(f.a.mailRoom, { action: { ...DISPATCH }, step: null, at: tick() });
    const dispatch = must(parseEntry(f.doc.rawEntries().get(later), later)).entry.payload;
    const changes = must(diffSignedVersions(f.doc, submit.content, dispatch.content));
    expect(changes).toHaveLength(1);
    expect(changes[0]!.key).toBe("主旨");
    const added = changes[0]!.parts.filter((p) => p.kind === "added").map((p) => p.text).join("");
    const kept = changes[0]!.parts.filter((p) => p.kind !== "removed").map((p) => p.text).join("");
    expect(added).toContain("後的");
    expect(kept).toBe("修正後的主旨");
    expect(versionLines(JSON.parse(f.doc.version(submit.content)!)).map((l) => l.key)).toContain("說明 二、 (一) 1、");
  });
});

describe("trust store and document file", () => {
  it("Trusted certificate 1: The certificate does not parse: …", () => {
    const r = TrustStore.fromPem(["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/^Trusted certificate 1: The certificate does not parse: /);
  });

  it("a document file round-trips; a file naming another document is refused", async () => {
    const f = await decided();
    const text = encodeDocumentFile(f.doc);
    const back = must(decodeDocumentFile(text));
    expect(must(back.doc.currentVersion()).hash).toBe(must(f.doc.currentVersion()).hash);
    const wrong = text.replace(`"doc": "${f.doc.id}"`, '"doc": "other"');
    expect(decodeDocumentFile(wrong)).toEqual({ ok: false, code: "file.other-document", reason: "The document file names another document than its update holds." });
    expect(decodeDocumentFile("not json")).toEqual({ ok: false, code: "file.malformed", reason: "The document file is not valid JSON." });
  });
});
