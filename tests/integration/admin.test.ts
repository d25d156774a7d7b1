// Administration over HTTP against a real agency server (issue 9): each admin route allowed for an
// administrator and refused for anyone else with its code; the registry desk editing its own unit's
// people and refused for another unit's; the trust list's fingerprint confirmation; and every change
// written to the audit log with its before and after, readable (JSON and CSV) by administrators only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asAgencyCode, createAgencyCa, parseCertificate, sha256Hex } from "@countersign/crdt-model";
import { addPerson, enroll, issueEnrollmentCode, x509 } from "@countersign/sync-server";
import { SYSTEM } from "../../sync-server/src/cli/data-dir.ts";
import { must, startAgency, tokenFor, type RunningAgency } from "./support/agency-server.ts";
import { signerFromKey, type SignerProfile } from "@countersign/crdt-model";

let a: RunningAgency;
let admin: string;
beforeAll(async () => {
  a = await startAgency();
  // The test agency has no administrator: enroll one the way the command line would.
  must(await addPerson(a.store, SYSTEM, { id: "P-admin", name: "測試管理", unit: "U-SEC", level: 2, roles: ["admin"] }));
  const code = must(await issueEnrollmentCode(a.store, SYSTEM, "P-admin"));
  const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: "CN=x", keys, signingAlgorithm: { name: "ECDSA", hash: "SHA-256" } });
  const enrolled = must(await enroll(a.store, a.agency, { code: code.code, csrPem: csr.toString("pem") }));
  const signer = signerFromKey(must(parseCertificate(enrolled.certificatePem)), enrolled.profile as SignerProfile, "ES256", keys.privateKey);
  admin = await tokenFor(a.store, a.agency, { signer, privateKey: keys.privateKey });
});
afterAll(async () => {
  await a?.stop();
});

