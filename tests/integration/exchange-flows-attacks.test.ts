// The exchange under attack (issue 12): slow uploads must not keep envelopes out (finding 9), and
// the exchange API gives out a document only to whom the relay would (exports follow access).
// Real agency servers, real sockets, real envelopes.
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ENVELOPE_REFUSALS,
  asAgencyCode,
  buildEnvelope,
  asStepId,
  encryptEnvelope,
  encryptEnvelopeCbc,
  parseCertificate,
  signerFromKey,
  type DocId,
  type RoutingPlan,
  type SignerProfile,
} from "@countersign/crdt-model";
import { x509, addPerson, enroll, issueEnrollmentCode } from "@countersign/sync-server";
import { SEND_DENIED } from "../../sync-server/src/exchange/http-api.ts";
import { PEER_REFUSALS } from "../../sync-server/src/exchange/peer-rights.ts";
import { tabsOf } from "../../src/lib/inbox/classify.ts";
import { agencySigner } from "../../sync-server/src/exchange/signer.ts";
import { decisionOnlyPlan, must, tokenFor, type RunningAgency } from "./support/agency-server.ts";
import { FAST_DELIVERY, act, call, draftAndSubmit, federate, pull, startAgencies, upload } from "./support/federation.ts";

let A: RunningAgency, B: RunningAgency;
// B takes at most 4 imports at once, and cuts off a body slower than 2 KiB/s after 400 ms.
const SLOW_LIMITS = { ...FAST_DELIVERY, bodyMs: 8000, gate: { inFlight: 4, minBytesPerSecond: 2048, rateGraceMs: 400 } };
beforeAll(async () => {
  ({ A } = await startAgencies(["A"]));
  ({ B } = await startAgencies(["B"], SLOW_LIMITS));
  await federate([A, B], { urls: false });
});
afterAll(async () => {
  await Promise.all([A, B].map((x) => x?.stop()));
});

const code = (x: RunningAgency) => x.agency.code;
/** A countersign (會辦) by agency B, then the section chief of A decides. */
const askB = (): RoutingPlan => ({
  ...decisionOnlyPlan("P-chief", 3),
  stages: [{ kind: "single", step: { id: asStepId("cs"), type: "countersign", assignee: { kind: "agency", agency: asAgencyCode(code(B)) } } }, ...decisionOnlyPlan("P-chief", 3).stages],
});

/** Someone who sends an envelope's headers and then one byte every `everyMs`. */
function trickle(x: RunningAgency, everyMs: number): { socket: Socket; closed: Promise<{ at: number; answer: string }> } {
  const socket = connect(x.port, "127.0.0.1");
  socket.write(`POST /api/exchange/envelopes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/vnd.countersign.envelope+zip\r\nContent-Length: 100000\r\n\r\n`);
  const timer = setInterval(() => socket.writable && socket.write("P"), everyMs);
  let answer = "";
  socket.on("data", (d) => (answer += d.toString("latin1")));
  socket.on("error", () => {});
  const closed = new Promise<{ at: number; answer: string }>((resolve) =>
    socket.on("close", () => {
      clearInterval(timer);
      resolve({ at: Date.now(), answer });
    }),
  );
  return { socket, closed };
}

const post = (x: RunningAgency, bytes: Uint8Array) =>
  fetch(`${x.http}/api/exchange/envelopes`, { method: "POST", headers: { "content-type": "application/vnd.countersign.envelope+zip" }, body: bytes as Uint8Array<ArrayBuffer> });

describe("slow uploads (finding 9)", () => {
  it("four slow uploads do not keep a legitimate envelope out", async () => {
    const started = Date.now();
    const slow = [0, 1, 2, 3].map(() => trickle(B, 300));
    try {
      await new Promise((r) => setTimeout(r, 150)); // all four are in, trickling
      const doc = await draftAndSubmit(A, askB(), "慢速上傳測試");
      const env = must(await A.server.exchange.exportEnvelope({ docs: [doc], to: asAgencyCode(code(B)), purpose: "countersign-request" }));
      const res = await post(B, env.bytes);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-countersign-outcome")).toBe("imported");
      expect(await B.store.hasDoc(doc)).toBe(true);
    } finally {
      // The trickling senders are cut off soon after the grace period, long before the 8 s deadline.
      const ends = await Promise.all(slow.map((s) => s.closed));
      for (const e of ends) expect(e.at - started).toBeLessThan(4000);
    }
  });

  it("a body that stops arriving is cut off with 408 and the server keeps serving", async () => {
    const s = trickle(B, 60_000);
    const { answer } = await s.closed;
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toContain("slower than 2048 bytes a second");
    expect((await fetch(`${B.http}/healthz`)).status).toBe(200);
  });
});

