import { describe, expect, it } from "vitest";
import { formatDispatchNumber, parseDispatchNumber, parseFileNumber, parseIsoDate, parseRetention, retentionLabel } from "./numbers.ts";

const reason = (r: { ok: boolean; reason?: string }) => (r.ok ? null : r.reason);

describe("發文字號", () => {
  it("formats and parses 代字 + 字第 + ROC year + serial + 號", () => {
    const n = formatDispatchNumber({ prefix: "示教", year: 115, serial: 1 });
    expect(n).toBe("示教字第1150000001號");
    expect(parseDispatchNumber(n)).toEqual({ ok: true, value: { prefix: "示教", year: 115, serial: 1 } });
  });
  it("refuses a number of the wrong shape with code filing.dispatch-number", () => {
    for (const bad of ["", "1150000001", "示教第1150000001號", "示教字第115000001號", "abc字第1150000001號", "示教字第1150000000號", 42]) {
      const r = parseDispatchNumber(bad);
      expect(r.ok ? null : r.code).toBe("filing.dispatch-number");
    }
  });
});

describe("檔號", () => {
  it("parses 年度號-分類號-案次號-卷次號-目次號", () => {
    expect(parseFileNumber("115-0101-000012-001-00003")).toEqual({
      ok: true,
      value: { year: 115, classification: "0101", caseNo: 12, volume: 1, item: 3 },
    });
  });
  it("says which part is wrong", () => {
    expect(reason(parseFileNumber("115/0101/1"))).toMatch(/has 1 part; it needs five/);
    expect(reason(parseFileNumber("15-0101-1-1-1"))).toBe('The 檔號\'s 年度號 "15" must be three digits, the ROC year (e.g. 115).');
    expect(reason(parseFileNumber("115-01x1-1-1-1"))).toBe('The 檔號\'s 分類號 "01x1" must be 1 to 12 digits or capital letters.');
    expect(reason(parseFileNumber("115-0101-1-12345-1"))).toBe('The 檔號\'s 卷次號 "12345" must be 1 to 4 digits.');
    expect(reason(parseFileNumber("115-0101-1-1-0"))).toBe("The 檔號's 目次號 is 0; it starts at 1.");
    expect(reason(parseFileNumber(""))).toBe("A 檔號 is required.");
  });
});

describe("保存年限 and dates", () => {
  it("takes 1–30 years or 永久", () => {
    expect(parseRetention(10)).toEqual({ ok: true, value: 10 });
    expect(parseRetention("30")).toEqual({ ok: true, value: 30 });
    expect(parseRetention("永久")).toEqual({ ok: true, value: "permanent" });
    for (const bad of [0, 31, 2.5, "十年", null]) expect(parseRetention(bad).ok).toBe(false);
    expect(retentionLabel(10)).toBe("10年");
    expect(retentionLabel("permanent")).toBe("永久");
  });
  it("a date must exist", () => {
    expect(parseIsoDate("2026-12-05", "發文日期").ok).toBe(true);
    expect(reason(parseIsoDate("2026-02-30", "發文日期"))).toBe("The 發文日期 2026-02-30 is not a calendar date.");
    expect(reason(parseIsoDate("115/12/05", "發文日期"))).toBe("The 發文日期 must be a date written YYYY-MM-DD.");
  });
});
