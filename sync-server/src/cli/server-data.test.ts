import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { main, type Io } from "./main.ts";
import { openSqliteStore } from "../storage/sqlite.ts";
import { loadAgency } from "../identity/agency.ts";
import { enroll } from "../identity/enrollment.ts";
import { PASSPHRASE_FILE } from "../identity/passphrase.ts";
import { csrPem, p256Keys, tempDir } from "../../tests/support/identity-fixtures.ts";
import { dbPath } from "./data-dir.ts";
import { asPersonId } from "@countersign/crdt-model";

function capture(): Io & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

async function run(argv: string[]): Promise<{ code: number; lines: string[]; errors: string[] }> {
  const io = capture();
  const code = await main(argv, io);
  return { code, lines: io.lines, errors: io.errors };
}

const CODE_RE = /^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/;
const REPO = join(import.meta.dirname, "../../..");

async function initDir(): Promise<{ dir: string; adminCode: string }> {
  const dir = join(tempDir("countersign-cli-"), "data");
  const r = await run(["init", "--data", dir, "--agency-code", "376420000A", "--agency-name", "臺南市政府教育局"]);
  expect(r).toMatchObject({ code: 0, errors: [] });
  return { dir, adminCode: r.lines.at(-1)! };
}

describe("countersign init", () => {
  it("creates the store, the agency and an administrator, and prints the administrator's enrollment code", async () => {
    const { dir, adminCode } = await initDir();
    expect(adminCode).toMatch(CODE_RE);
    expect(existsSync(dbPath(dir))).toBe(true);
    const passFile = join(dir, PASSPHRASE_FILE);
    expect(statSync(passFile).mode & 0o777).toBe(0o600);

    const store = openSqliteStore(dbPath(dir));
    const agency = await loadAgency(store, readFileSync(passFile, "utf8").trim());
    if (!agency.ok) throw new Error(agency.reason);
    expect(await store.person(asPersonId("admin"))).toMatchObject({ unit: "root", roles: ["admin"], active: true });
    const enrolled = await enroll(store, agency.value, { code: adminCode, csrPem: await csrPem(await p256Keys()) });
    expect(enrolled).toMatchObject({ ok: true, value: { profile: { person: "admin", roles: ["admin"] } } });
    await store.close();
  });

  it("The agency is already initialized; it cannot be initialized twice.", async () => {
    const { dir } = await initDir();
    const before = readFileSync(join(dir, PASSPHRASE_FILE), "utf8");
    const r = await run(["init", "--data", dir, "--agency-code", "X", "--agency-name", "Y"]);
    expect(r).toMatchObject({ code: 1, errors: ["The agency is already initialized; it cannot be initialized twice."] });
    expect(readFileSync(join(dir, PASSPHRASE_FILE), "utf8")).toBe(before);
  });

  it("takes the passphrase from --passphrase-file and then writes none into the data directory", async () => {
    const base = tempDir("countersign-cli-");
    writeFileSync(join(base, "pass"), "a passphrase the operator chose\n", { mode: 0o600 });
    const dir = join(base, "data");
    const r = await run(["init", "--data", dir, "--agency-code", "A1", "--agency-name", "甲機關", "--passphrase-file", join(base, "pass")]);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, PASSPHRASE_FILE))).toBe(false);
    const store = openSqliteStore(dbPath(dir));
    expect((await loadAgency(store, "a passphrase the operator chose")).ok).toBe(true);
    await store.close();
  });

  it("usage errors exit 2", async () => {
    expect((await run(["init", "--agency-code", "A"])).code).toBe(2);
    expect((await run(["unit", "frobnicate", "--data", "x"])).code).toBe(2);
    expect((await run(["user", "add", "--data", "x", "--bogus"])).code).toBe(2);
    expect((await run(["unit", "add", "--data", "x"])).errors).toEqual(["countersign: unit add: --id is required"]);
  });

  it("a data directory that was never initialized is refused, not created", async () => {
    const dir = join(tempDir("countersign-cli-"), "nothing");
    const r = await run(["user", "list", "--data", dir]);
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([`There is no Countersign data in ${dir} (run countersign init --data ${dir} first).`]);
    expect(existsSync(dir)).toBe(false);
  });
});

