import { describe, expect, it } from "vitest";
import { reportCsv, reportCsvBytes } from "./csv.ts";
import { asciiFileName, contentDisposition, reportFileName, rocSlash } from "./cells.ts";
import { SAMPLE } from "./table-fixture.ts";

describe("report CSV (Excel: UTF-8 with BOM, CRLF, RFC 4180)", () => {
  it("starts with the byte-order mark, ends lines with CRLF and has a header of zh-TW labels, percents with their unit", () => {
    const bytes = reportCsvBytes(SAMPLE);
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = reportCsv(SAMPLE);
    expect(text.endsWith("\r\n")).toBe(true);
    expect(text.replace(/\r\n/g, "").includes("\n")).toBe(true); // only inside the quoted field
    const [header] = text.slice(1).split("\r\n");
    expect(header).toBe("單位,辦結件數,線上簽核比率(%),平均處理日數,限辦日期");
  });

  it("writes numbers unformatted, ROC dates, blanks for nulls, quotes what needs quoting and defuses formulas", () => {
    const lines = reportCsv(SAMPLE).slice(1).split("\r\n");
    expect(lines[1]).toBe("秘書室,1234,87.5,3.25,115/11/30");
    expect(lines[2]).toBe('"研考科, ""稽催""\n第二行",0,,,');
    expect(lines[3]).toBe(`"'=HYPERLINK(""x"")",7,100,1,116/01/04`);
    expect(lines[4]).toBe("合計,1241,88.1,3.1,");
    expect(lines[5]).toBe("");
    expect(lines).toHaveLength(6);
  });

  it("has no totals line when the report has none", () => {
    const lines = reportCsv({ ...SAMPLE, totals: null }).slice(1).split("\r\n");
    expect(lines).toHaveLength(5);
    expect(lines.some((l) => l.startsWith("合計"))).toBe(false);
  });

  it("names the file by number, title, unit and ROC range; the download header carries it as RFC 5987 filename*", () => {
    expect(rocSlash("2026-11-30")).toBe("115/11/30");
    expect(rocSlash("1999-01-02")).toBe("088/01/02");
    expect(reportFileName(SAMPLE, "csv")).toBe("(三)公文時效統計表_1151101-1151130.csv");
    expect(reportFileName({ ...SAMPLE, unit: "U-secretariat" }, "ods", "秘書室")).toBe("(三)公文時效統計表_秘書室_1151101-1151130.ods");
    expect(reportFileName({ ...SAMPLE, title: "a/b:c" }, "csv")).toBe("(三)a_b_c_1151101-1151130.csv");
    expect(asciiFileName(SAMPLE, "csv")).toBe("report-3-20261101-20261130.csv");
    const h = contentDisposition(reportFileName(SAMPLE, "csv"), asciiFileName(SAMPLE, "csv"));
    expect(h).toBe(`attachment; filename="report-3-20261101-20261130.csv"; filename*=UTF-8''${encodeURIComponent("(三)公文時效統計表_1151101-1151130.csv").replace(/\(/g, "%28").replace(/\)/g, "%29")}`);
    expect(decodeURIComponent(/filename\*=UTF-8''(.*)$/.exec(h)![1]!)).toBe("(三)公文時效統計表_1151101-1151130.csv");
  });
});
