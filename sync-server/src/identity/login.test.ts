import { describe, expect, it } from "vitest";
import { asAgencyCode, asPersonId, asUnitId, certificateToBase64, createAgencyCa, createSigner, parseCertificate, signBytes, toBase64 } from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";
import type { Agency } from "./agency.ts";
import { enroll, issueEnrollmentCode, revokeCertificate } from "./enrollment.ts";
import { CHALLENGE_TTL_MS, LOGIN_REFUSALS, LOGIN_CODES, TOKEN_REFUSALS, TOKEN_CODES, TOKEN_TTL_MS, challenge, login, loginMessage, verifyToken } from "./login.ts";
import { agencyFixture, csrPem, p256Keys } from "../../tests/support/identity-fixtures.ts";
import { SYSTEM } from "../cli/data-dir.ts";

/** Enrolls a person the way a browser does and returns what it keeps: its key and certificate. */
async function enrolled(store: Store, agency: Agency, person: string): Promise<{ key: CryptoKey; cert: string; serial: string }> {
  const code = await issueEnrollmentCode(store, SYSTEM, person);
  if (!code.ok) throw new Error(code.reason);
  const keys = await p256Keys();
  const r = await enroll(store, agency, { code: code.value.code, csrPem: await csrPem(keys) });
  if (!r.ok) throw new Error(r.reason);
  const cert = parseCertificate(r.value.certificatePem);
  if (!cert.ok) throw new Error(cert.reason);
  return { key: keys.privateKey, cert: certificateToBase64(cert.value), serial: r.value.serial };
}

async function signedLogin(store: Store, who: { key: CryptoKey; cert: string }, now = new Date()) {
  const { nonce } = await challenge(store, now);
  const signature = toBase64(await signBytes("ES256", who.key, loginMessage(nonce)));
  return { nonce, certificate: who.cert, signature, alg: "ES256" };
}

describe("login", () => {
  it("challenge → sign → token → verifyToken gives the directory's session", async () => {
    const { store, agency } = await agencyFixture();
    const chief = await enrolled(store, agency, "chief-a");
    const r = await login(store, agency, await signedLogin(store, chief));
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const s = await verifyToken(agency, r.value.token);
    expect(s).toEqual({ ok: true, value: r.value.session });
    expect(r.value.session).toMatchObject({ person: "chief-a", unit: "edu-a", roles: ["supervisor"], level: 3, agency: agency.code });
    await store.close();
  });

  it(`replayed challenge: ${LOGIN_REFUSALS.challenge}`, async () => {
    const { store, agency } = await agencyFixture();
    const who = await enrolled(store, agency, "officer-a");
    const input = await signedLogin(store, who);
    expect((await login(store, agency, input)).ok).toBe(true);
    expect(await login(store, agency, input)).toEqual({ ok: false, code: LOGIN_CODES.challenge, reason: LOGIN_REFUSALS.challenge });
    await store.close();
  });

  it(`expired challenge: ${LOGIN_REFUSALS.challenge}`, async () => {
    const { store, agency } = await agencyFixture();
    const who = await enrolled(store, agency, "officer-a");
    const now = new Date();
    const input = await signedLogin(store, who, now);
    expect(await login(store, agency, input, new Date(now.getTime() + CHALLENGE_TTL_MS + 1000))).toEqual({ ok: false, code: LOGIN_CODES.challenge, reason: LOGIN_REFUSALS.challenge });
    await store.close();
  });

  it(LOGIN_REFUSALS.signature, async () => {
    const { store, agency } = await agencyFixture();
    const who = await enrolled(store, agency, "officer-a");
    const other = await p256Keys();
    const input = await signedLogin(store, { key: other.privateKey, cert: who.cert });
    expect(await login(store, agency, input)).toEqual({ ok: false, code: LOGIN_CODES.signature, reason: LOGIN_REFUSALS.signature });
    await store.close();
  });

  it(`revoked certificate: ${LOGIN_REFUSALS.revoked}`, async () => {
    const { store, agency } = await agencyFixture();
    const who = await enrolled(store, agency, "officer-a");
    expect((await revokeCertificate(store, SYSTEM, who.serial)).ok).toBe(true);
    expect(await login(store, agency, await signedLogin(store, who))).toEqual({ ok: false, code: LOGIN_CODES.revoked, reason: LOGIN_REFUSALS.revoked });
    await store.close();
  });

  it(LOGIN_REFUSALS.unknownCert, async () => {
    const { store, agency } = await agencyFixture();
    // Same profile, same agency code, but from a CA this server never had.
    const rogueCa = await createAgencyCa({ agency: asAgencyCode(agency.code), name: "偽造" });
    const rogue = await createSigner(rogueCa, { v: 1, agency: agency.code, unit: asUnitId("edu-a"), person: asPersonId("chief-a"), name: "x", level: 5, roles: ["admin"] });
    const who = { key: (await p256Keys()).privateKey, cert: certificateToBase64(rogue.cert) };
    const input = await signedLogin(store, who);
    input.signature = toBase64(await rogue.sign(loginMessage(input.nonce)));
    expect(await login(store, agency, input)).toEqual({ ok: false, code: LOGIN_CODES.unknownCert, reason: LOGIN_REFUSALS.unknownCert });
    await store.close();
  });

  it(LOGIN_REFUSALS.inactive, async () => {
    const { store, agency } = await agencyFixture();
    const who = await enrolled(store, agency, "officer-a");
    const p = (await store.person(asPersonId("officer-a")))!;
    await store.putPerson({ ...p, active: false });
    expect(await login(store, agency, await signedLogin(store, who))).toEqual({ ok: false, code: LOGIN_CODES.inactive, reason: LOGIN_REFUSALS.inactive });
    await store.close();
  });
});