describe("a trusted peer writes only what it may (finding 5), over HTTP", () => {
  const postTo = (x: RunningAgency, bytes: Uint8Array) =>
    fetch(`${x.http}/api/exchange/envelopes`, { method: "POST", headers: { "content-type": "application/vnd.countersign.envelope+zip" }, body: bytes as Uint8Array<ArrayBuffer> });

  it("an envelope from a peer cannot change a draft it was never sent", async () => {
    const draft = await draftAndSubmit(B, decisionOnlyPlan("P-chief", 3), "B 的內部簽稿");
    // A got hold of B's internal document (a leaked copy) and rewrites its subject.
    const leaked = await pull(B, "officer", draft);
    leaked.setSubject("已改寫的主旨");
    const env = must(await buildEnvelope({ to: asAgencyCode(code(B)), purpose: "countersign-reply", docs: [{ doc: leaked }], sender: agencySigner(A.agency) }));
    const res = await postTo(B, env);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { reason: string }).reason).toBe(PEER_REFUSALS.notExchanged(draft, code(A)));
    expect((await pull(B, "officer", draft)).subject()).toBe("B 的內部簽稿");
  });

  it("a peer's request lands with the registry desk (待分文), not in the inbox of the officer who shares its case officer's id", async () => {
    const doc = await draftAndSubmit(A, askB(), "請高雄會辦：落在登記桌");
    const env = must(await A.server.exchange.exportEnvelope({ docs: [doc], to: asAgencyCode(code(B)), purpose: "countersign-request" }));
    expect((await postTo(B, env.bytes)).status).toBe(200);
    // A's case officer is P-officer; so is an officer of B, who must not find it as theirs: in the
    // app's own inbox rules (承辦中, 待辦) it is nobody's at B until the registry desk assigns it.
    const row = (await B.store.getIndex(doc))!;
    expect(row).toMatchObject({ caseOfficer: null, unit: null, holders: [`agency:${code(B)}`] });
    const listed = (await call<{ docs: (typeof row)[] }>(B, "officer", "/api/inbox")).json.docs.find((d) => d.doc === doc)!;
    const viewer = { person: "P-officer", unit: "U-STU", agency: code(B), roles: ["case-officer"] };
    expect([...tabsOf({ ...listed, speed: null, docNumber: null }, viewer, "2026-01-01")]).toEqual([]);
    const incoming = await call<{ docs: { doc: string; assignment: unknown }[] }>(B, "registry", "/api/exchange/incoming");
    expect(incoming.json.docs.find((d) => d.doc === doc)).toMatchObject({ assignment: null });
  });
});

describe("encrypted envelopes give no padding oracle (finding 8)", () => {
  let plain: Uint8Array;
  let sealed: Uint8Array;
  beforeAll(async () => {
    const doc = await draftAndSubmit(A, askB(), "加密信封測試");
    plain = must(await A.server.exchange.exportEnvelope({ docs: [doc], to: asAgencyCode(code(B)), purpose: "countersign-request" })).bytes;
    sealed = must(await encryptEnvelope(plain, B.agency.ca.cert));
  });

  const changed = (b: Uint8Array, at: number) => {
    const c = b.slice();
    c[at]! ^= 0x01;
    return c;
  };

  async function answer(bytes: Uint8Array): Promise<{ status: number; outcome: string | null; body: unknown }> {
    const res = await fetch(`${B.http}/api/exchange/envelopes`, { method: "POST", headers: { "content-type": "application/pkcs7-mime" }, body: bytes as Uint8Array<ArrayBuffer> });
    const body = res.headers.get("content-type")?.startsWith("application/json") ? await res.json() : "(a receipt)";
    return { status: res.status, outcome: res.headers.get("x-countersign-outcome"), body };
  }

  it("every failure after decryption starts gets one identical refusal", async () => {
    const stranger = must(await encryptEnvelope(crypto.getRandomValues(new Uint8Array(3000)), B.agency.ca.cert));
    const forC = must(await encryptEnvelope(plain, A.agency.ca.cert));
    const cases: Record<string, Uint8Array> = {
      "a changed byte of the ciphertext": changed(sealed, sealed.length - 400),
      "a changed byte of the tag": changed(sealed, sealed.length - 3),
      "a changed byte near the start (the wrapped key, the nonce)": changed(sealed, 120),
      "truncated": sealed.subarray(0, sealed.length - 64),
      "encrypted for another agency": forC,
      "authentic encryption of garbage": stranger,
      "the version-1 format (AES-CBC) over HTTP": must(await encryptEnvelopeCbc(plain, B.agency.ca.cert)),
    };
    const expected = { status: 400, outcome: "refused", body: { ok: false, code: "envelope.sealed", v: 1, status: "refused", reason: ENVELOPE_REFUSALS.sealed } };
    for (const [what, bytes] of Object.entries(cases)) expect({ what, got: await answer(bytes) }).toEqual({ what, got: expected });
    // The intact envelope imports: the refusals were about the bytes, not the sender.
    expect((await answer(sealed)).outcome).toBe("imported");
  });

  it("a version-1 (AES-CBC) envelope is read only from a file, where bad padding and good padding over garbage get the same refusal", async () => {
    const doc = await draftAndSubmit(A, askB(), "舊格式加密信封");
    const v1Plain = must(await A.server.exchange.exportEnvelope({ docs: [doc], to: asAgencyCode(code(B)), purpose: "countersign-request" })).bytes;
    const v1 = must(await encryptEnvelopeCbc(v1Plain, B.agency.ca.cert));
    // The last byte of the next-to-last block flips the last plaintext byte: always bad padding.
    const badPadding = changed(v1, v1.length - 17);
    const garbage = must(await encryptEnvelopeCbc(crypto.getRandomValues(new Uint8Array(3000)), B.agency.ca.cert));
    const notAZip = changed(v1, v1.length - 200); // good padding, damaged content
    for (const bytes of [badPadding, garbage, notAZip]) {
      const r = await upload(B, "registry", bytes);
      expect(r).toEqual({ status: 400, json: { ok: false, code: "envelope.sealed", status: "refused", reason: ENVELOPE_REFUSALS.sealed } });
    }
    const ok = await upload(B, "registry", v1);
    expect(ok.status).toBe(200);
    expect(ok.json.status).toBe("imported");
  });
});

