import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ODS_MIME, reportOds, xmlText } from "./ods.ts";
import { readOds } from "./ods-read.ts";
import { SAMPLE } from "./table-fixture.ts";

describe("report ODS (OpenDocument spreadsheet written with fflate)", () => {
  const now = new Date("2026-12-01T02:03:04.000Z");
  const bytes = reportOds(SAMPLE, now);
  const ods = readOds(bytes);

  it("is an ODF package: mimetype first and stored, a manifest listing every part", () => {
    expect(ods.mimetypeFirstStored).toBe(true);
    expect(ods.mimetype).toBe(ODS_MIME);
    expect(ods.entries).toEqual(["mimetype", "META-INF/manifest.xml", "content.xml", "styles.xml", "meta.xml"]);
    for (const part of ["content.xml", "styles.xml", "meta.xml"]) expect(ods.files["META-INF/manifest.xml"]).toContain(`manifest:full-path="${part}"`);
    expect(ods.files["META-INF/manifest.xml"]).toContain(`manifest:full-path="/" manifest:version="1.3" manifest:media-type="${ODS_MIME}"`);
    expect(ods.files["meta.xml"]).toContain("<dc:title>(三)公文時效統計表</dc:title>");
    expect(ods.files["meta.xml"]).toContain("<meta:creation-date>2026-12-01T02:03:04</meta:creation-date>");
  });

  it("has a title row, the header of zh-TW labels, typed data cells and the totals row", () => {
    expect(ods.sheet).toBe("(三)公文時效統計表");
    const [title, header, r1, r2, r3, totals, ...rest] = ods.rows;
    expect(rest).toEqual([]);
    expect(title![0]).toMatchObject({ type: "string", text: "(三) 公文時效統計表　115/11/01–115/11/30　全機關　統計至 115/12/01" });
    expect(title).toHaveLength(5); // the title cell spans the columns; the covered cells follow it
    expect(header!.map((c) => c.text)).toEqual(["單位", "辦結件數", "線上簽核比率(%)", "平均處理日數", "限辦日期"]);
    expect(r1).toEqual([
      { type: "string", value: null, text: "秘書室" },
      { type: "float", value: "1234", text: "1234" },
      { type: "percentage", value: "0.875", text: "87.5%" },
      { type: "float", value: "3.25", text: "3.25" },
      { type: "date", value: "2026-11-30", text: "115/11/30" },
    ]);
    expect(r2![0]!.text).toBe('研考科, "稽催"\n第二行');
    expect(r2!.slice(2).map((c) => c.type)).toEqual([null, null, null]);
    expect(r3![0]!.text).toBe('=HYPERLINK("x")'); // a string cell is never a formula in ODS
    expect(r3![2]).toMatchObject({ type: "percentage", value: "1" });
    expect(totals!.map((c) => c.text)).toEqual(["合計", "1241", "88.1%", "3.1", ""]);
  });

  it("prints A4 landscape and is well-formed XML (xmllint)", () => {
    expect(ods.files["styles.xml"]).toContain('fo:page-width="29.7cm" fo:page-height="21cm" style:print-orientation="landscape"');
    expect(ods.files["content.xml"]).toContain('style:master-page-name="Report"');
    const dir = mkdtempSync(join(tmpdir(), "ods-"));
    try {
      const paths = ["content.xml", "styles.xml", "meta.xml", "META-INF/manifest.xml"].map((f, i) => {
        const p = join(dir, `${i}.xml`);
        writeFileSync(p, ods.files[f]!);
        return p;
      });
      execFileSync("xmllint", ["--noout", ...paths]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("escapes XML and drops characters XML cannot hold", () => {
    expect(xmlText(`a<b>&"c'\u0001`)).toBe("a&lt;b&gt;&amp;&quot;c&apos;");
    const odd = readOds(reportOds({ ...SAMPLE, title: "<x>&", rows: [{ unit: "\u0007ok</table:table>", closed: 1, rate: 0, avg: 0, due: "not-a-day" }], totals: null }));
    expect(odd.rows[2]![0]!.text).toBe("ok</table:table>");
    expect(odd.rows[2]![4]).toMatchObject({ type: "string", text: "not-a-day" });
  });
});