describe("verifyToken", () => {
  async function token() {
    const f = await agencyFixture();
    const who = await enrolled(f.store, f.agency, "officer-a");
    const r = await login(f.store, f.agency, await signedLogin(f.store, who));
    if (!r.ok) throw new Error(r.reason);
    return { ...f, token: r.value.token };
  }

  it(TOKEN_REFUSALS.expired, async () => {
    const { store, agency, token: t } = await token();
    expect((await verifyToken(agency, t, new Date(Date.now() + TOKEN_TTL_MS - 5000))).ok).toBe(true);
    expect(await verifyToken(agency, t, new Date(Date.now() + TOKEN_TTL_MS + 1000))).toEqual({ ok: false, code: TOKEN_CODES.expired, reason: TOKEN_REFUSALS.expired });
    await store.close();
  });

  it(TOKEN_REFUSALS.signature, async () => {
    const { store, agency, token: t } = await token();
    const [body, mac] = t.split(".") as [string, string];
    const payload = JSON.parse(Buffer.from(body, "base64url").toString()) as { roles: string[] };
    payload.roles = ["admin"];
    const forged = `${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${mac}`;
    expect(await verifyToken(agency, forged)).toEqual({ ok: false, code: TOKEN_CODES.signature, reason: TOKEN_REFUSALS.signature });
    // Another agency's server (another secret) does not accept it either.
    const other = await agencyFixture();
    expect(await verifyToken(other.agency, t)).toEqual({ ok: false, code: TOKEN_CODES.signature, reason: TOKEN_REFUSALS.signature });
    await store.close();
    await other.store.close();
  });

  it(TOKEN_REFUSALS.malformed, async () => {
    const { store, agency } = await token();
    for (const bad of ["", "abc", "a.b.c", "!!!.###", "e30.", `${"x".repeat(5000)}.y`])
      expect(await verifyToken(agency, bad)).toEqual({ ok: false, code: TOKEN_CODES.malformed, reason: TOKEN_REFUSALS.malformed });
    await store.close();
  });
});
