import type { CountersignDocument, DocumentKind, Metadata } from "@countersign/crdt-model";
import { DEMO_PEER } from "./demo-peer.ts";

/**
 * What the demo documents say. A 函 (letter, 書函) goes out to other agencies: 主旨 asks them to
 * take note (請查照) or act, 說明 gives the grounds and 辦法 what the recipients are to do; it has no
 * 擬辦. A 簽 stays inside the agency: 主旨 asks the superior for a decision (簽請核示), 說明 and 擬辦
 * (what the case officer proposes). The DI export refuses a 函 with 擬辦 (the DTD has no place for
 * it), so the demo's letters are written as letters — checked by demo.test.ts for every one of them.
 *
 * What must stay true: every 簽 has exactly one 擬辦 item (doc.e2e.ts adds a second to demo-009 and
 * expects it numbered 二、).
 */

/** Items of one body section: a line, or a line with its sub-items. */
type Items = readonly (string | readonly [string, readonly string[]])[];
interface Text {
  subject: string;
  explanation: Items;
  /** 辦法 of a 函. */
  measures?: Items;
  /** 擬辦 of a 簽. */
  proposal?: Items;
}

const LETTERS: readonly Text[] = [
  {
    subject: "有關本局辦理115年度校園安全維護研習，請派員參加，請查照。",
    explanation: ["依據教育部115年1月2日臺教學(二)字第1150000001號函辦理。", ["研習規劃如下：", ["日期：115年3月14日（星期六）。", "地點：本局第一會議室。"]]],
    measures: ["請各校指派學務主任或生教組長1名參加，並於115年3月6日前至本局研習報名系統完成報名。", "參加人員請核予公差登記。"],
  },
  {
    subject: "有關本市各級學校辦理畢業典禮相關事宜，請轉知所屬。",
    explanation: ["為使畢業典禮溫馨隆重、兼顧安全，並落實節能減碳，特訂定相關注意事項。"],
    measures: ["畢業典禮以簡單隆重為原則，不得向學生收取額外費用。", ["活動安全注意事項：", ["戶外活動應備妥防曬及飲水。", "場地應事先檢查並規劃疏散動線。"]]],
  },
  {
    subject: "函轉教育部修正「學校衛生法施行細則」，請查照。",
    explanation: ["依據教育部115年1月9日臺教綜(五)字第1150000123號函辦理。", "旨揭施行細則修正條文，業經教育部於115年1月8日發布施行。"],
    measures: ["請各校依修正條文檢視校內健康中心作業規定，並轉知所屬教職員。"],
  },
  {
    subject: "有關115年度清寒學生獎學金申請作業，請轉知所屬學生踴躍申請。",
    explanation: ["本局115年度清寒學生獎學金自即日起受理申請，名額國中100名、國小100名。"],
    measures: ["請各校於115年4月30日前彙整申請表件，函送本局學務管理科辦理。", "申請資格及應備文件詳如本局網站公告。"],
  },
];

const MEMOS: readonly Text[] = [
  {
    subject: "有關本市115學年度國民中學學生獎懲實施要點修正一案，簽請核示。",
    explanation: ["依據教育部115年1月2日臺教學(二)字第1150000001號函辦理。", ["相關事項如下：", ["請各校於期限內完成填報。"]]],
    proposal: ["奉核後函發各校辦理。"],
  },
  {
    subject: "本局擬辦理特殊教育學生鑑定安置作業，簽請鑒核。",
    explanation: ["依特殊教育法第6條規定，本局每學年應辦理特殊教育學生鑑定及安置。", "115學年度預計受理申請約320名。"],
    proposal: ["擬於115年3月召開鑑定安置工作會議，所需經費由本局特殊教育預算項下支應。"],
  },
  {
    subject: "有關國民小學課後照顧服務經費核撥一案，簽請核示。",
    explanation: ["本市115年度國民小學課後照顧服務計有52校申請補助，經審查合計新臺幣380萬元。"],
    proposal: ["擬依審查結果核撥各校經費，奉核後函知各校，並副知會計室。"],
  },
];

/** Whether a document of this kind is written as a 函 (說明 + 辦法) rather than a 簽 (說明 + 擬辦). */
export const writtenAsLetter = (kind: DocumentKind): boolean => kind === "letter" || kind === "brief-letter";

/** The subject of demo document number `i` of the given kind (texts cycle). */
export function demoText(kind: DocumentKind, i: number): Text {
  const texts = writtenAsLetter(kind) ? LETTERS : MEMOS;
  return texts[i % texts.length]!;
}

/** Writes the text's 說明 and its 辦法 or 擬辦 into the document's body (subject is set at creation). */
export function writeBody(doc: CountersignDocument, text: Text): void {
  doc.transact(() => {
    for (const [section, items] of [
      ["explanation", text.explanation],
      ["measures", text.measures ?? []],
      ["proposal", text.proposal ?? []],
    ] as const) {
      for (const item of items) {
        const [line, subs] = typeof item === "string" ? [item, []] : item;
        const added = doc.addItem(section, null, line);
        if (!added.ok) throw new Error(added.reason); // fixed demo data: a bug if reached
        for (const sub of subs) doc.addItem(section, added.value, sub);
      }
    }
  });
}

/**
 * 正本 / 副本 of every demo letter: the fictional peer agency, which the demo agency trusts (sent by
 * electronic exchange); a school the demo agency has no exchange with (sent on paper, from the DI and
 * SW files the mail room downloads); and a copy for the drafting unit.
 */
export function demoRecipients(agency: { code: string }): NonNullable<Metadata["recipients"]> {
  return [
    { delivery: "original", kind: "agency", name: DEMO_PEER.name, agencyCode: DEMO_PEER.code },
    { delivery: "original", kind: "agency", name: DEMO_SCHOOL.name, agencyCode: DEMO_SCHOOL.code },
    { delivery: "copy", kind: "unit", name: "本局學務管理科", agencyCode: agency.code, unitCode: "U-STU" },
  ];
}

/** A school outside the federation trust list: its letters go on paper. */
export const DEMO_SCHOOL = { code: "A-DEMO-JHS", name: "示範市立示範國民中學" } as const;

/** The scan of the paper document recorded online (線上補登). */
export const SCAN_NAME = "紙本簽核掃描檔.pdf";

/**
 * A one-page PDF standing in for the scan: a real PDF (a viewer opens it), ASCII only since the
 * standard fonts have no Chinese glyphs. Its cross-reference offsets are computed, not typed.
 */
export function scanBytes(): Uint8Array {
  const text = "Countersign demo: scan of the paper file (demo-036), signed on paper by the director.";
  const stream = `BT /F1 11 Tf 56 760 Td (${text}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
  ];
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  for (const [i, o] of objects.entries()) {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  }
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(out);
}
