import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli as main, type Io, openSqliteStore } from "@countersign/sync-server";
import { SAMPLE_STEPS, TAMPER_KINDS, act, createSampleAgency, createSampleDocument, encodeDocumentFile, sampleTrust } from "@countersign/crdt-model";

function capture(): Io & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

const dir = mkdtempSync(join(tmpdir(), "countersign-cli-"));

describe("countersign sample / chain verify", () => {
  it("a fresh sample verifies: exit 0, every entry valid, status decided", async () => {
    const file = join(dir, "ok.json");
    expect(await main(["sample", "--out", file], capture())).toBe(0);
    const io = capture();
    expect(await main(["chain", "verify", file, "--ca", `${file}.ca.pem`], io)).toBe(0);
    expect(io.lines).toContain("status: 已決行 (decided)");
    expect(io.lines).toContain("result: every entry is valid");
    expect(io.errors).toEqual([]);
  });

  const expected: Record<(typeof TAMPER_KINDS)[number], RegExp> = {
    signature: /^The signature does not verify against the signer's certificate\.$/,
    "content-after-decision": /^The content was changed after the decision\.$/,
    "unassigned-signer": /^The signer is not assigned to that step\.$/,
    "missing-parent": /^A parent entry is missing: [0-9a-f]{64}\.$/,
    "altered-entry": /^The entry's id does not match its hash\.$/,
  };
  for (const kind of TAMPER_KINDS) {
    it(`--tamper ${kind} makes chain verify exit 1 with its one-line reason`, async () => {
      const file = join(dir, `${kind}.json`);
      expect(await main(["sample", "--out", file, "--tamper", kind], capture())).toBe(0);
      const io = capture();
      expect(await main(["chain", "verify", file, "--ca", `${file}.ca.pem`], io)).toBe(1);
      expect(io.errors).toHaveLength(1);
      expect(io.errors[0]).toMatch(expected[kind]);
    });
  }

  it("a sample verified against another agency's CA is refused as untrusted", async () => {
    const a = join(dir, "a.json");
    const b = join(dir, "b.json");
    await main(["sample", "--out", a], capture());
    await main(["sample", "--out", b], capture());
    const io = capture();
    expect(await main(["chain", "verify", a, "--ca", `${b}.ca.pem`], io)).toBe(1);
    expect(io.errors[0]).toBe("The signer's certificate is not issued by a trusted authority.");
  });

  it("chain verify recognises a deputy's 決行 only with the agency's deputy table (--deputies), never from the plan", async () => {
    const a = await createSampleAgency();
    const trust = sampleTrust(a);
    const doc = createSampleDocument(a);
    await act(doc, a.officer, trust, { action: { kind: "submit" }, step: null });
    await act(doc, a.chief, trust, { action: { kind: "approve" }, step: SAMPLE_STEPS.review });
    await act(doc, a.personnel, trust, { action: { kind: "countersign" }, step: SAMPLE_STEPS.personnel });
    await act(doc, a.accounting, trust, { action: { kind: "countersign" }, step: SAMPLE_STEPS.accounting });
    await act(doc, a.deputyDirector, trust, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, opinion: "代為決行。" });
    const file = join(dir, "deputy.json");
    const ca = join(dir, "deputy.ca.pem");
    const table = join(dir, "deputy-table.json");
    writeFileSync(file, encodeDocumentFile(doc));
    writeFileSync(ca, a.ca.cert.toString("pem"));
    writeFileSync(table, JSON.stringify(a.deputies));
    const without = capture();
    expect(await main(["chain", "verify", file, "--ca", ca], without)).toBe(1);
    expect(without.errors).toEqual(["The signer is not assigned to that step."]);
    expect(await main(["chain", "verify", file, "--ca", ca, "--deputies", table], capture())).toBe(0);
  });

  it("a file that is not a document file is refused with a sentence, not a stack trace", async () => {
    const file = join(dir, "garbage.json");
    writeFileSync(file, "{\"format\":\"countersign-document\",\"v\":1,\"doc\":\"x\",\"update\":\"AAAA\"}");
    const io = capture();
    expect(await main(["chain", "verify", file], io)).toBe(1);
    expect(io.errors[0]).toMatch(/^The update (is malformed|does not hold a Countersign document)/);
  });

  it("--export-cms writes files that the system openssl verifies against the agency CA", async () => {
    const file = join(dir, "cms.json");
    const out = join(dir, "cms");
    await main(["sample", "--out", file], capture());
    expect(await main(["chain", "verify", file, "--ca", `${file}.ca.pem`, "--export-cms", out], capture())).toBe(0);
    const ids = readdirSync(out).filter((f) => f.endsWith(".p7s")).map((f) => f.slice(0, -4));
    expect(ids).toHaveLength(5);
    for (const id of ids) {
      const r = spawnSync("openssl", ["cms", "-verify", "-binary", "-inform", "DER", "-in", join(out, `${id}.p7s`), "-content", join(out, `${id}.bin`), "-CAfile", join(out, "ca.pem"), "-out", "/dev/null"], { encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain("Verification successful");
    }
  });

  it("the installed bin runs as a real process and returns the exit code", () => {
    const file = join(dir, "bin.json");
    execFileSync("node", ["bin/countersign.js", "sample", "--out", file, "--tamper", "signature"]);
    const r = spawnSync("node", ["bin/countersign.js", "chain", "verify", file, "--ca", `${file}.ca.pem`], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe("The signature does not verify against the signer's certificate.");
  });
});

describe("countersign demo", () => {
  it("creates a demo agency with a person in each of the seven roles and refuses to run twice", async () => {
    const data = join(dir, "demo");
    const io = capture();
    expect(await main(["demo", "--data", data], io)).toBe(0);
    const codes = readFileSync(join(data, "demo-codes.txt"), "utf8").trim().split("\n").filter((l) => !l.startsWith("#"));
    const roles = new Set(codes.flatMap((l) => l.split("\t")[2]!.split(",")));
    for (const r of ["mail-room", "registry", "case-officer", "supervisor", "archives", "follow-up", "admin"]) expect(roles.has(r)).toBe(true);
    expect(codes.every((l) => /^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/.test(l.split("\t")[3]!))).toBe(true);
    expect(io.lines.some((l) => /^created 36 demo documents/.test(l))).toBe(true);
    const store = openSqliteStore(join(data, "countersign.db"));
    const statuses = new Set((await store.queryIndex({ limit: 100 })).map((r) => r.status));
    await store.close();
    for (const s of ["draft", "in-review", "countersigning", "returned", "decided", "dispatched", "closed", "archived", "on-paper"]) expect(statuses.has(s)).toBe(true);
    const again = capture();
    expect(await main(["demo", "--data", data], again)).toBe(1);
    expect(again.errors[0]).toMatch(/already holds an agency/);
  }, 180_000); // the demo writes six months of history too (demo-history.ts): slow on a loaded machine
});