/** A person of agency `x` with `roles`, enrolled, with a login token. */
async function person(x: RunningAgency, id: string, unit: string, roles: string[]): Promise<string> {
  const SYSTEM = { system: true } as const;
  must(await addPerson(x.store, SYSTEM, { id, name: `測試${id}`, unit, level: 1, roles }));
  const enrollment = must(await issueEnrollmentCode(x.store, SYSTEM, id));
  const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: "CN=x", keys, signingAlgorithm: { name: "ECDSA", hash: "SHA-256" } });
  const enrolled = must(await enroll(x.store, x.agency, { code: enrollment.code, csrPem: csr.toString("pem") }));
  const cert = must(parseCertificate(enrolled.certificatePem));
  return tokenFor(x.store, x.agency, { signer: signerFromKey(cert, enrolled.profile as SignerProfile, "ES256", keys.privateKey), privateKey: keys.privateKey });
}

async function sendAs(x: RunningAgency, token: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${x.http}/api/exchange/send`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("exports follow document access", () => {
  let admin: string;
  let otherRegistry: string;
  let doc: DocId;
  beforeAll(async () => {
    admin = await person(A, "P-admin", "U-SEC", ["admin"]);
    otherRegistry = await person(A, "P-registry-per", "U-PER", ["registry"]);
    doc = await draftAndSubmit(A, decisionOnlyPlan("P-chief", 3), "內部簽稿：收發室與管理者不應讀取");
  });

  it("the mail room cannot export a document the relay does not let it read", async () => {
    const r = await call<{ reason: string }>(A, "mail", "/api/exchange/send", { docs: [doc], to: code(B), purpose: "dispatch" });
    expect(r.status).toBe(403);
    expect(r.json.reason).toBe(SEND_DENIED);
    expect((await A.store.exchanges({ doc, direction: "out" })).length).toBe(0);
  });

  it("the administrator cannot export a document it sees only the metadata of", async () => {
    const r = await sendAs(A, admin, { docs: [doc], to: code(B), purpose: "countersign-request" });
    expect(r.status).toBe(403);
    expect(r.json.reason).toBe(SEND_DENIED);
  });

  it("the registry desk of another unit cannot export it either, and cannot download its envelope", async () => {
    expect((await sendAs(A, otherRegistry, { docs: [doc], to: code(B), purpose: "countersign-request" })).status).toBe(403);
    const sent = await call<{ envelope: string; file: string }>(A, "officer", "/api/exchange/send", { docs: [doc], to: code(B), purpose: "countersign-request" });
    expect(sent.status).toBe(200);
    for (const token of [admin, otherRegistry, A.people.mail.token]) {
      const res = await fetch(`${A.http}${sent.json.file}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(404);
    }
  });

  it("the mail room dispatches (發文) a decided letter that waits for it, and the case officer and the unit's registry desk may send their document", async () => {
    const letter = await draftAndSubmit(A, decisionOnlyPlan("P-chief", 3), "函：發文測試", { kind: "letter" });
    // Undecided: not the mail room's yet.
    expect((await call(A, "mail", "/api/exchange/send", { docs: [letter], to: code(B), purpose: "dispatch" })).status).toBe(403);
    expect((await act(A, "chief", letter, { kind: "decide" }, "decide", "如擬。")).status).toBe("decided");
    const r = await call<{ delivery: string }>(A, "mail", "/api/exchange/send", { docs: [letter], to: code(B), purpose: "dispatch" });
    expect(r.status).toBe(200);
    expect((await call(A, "registry", "/api/exchange/send", { docs: [doc], to: code(B), purpose: "countersign-request" })).status).toBe(200);
  });
});