describe("countersign unit / user / deputy / delegation / cert / agency", () => {
  it("manage the directory of an initialized data directory", async () => {
    const { dir } = await initDir();
    expect((await run(["unit", "add", "--data", dir, "--id", "edu", "--name", "教育科", "--parent", "root"])).code).toBe(0);
    expect(await run(["unit", "add", "--data", dir, "--id", "edu", "--name", "另一科"])).toMatchObject({
      code: 1,
      errors: ["A unit with the id edu already exists."],
    });
    expect(await run(["unit", "add", "--data", dir, "--id", "x", "--name", "X", "--parent", "nowhere"])).toMatchObject({
      code: 1,
      errors: ["The parent unit nowhere does not exist."],
    });

    const added = await run(["user", "add", "--data", dir, "--id", "chief", "--name", "王科長", "--unit", "edu", "--level", "3", "--roles", "supervisor,registry"]);
    expect(added.code).toBe(0);
    expect(added.lines.at(-1)).toMatch(CODE_RE);
    expect((await run(["user", "add", "--data", dir, "--id", "o1", "--name", "李承辦", "--unit", "edu", "--level", "1", "--roles", "case-officer"])).code).toBe(0);
    expect(await run(["user", "add", "--data", dir, "--id", "z", "--name", "Z", "--unit", "edu", "--level", "1", "--roles", "boss"])).toMatchObject({ code: 1 });

    const list = await run(["user", "list", "--data", dir, "--json"]);
    const people = JSON.parse(list.lines.join("\n")) as { id: string; unit: string; roles: string[] }[];
    expect(people.map((p) => p.id).sort()).toEqual(["admin", "chief", "o1"]);
    expect(people.find((p) => p.id === "chief")).toMatchObject({ unit: "edu", roles: ["supervisor", "registry"] });
    expect((await run(["user", "list", "--data", dir])).lines).toHaveLength(3);

    expect((await run(["deputy", "add", "--data", dir, "--principal", "chief", "--deputy", "o1", "--from", "2026-01-01", "--until", "2026-01-31"])).code).toBe(0);
    expect(await run(["deputy", "add", "--data", dir, "--principal", "chief", "--deputy", "o1", "--from", "2026-02-01", "--until", "2026-01-31"])).toMatchObject({
      code: 1,
      errors: ["A deputy's period must start before it ends."],
    });
    const shown = await run(["deputy", "show", "--data", dir]);
    expect(JSON.parse(shown.lines.join("\n"))).toEqual({
      v: 1,
      agency: "376420000A",
      deputies: [{ principal: "chief", deputy: "o1", from: "2026-01-01T00:00:00.000Z", until: "2026-01-31T00:00:00.000Z" }],
    });

    const tableFile = join(dir, "..", "delegation.json");
    writeFileSync(tableFile, JSON.stringify({ v: 1, agency: "376420000A", levels: [{ level: 3, title: "科長" }], rules: [{ category: "教育", level: 3 }], defaultLevel: 5 }));
    expect((await run(["delegation", "set", "--data", dir, tableFile])).code).toBe(0);
    writeFileSync(tableFile, JSON.stringify({ v: 1, agency: "376420000A", levels: [], rules: [], defaultLevel: 0 }));
    expect((await run(["delegation", "set", "--data", dir, tableFile])).code).toBe(1);
    expect((await run(["delegation", "set", "--data", dir])).code).toBe(2);
  });

  it("cert register reads the PKCS #12 file and its password file; agency ca prints a CA openssl accepts", async () => {
    const { dir } = await initDir();
    const work = join(dir, "..");
    const o = (args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
    o(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(work, "k.pem"), "-out", join(work, "c.pem"), "-days", "30", "-subj", "/C=TW/CN=Citizen"]);
    o(["pkcs12", "-export", "-in", join(work, "c.pem"), "-inkey", join(work, "k.pem"), "-out", join(work, "c.p12"), "-passout", "pass:open sesame"]);
    writeFileSync(join(work, "pw"), "open sesame\n");
    writeFileSync(join(work, "bad"), "not it\n");
    const base = ["cert", "register", "--data", dir, "--person", "admin", "--p12", join(work, "c.p12")];
    expect(await run([...base, "--password-file", join(work, "bad")])).toMatchObject({ code: 1, errors: ["The PKCS #12 file does not open with that password."] });
    const ok = await run([...base, "--password-file", join(work, "pw")]);
    expect(ok.code).toBe(0);
    expect(ok.lines[0]).toMatch(/^registered certificate [0-9a-f]+ for admin: C=TW, CN=Citizen$/);

    const ca = await run(["agency", "ca", "--data", dir]);
    expect(ca.code).toBe(0);
    writeFileSync(join(work, "ca.pem"), ca.lines.join("\n") + "\n");
    const text = execFileSync("openssl", ["x509", "-in", join(work, "ca.pem"), "-noout", "-subject"], { encoding: "utf8" });
    expect(text).toContain("O = 376420000A");
  });

  it("runs as a real process: node bin/countersign.js", async () => {
    const { dir } = await initDir();
    const cli = (args: string[]) => spawnSync(process.execPath, [join(REPO, "bin/countersign.js"), ...args], { encoding: "utf8", cwd: REPO });
    const added = cli(["user", "add", "--data", dir, "--id", "p1", "--name", "張三", "--unit", "root", "--level", "2", "--roles", "case-officer"]);
    expect(added.status).toBe(0);
    expect(added.stdout.trim().split("\n").at(-1)).toMatch(CODE_RE);
    const refused = cli(["unit", "add", "--data", dir, "--id", "u", "--name", "U", "--parent", "missing"]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe("The parent unit missing does not exist.\n");
    const ca = cli(["agency", "ca", "--data", dir]);
    expect(ca.status).toBe(0);
    expect(ca.stdout).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    expect(cli(["unit", "add"]).status).toBe(2);
  });
});
