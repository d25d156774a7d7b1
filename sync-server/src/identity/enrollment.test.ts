import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { asPersonId, parseCertificate, profileFromCertificate } from "@countersign/crdt-model";
import { ENROLL_REFUSALS, ENROLL_CODES, ENROLLMENT_TTL_MS, enroll, enrollmentCodeHash, issueEnrollmentCode, newEnrollmentCode, normalizeEnrollmentCode } from "./enrollment.ts";
import { x509 } from "./x509.ts";
import { AGENCY, agencyFixture, csrPem, p256Keys, sessionOf } from "../../tests/support/identity-fixtures.ts";
import { SYSTEM } from "../cli/data-dir.ts";

async function codeFor(store: Awaited<ReturnType<typeof agencyFixture>>["store"], person: string, now = new Date()): Promise<string> {
  const r = await issueEnrollmentCode(store, SYSTEM, person, now);
  if (!r.ok) throw new Error(r.reason);
  return r.value.code;
}

describe("enrollment codes", () => {
  it("are four groups of four base32 characters and survive sloppy typing", () => {
    const code = newEnrollmentCode();
    expect(code).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
    expect(normalizeEnrollmentCode(` ${code.toLowerCase().replace(/-/g, " ")} `)).toBe(code.replace(/-/g, ""));
    expect(normalizeEnrollmentCode("ABCD-EFGH-IJKL-MN0P")).toBe("ABCDEFGHIJKLMNOP");
    expect(normalizeEnrollmentCode("too short")).toBeUndefined();
  });

  it("are stored only as hashes", async () => {
    const { store, dir } = await agencyFixture();
    const code = await codeFor(store, "officer-a");
    await store.close();
    const bytes = Buffer.concat(readdirSync(dir).filter((f) => f.startsWith("countersign.db")).map((f) => readFileSync(join(dir, f))));
    expect(bytes.includes(code)).toBe(false);
    expect(bytes.includes(code.replace(/-/g, ""))).toBe(false);
    expect(bytes.includes(enrollmentCodeHash(code.replace(/-/g, "")))).toBe(true);
  });

  it("The registry desk may hand out enrollment codes for its own unit only.", async () => {
    const { store } = await agencyFixture();
    const clerk = sessionOf("clerk-a", "edu-a", ["registry"]);
    expect((await issueEnrollmentCode(store, clerk, "officer-a")).ok).toBe(true);
    expect(await issueEnrollmentCode(store, clerk, "officer-b")).toEqual({
      ok: false,
      code: "directory.other-unit",
      reason: "The registry desk may hand out enrollment codes for its own unit only.",
    });
    await store.close();
  });

  it("the registry desk cannot hand out an enrollment code for someone above its level or with a role it may not grant", async () => {
    const { store } = await agencyFixture();
    const clerk = sessionOf("clerk-a", "edu-a", ["registry"]);
    // chief-a is a level-3 supervisor of the same unit: a code would let the desk sign as the chief.
    expect(await issueEnrollmentCode(store, clerk, "chief-a")).toEqual({
      ok: false,
      code: "directory.not-permitted",
      reason: "The registry desk may hand out enrollment codes only for people it may add: The registry desk may add people up to its own level (1) only.",
    });
    expect(await issueEnrollmentCode(store, clerk, "clerk-a")).toEqual({
      ok: false,
      code: "directory.not-permitted",
      reason:
        'The registry desk may hand out enrollment codes only for people it may add: The registry desk may grant only the roles this agency lets it grant (case-officer); "registry" needs an administrator.',
    });
    expect((await issueEnrollmentCode(store, SYSTEM, "chief-a")).ok).toBe(true);
    await store.close();
  });
});

