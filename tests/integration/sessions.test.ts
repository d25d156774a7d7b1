// Finding 7 and 11 of issue 12: a session follows its certificate (revocation and deactivation end
// it on /api and close its sockets with 4401, token expiry closes sockets too), and the WebSocket
// takes a single-use ticket, never a login token, in its URL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { WebSocket } from "ws";
import { CountersignDocument, asDocId, asPersonId, parseCertificate, toBase64 } from "@countersign/crdt-model";
import { provider, startAgency, syncUrl, testMetadata, tokenFor, until, must, type Member, type RunningAgency } from "./support/agency-server.ts";
import { signToken, verifyToken, addPerson, updatePerson, enroll, issueEnrollmentCode, x509 } from "@countersign/sync-server";
import { STANDING_REFUSALS } from "../../sync-server/src/identity/standing.ts";
import { TICKET_REFUSALS } from "../../sync-server/src/identity/ticket.ts";
import { SESSION_ENDED } from "../../sync-server/src/relay/sessions.ts";
import { WebsocketProvider } from "y-websocket";
import { fetchTicket, ticketedWebSocket } from "../../src/lib/sync/ticket-socket.ts";
import { attachJitteredReconnect, providerOptions } from "../../src/lib/sync/reconnect.ts";

const SYSTEM = { system: true } as const;
let a: RunningAgency;
beforeAll(async () => {
  // A long sweep period: what must happen at once below cannot be the periodic re-check's doing.
  a = await startAgency({ standingMs: 60_000 });
});
afterAll(async () => {
  await a?.stop();
});

const serialOf = (m: Member) => must(parseCertificate(toBase64(m.signer.certDer))).serialNumber.toLowerCase();

