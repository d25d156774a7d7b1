// countersign calendar import | show against a real data directory: the fixture calendars (a 補班
// Saturday, a 彈性放假 bridge day), and bad files refused whole — one line, exit 1, nothing imported.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "./main.ts";
import type { Io } from "./io.ts";

const FIXTURES = join(import.meta.dirname, "../../../packages/crdt-model/tests/fixtures");
const CSV_115 = readFileSync(join(FIXTURES, "calendar-115.csv"), "utf8");

function io(): Io & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

describe("countersign calendar", () => {
  let root = "";
  let dir = "";
  const file = (name: string, text: string): string => {
    const p = join(root, name);
    writeFileSync(p, text);
    return p;
  };
  const show = async (): Promise<string[]> => {
    const o = io();
    expect(await main(["calendar", "show", "--data", dir, "--year", "115"], o)).toBe(0);
    return o.lines;
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "countersign-calendar-"));
    dir = join(root, "data");
    expect(await main(["init", "--data", dir, "--agency-code", "A-CAL-TEST", "--agency-name", "測試機關"], io())).toBe(0);
  }, 60_000);

  it("before an import, show says the year is not imported and falls back to weekends and fixed holidays", async () => {
    const lines = await show();
    expect(lines[0]).toContain("尚未匯入115年辦公日曆");
    expect(lines.join("\n")).toContain("115/01/01 (四) 開國紀念日"); // 2/28, 4/4 and 10/10 fall on Saturdays in 2026
  });

  it.each([
    ["a wrong header", CSV_115.replace("西元日期,星期,是否放假,備註", "日期,星期,放假,備註"), "calendar.header"],
    ["a bad date", CSV_115.replace("20260105,一,0,", "20260231,一,0,"), "calendar.date"],
    ["a duplicated day", CSV_115.replace("20260106,二,0,", "20260105,一,0,"), "calendar.duplicate"],
  ])("refuses %s in one line and imports nothing", async (_what, text) => {
    const o = io();
    expect(await main(["calendar", "import", "--data", dir, file("bad.csv", text)], o)).toBe(1);
    expect(o.errors).toHaveLength(1);
    expect(o.errors[0]).toMatch(/^bad\.csv: .+ Nothing was imported\.$/);
    expect((await show())[0]).toContain("尚未匯入115年辦公日曆");
  });

  it("imports the published CSV and shows its days off and its make-up Saturday", async () => {
    const o = io();
    expect(await main(["calendar", "import", "--data", dir, file("calendar-115.csv", CSV_115)], o)).toBe(0);
    expect(o.lines[0]).toMatch(/^民國115年 \(2026\) imported: \d+ days off on weekdays, 1 make-up workdays, \d+ working days\.$/);
    const lines = (await show()).join("\n");
    expect(lines).toContain("imported");
    expect(lines).toMatch(/115\/01\/02.*彈性放假/);
    expect(lines).toMatch(/115\/01\/17.*補行上班/);
  });
});
