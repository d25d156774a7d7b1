// The envelope exchange by file, end to end through the `countersign` command line: two agencies in
// their own data directories (a demo agency with documents, and a freshly initialised one), trust
// added both ways, export, verify, import, duplicate, receipt, DI export — checked with stock tools
// (openssl cms -verify, xmllint --valid) as an outsider would.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { unzipSync } from "fflate";
import { tamperEnvelope } from "@countersign/crdt-model";
import { runCli as main, type Io } from "@countersign/sync-server";

function capture(): Io & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(...l.split("\n")), err: (l) => errors.push(l) };
}

async function run(...argv: string[]): Promise<{ code: number; lines: string[]; errors: string[] }> {
  const io = capture();
  const code = await main(argv, io);
  return { code, lines: io.lines, errors: io.errors };
}

const root = mkdtempSync(join(tmpdir(), "countersign-xcli-"));
const A = join(root, "a"); // 示範市政府教育局 (demo, with documents)
const B = join(root, "b"); // 高雄市政府教育局
const DTDS = fileURLToPath(new URL("../../sync-server/src/exchange/dtd/", import.meta.url));
let docId: string;
const savedPassphrase = process.env.COUNTERSIGN_PASSPHRASE;

beforeAll(async () => {
  // Each data directory keeps its own passphrase file; an ambient one would open neither.
  delete process.env.COUNTERSIGN_PASSPHRASE;
  mkdirSync(A);
  mkdirSync(B);
  expect((await run("demo", "--data", A)).code).toBe(0);
  expect((await run("init", "--data", B, "--agency-code", "A-KH-EDU", "--agency-name", "高雄市政府教育局")).code).toBe(0);
  for (const [dir, file] of [[A, "a.pem"], [B, "b.pem"]] as const) {
    const ca = await run("agency", "ca", "--data", dir);
    expect(ca.code).toBe(0);
    writeFileSync(join(root, file), ca.lines.join("\n") + "\n");
  }
}, 120_000);
afterAll(() => {
  if (savedPassphrase !== undefined) process.env.COUNTERSIGN_PASSPHRASE = savedPassphrase;
});

const tool = (cmd: string, args: string[], cwd = root) => spawnSync(cmd, args, { cwd, encoding: "utf8" });
const hasTool = (cmd: string) => tool(cmd, ["--version"]).error === undefined;

