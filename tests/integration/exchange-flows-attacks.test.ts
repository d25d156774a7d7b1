// The exchange under attack (issue 12): slow uploads must not keep envelopes out (finding 9), and
// the exchange API gives out a document only to whom the relay would (exports follow access).
// Real agency servers, real sockets, real envelopes.
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asAgencyCode, asStepId, parseCertificate, signerFromKey, type DocId, type RoutingPlan, type SignerProfile } from "@countersign/crdt-model";
import { x509 } from "../../sync-server/src/identity/x509.ts";
import { addPerson } from "../../sync-server/src/directory/directory.ts";
import { enroll, issueEnrollmentCode } from "../../sync-server/src/identity/enrollment.ts";
import { SEND_DENIED } from "../../sync-server/src/exchange/http-api.ts";
import { decisionOnlyPlan, must, tokenFor, type RunningAgency } from "./support/agency-server.ts";
import { FAST_DELIVERY, act, call, draftAndSubmit, federate, startAgencies } from "./support/federation.ts";

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
    const r = await call<{ error: string }>(A, "mail", "/api/exchange/send", { docs: [doc], to: code(B), purpose: "dispatch" });
    expect(r.status).toBe(403);
    expect(r.json.error).toBe(SEND_DENIED);
    expect((await A.store.exchanges({ doc, direction: "out" })).length).toBe(0);
  });

  it("the administrator cannot export a document it sees only the metadata of", async () => {
    const r = await sendAs(A, admin, { docs: [doc], to: code(B), purpose: "countersign-request" });
    expect(r.status).toBe(403);
    expect(r.json.error).toBe(SEND_DENIED);
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