async function me(token: string): Promise<{ status: number; body: { error?: string } }> {
  const res = await fetch(`${a.http}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as { error?: string } };
}

/** A new person enrolled and logged in, so each test revokes its own certificate. */
async function newMember(id: string, roles: string[] = ["case-officer"]): Promise<{ member: Member; token: string }> {
  must(await addPerson(a.store, SYSTEM, { id, name: `測試${id}`, unit: "U-STU", level: 1, roles }));
  const code = must(await issueEnrollmentCode(a.store, SYSTEM, id));
  const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: "CN=x", keys, signingAlgorithm: { name: "ECDSA", hash: "SHA-256" } });
  const e = must(await enroll(a.store, a.agency, { code: code.code, csrPem: csr.toString("pem") }));
  const { signerFromKey } = await import("@countersign/crdt-model");
  const member: Member = { signer: signerFromKey(must(parseCertificate(e.certificatePem)), e.profile, "ES256", keys.privateKey), token: "", privateKey: keys.privateKey };
  const token = await tokenFor(a.store, a.agency, member);
  return { member, token };
}

function closedOf(p: ReturnType<typeof provider>): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => p.on("closed", (e: { code: number; reason: string }) => resolve(e)));
}

/** A new document drafted by `officer` on its device, so the relay takes its creation. */
function drafted(at: RunningAgency, doc: string, officer: string): Y.Doc {
  const created = must(CountersignDocument.create({ id: asDocId(doc), metadata: testMetadata({ caseOfficer: asPersonId(officer) }), subject: "測試主旨", plan: at.plan() }));
  const ydoc = new Y.Doc();
  Y.applyUpdate(ydoc, created.encodeState());
  return ydoc;
}

async function openSynced(doc: string, token: string, officer: string) {
  const p = provider(a, doc, token, drafted(a, doc, officer));
  const closed = closedOf(p);
  await until(() => p.synced, 10_000, "synced");
  return { p, closed };
}

describe("revocation ends sessions and open sockets at once", () => {
  it("revoking a certificate (the CLI, on the database) closes that person's open sockets with 4401", async () => {
    const fast = await startAgency({ standingMs: 200 });
    try {
      const p = provider(fast, "doc-revoked-cli", fast.people.officer.token, drafted(fast, "doc-revoked-cli", "P-officer"));
      const closed = closedOf(p);
      await until(() => p.synced, 10_000, "synced");
      expect(await fast.store.revokeCertificate(serialOf(fast.people.officer), new Date().toISOString())).toBe(true);
      const started = Date.now();
      const c = await closed;
      expect(c).toEqual({ code: 4401, reason: STANDING_REFUSALS.revoked });
      expect(Date.now() - started).toBeLessThan(2000);
      p.destroy();
    } finally {
      await fast.stop();
    }
  });

  it("revoking through the API closes the sockets of that certificate at once, and its token stops working on /api", async () => {
    const { token: adminToken } = await newMember("P-admin-1", ["admin"]);
    const { member, token } = await newMember("P-revoked-1");
    const { p, closed } = await openSynced("doc-revoked-api", token, "P-revoked-1");
    expect((await me(token)).status).toBe(200);
    const res = await fetch(`${a.http}/api/certificates/${serialOf(member)}/revoke`, { method: "POST", headers: { authorization: `Bearer ${adminToken}` } });
    expect(res.status).toBe(200);
    expect(await closed).toEqual({ code: 4401, reason: STANDING_REFUSALS.revoked });
    expect(await me(token)).toEqual({ status: 401, body: { ok: false, code: "session.revoked", reason: STANDING_REFUSALS.revoked } });
    // The old token still verifies as ours (its MAC is fine): only the per-request check refuses it.
    expect((await verifyToken(a.agency, token)).ok).toBe(true);
    p.destroy();
  });

  it("only an administrator may revoke a certificate through the API", async () => {
    const { member } = await newMember("P-revoked-2");
    const res = await fetch(`${a.http}/api/certificates/${serialOf(member)}/revoke`, { method: "POST", headers: { authorization: `Bearer ${a.people.registry.token}` } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { reason: string }).reason).toBe("Only an administrator may revoke a certificate.");
  });

  it("deactivating a person refuses their token on /api and closes their sockets", async () => {
    const fast = await startAgency({ standingMs: 200 });
    try {
      const p = provider(fast, "doc-deactivated", fast.people.officer.token, drafted(fast, "doc-deactivated", "P-officer"));
      const closed = closedOf(p);
      await until(() => p.synced, 10_000, "synced");
      must(await updatePerson(fast.store, SYSTEM, "P-officer", { active: false }));
      expect(await closed).toEqual({ code: 4401, reason: STANDING_REFUSALS.inactive });
      const res = await fetch(`${fast.http}/api/me`, { headers: { authorization: `Bearer ${fast.people.officer.token}` } });
      expect(res.status).toBe(401);
      p.destroy();
    } finally {
      await fast.stop();
    }
  });
});

describe("a directory change takes effect at once, not at the next login", () => {
  it("a person moved to another unit is answered as that unit's member on /api and their open sockets are closed to be admitted again", async () => {
    const fast = await startAgency({ standingMs: 200 });
    try {
      const p = provider(fast, "doc-moved", fast.people.officer.token, drafted(fast, "doc-moved", "P-officer"));
      const closed = closedOf(p);
      await until(() => p.synced, 10_000, "synced");
      must(await updatePerson(fast.store, SYSTEM, "P-officer", { unit: "U-PER", roles: ["case-officer", "registry"] }));
      expect(await closed).toEqual({ code: 4401, reason: STANDING_REFUSALS.changed });
      // The token still names U-STU and case-officer only; what a request is answered as is the directory's.
      const res = await fetch(`${fast.http}/api/me`, { headers: { authorization: `Bearer ${fast.people.officer.token}` } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ person: "P-officer", unit: "U-PER", roles: ["case-officer", "registry"] });
      p.destroy();
    } finally {
      await fast.stop();
    }
  });
});

describe("token expiry closes sockets", () => {
  it("an open socket is closed with 4401 when its login token expires", async () => {
    const { token } = await newMember("P-expiring");
    const s = must(await verifyToken(a.agency, token));
    const short = await signToken(a.agency, { ...s, expiresAt: new Date(Math.ceil((Date.now() + 2000) / 1000) * 1000).toISOString() });
    const { p, closed } = await openSynced("doc-expiring", short, "P-expiring");
    expect(await closed).toEqual({ code: 4401, reason: SESSION_ENDED.expired });
    p.destroy();
  });
});

describe("the app's connection after its token expires", () => {
  it("a socket closed at token expiry reconnects once with a fresh ticket from a new login, as the app does", async () => {
    const { member, token } = await newMember("P-app-expiry");
    const s = must(await verifyToken(a.agency, token));
    // The first connection's token runs out in two seconds; the next login gives a normal one.
    let current = await signToken(a.agency, { ...s, expiresAt: new Date(Math.ceil((Date.now() + 2000) / 1000) * 1000).toISOString() });
    let logins = 0;
    const ticket = async () => {
      const t = await fetchTicket(a.http, current);
      if (t.ok || !t.refused) return t;
      logins++;
      current = await tokenFor(a.store, a.agency, member); // identity.api: one re-login on 401
      return fetchTicket(a.http, current);
    };
    const p = new WebsocketProvider(a.ws, "doc-app-expiry", drafted(a, "doc-app-expiry", "P-app-expiry"), {
      WebSocketPolyfill: ticketedWebSocket(WebSocket as never, ticket) as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      ...providerOptions,
    });
    attachJitteredReconnect(p, { baseMs: 50, maxMs: 200 });
    const closes: number[] = [];
    p.on("closed", (e: { code: number }) => closes.push(e.code));
    await until(() => p.synced, 10_000, "synced");
    await until(() => closes.length === 1, 10_000, "closed at expiry");
    expect(closes).toEqual([4401]);
    await until(() => p.synced && p.wsconnected, 10_000, "reconnected");
    expect(logins).toBe(1);
    p.destroy();
  });

  it("a revoked person's app does not loop: after the 4401 its login is refused and it stays closed", async () => {
    const { member, token } = await newMember("P-app-revoked");
    let asked = 0;
    const ticket = async () => {
      asked++;
      return fetchTicket(a.http, token);
    };
    const p = new WebsocketProvider(a.ws, "doc-app-revoked", drafted(a, "doc-app-revoked", "P-app-revoked"), {
      WebSocketPolyfill: ticketedWebSocket(WebSocket as never, ticket) as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      ...providerOptions,
    });
    attachJitteredReconnect(p, { baseMs: 50, maxMs: 200 });
    const closes: number[] = [];
    p.on("closed", (e: { code: number }) => closes.push(e.code));
    await until(() => p.synced, 10_000, "synced");
    const res = await fetch(`${a.http}/api/certificates/${serialOf(member)}/revoke`, { method: "POST", headers: { authorization: `Bearer ${(await newMember("P-admin-2", ["admin"])).token}` } });
    expect(res.status).toBe(200);
    await until(() => closes.length === 2, 10_000, "closed, retried once, refused");
    await new Promise((r) => setTimeout(r, 1000));
    expect(closes).toEqual([4401, 4401]);
    expect(asked).toBe(2);
    p.destroy();
  });
});

describe("the WebSocket URL carries no login token", () => {
  it("a valid login token in the URL is refused with 4401", async () => {
    const ws = new WebSocket(`${a.ws}/doc-token-url?token=${encodeURIComponent(a.people.officer.token)}`);
    const closed = await new Promise<{ code: number; reason: string }>((r) => ws.on("close", (code, reason) => r({ code, reason: reason.toString() })));
    expect(closed).toEqual({ code: 4401, reason: TICKET_REFUSALS.tokenInUrl });
  });

  it("a ticket opens one connection; used again it is refused with 4401", async () => {
    const url = await syncUrl(a.ws, "doc-ticket-once", a.people.officer.token);
    expect(url).toMatch(/\?ticket=t1\./);
    expect(url).not.toContain(a.people.officer.token);
    const first = new WebSocket(url);
    await new Promise((r, j) => (first.on("open", r), first.on("error", j)));
    const second = new WebSocket(url);
    const closed = await new Promise<{ code: number; reason: string }>((r) => second.on("close", (code, reason) => r({ code, reason: reason.toString() })));
    expect(closed).toEqual({ code: 4401, reason: TICKET_REFUSALS.used });
    first.close();
  });

  it("a ticket needs a login token, and a revoked certificate gets none", async () => {
    const none = await fetch(`${a.http}/api/sync/ticket`, { method: "POST" });
    expect(none.status).toBe(401);
    const { member, token } = await newMember("P-revoked-3");
    expect(await a.store.revokeCertificate(serialOf(member), new Date().toISOString())).toBe(true);
    const refused = await fetch(`${a.http}/api/sync/ticket`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    expect(refused.status).toBe(401);
  });
});
