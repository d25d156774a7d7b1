import { describe, expect, it } from "vitest";
import { SAMPLE_STEPS, act, buildDecidedSample, createSampleAgency, createSampleDocument, derive, sampleTrust, type BodyItem, type ItemId, type SampleAgency } from "@countersign/crdt-model";
import type { ReceiptCheck } from "$lib/doc/receipts.ts";
import { AT_DISPATCH, NOT_RECORDED, buildSheet, numberedLines, recipientLines, rocOfIsoDate } from "./sheet.ts";

let agency: SampleAgency | undefined;
const sample = async () => (agency ??= await createSampleAgency());

async function decided() {
  const a = await sample();
  const { doc, trust } = await buildDecidedSample(a);
  const ws = await derive(doc, trust);
  return { a, doc, ws };
}

describe("print sheet", () => {
  it("numbers body items 一、 (一) 1、 (1) depth first", () => {
    const item = (text: string, children: BodyItem[] = []): BodyItem => ({ id: "i" as ItemId, text, children });
    const lines = numberedLines([item("甲", [item("乙", [item("丙", [item("丁")])])]), item("戊")]);
    expect(lines.map((l) => `${l.label}${l.text}`)).toEqual(["一、甲", "(一)乙", "1、丙", "(1)丁", "二、戊"]);
  });

  it("受文者 is the one 正本, or 如正本 for several; a letter naming nobody says so", () => {
    const school = { kind: "agency" as const, name: "示範國中", agencyCode: "A-SCH", delivery: "original" as const };
    const city = { kind: "agency" as const, name: "示範市政府", agencyCode: "A-CITY", delivery: "copy" as const, attachments: true };
    expect(recipientLines([school, city])).toEqual({ addressee: "示範國中", originals: "示範國中", copies: "示範市政府（含附件）" });
    expect(recipientLines([school, { ...school, name: "示範國小" }])).toEqual({ addressee: "如正本", originals: "示範國中、示範國小", copies: "無" });
    expect(recipientLines(undefined)).toEqual({ addressee: NOT_RECORDED, originals: NOT_RECORDED, copies: NOT_RECORDED });
  });

  it("writes a dispatch date in the ROC calendar", () => {
    expect(rocOfIsoDate("2026-01-02")).toBe("中華民國115年1月2日");
  });

  it("a decided 簽: every signer in order, the 決行 line by the director, times trusted only from verified receipts", async () => {
    const { a, doc, ws } = await decided();
    const submit = ws.timeline.find((e) => e.action === "submit")!;
    const decide = ws.timeline.find((e) => e.action === "decide")!;
    const receipts = new Map<string, ReceiptCheck>([
      [decide.id, { valid: true, at: new Date("2026-01-02T02:00:00Z") }],
      [submit.id, { valid: false, claimed: new Date("2026-01-01T00:00:00Z"), code: "receipt.signature", reason: "The receipt's signature does not verify." }],
    ]);
    const sheet = buildSheet({ doc, ws, receipts, units: { "U-STU": "學務管理科" }, delegation: a.delegation, agencyName: "臺南市政府教育局" })!;
    expect(sheet.layout).toBe("memo");
    expect(sheet.signers.map((s) => `${s.action}${s.name}`)).toEqual(["陳核陳承辦", "核稿林科長", "會辦黃主任", "會辦吳主任", "決行王局長"]);
    expect(sheet.signers[0]!.time).toMatchObject({ trusted: false });
    expect(sheet.signers[0]!.time.text).toContain("機關簽收時間無法驗證");
    expect(sheet.signers[4]!.time).toEqual({ trusted: true, text: "中華民國115年1月2日 10:00（機關簽收）" });
    // The director is the top of the table: no delegation sentence.
    expect(sheet.decision).toEqual(["決行：局長 王局長\u3000中華民國115年1月2日 10:00（機關簽收）"]);
    expect(sheet.record.map((r) => r.receipt.state)).toEqual(["invalid", "none", "none", "none", "valid"]);
    expect(sheet.record.every((r) => r.outcome === "applied")).toBe(true);
    expect(sheet.subject).toContain("獎懲實施要點");
    expect(sheet.sections[0]!.label).toBe("說明");
    expect(sheet.sections[0]!.lines[0]!.label).toBe("一、");
  });

  it("a decision below the top of the delegation table says it is delegated", async () => {
    const { a, doc, ws } = await decided();
    const table = { ...a.delegation, levels: [...a.delegation.levels, { level: 6, title: "市長" }] };
    const sheet = buildSheet({ doc, ws, receipts: new Map(), units: {}, delegation: table, agencyName: "" })!;
    expect(sheet.decision![0]).toMatch(/^決行：局長 王局長\u3000中華民國\d+年\d+月\d+日 \d\d:\d\d（簽署者自填時間，機關尚未簽收）$/);
    expect(sheet.decision![1]).toBe("依分層負責規定授權局長決行");
  });

  it("a deputy's decision names the deputy, the delegation and whom he acted for", async () => {
    const a = await sample();
    const trust = sampleTrust(a);
    const doc = createSampleDocument(a);
    const at = (m: number) => new Date(Date.now() - 3600_000 + m * 60_000);
    await act(doc, a.officer, trust, { action: { kind: "submit" }, step: null, opinion: "陳請核示。", at: at(0) });
    await act(doc, a.chief, trust, { action: { kind: "approve" }, step: SAMPLE_STEPS.review, opinion: "擬陳。", at: at(1) });
    await act(doc, a.personnel, trust, { action: { kind: "countersign" }, step: SAMPLE_STEPS.personnel, opinion: "", at: at(2) });
    await act(doc, a.accounting, trust, { action: { kind: "countersign" }, step: SAMPLE_STEPS.accounting, opinion: "", at: at(3) });
    const ws = await act(doc, a.deputyDirector, trust, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, opinion: "代為決行。", at: at(4) });
    expect(ws.status).toBe("decided");
    const sheet = buildSheet({ doc, ws, receipts: new Map(), units: {}, delegation: a.delegation, agencyName: "" })!;
    expect(sheet.decision![0]).toMatch(/^決行：副局長 張副局長\u3000/);
    expect(sheet.decision!.slice(1)).toEqual(["依分層負責規定授權副局長決行", "（職務代理：代原指定決行人 P-DIRECTOR 決行）"]);
  });

  it("a 函 before 發文 leaves its number and date to the dispatch", async () => {
    const { a, doc, ws } = await decided();
    // The layout follows the kind (a local edit here: only what is signed counts, and nothing is signed after it).
    expect(doc.setMetadata({ kind: "letter" }).ok).toBe(true);
    const sheet = buildSheet({ doc, ws, receipts: new Map(), units: {}, delegation: a.delegation, agencyName: "臺南市政府教育局" })!;
    expect(sheet.layout).toBe("letter");
    expect(sheet.kindLabel).toBe("函");
    expect(sheet.dispatchNumber).toBe(AT_DISPATCH);
    expect(sheet.dispatchDate).toBe(AT_DISPATCH);
  });
});
