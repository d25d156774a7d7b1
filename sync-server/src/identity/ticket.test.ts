import { describe, expect, it } from "vitest";
import { signBytes, toBase64, certificateToBase64, parseCertificate } from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";
import type { Agency } from "./agency.ts";
import { enroll, issueEnrollmentCode, revokeCertificate } from "./enrollment.ts";
import { challenge, boundedChallenge, login, loginMessage, signToken, verifyToken } from "./login.ts";
import { STANDING_REFUSALS, STANDING_CODES, checkStanding } from "./standing.ts";
import { TICKET_REFUSALS, TICKET_CODES, TICKET_TTL_MS, issueTicket, redeemTicket } from "./ticket.ts";
import { agencyFixture, csrPem, p256Keys } from "../../tests/support/identity-fixtures.ts";
import { SYSTEM } from "../cli/data-dir.ts";
import { updatePerson } from "../directory/directory.ts";

async function loggedIn(store: Store, agency: Agency, person: string) {
  const code = await issueEnrollmentCode(store, SYSTEM, person);
  if (!code.ok) throw new Error(code.reason);
  const keys = await p256Keys();
  const e = await enroll(store, agency, { code: code.value.code, csrPem: await csrPem(keys) });
  if (!e.ok) throw new Error(e.reason);
  const cert = parseCertificate(e.value.certificatePem);
  if (!cert.ok) throw new Error(cert.reason);
  const { nonce } = await challenge(store);
  const signature = toBase64(await signBytes("ES256", keys.privateKey, loginMessage(nonce)));
  const r = await login(store, agency, { nonce, certificate: certificateToBase64(cert.value), signature, alg: "ES256" });
  if (!r.ok) throw new Error(r.reason);
  return { ...r.value, serial: e.value.serial };
}

describe("sessions follow their certificate", () => {
  it("a token names the certificate it was issued on; revoking that certificate ends the session", async () => {
    const { store, agency } = await agencyFixture();
    const s = await loggedIn(store, agency, "officer-a");
    const session = await verifyToken(agency, s.token);
    expect(session).toMatchObject({ ok: true, value: { cert: s.serial } });
    expect((await checkStanding(store, s.session)).ok).toBe(true);
    expect((await revokeCertificate(store, SYSTEM, s.serial)).ok).toBe(true);
    expect(await checkStanding(store, s.session)).toEqual({ ok: false, code: STANDING_CODES.revoked, reason: STANDING_REFUSALS.revoked });
    await store.close();
  });

  it("deactivating a person ends their sessions", async () => {
    const { store, agency } = await agencyFixture();
    const s = await loggedIn(store, agency, "officer-a");
    expect((await updatePerson(store, SYSTEM, "officer-a", { active: false })).ok).toBe(true);
    expect(await checkStanding(store, s.session)).toEqual({ ok: false, code: STANDING_CODES.inactive, reason: STANDING_REFUSALS.inactive });
    await store.close();
  });

  it("a token whose certificate is not on record (or names another person) is refused", async () => {
    const { store, agency } = await agencyFixture();
    const s = await loggedIn(store, agency, "officer-a");
    expect(await checkStanding(store, { ...s.session, cert: "ffff" })).toEqual({ ok: false, code: STANDING_CODES.unknown, reason: STANDING_REFUSALS.unknown });
    expect(await checkStanding(store, { ...s.session, person: s.session.person.replace("officer", "chief") as never })).toEqual({
      ok: false,
      code: STANDING_CODES.unknown, reason: STANDING_REFUSALS.unknown,
    });
    // A forged v1 token (no certificate) does not verify as a session at all.
    const v1 = await signToken(agency, s.session);
    const [body] = v1.split(".") as [string];
    const payload = JSON.parse(Buffer.from(body, "base64url").toString()) as Record<string, unknown>;
    expect(payload).toMatchObject({ v: 2, cert: s.serial });
    await store.close();
  });
});

describe("tickets for the WebSocket", () => {
  it("a ticket opens one connection only", async () => {
    const { store, agency } = await agencyFixture();
    const s = await loggedIn(store, agency, "officer-a");
    const { ticket } = await issueTicket(store, agency, s.session);
    expect(await redeemTicket(store, agency, ticket)).toEqual({ ok: true, value: s.session });
    expect(await redeemTicket(store, agency, ticket)).toEqual({ ok: false, code: TICKET_CODES.used, reason: TICKET_REFUSALS.used });
    await store.close();
  });

  it("a ticket is good for 30 seconds and never past its session", async () => {
    const { store, agency } = await agencyFixture();
    const s = await loggedIn(store, agency, "officer-a");
    const now = new Date();
    const a = await issueTicket(store, agency, s.session, now);
    expect(new Date(a.expiresAt).getTime() - now.getTime()).toBe(TICKET_TTL_MS);
    expect(await redeemTicket(store, agency, a.ticket, new Date(now.getTime() + TICKET_TTL_MS + 1000))).toEqual({ ok: false, code: TICKET_CODES.expired, reason: TICKET_REFUSALS.expired });
    const dying = { ...s.session, expiresAt: new Date(now.getTime() + 5000).toISOString() };
    expect((await issueTicket(store, agency, dying, now)).expiresAt).toBe(dying.expiresAt);
    await store.close();
  });

  it("a token is not a ticket, a forged ticket does not verify, garbage is malformed", async () => {
    const { store, agency } = await agencyFixture();
    const s = await loggedIn(store, agency, "officer-a");
    expect(await redeemTicket(store, agency, null)).toEqual({ ok: false, code: TICKET_CODES.missing, reason: TICKET_REFUSALS.missing });
    expect(await redeemTicket(store, agency, s.token)).toEqual({ ok: false, code: TICKET_CODES.malformed, reason: TICKET_REFUSALS.malformed });
    expect(await redeemTicket(store, agency, `t1.${s.token}`)).toEqual({ ok: false, code: TICKET_CODES.signature, reason: TICKET_REFUSALS.signature });
    const { ticket } = await issueTicket(store, agency, s.session);
    const [, body, mac] = ticket.split(".") as [string, string, string];
    const p = JSON.parse(Buffer.from(body, "base64url").toString()) as { s: { roles: string[] } };
    p.s.roles = ["admin"];
    expect(await redeemTicket(store, agency, `t1.${Buffer.from(JSON.stringify(p)).toString("base64url")}.${mac}`)).toEqual({
      ok: false,
      code: TICKET_CODES.signature, reason: TICKET_REFUSALS.signature,
    });
    for (const bad of ["", "t1.", "t1.a.b.c", "t1.!!!.###", `t1.${"x".repeat(5000)}.y`])
      expect(await redeemTicket(store, agency, bad)).toMatchObject({ ok: false });
    await store.close();
  });
});

describe("login challenges are bounded", () => {
  it("unanswered challenges stop at the cap until they expire, and expired ones are purged", async () => {
    const { store } = await agencyFixture();
    const now = new Date();
    for (let i = 0; i < 3; i++) expect(await boundedChallenge(store, now, 3)).not.toBeNull();
    expect(await boundedChallenge(store, now, 3)).toBeNull();
    // Two minutes later the three have expired: purged, and there is room again.
    const later = new Date(now.getTime() + 2 * 60_000 + 1000);
    expect(await boundedChallenge(store, later, 3)).not.toBeNull();
    await store.close();
  });
});
