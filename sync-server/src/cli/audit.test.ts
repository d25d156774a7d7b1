import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "./main.ts";
import type { Io } from "./io.ts";

function io(): Io & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

describe("countersign audit", () => {
  let dir = "";
  beforeAll(async () => {
    dir = join(mkdtempSync(join(tmpdir(), "countersign-audit-")), "demo");
    expect(await main(["demo", "--data", dir], io())).toBe(0);
  }, 60_000);

  it("lists what the command line changed, as system, newest first; and as CSV with a BOM and a header", async () => {
    expect(await main(["trust", "remove", "--data", dir, "--agency", "A-DEMO-KH"], io())).toBe(0);
    const list = io();
    expect(await main(["audit", "list", "--data", dir, "--limit", "2"], list)).toBe(0);
    expect(list.lines).toHaveLength(2);
    expect(list.lines[0]).toMatch(/^\d+\t\S+\tsystem\ttrust\.remove\tA-DEMO-KH$/);
    expect(list.lines[1]).toMatch(/\ttrust\.add\tA-DEMO-KH$/);
    const csv = io();
    expect(await main(["audit", "csv", "--data", dir], csv)).toBe(0);
    const text = csv.lines.join("\n");
    expect(text.startsWith("\uFEFFseq,at,actor,action,target,before,after\r\n")).toBe(true);
    expect(text).toContain(",system,person.add,chen,");
    expect(text).not.toMatch(/[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}/); // no enrollment code is ever logged
  });

  it("refuses an unknown sub-command and a bad --limit with usage (exit 2)", async () => {
    expect(await main(["audit", "show", "--data", dir], io())).toBe(2);
    expect(await main(["audit", "list", "--data", dir, "--limit", "0"], io())).toBe(2);
  });
});
