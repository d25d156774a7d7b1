import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { asPersonId, fromBase64, parseCertificate, signBytes, toBase64 } from "@countersign/crdt-model";
import { P12_REFUSALS, P12_CODES, registerPkcs12 } from "./pkcs12.ts";
import { buildTrustStore } from "./trust.ts";
import { challenge, login, loginMessage } from "./login.ts";
import { agencyFixture, sessionOf, tempDir } from "../../tests/support/identity-fixtures.ts";
import { SYSTEM } from "../cli/data-dir.ts";
import { x509 } from "./x509.ts";

const PASSWORD = "p12-密碼-secret";

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** A self-signed RSA-2048 certificate and its key, as a citizen certificate stand-in, in PKCS #12. */
function makeP12(dir: string, name: string, extra: string[] = []): { p12: Uint8Array; keyPem: string; certPem: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  const out = join(dir, `${name}.p12`);
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "30", "-subj", `/C=TW/CN=${name}`]);
  openssl(["pkcs12", "-export", "-in", cert, "-inkey", key, "-out", out, "-passout", `pass:${PASSWORD}`, ...extra]);
  return { p12: new Uint8Array(readFileSync(out)), keyPem: readFileSync(key, "utf8"), certPem: readFileSync(cert, "utf8") };
}

describe("registerPkcs12", () => {
  it("registers the certificate of an OpenSSL 3 default (AES-256, SHA-256 MAC) file; its holder can log in and sign", async () => {
    const { store, agency } = await agencyFixture();
    const made = makeP12(tempDir(), "citizen");
    const r = await registerPkcs12(store, SYSTEM, { person: "officer-b", p12: made.p12, password: PASSWORD });
    if (!r.ok) throw new Error(r.reason);
    const cert = parseCertificate(made.certPem);
    if (!cert.ok) throw new Error(cert.reason);
    expect(r.value.serial).toBe(cert.value.serialNumber.toLowerCase());
    const rows = await store.certificates(asPersonId("officer-b"));
    expect(rows).toMatchObject([{ origin: "registered", revokedAt: null, person: "officer-b" }]);
    // The private key is not kept anywhere.
    expect(JSON.stringify(rows)).not.toContain("PRIVATE");

    // Chain verification trusts it with the person's profile from the directory.
    const trust = await buildTrustStore(store);
    if (!trust.ok) throw new Error(trust.reason);
    const check = await trust.value.checkCertificate(cert.value, new Date());
    expect(check).toMatchObject({ ok: true, profile: { person: "officer-b", unit: "edu-b", agency: agency.code } });

    // And it logs in with RS256, the key staying with its owner.
    const key = await crypto.subtle.importKey("pkcs8", new Uint8Array(x509.PemConverter.decodeFirst(made.keyPem)), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
    const { nonce } = await challenge(store);
    const signature = toBase64(await signBytes("RS256", key, loginMessage(nonce)));
    const session = await login(store, agency, { nonce, certificate: toBase64(new Uint8Array(cert.value.rawData)), signature, alg: "RS256" });
    expect(session).toMatchObject({ ok: true, value: { session: { person: "officer-b" } } });
    await store.close();
  });

  it("keeps the issuer the file carries, so the registered certificate verifies under it", async () => {
    const { store } = await agencyFixture();
    const dir = tempDir();
    openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "ca.key"), "-out", join(dir, "ca.crt"), "-days", "30", "-subj", "/C=TW/CN=Test MOICA"]);
    openssl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "u.key"), "-out", join(dir, "u.csr"), "-subj", "/C=TW/CN=User"]);
    openssl(["x509", "-req", "-in", join(dir, "u.csr"), "-CA", join(dir, "ca.crt"), "-CAkey", join(dir, "ca.key"), "-CAcreateserial", "-out", join(dir, "u.crt"), "-days", "30"]);
    openssl(["pkcs12", "-export", "-in", join(dir, "u.crt"), "-inkey", join(dir, "u.key"), "-certfile", join(dir, "ca.crt"), "-out", join(dir, "u.p12"), "-passout", `pass:${PASSWORD}`]);
    const r = await registerPkcs12(store, SYSTEM, { person: "officer-a", p12: new Uint8Array(readFileSync(join(dir, "u.p12"))), password: PASSWORD });
    expect(r).toMatchObject({ ok: true, value: { issuerFromFile: true, subject: "C=TW, CN=User" } });
    const trust = await buildTrustStore(store);
    if (!trust.ok) throw new Error(trust.reason);
    const cert = parseCertificate(readFileSync(join(dir, "u.crt"), "utf8"));
    if (!cert.ok) throw new Error(cert.reason);
    expect(await trust.value.checkCertificate(cert.value, new Date())).toMatchObject({ ok: true, profile: { person: "officer-a" } });
    await store.close();
  });

  it(P12_REFUSALS.password, async () => {
    const { store } = await agencyFixture();
    const made = makeP12(tempDir(), "citizen");
    expect(await registerPkcs12(store, SYSTEM, { person: "officer-b", p12: made.p12, password: "wrong" })).toEqual({ ok: false, code: P12_CODES.password, reason: P12_REFUSALS.password });
    expect(await store.certificates()).toEqual([]);
    await store.close();
  });

  it(P12_REFUSALS.legacy, async () => {
    const { store } = await agencyFixture();
    const made = makeP12(tempDir(), "legacy", ["-legacy"]);
    expect(await registerPkcs12(store, SYSTEM, { person: "officer-b", p12: made.p12, password: PASSWORD })).toEqual({ ok: false, code: P12_CODES.legacy, reason: P12_REFUSALS.legacy });
    await store.close();
  });

  it(P12_REFUSALS.duplicate, async () => {
    const { store } = await agencyFixture();
    const made = makeP12(tempDir(), "citizen");
    expect((await registerPkcs12(store, SYSTEM, { person: "officer-b", p12: made.p12, password: PASSWORD })).ok).toBe(true);
    expect(await registerPkcs12(store, SYSTEM, { person: "officer-a", p12: made.p12, password: PASSWORD })).toEqual({ ok: false, code: P12_CODES.duplicate, reason: P12_REFUSALS.duplicate });
    await store.close();
  });

  it(P12_REFUSALS.parse, async () => {
    const { store } = await agencyFixture();
    expect(await registerPkcs12(store, SYSTEM, { person: "officer-b", p12: fromBase64("AAAA"), password: PASSWORD })).toEqual({ ok: false, code: P12_CODES.parse, reason: P12_REFUSALS.parse });
    await store.close();
  });

  it("The registry desk may register certificates for its own unit only.", async () => {
    const { store } = await agencyFixture();
    const made = makeP12(tempDir(), "citizen");
    const clerk = sessionOf("clerk-a", "edu-a", ["registry"]);
    expect(await registerPkcs12(store, clerk, { person: "officer-b", p12: made.p12, password: PASSWORD })).toEqual({
      ok: false,
      code: "directory.not-permitted",
      reason: "The registry desk may register certificates for its own unit only.",
    });
    await store.close();
  });
});
