import { describe, expect, it } from "vitest";
import { formatRocDate, formatRocDateIn, formatTaipeiTime } from "./roc-date.ts";

describe("formatRocDate", () => {
  it("writes the brief's example date in both styles", () => {
    const d = new Date("2026-01-02T09:30:00+08:00");
    expect(formatRocDate(d, "long")).toBe("中華民國115年1月2日");
    expect(formatRocDate(d, "short")).toBe("115/01/02");
  });

  it("uses the date in Taiwan, not UTC nor the machine's zone", () => {
    // 17:30 UTC on 31 Dec 2025 is already 1 Jan 2026 in Taipei.
    const d = new Date("2025-12-31T17:30:00Z");
    expect(formatRocDate(d, "long")).toBe("中華民國115年1月1日");
    expect(formatTaipeiTime(d)).toBe("01:30");
  });

  it("pads the short year to three digits and keeps two-digit months", () => {
    expect(formatRocDate(new Date("1999-12-25T12:00:00+08:00"), "short")).toBe("088/12/25");
    expect(formatRocDate(new Date("1912-01-01T00:00:00+08:00"), "long")).toBe("中華民國1年1月1日");
  });

  it("refuses invalid dates and dates before the ROC", () => {
    expect(() => formatRocDate(new Date("nope"), "long")).toThrow(RangeError);
    expect(() => formatRocDate(new Date("1911-12-31T12:00:00+08:00"), "short")).toThrow(RangeError);
  });
});

describe("formatRocDateIn", () => {
  it("writes the long date in the interface's language", () => {
    const d = new Date("2026-01-02T12:00:00+08:00");
    expect(formatRocDateIn(d, "zh-TW")).toBe("中華民國115年1月2日");
    expect(formatRocDateIn(d, "en")).toBe("ROC 115/01/02");
  });
});
