import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { COMMAND_NAMES, main } from "./main.ts";
import { COMMANDS, commandUsage } from "./usage.ts";
import type { Io } from "./io.ts";
import { REPORTS } from "../reports/index.ts";

async function run(argv: string[]): Promise<{ code: number; lines: string[]; errors: string[] }> {
  const lines: string[] = [];
  const errors: string[] = [];
  const io: Io = { out: (l) => lines.push(l), err: (l) => errors.push(l) };
  const code = await main(argv, io);
  return { code, lines, errors };
}

describe("countersign --help / COMMAND --help / --version / unknown flags", () => {
  it("--help, -h, help and no arguments print every command's usage and exit 0", async () => {
    for (const argv of [["--help"], ["-h"], ["help"], []]) {
      const r = await run(argv);
      expect(r.code).toBe(0);
      expect(r.errors).toEqual([]);
      const text = r.lines.join("\n");
      for (const name of COMMAND_NAMES) expect(text).toContain(`countersign ${name} `);
    }
  });

  it("every command main() runs has its own help, and every help names a command main() runs", () => {
    expect([...COMMAND_NAMES].sort()).toEqual(COMMANDS.map((c) => c.command).sort());
  });

  it("COMMAND --help prints that command's usage and flags only, before anything runs", async () => {
    const r = await run(["user", "--help"]);
    expect(r).toMatchObject({ code: 0, errors: [] });
    const text = r.lines.join("\n");
    expect(text).toContain("countersign user add --data DIR --id ID --name NAME --unit ID --level N --roles a,b");
    expect(text).toContain("countersign user list --data DIR [--json]");
    expect(text).not.toContain("countersign serve");
    // A sub-command's --help is the command's help too, even with other flags missing or wrong.
    expect((await run(["user", "add", "--help"])).lines).toEqual(r.lines);
    expect((await run(["help", "user"])).lines).toEqual(r.lines);
    expect((await run(["serve", "-h", "--port", "nonsense"])).lines.join("\n")).toContain("--max-loaded N");
    expect((await run(["chain", "verify", "--help"])).lines.join("\n")).toContain("--export-cms DIR");
    expect(commandUsage("no-such-command")).toBeUndefined();
  });

  it("report --help lists the eight reports as the catalogue names them (id, word, number, title)", async () => {
    const text = (await run(["report", "--help"])).lines.join("\n");
    for (const r of REPORTS) expect(text).toMatch(new RegExp(`${r.id} ${r.word} +\\(${r.number}\\) ${r.title.replace(/[()（）]/g, ".")}`));
    expect((await run(["kpi", "--help"])).lines.join("\n")).toContain("countersign kpi --data DIR --month MONTH");
  });

  it("a --help after a bare -- is a value, not a request for help", async () => {
    const r = await run(["user", "add", "--", "--help"]);
    expect(r.code).toBe(2);
  });

  it("--version prints the version of the package that ships the command", async () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    expect(await run(["--version"])).toEqual({ code: 0, lines: [`countersign ${pkg.version}`], errors: [] });
  });

  it("an unknown flag is named with its command and where the help is, exit 2", async () => {
    expect(await run(["user", "add", "--data", "x", "--foo"])).toEqual({
      code: 2,
      lines: [],
      errors: ['countersign: Unknown flag --foo for "user add"; see countersign user --help.'],
    });
    expect((await run(["sample", "--out", "x", "--bogus=1"])).errors).toEqual([
      'countersign: Unknown flag --bogus for "sample"; see countersign sample --help.',
    ]);
    expect((await run(["chain", "verify", "f.json", "-q"])).errors).toEqual([
      'countersign: Unknown flag -q for "chain verify"; see countersign chain --help.',
    ]);
  });

  it("an unknown command points to the help, exit 2", async () => {
    expect(await run(["frobnicate"])).toEqual({
      code: 2,
      lines: [],
      errors: ['countersign: unknown command "frobnicate"; see countersign --help'],
    });
  });
});