describe("countersign trust", () => {
  it("trust add prints the agency and its SHA-256 fingerprint, and without a terminal needs --yes", async () => {
    const refused = await run("trust", "add", "--data", B, join(root, "a.pem"));
    expect(refused.code).toBe(2);
    expect(refused.errors[0]).toMatch(/stdin is not a terminal; check the fingerprint and pass --yes/);
    const added = await run("trust", "add", "--data", B, join(root, "a.pem"), "--yes");
    expect(added.code).toBe(0);
    expect(added.lines[0]).toMatch(/^agency A-DEMO-EDU \(示範市政府教育局\)/);
    expect(added.lines[1]).toMatch(/^SHA-256 fingerprint: ([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    if (hasTool("openssl")) {
      const fp = tool("openssl", ["x509", "-in", join(root, "a.pem"), "-noout", "-fingerprint", "-sha256"]).stdout.trim();
      expect(fp.split("=")[1]).toBe(added.lines[1]!.split(": ")[1]);
    }
    // With its delegation table (分層負責明細表), which must be the peer's own.
    const table = { v: 1, agency: "A-KH-EDU", levels: [{ level: 5, title: "局長" }], rules: [], defaultLevel: 5 };
    writeFileSync(join(root, "kh-delegation.json"), JSON.stringify(table));
    const withTable = await run("trust", "add", "--data", A, join(root, "b.pem"), "--yes", "--url", "https://kh.example.gov.tw", "--delegation", join(root, "kh-delegation.json"));
    expect(withTable.errors).toEqual([]);
    expect(withTable.lines[2]).toBe("trusted A-KH-EDU (高雄市政府教育局) at https://kh.example.gov.tw, with its delegation table");
  });

  it("trust revoke records serials the peer revoked; an unknown agency is refused", async () => {
    const r = await run("trust", "revoke", "--data", A, "--agency", "A-KH-EDU", "--serial", "0a1b2c");
    expect(r.errors).toEqual([]);
    expect(r.lines).toEqual(["A-KH-EDU: 1 revoked serial recorded"]);
    const unknown = await run("trust", "revoke", "--data", A, "--agency", "A-NOPE", "--serial", "01");
    expect(unknown.code).toBe(1);
    expect(unknown.errors).toEqual(["Agency A-NOPE is not in the trust list."]);
  });

  it("our own CA is refused with its sentence", async () => {
    const r = await run("trust", "add", "--data", B, join(root, "b.pem"), "--yes");
    expect(r.code).toBe(1);
    expect(r.errors).toEqual(["The certificate is this agency's own CA; it is trusted already."]);
  });

  it("trust list shows the peers, as text and JSON", async () => {
    const text = await run("trust", "list", "--data", A);
    // A is a demo agency: its fictional peer (files only) is listed beside the one added here.
    expect(text.lines.map((l) => l.split("\t")[0]).sort()).toEqual(["A-DEMO-KH", "A-KH-EDU"]);
    expect(text.lines.find((l) => l.startsWith("A-KH-EDU\t"))).toMatch(/^A-KH-EDU\t高雄市政府教育局\t[0-9A-F:]+\thttps:\/\/kh\.example\.gov\.tw\tadded /);
    const json = JSON.parse((await run("trust", "list", "--data", B, "--json")).lines.join("\n")) as { code: string; fingerprint: string }[];
    expect(json.map((p) => p.code)).toEqual(["A-DEMO-EDU"]);
  });
});

describe("countersign envelope", () => {
  const file = join(root, "request.csenv");

  it("doc list finds the demo documents", async () => {
    const r = await run("doc", "list", "--data", A, "--json");
    expect(r.code).toBe(0);
    const docs = JSON.parse(r.lines.join("\n")) as { doc: string; kind: string; secrecy: string }[];
    expect(docs.length).toBeGreaterThan(0);
    docId = docs.find((d) => d.secrecy === "none" && d.kind === "memo")?.doc ?? docs[0]!.doc;
  });

  it("export writes a signed envelope that openssl cms -verify checks with the sender's CA alone", async () => {
    const r = await run("envelope", "export", "--data", A, "--doc", docId, "--to", "A-KH-EDU", "--out", file);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatch(/^exported env-[0-9a-f]+ to A-KH-EDU \(countersign-request, \d+ bytes\)/);
    const parts = unzipSync(readFileSync(file));
    expect(Object.keys(parts)[0]).toBe("mimetype");
    expect(Object.keys(parts)).toContain(`docs/${docId}/di.xml`);
    if (!hasTool("openssl")) return;
    const dir = mkdtempSync(join(root, "cms-"));
    writeFileSync(join(dir, "manifest.json"), parts["META-INF/manifest.json"]!);
    writeFileSync(join(dir, "signature.p7s"), parts["META-INF/signature.p7s"]!);
    const v = tool("openssl", ["cms", "-verify", "-binary", "-inform", "DER", "-in", "signature.p7s", "-content", "manifest.json", "-CAfile", join(root, "a.pem"), "-out", "/dev/null"], dir);
    expect(v.stderr).toMatch(/Verification successful/);
    expect(v.status).toBe(0);
    // …and the DI inside validates against the official DTDs with xmllint.
    if (!hasTool("xmllint")) return;
    for (const f of ["104_5_utf8.dtd", "104_2_utf8.dtd", "104_roster_utf8.dtd", "104_basic_utf8.ent", "104_exchange_utf8.ent"]) copyFileSync(join(DTDS, f), join(dir, f));
    writeFileSync(join(dir, "di.xml"), parts[`docs/${docId}/di.xml`]!);
    writeFileSync(join(dir, "sw.xml"), parts[`docs/${docId}/sw.xml`]!);
    for (const x of ["di.xml", "sw.xml"]) {
      const lint = tool("xmllint", ["--noout", "--valid", x], dir);
      expect(lint.stderr).toBe("");
      expect(lint.status).toBe(0);
    }
  });

  it("verify at the recipient: exit 0 when valid", async () => {
    const r = await run("envelope", "verify", "--data", B, file);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatch(/^valid: env-[0-9a-f]+ from A-DEMO-EDU to A-KH-EDU \(countersign-request\), 1 document$/);
  });

  it("verify of a changed envelope: exit 1 with a one-line reason", async () => {
    const bad = join(root, "bad.csenv");
    writeFileSync(bad, tamperEnvelope(new Uint8Array(readFileSync(file)), "changed-byte"));
    const r = await run("envelope", "verify", "--data", B, bad);
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toBe(`The part docs/${docId}/update.bin does not match its hash in the manifest.`);
    // Import refuses it the same way and changes nothing.
    expect((await run("envelope", "import", "--data", B, bad)).code).toBe(1);
    expect(JSON.parse((await run("doc", "list", "--data", B, "--json")).lines.join("\n"))).toEqual([]);
  });

  it("import: imported, with the receipt written next to the file; again: duplicate", async () => {
    const r = await run("envelope", "import", "--data", B, file);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toBe(`imported ${r.lines[0]!.split(" ")[1]} from A-DEMO-EDU (countersign-request): ${docId}`);
    expect(existsSync(`${file}.receipt.csenv`)).toBe(true);
    const docs = JSON.parse((await run("doc", "list", "--data", B, "--json")).lines.join("\n")) as { doc: string }[];
    expect(docs.map((d) => d.doc)).toEqual([docId]);
    const again = await run("envelope", "import", "--data", B, file);
    expect(again.code).toBe(0);
    expect(again.lines[0]).toMatch(/^duplicate: env-[0-9a-f]+ was already imported at .*; nothing changed$/);
  });

  it("the receipt imports at the sender", async () => {
    const r = await run("envelope", "import", "--data", A, `${file}.receipt.csenv`);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatch(/^imported env-[0-9a-f]+ from A-KH-EDU \(receipt\)$/);
  });

  it("an encrypted envelope verifies and imports at the recipient", async () => {
    const enc = join(root, "sealed.p7m");
    expect((await run("envelope", "export", "--data", A, "--doc", docId, "--to", "A-KH-EDU", "--out", enc, "--encrypt", "--full")).code).toBe(0);
    expect(readFileSync(enc)[0]).toBe(0x30);
    expect((await run("envelope", "verify", "--data", B, enc)).code).toBe(0);
    const r = await run("envelope", "import", "--data", B, enc);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatch(/^imported /);
  });

  it("usage errors exit 2", async () => {
    expect((await run("envelope", "export", "--data", A, "--to", "A-KH-EDU", "--out", file)).code).toBe(2);
    expect((await run("envelope", "export", "--data", A, "--doc", docId, "--to", "A-KH-EDU", "--out", file, "--purpose", "gossip")).code).toBe(2);
    expect((await run("envelope", "import", "--data", B)).code).toBe(2);
    expect((await run("envelope", "frobnicate")).code).toBe(2);
  });

  it("after trust remove, the sender's envelopes are refused", async () => {
    expect((await run("trust", "remove", "--data", B, "--agency", "A-DEMO-EDU")).code).toBe(0);
    const again = join(root, "again.csenv");
    expect((await run("envelope", "export", "--data", A, "--doc", docId, "--to", "A-KH-EDU", "--out", again, "--full")).code).toBe(0);
    const r = await run("envelope", "import", "--data", B, again);
    expect(r.code).toBe(1);
    expect(r.errors).toEqual(["The sender is not trusted: The signer's certificate is not issued by a trusted authority."]);
    expect((await run("trust", "add", "--data", B, join(root, "a.pem"), "--yes")).code).toBe(0);
  });
});

describe("countersign di export", () => {
  it("writes the DI and its SW roster, both valid against the official DTDs (xmllint --valid)", async () => {
    const dir = mkdtempSync(join(root, "di-"));
    const out = join(dir, "memo.di");
    const r = await run("di", "export", "--data", B, "--doc", docId, "--out", out, "--to", "A-DEMO-EDU");
    expect(r.errors.filter((e) => !e.startsWith("note:"))).toEqual([]);
    expect(r.code).toBe(0);
    expect(readFileSync(out, "utf8")).toMatch(/<!DOCTYPE (簽|函) SYSTEM "104_[25]_utf8.dtd"/);
    expect(readFileSync(`${out}.sw.xml`, "utf8")).toContain("<機關代碼>A-DEMO-EDU</機關代碼>");
    if (!hasTool("xmllint")) return;
    for (const f of ["104_5_utf8.dtd", "104_2_utf8.dtd", "104_roster_utf8.dtd", "104_basic_utf8.ent", "104_exchange_utf8.ent"]) copyFileSync(join(DTDS, f), join(dir, f));
    for (const f of [out, `${out}.sw.xml`]) {
      const lint = tool("xmllint", ["--noout", "--valid", f], dir);
      expect(lint.stderr).toBe("");
      expect(lint.status).toBe(0);
    }
  });

  it("an unknown document is refused with a sentence", async () => {
    const r = await run("di", "export", "--data", B, "--doc", "no-such-doc", "--out", join(root, "x.di"));
    expect(r.code).toBe(1);
    expect(r.errors).toEqual(["There is no document no-such-doc here."]);
  });
});
