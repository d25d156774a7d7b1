import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { agency } from "./fixture.ts";
import type { SampleAgency } from "../src/sample/agency.ts";
import { createSampleDocument } from "../src/sample/document.ts";
import type { CountersignDocument } from "../src/schema/document.ts";
import type { SignedContent } from "../src/schema/content.ts";
import type { Result } from "../src/result.ts";
import { asSha256Hex } from "../src/ids.ts";
import { SECRECY_LEVELS } from "../src/schema/metadata.ts";
import { exportDi, exportDiContent, exportSw, escapeAttr, escapeText, parseDocNumber, rocDate, type DiOptions, type Recipient } from "../src/di/index.ts";

// The official DTDs, copied from the spec folder so the tests do not depend on files outside the repo.
const DTDS = fileURLToPath(new URL("./fixtures/di/", import.meta.url));

const NO_XMLLINT =
  "xmllint is not installed: install the Debian package libxml2-utils (apt-get install libxml2-utils); the DI export is checked against the official DTDs with it.";

/** Runs xmllint; a missing binary fails the test with the package to install, never skips it. */
function xmllint(cwd: string, args: string[]): { status: number; output: string; stdout: string } {
  const r = spawnSync("xmllint", args, { cwd, encoding: "utf8" });
  if (r.error) throw new Error((r.error as NodeJS.ErrnoException).code === "ENOENT" ? NO_XMLLINT : r.error.message);
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

const dirs: string[] = [];
/** A temp dir holding the whole DTD folder: the DTDs include the .ent files by relative name. */
function dtdDir(): string {
  const d = mkdtempSync(join(tmpdir(), "countersign-di-"));
  dirs.push(d);
  cpSync(DTDS, d, { recursive: true });
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Writes `xml` next to the DTDs and runs exactly `xmllint --noout --dtdvalid <dtd> <file>`. */
function dtdvalid(xml: string, dtd: string, file = "out.di") {
  const dir = dtdDir();
  writeFileSync(join(dir, file), xml);
  return { dir, file, ...xmllint(dir, ["--noout", "--dtdvalid", dtd, file]) };
}

/**
 * Evaluates an XPath with xmllint. libxml2 2.9's XPath parser rejects some abbreviated steps whose
 * names are CJK (`string(/簽)` is "Invalid expression", `string(/child::簽)` is fine), so steps are
 * spelled out with their axes first.
 */
function xpath(dir: string, file: string, expr: string): string {
  const spelled = expr.replace(/\/(?=[^\x00-\x7F])/g, "/child::").replace(/@(?=[^\x00-\x7F])/g, "attribute::");
  const r = xmllint(dir, ["--xpath", spelled, file]);
  if (r.status !== 0) throw new Error(`xmllint --xpath ${spelled} failed: ${r.output}`);
  return r.stdout.replace(/\n$/, ""); // xmllint ends a string result with a newline of its own
}

const must = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};

const SCHOOL: Recipient = { delivery: "original", kind: "agency", name: "臺南市立民德國民中學", agencyCode: "213501A" };
const ROSTER: Recipient[] = [
  SCHOOL,
  { delivery: "original", kind: "agency", name: "臺南市立建興國民中學", agencyCode: "213502A", attachments: true },
  { delivery: "copy", kind: "unit", name: "本局學務科", agencyCode: "A-TN-EDU", unitCode: "U-STU", attachments: false },
  { delivery: "copy", kind: "person", name: "林校長", title: "校長", agencyCode: "213501A" },
];

const LETTER_OPTS: DiOptions = {
  agencyName: "臺南市政府教育局",
  address: "70954臺南市安平區永華路二段6號",
  contacts: ["承辦人：陳承辦", "電話：06-2991111#8000"],
  date: "2026-01-02",
  recipients: [SCHOOL],
  signature: "局長　王局長",
};
const MEMO_OPTS: DiOptions = { agencyName: "臺南市政府教育局", unitName: "學務科", date: "2026-01-02", signature: "承辦人　陳承辦", submitTo: [{ title: "科長" }, { title: "局長" }] };

let a: SampleAgency;
beforeAll(async () => {
  a = await agency();
});

/** The sample 簽 turned into a 函: kind letter, 擬辦 removed (a 函 has none). */
function sampleLetter(): CountersignDocument {
  const doc = createSampleDocument(a);
  must(doc.setMetadata({ kind: "letter" }));
  for (const i of doc.body("proposal")) must(doc.removeItem("proposal", i.id));
  doc.setSubject("檢送本市115學年度國民中學學生獎懲實施要點修正規定1份，請查照。");
  return doc;
}

describe("xmllint", () => {
  it("is installed (Debian package libxml2-utils), since every validity check below runs it", () => {
    expect(xmllint(tmpdir(), ["--version"]).status).toBe(0);
  });
});

describe("函 (104_2_utf8.dtd)", () => {
  it("a letter to one agency validates with xmllint --dtdvalid", () => {
    const r = must(exportDi(sampleLetter(), LETTER_OPTS));
    expect(r.dtd).toBe("104_2_utf8.dtd");
    expect(r.empty).toEqual([]);
    expect(r.rosterFile).toBeNull();
    expect(r.xml).toContain('<!DOCTYPE 函 SYSTEM "104_2_utf8.dtd">');
    const v = dtdvalid(r.xml, r.dtd);
    expect(v.output).toBe("");
    expect(v.status).toBe(0);
    expect(xpath(v.dir, v.file, "string(/函/函類別/@代碼)")).toBe("函");
    expect(xpath(v.dir, v.file, "string(/函/受文者/全銜)")).toBe("臺南市立民德國民中學");
    expect(xpath(v.dir, v.file, "string(/函/發文日期/年月日)")).toBe("中華民國115年1月2日");
    expect(xpath(v.dir, v.file, "string(/函/發文字號/字)")).toBe("南市教學字");
    expect(xpath(v.dir, v.file, "concat(/函/發文字號/文號/年度, '|', /函/發文字號/文號/流水號)")).toBe("115|0001234");
    expect(xpath(v.dir, v.file, "string(/函/速別/@代碼)")).toBe("速件");
    expect(xpath(v.dir, v.file, "string(/函/段落/@段名)")).toBe("說明：");
    expect(xpath(v.dir, v.file, "string(/函/正本/全銜)")).toBe("臺南市立民德國民中學");
  });

  it("a 書函 is a 函 with 函類別 書函", () => {
    const doc = sampleLetter();
    must(doc.setMetadata({ kind: "brief-letter" }));
    const r = must(exportDi(doc, LETTER_OPTS));
    const v = dtdvalid(r.xml, r.dtd);
    expect(v.status, v.output).toBe(0);
    expect(xpath(v.dir, v.file, "string(/函/函類別/@代碼)")).toBe("書函");
  });

  it("a letter with nothing but the required parts still validates, and says what it left empty", () => {
    const doc = sampleLetter();
    must(doc.setMetadata({ docNumber: null }));
    const r = must(exportDi(doc, { agencyName: "臺南市政府教育局", recipients: [SCHOOL] }));
    expect(r.empty).toEqual(["地址", "聯絡方式", "發文日期", "發文字號"]);
    const v = dtdvalid(r.xml, r.dtd);
    expect(v.status, v.output).toBe(0);
  });

  it("a roster goes to SW: 受文者 references it, the SW validates with --dtdvalid, the DI with --valid", () => {
    const doc = sampleLetter();
    must(doc.addAttachment({ sha256: asSha256Hex("a".repeat(64)), name: "修正規定.pdf", size: 1000, mime: "application/pdf" }));
    must(doc.addAttachment({ sha256: asSha256Hex("b".repeat(64)), name: "對照表.odt", size: 2000, mime: "application/vnd.oasis.opendocument.text" }));
    const r = must(exportDi(doc, { ...LETTER_OPTS, recipients: ROSTER }));
    expect(r.rosterFile).toBe("1150001234.sw");
    expect(r.attachments.map((f) => [f.entity, f.file, f.ref.name])).toEqual([
      ["ATTCH1", "1150001234_ATTCH1.pdf", "修正規定.pdf"],
      ["ATTCH2", "1150001234_ATTCH2.odt", "對照表.odt"],
    ]);
    const sw = must(exportSw(ROSTER));
    const s = dtdvalid(sw.xml, sw.dtd, "1150001234.sw");
    expect(s.output).toBe("");
    expect(s.status).toBe(0);
    expect(xpath(s.dir, s.file, "count(/交換表單/本別)")).toBe("4");
    expect(xpath(s.dir, s.file, "string(/交換表單/本別[3]/收發處理本別/@代碼)")).toBe("副本");

    writeFileSync(join(s.dir, "out.di"), r.xml);
    // --valid reads the DTD the DOCTYPE names (copied alongside) together with the internal subset
    // that declares 表單 and ATTCH1/2, so it also checks that every referenced entity exists.
    const full = xmllint(s.dir, ["--noout", "--valid", "out.di"]);
    expect(full.output).toBe("");
    expect(full.status).toBe(0);
    // libxml2's --dtdvalid validates with the internal subset set aside (xmlValidateDtd), so the
    // ENTITY attributes 交換表單 and 附件名 cannot resolve there; those must be its only complaints.
    const ext = xmllint(s.dir, ["--noout", "--dtdvalid", "104_2_utf8.dtd", "out.di"]);
    const complaints = ext.output.split("\n").filter((l) => l.includes("error"));
    expect(ext.status === 0 || complaints.length > 0, ext.output).toBe(true);
    expect(complaints.every((l) => /(ENTITY|ENTITIES) attribute (交換表單|附件名) reference an unknown entity/.test(l)), ext.output).toBe(true);
    // And --valid is not lenient about entities: a reference to an undeclared one fails.
    writeFileSync(join(s.dir, "bad.di"), r.xml.replace('附件名="ATTCH1 ATTCH2"', '附件名="ATTCH1 ATTCH9"'));
    expect(xmllint(s.dir, ["--noout", "--valid", "bad.di"]).status).not.toBe(0);
  });

  it("a letter whose roster names no 正本 is refused (the DTD requires 正本)", () => {
    for (const recipients of [undefined, [], [{ ...SCHOOL, delivery: "copy" as const }]]) {
      const r = exportDi(sampleLetter(), { ...LETTER_OPTS, recipients });
      expect(r.ok ? "" : r.reason).toMatch(/at least one 正本 recipient/);
    }
  });

  it("a letter holding 擬辦 items is refused rather than dropping them", () => {
    const doc = sampleLetter();
    must(doc.addItem("proposal", null, "擬函發各校。"));
    const r = exportDi(doc, LETTER_OPTS);
    expect(r.ok ? "" : r.reason).toMatch(/A 函 has no 擬辦 section/);
  });
});

describe("簽 (104_5_utf8.dtd)", () => {
  it("the sample memo validates with xmllint --dtdvalid", () => {
    const r = must(exportDi(createSampleDocument(a), MEMO_OPTS));
    expect(r.dtd).toBe("104_5_utf8.dtd");
    expect(r.empty).toEqual([]);
    const v = dtdvalid(r.xml, r.dtd);
    expect(v.output).toBe("");
    expect(v.status).toBe(0);
    expect(xpath(v.dir, v.file, "string(/簽/單位/單位名)")).toBe("學務科");
    expect(xpath(v.dir, v.file, "concat(/簽/文號/年度, '|', /簽/文號/流水號)")).toBe("115|0001234");
    expect(xpath(v.dir, v.file, "string(/簽/段落[2]/@段名)")).toBe("擬辦：");
    expect(xpath(v.dir, v.file, "count(/簽/敬陳/職稱)")).toBe("2");
    expect(xpath(v.dir, v.file, "string(/簽/年月日)")).toBe("中華民國115年1月2日");
  });

  it("a bare memo validates with empty 文號, 署名 and 年月日, and names them", () => {
    const doc = createSampleDocument(a);
    must(doc.setMetadata({ docNumber: null }));
    const r = must(exportDi(doc, { agencyName: "" }));
    expect(r.empty).toEqual(["發文機關/全銜", "文號", "署名", "年月日"]);
    const v = dtdvalid(r.xml, r.dtd);
    expect(v.status, v.output).toBe(0);
    expect(xpath(v.dir, v.file, "string(/簽/發文機關/機關代碼)")).toBe("A-TN-EDU");
  });

  it("a memo with an attachment validates with --valid", () => {
    const doc = createSampleDocument(a);
    must(doc.addAttachment({ sha256: asSha256Hex("c".repeat(64)), name: "名冊.xlsx", size: 10, mime: "application/octet-stream" }));
    const r = must(exportDi(doc, MEMO_OPTS));
    const dir = dtdDir();
    writeFileSync(join(dir, "m.di"), r.xml);
    const v = xmllint(dir, ["--noout", "--valid", "m.di"]);
    expect(v.status, v.output).toBe(0);
  });
});

describe("text", () => {
  it("escapes < & > \" ' in 主旨 and the text reads back unchanged", () => {
    const doc = sampleLetter();
    const subject = `有關"A<B & C>D"與'E'及]]>之說明，請查照。`;
    doc.setSubject(subject);
    const r = must(exportDi(doc, LETTER_OPTS));
    expect(r.xml).toContain("<文字>有關\"A&lt;B &amp; C&gt;D\"與'E'及]]&gt;之說明，請查照。</文字>");
    const v = dtdvalid(r.xml, r.dtd);
    expect(v.status, v.output).toBe(0);
    expect(xpath(v.dir, v.file, "string(/函/主旨/文字)")).toBe(subject);
  });

  it("escapes attribute values for double quotes, keeping tabs and line breaks as references", () => {
    expect(escapeAttr(`a"b'c<d&e>f\tg\nh\ri`)).toBe("a&quot;b'c&lt;d&amp;e&gt;f&#9;g&#10;h&#13;i");
    expect(escapeText("a\r\nb]]>")).toBe("a&#13;\nb]]&gt;");
  });

  it("numbers items four deep: 一、 (一) 1、 (1)", () => {
    const doc = createSampleDocument(a);
    const top = must(doc.addItem("explanation", null, "第一層"));
    const second = must(doc.addItem("explanation", top, "第二層"));
    const third = must(doc.addItem("explanation", second, "第三層"));
    must(doc.addItem("explanation", third, "第四層之一"));
    must(doc.addItem("explanation", third, "第四層之二"));
    const r = must(exportDi(doc, MEMO_OPTS));
    const v = dtdvalid(r.xml, r.dtd);
    expect(v.status, v.output).toBe(0);
    const path = `/簽/段落[1]/條列[@序號="三、"]/條列[@序號="(一)"]/條列[@序號="1、"]/條列[@序號="(2)"]/文字`;
    expect(xpath(v.dir, v.file, `string(${path})`)).toBe("第四層之二");
  });

  it("refuses a fifth level, which the numbering cannot label", () => {
    const content = must(createSampleDocument(a).content());
    const leaf = (text: string, children: SignedContent["body"]["explanation"] = []) => ({ text, children });
    const deep: SignedContent = { ...content, body: { ...content.body, explanation: [leaf("一", [leaf("二", [leaf("三", [leaf("四", [leaf("五")])])])])] } };
    const r = exportDiContent(deep, MEMO_OPTS);
    expect(r.ok ? "" : r.reason).toBe("說明 item 一、(一)1、(1) has sub-items below the fourth level, which 條列 numbering (一、 (一) 1、 (1)) cannot label.");
  });

  it("refuses a character XML 1.0 does not allow, with a sentence naming where it is", () => {
    const doc = sampleLetter();
    doc.setSubject("主旨\u0001含控制字元");
    const r = exportDi(doc, LETTER_OPTS);
    expect(r.ok ? "" : r.reason).toBe("The text of 函/主旨/文字 holds U+0001 at character 3, which XML 1.0 does not allow; remove it before exporting.");

    const memo = createSampleDocument(a);
    must(memo.addItem("proposal", null, "半個代理對\uD800"));
    const m = exportDi(memo, MEMO_OPTS);
    expect(m.ok ? "" : m.reason).toMatch(/^The text of 簽\/段落\/條列\/文字 holds U\+D800 at character 6/);

    const sw = exportSw([{ ...SCHOOL, name: "學校\u000B" }]);
    expect(sw.ok ? "" : sw.reason).toMatch(/交換表單\/全銜 holds U\+000B/);
  });
});

describe("refusals", () => {
  it("a classified document is not exported", () => {
    for (const secrecy of SECRECY_LEVELS.filter((s) => s !== "none")) {
      const doc = sampleLetter();
      must(doc.setMetadata({ secrecy }));
      expect(exportDi(doc, LETTER_OPTS)).toEqual({ ok: false, code: "di.classified", reason: "A classified document is not exported as DI." });
    }
  });

  it("a 文號 that does not parse is refused, naming it", () => {
    const doc = sampleLetter();
    must(doc.setMetadata({ docNumber: "南市教學字1150001234號" }));
    const r = exportDi(doc, LETTER_OPTS);
    expect(r.ok ? "" : r.reason).toMatch(/^The document number "南市教學字1150001234號" does not parse: a 文號 is written like 府教字第1150001234號/);
  });

  it("kinds without a DI writer yet are refused by name", () => {
    const doc = sampleLetter();
    must(doc.setMetadata({ kind: "meeting-notice" }));
    expect(exportDi(doc, LETTER_OPTS)).toEqual({ ok: false, code: "di.kind", reason: "Only 函, 書函 and 簽 export as DI so far; this document is a 開會通知單." });
  });

  it("a date off the calendar, a file base with a path, and an undeliverable recipient are refused", () => {
    expect(exportDi(sampleLetter(), { ...LETTER_OPTS, date: "2026-02-30" })).toEqual({ ok: false, code: "di.date", reason: 'The date "2026-02-30" is not on the calendar.' });
    expect(exportDi(sampleLetter(), { ...LETTER_OPTS, fileBase: "../x" }).ok).toBe(false);
    const r = exportDi(sampleLetter(), { ...LETTER_OPTS, recipients: [{ ...SCHOOL, agencyCode: " " }] });
    expect(r.ok ? "" : r.reason).toBe("Recipient 1 (臺南市立民德國民中學) has no agency code (機關代碼), which the exchange routes by.");
    expect(exportSw([])).toEqual({ ok: false, code: "di.recipients", reason: "The recipient roster is empty; a 交換表單 lists at least one recipient." });
  });
});

describe("文號 and dates", () => {
  it("parses 代字, ROC year, serial and 支號", () => {
    expect(must(parseDocNumber("府教字第1150001234號"))).toEqual({ word: "府教字", year: "115", serial: "0001234", branch: null });
    expect(must(parseDocNumber("臺教學(二)字第1150000001號"))).toEqual({ word: "臺教學(二)字", year: "115", serial: "0000001", branch: null });
    expect(must(parseDocNumber(" 府授教字第０９９００１２３４５１號 "))).toEqual({ word: "府授教字", year: "099", serial: "0012345", branch: "1" });
    for (const bad of ["府教字1150001234號", "府教字第115001234號", "第1150001234號", "府教字第1150001234", "府教字第11500012345678號"]) {
      expect(parseDocNumber(bad).ok, bad).toBe(false);
    }
  });

  it("writes dates in ROC form", () => {
    expect(must(rocDate("2026-01-02"))).toBe("中華民國115年1月2日");
    expect(must(rocDate("1912-01-01"))).toBe("中華民國1年1月1日");
    expect(rocDate("1911-12-31").ok).toBe(false);
    expect(rocDate("2026/01/02").ok).toBe(false);
  });
});