describe("enroll", () => {
  it("issues a certificate for a P-256 CSR that openssl verifies under the CA and that carries the directory profile", async () => {
    const { store, agency, dir } = await agencyFixture();
    const code = await codeFor(store, "chief-a");
    const keys = await p256Keys();
    const r = await enroll(store, agency, { code, csrPem: await csrPem(keys) });
    if (!r.ok) throw new Error(r.reason);

    writeFileSync(join(dir, "ca.pem"), r.value.caPem);
    writeFileSync(join(dir, "chief.pem"), r.value.certificatePem);
    const out = execFileSync("openssl", ["verify", "-CAfile", join(dir, "ca.pem"), join(dir, "chief.pem")], { encoding: "utf8" });
    expect(out.trim()).toBe(`${join(dir, "chief.pem")}: OK`);

    const cert = parseCertificate(r.value.certificatePem);
    if (!cert.ok) throw new Error(cert.reason);
    expect(profileFromCertificate(cert.value)).toEqual({
      ok: true,
      value: { v: 1, agency: AGENCY, unit: "edu-a", person: "chief-a", name: "姓名chief-a", level: 3, roles: ["supervisor"] },
    });
    // The certificate is for the requester's key, whatever the CSR's subject said.
    const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
    expect(new Uint8Array(cert.value.publicKey.rawData)).toEqual(spki);
    expect(cert.value.subject).not.toContain("whatever");

    const rows = await store.certificates(asPersonId("chief-a"));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ serial: r.value.serial, origin: "issued", revokedAt: null });
    await store.close();
  });

  it("accepts an RSA-2048 CSR", async () => {
    const { store, agency } = await agencyFixture();
    const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) };
    const keys = (await crypto.subtle.generateKey(alg, false, ["sign", "verify"])) as CryptoKeyPair;
    const r = await enroll(store, agency, { code: await codeFor(store, "officer-a"), csrPem: await csrPem(keys, alg) });
    expect(r.ok).toBe(true);
    await store.close();
  });

  it(`code reuse: ${ENROLL_REFUSALS.code}`, async () => {
    const { store, agency } = await agencyFixture();
    const code = await codeFor(store, "officer-a");
    expect((await enroll(store, agency, { code, csrPem: await csrPem(await p256Keys()) })).ok).toBe(true);
    expect(await enroll(store, agency, { code, csrPem: await csrPem(await p256Keys()) })).toEqual({ ok: false, code: ENROLL_CODES.code, reason: ENROLL_REFUSALS.code });
    await store.close();
  });

  it(`expired code: ${ENROLL_REFUSALS.code}`, async () => {
    const { store, agency } = await agencyFixture();
    const issued = new Date("2026-03-01T00:00:00Z");
    const code = await codeFor(store, "officer-a", issued);
    const late = new Date(issued.getTime() + ENROLLMENT_TTL_MS + 1000);
    expect(await enroll(store, agency, { code, csrPem: await csrPem(await p256Keys()) }, late)).toEqual({ ok: false, code: ENROLL_CODES.code, reason: ENROLL_REFUSALS.code });
    await store.close();
  });

  it(`${ENROLL_REFUSALS.csrSignature} (and the code is not spent)`, async () => {
    const { store, agency } = await agencyFixture();
    const code = await codeFor(store, "officer-a");
    const good = new x509.Pkcs10CertificateRequest(await csrPem(await p256Keys()));
    const der = new Uint8Array(good.rawData);
    // The ECDSA signature's last byte is the low byte of s: flipping it keeps the DER well formed.
    der[der.length - 1] = der[der.length - 1]! ^ 0x01;
    const bad = new x509.Pkcs10CertificateRequest(der).toString("pem");
    expect(await enroll(store, agency, { code, csrPem: bad })).toEqual({ ok: false, code: ENROLL_CODES.csrSignature, reason: ENROLL_REFUSALS.csrSignature });
    expect((await enroll(store, agency, { code, csrPem: await csrPem(await p256Keys()) })).ok).toBe(true);
    await store.close();
  });

  it(ENROLL_REFUSALS.key, async () => {
    const { store, agency } = await agencyFixture();
    const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, false, ["sign", "verify"])) as CryptoKeyPair;
    const r = await enroll(store, agency, { code: await codeFor(store, "officer-a"), csrPem: await csrPem(keys, { name: "ECDSA", hash: "SHA-384" }) });
    expect(r).toEqual({ ok: false, code: ENROLL_CODES.key, reason: ENROLL_REFUSALS.key });
    await store.close();
  });

  it(ENROLL_REFUSALS.csr, async () => {
    const { store, agency } = await agencyFixture();
    const code = await codeFor(store, "officer-a");
    expect(await enroll(store, agency, { code, csrPem: "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----" })).toEqual({
      ok: false,
      code: ENROLL_CODES.csr, reason: ENROLL_REFUSALS.csr,
    });
    await store.close();
  });
});
