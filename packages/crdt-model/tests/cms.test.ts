import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSampleAgency, type SampleAgency } from "../src/sample/agency.ts";
import { buildDecidedSample } from "../src/sample/document.ts";
import { parseEntry, signedBytes, type SignedEntry } from "../src/chain/types.ts";
import { ecdsaP1363ToDer, exportEntryCms, pemCertificate } from "../src/chain/cms.ts";
import { fromBase64, fromHex, toBase64, toHex } from "../src/bytes.ts";
import type { SigAlg } from "../src/chain/types.ts";

/** Runs the system openssl; its exit status and what it said, never throwing on a non-zero exit. */
function openssl(cwd: string, args: string[]): { status: number; output: string } {
  try {
    const out = execFileSync("openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
    return { status: 0, output: out };
  } catch (e) {
    const err = e as { status?: number | null; stderr?: string };
    return { status: err.status ?? -1, output: err.stderr ?? "" };
  }
}

/** The command our README gives users, exactly, with no extra flags. */
const verifyArgs = (id: string, ca = "ca.pem") => ["cms", "-verify", "-binary", "-inform", "DER", "-in", `${id}.p7s`, "-content", `${id}.bin`, "-CAfile", ca];

async function chainOf(a: SampleAgency): Promise<{ id: string; entry: SignedEntry }[]> {
  const { doc } = await buildDecidedSample(a);
  return [...doc.rawEntries()].map(([id, raw]) => {
    const p = parseEntry(raw, id);
    if (!p.ok) throw new Error(p.reason);
    return p.value;
  });
}

function exported(entry: SignedEntry): Uint8Array {
  const r = exportEntryCms(entry);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

const contains = (hay: Uint8Array, needle: Uint8Array) => toHex(hay).includes(toHex(needle));

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "countersign-cms-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.each(["ES256", "RS256", "PS256"] as const)("CMS export of %s entries", (alg: SigAlg) => {
  let a: SampleAgency;
  let entries: { id: string; entry: SignedEntry }[];
  let dir: string;

  beforeAll(async () => {
    a = await createSampleAgency({ alg });
    entries = await chainOf(a);
    dir = tempDir();
    writeFileSync(join(dir, "ca.pem"), a.ca.cert.toString("pem"));
    for (const { id, entry } of entries) {
      writeFileSync(join(dir, `${id}.bin`), signedBytes(entry.payload));
      writeFileSync(join(dir, `${id}.p7s`), exported(entry));
    }
  });

  it("openssl cms -verify accepts every entry of a decided sample with only the agency CA as trust anchor", () => {
    expect(entries).toHaveLength(5);
    for (const { id } of entries) {
      const r = openssl(dir, verifyArgs(id));
      expect(r.output, `entry ${id}`).not.toMatch(/error/i);
      expect(r.status, `entry ${id}`).toBe(0);
    }
  });

  it("the export carries the chain's own signature and the signer's certificate byte for byte", () => {
    for (const { entry } of entries) {
      const cms = exported(entry);
      const sig = fromBase64(entry.sig);
      const carried = alg === "ES256" ? ecdsaP1363ToDer(sig) : { ok: true as const, value: sig };
      expect(carried.ok).toBe(true);
      if (carried.ok) expect(contains(cms, carried.value)).toBe(true);
      expect(contains(cms, fromBase64(entry.payload.cert))).toBe(true);
      expect(contains(cms, signedBytes(entry.payload))).toBe(false); // detached
    }
  });

  it("exporting the same entry twice gives the same bytes, so nothing is signed anew", () => {
    const { entry } = entries[0]!;
    expect(toHex(exported(entry))).toBe(toHex(exported(entry)));
  });

  it("openssl refuses the signature when one byte of the signed content is flipped", () => {
    const { entry } = entries[0]!;
    const bytes = signedBytes(entry.payload);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(join(dir, "flipped.bin"), bytes);
    writeFileSync(join(dir, "flipped.p7s"), exported(entry));
    const r = openssl(dir, verifyArgs("flipped"));
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/verification failure/i);
  });

  it("openssl verify accepts each signer certificate against the agency CA", () => {
    for (const [i, { entry }] of entries.entries()) {
      writeFileSync(join(dir, `signer${i}.pem`), pemCertificate(fromBase64(entry.payload.cert)));
      const r = openssl(dir, ["verify", "-CAfile", "ca.pem", `signer${i}.pem`]);
      expect(r.status).toBe(0);
      expect(r.output).toMatch(/: OK/);
    }
  });
});