async function api(path: string, token: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${a.http}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

interface Row {
  seq: number;
  actor: string;
  action: string;
  target: string;
  before: string | null;
  after: string | null;
}
const auditRows = async () => (await api("/api/admin/audit", admin)).json.entries as Row[];
const lastAudit = async (action: string) => (await auditRows()).find((r) => r.action === action);

describe("people", () => {
  it("an administrator edits a person's unit, level, roles and e-mail; the audit row holds before and after", async () => {
    must(await addPerson(a.store, SYSTEM, { id: "P-edit", name: "待調整", unit: "U-STU", level: 1, roles: ["case-officer"] }));
    const r = await api("/api/people/P-edit", admin, { method: "PUT", body: { unit: "U-PER", level: 2, roles: ["case-officer", "follow-up"], email: "edit@example.gov.tw" } });
    expect(r).toEqual({
      status: 200,
      json: { id: "P-edit", name: "待調整", unit: "U-PER", level: 2, roles: ["case-officer", "follow-up"], active: true, email: "edit@example.gov.tw" },
    });
    const row = await lastAudit("person.edit");
    expect(row).toMatchObject({ actor: "person:P-admin", target: "P-edit" });
    expect(JSON.parse(row!.before!)).toMatchObject({ unit: "U-STU", level: 1 });
    expect(JSON.parse(row!.after!)).toMatchObject({ unit: "U-PER", level: 2, email: "edit@example.gov.tw" });
    // The people list carries the e-mail address.
    const people = (await api("/api/people", admin)).json.people as { id: string; email?: string }[];
    expect(people.find((p) => p.id === "P-edit")?.email).toBe("edit@example.gov.tw");
    // …for those who manage people only.
    const seen = (await api("/api/people", a.people.officer.token)).json.people as { id: string; email?: string }[];
    expect(seen.find((p) => p.id === "P-edit")).toBeDefined();
    expect(seen.find((p) => p.id === "P-edit")?.email).toBeUndefined();
  });

  it("bad input changes nothing: an e-mail that is none, an unknown unit", async () => {
    const before = (await auditRows()).length;
    expect(await api("/api/people/P-edit", admin, { method: "PUT", body: { email: "not an address" } })).toMatchObject({ status: 403, json: { code: "directory.email" } });
    expect(await api("/api/people/P-edit", admin, { method: "PUT", body: { unit: "U-NONE" } })).toMatchObject({ status: 403, json: { code: "directory.no-unit" } });
    expect(await api("/api/people/P-edit", admin, { method: "PUT", body: { level: 99 } })).toMatchObject({ status: 400, json: { code: "http.malformed-request" } });
    expect((await auditRows()).length).toBe(before);
    expect((await a.store.person("P-edit" as never))?.unit).toBe("U-PER");
  });

  it("the registry desk edits its own unit's people within its reach, and is refused for another unit's (directory.other-unit)", async () => {
    must(await addPerson(a.store, SYSTEM, { id: "P-new", name: "新進人員", unit: "U-STU", level: 1, roles: ["case-officer"] }));
    const desk = a.people.registry.token;
    expect(await api("/api/people/P-new", desk, { method: "PUT", body: { name: "新進同仁", email: "new@example.gov.tw" } })).toMatchObject({ status: 200, json: { name: "新進同仁" } });
    expect((await lastAudit("person.edit"))).toMatchObject({ actor: "person:P-registry", target: "P-new" });
    // Another unit's person, moving one of its own away, promoting beyond its level or role reach.
    expect(await api("/api/people/P-outsider", desk, { method: "PUT", body: { name: "改名" } })).toMatchObject({ status: 403, json: { code: "directory.other-unit" } });
    expect(await api("/api/people/P-new", desk, { method: "PUT", body: { unit: "U-PER" } })).toMatchObject({ status: 403, json: { code: "directory.other-unit" } });
    expect(await api("/api/people/P-new", desk, { method: "PUT", body: { level: 3 } })).toMatchObject({ status: 403, json: { code: "directory.not-permitted" } });
    expect(await api("/api/people/P-new", desk, { method: "PUT", body: { roles: ["admin"] } })).toMatchObject({ status: 403, json: { code: "directory.not-permitted" } });
    expect(await api("/api/people/P-chief", desk, { method: "PUT", body: { name: "科長" } })).toMatchObject({ status: 403, json: { code: "directory.not-permitted" } });
    // An officer (neither administrator nor registry desk) may not edit anyone.
    expect(await api("/api/people/P-new", a.people.officer.token, { method: "PUT", body: { name: "x" } })).toMatchObject({ status: 403, json: { code: "directory.not-permitted" } });
  });

  it("a new enrollment code: administrators for anyone, the registry desk for its own unit; the code is never logged", async () => {
    const r = await api("/api/people/P-outsider/enrollment-code", admin, { method: "POST" });
    expect(r.status).toBe(200);
    expect(r.json.code).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
    const row = await lastAudit("person.code");
    expect(row).toMatchObject({ actor: "person:P-admin", target: "P-outsider", before: null });
    expect(row!.after).not.toContain(r.json.code as string);
    expect((await api("/api/people/P-new/enrollment-code", a.people.registry.token, { method: "POST" })).status).toBe(200);
    expect(await api("/api/people/P-outsider/enrollment-code", a.people.registry.token, { method: "POST" })).toMatchObject({ status: 403, json: { code: "directory.other-unit" } });
    expect(await api("/api/people/P-new/enrollment-code", a.people.officer.token, { method: "POST" })).toMatchObject({ status: 403, json: { code: "directory.not-permitted" } });
  });

  it("a person's certificates are listed for administrators, and one is revoked and logged", async () => {
    const list = await api("/api/people/P-followup/certificates", admin);
    const certs = list.json.certificates as { serial: string; revokedAt: string | null }[];
    expect(certs).toHaveLength(1);
    expect(certs[0]!.revokedAt).toBeNull();
    expect(await api("/api/people/P-followup/certificates", a.people.registry.token)).toMatchObject({ status: 403, json: { code: "directory.not-admin" } });
    expect(await api(`/api/certificates/${certs[0]!.serial}/revoke`, a.people.registry.token, { method: "POST" })).toMatchObject({ status: 403, json: { code: "directory.not-admin" } });
    expect(await api(`/api/certificates/${certs[0]!.serial}/revoke`, admin, { method: "POST" })).toEqual({ status: 200, json: { revoked: certs[0]!.serial } });
    const row = await lastAudit("certificate.revoke");
    expect(row).toMatchObject({ target: certs[0]!.serial });
    expect(JSON.parse(row!.after!)).toMatchObject({ person: "P-followup", revokedAt: expect.any(String) });
    expect(((await api("/api/people/P-followup/certificates", admin)).json.certificates as { revokedAt: string | null }[])[0]!.revokedAt).not.toBeNull();
  });
});

describe("units, deputies and the delegation table", () => {
  it("units are added under a parent by administrators only, and logged", async () => {
    expect(await api("/api/units", admin, { body: { id: "U-STU-1", name: "學生事務股", parent: "U-STU" } })).toMatchObject({ status: 200, json: { parent: "U-STU" } });
    expect(await lastAudit("unit.add")).toMatchObject({ target: "U-STU-1", before: null });
    expect(await api("/api/units", a.people.registry.token, { body: { id: "U-X", name: "X", parent: null } })).toMatchObject({ status: 403, json: { code: "directory.not-admin" } });
  });

  it("a deputy arrangement is added and ended early by administrators; the end keeps the row for verification", async () => {
    const from = new Date(Date.now() - 3600_000).toISOString();
    const until = new Date(Date.now() + 7 * 24 * 3600_000).toISOString();
    expect((await api("/api/deputies", admin, { body: { principal: "P-chief", deputy: "P-followup", from, until } })).status).toBe(200);
    expect(await api("/api/deputies/end", a.people.registry.token, { body: { principal: "P-chief", deputy: "P-followup", from } })).toMatchObject({ status: 403, json: { code: "directory.not-admin" } });
    expect(await api("/api/deputies/end", admin, { body: { principal: "P-chief", deputy: "P-officer", from } })).toMatchObject({ status: 403, json: { code: "directory.no-deputy" } });
    const ended = await api("/api/deputies/end", admin, { body: { principal: "P-chief", deputy: "P-followup", from } });
    expect(ended.status).toBe(200);
    expect(Date.parse(ended.json.until as string)).toBeLessThanOrEqual(Date.now());
    expect(((await api("/api/deputies", admin)).json.deputies as { deputy: string }[]).some((d) => d.deputy === "P-followup")).toBe(false);
    const table = (await api("/api/deputies/table", admin)).json.table as { deputies: { deputy: string }[] };
    expect(table.deputies.some((d) => d.deputy === "P-followup")).toBe(true);
    const row = await lastAudit("deputy.end");
    expect(JSON.parse(row!.before!).until).toBe(until);
    expect(JSON.parse(row!.after!).until).toBe(ended.json.until);
  });

  it("the delegation table is set by administrators only, and logged with the table before and after", async () => {
    const current = (await api("/api/delegation", admin)).json.delegation as { rules: { category: string; level: number }[] };
    const next = { ...current, rules: [{ category: "學務", level: 4 }] };
    expect(await api("/api/delegation", a.people.registry.token, { method: "PUT", body: next })).toMatchObject({ status: 403, json: { code: "directory.not-admin" } });
    expect((await api("/api/delegation", admin, { method: "PUT", body: next })).status).toBe(200);
    const row = await lastAudit("delegation.set");
    expect(JSON.parse(row!.before!).rules).toEqual([{ category: "學務", level: 3 }]);
    expect(JSON.parse(row!.after!).rules).toEqual([{ category: "學務", level: 4 }]);
  });
});

describe("the federation trust list", () => {
  it("a peer's CA is previewed, then added only with its own fingerprint; serials revoked; removed — administrators only", async () => {
    const ca = await createAgencyCa({ agency: asAgencyCode("A-PEER"), name: "鄰近教育局" });
    const pem = ca.cert.toString("pem");
    const fingerprint = sha256Hex(new Uint8Array(ca.cert.rawData));
    expect(await api("/api/admin/trust/preview", a.people.registry.token, { body: { pem } })).toMatchObject({ status: 403, json: { code: "directory.not-admin" } });
    expect(await api("/api/admin/trust/preview", admin, { body: { pem: "not a certificate" } })).toMatchObject({ status: 403, json: { code: "federation.not-cert" } });
    const preview = await api("/api/admin/trust/preview", admin, { body: { pem } });
    expect(preview).toMatchObject({ status: 200, json: { code: "A-PEER", name: "鄰近教育局", fingerprint } });
    // A confirmation of another fingerprint adds nothing.
    const before = (await auditRows()).length;
    expect(await api("/api/admin/trust", admin, { body: { pem, fingerprint: "00".repeat(32) } })).toMatchObject({ status: 403, json: { code: "federation.fingerprint" } });
    expect((await api("/api/admin/trust", admin)).json.peers).toEqual([]);
    expect((await auditRows()).length).toBe(before);
    expect(await api("/api/admin/trust", a.people.registry.token, { body: { pem, fingerprint } })).toMatchObject({ status: 403, json: { code: "directory.not-admin" } });
    // Colons and upper case, as certificate tools print it, are the same fingerprint.
    const colon = (fingerprint.toUpperCase().match(/../g) ?? []).join(":");
    expect(await api("/api/admin/trust", admin, { body: { pem, fingerprint: colon } })).toMatchObject({ status: 200, json: { code: "A-PEER", fingerprint, removedAt: null } });
    expect((await api("/api/exchange/peers", a.people.officer.token)).json.peers).toMatchObject([{ code: "A-PEER" }]);
    expect(await lastAudit("trust.add")).toMatchObject({ target: "A-PEER", before: null });

    expect(await api("/api/admin/trust/A-PEER/revoked", a.people.registry.token, { body: { serials: ["0a"] } })).toMatchObject({ status: 403, json: { code: "directory.not-admin" } });
    expect(await api("/api/admin/trust/A-PEER/revoked", admin, { body: { serials: ["xyz"] } })).toMatchObject({ status: 403, json: { code: "federation.serial" } });
    expect(await api("/api/admin/trust/A-PEER/revoked", admin, { body: { serials: ["0A", "1b"] } })).toMatchObject({ status: 200, json: { revokedSerials: ["0a", "1b"] } });
    expect(await lastAudit("trust.revoke-serials")).toMatchObject({ target: "A-PEER" });

    expect(await api("/api/admin/trust/A-PEER/remove", a.people.registry.token, { method: "POST" })).toMatchObject({ status: 403, json: { code: "directory.not-admin" } });
    expect(await api("/api/admin/trust/A-PEER/remove", admin, { method: "POST" })).toMatchObject({ status: 200, json: { removedAt: expect.any(String) } });
    expect((await api("/api/exchange/peers", a.people.officer.token)).json.peers).toEqual([]);
    expect((await api("/api/admin/trust", admin)).json.peers).toMatchObject([{ code: "A-PEER", removedAt: expect.any(String) }]);
    expect(JSON.parse((await lastAudit("trust.remove"))!.after!).removedAt).toEqual(expect.any(String));
    expect(await api("/api/admin/trust", a.people.registry.token)).toMatchObject({ status: 403, json: { code: "directory.not-admin" } });
  });
});

describe("the audit log", () => {
  it("is read by administrators only, newest first, in pages", async () => {
    expect(await api("/api/admin/audit", a.people.registry.token)).toMatchObject({ status: 403, json: { code: "directory.not-admin" } });
    const first = await api("/api/admin/audit?limit=2", admin);
    const entries = first.json.entries as Row[];
    expect(entries).toHaveLength(2);
    expect(entries[0]!.seq).toBeGreaterThan(entries[1]!.seq);
    expect(first.json.next).toBe(entries[1]!.seq);
    const second = (await api(`/api/admin/audit?limit=2&before=${String(first.json.next)}`, admin)).json.entries as Row[];
    expect(second[0]!.seq).toBeLessThan(entries[1]!.seq);
    // The setup by the command line is there too, as "system".
    const all = (await api("/api/admin/audit?limit=500", admin)).json.entries as Row[];
    expect(all.some((r) => r.actor === "system" && r.action === "person.add")).toBe(true);
  });

  it("downloads as CSV: a byte-order mark, a header row, one line per change, as an attachment", async () => {
    const refused = await fetch(`${a.http}/api/admin/audit.csv`, { headers: { authorization: `Bearer ${a.people.registry.token}` } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe("directory.not-admin");
    const res = await fetch(`${a.http}/api/admin/audit.csv`, { headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    const lines = text.trimEnd().split("\r\n");
    expect(lines[0]).toBe("seq,at,actor,action,target,before,after");
    expect(lines.length - 1).toBe(((await api("/api/admin/audit?limit=500", admin)).json.entries as Row[]).length);
    expect(text).toContain("delegation.set");
    expect(text).toContain("待調整"); // Chinese as UTF-8
  });
});