describe("CMS export across agencies", () => {
  it("openssl refuses an entry whose certificate was issued by another agency's CA", async () => {
    const [mine, other] = await Promise.all([createSampleAgency(), createSampleAgency({ code: "A-KH-EDU", name: "高雄市政府教育局" })]);
    const { id, entry } = (await chainOf(other))[0]!;
    const dir = tempDir();
    writeFileSync(join(dir, "ca.pem"), mine.ca.cert.toString("pem"));
    writeFileSync(join(dir, "other-ca.pem"), other.ca.cert.toString("pem"));
    writeFileSync(join(dir, `${id}.bin`), signedBytes(entry.payload));
    writeFileSync(join(dir, `${id}.p7s`), exported(entry));
    writeFileSync(join(dir, "signer.pem"), pemCertificate(fromBase64(entry.payload.cert)));

    const refused = openssl(dir, verifyArgs(id));
    expect(refused.status).not.toBe(0);
    expect(refused.output).toMatch(/unable to get local issuer certificate/);
    expect(openssl(dir, ["verify", "-CAfile", "ca.pem", "signer.pem"]).status).not.toBe(0);
    // The same files are fine against the CA that did issue the certificate.
    expect(openssl(dir, verifyArgs(id, "other-ca.pem")).status).toBe(0);
  });
});

describe("ecdsaP1363ToDer", () => {
  it("strips leading zeros from r and adds one before an s whose high bit is set", () => {
    const r = "00007f" + "11".repeat(29);
    const s = "80" + "22".repeat(31);
    const der = ecdsaP1363ToDer(fromHex(r + s));
    expect(der.ok).toBe(true);
    if (der.ok) expect(toHex(der.value)).toBe("3043" + "021e" + "7f" + "11".repeat(29) + "0221" + "0080" + "22".repeat(31));
  });

  it("gives DER that Node verifies for 200 fresh P-256 signatures", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    for (let i = 0; i < 200; i++) {
      const data = new TextEncoder().encode(`message ${i}`);
      const p1363 = nodeSign("sha256", data, { key: privateKey, dsaEncoding: "ieee-p1363" });
      const der = ecdsaP1363ToDer(new Uint8Array(p1363));
      expect(der.ok).toBe(true);
      if (der.ok) expect(nodeVerify("sha256", data, { key: publicKey, dsaEncoding: "der" }, der.value)).toBe(true);
    }
  });

  it("refuses an odd or empty length and a zero r or s", () => {
    expect(ecdsaP1363ToDer(new Uint8Array(63)).ok).toBe(false);
    expect(ecdsaP1363ToDer(new Uint8Array(0)).ok).toBe(false);
    const zeroR = new Uint8Array(64).fill(1);
    zeroR.fill(0, 0, 32);
    expect(ecdsaP1363ToDer(zeroR).ok).toBe(false);
  });
});

describe("exportEntryCms refusals", () => {
  let ec: SignedEntry;
  let rsa: SignedEntry;
  beforeAll(async () => {
    ec = (await chainOf(await createSampleAgency()))[0]!.entry;
    rsa = (await chainOf(await createSampleAgency({ alg: "RS256" })))[0]!.entry;
  });
  const withPayload = (e: SignedEntry, p: Partial<SignedEntry["payload"]>): SignedEntry => ({ payload: { ...e.payload, ...p }, sig: e.sig });

  it.each([
    ["a certificate that is not base64", () => withPayload(ec, { cert: "not base64!" }), /certificate is not valid base64/],
    ["a certificate that is not DER", () => withPayload(ec, { cert: toBase64(new Uint8Array([0x30, 0x03, 1, 2, 3])) }), /certificate does not parse/],
    ["a certificate with bytes after it", () => withPayload(ec, { cert: toBase64(new Uint8Array([...fromBase64(ec.payload.cert), 0])) }), /not a single DER object/],
    ["a signature that is not base64", () => ({ ...ec, sig: "@@@@" }), /signature is not valid base64/],
    ["an ES256 signature of 63 bytes", () => ({ ...ec, sig: toBase64(fromBase64(ec.sig).subarray(1)) }), /64 bytes; this one is 63/],
    ["an RS256 signature one byte short", () => ({ ...rsa, sig: toBase64(fromBase64(rsa.sig).subarray(1)) }), /256 bytes; this one is 255/],
    ["an ES256 entry with an RSA certificate", () => withPayload(ec, { cert: rsa.payload.cert }), /does not hold an EC key/],
    ["a PS256 entry with an EC certificate", () => withPayload(rsa, { alg: "PS256", cert: ec.payload.cert }), /does not hold an RSA key/],
  ])("%s is refused with a reason rather than an exception", (_name, make, reason) => {
    const r = exportEntryCms(make());
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});

describe("pemCertificate", () => {
  it("wraps the base64 at 64 characters between certificate markers", async () => {
    const a = await createSampleAgency();
    const pem = pemCertificate(a.officer.certDer);
    const lines = pem.trim().split("\n");
    expect(lines[0]).toBe("-----BEGIN CERTIFICATE-----");
    expect(lines.at(-1)).toBe("-----END CERTIFICATE-----");
    for (const l of lines.slice(1, -2)) expect(l).toHaveLength(64);
    expect(pem.replace(/\s+/g, "")).toBe(a.officer.cert.toString("pem").replace(/\s+/g, ""));
  });
});
