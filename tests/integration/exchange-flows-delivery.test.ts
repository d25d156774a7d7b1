// HTTP delivery between agency servers: the outbox retries while the peer is down and delivers once
// it is back; a final refusal is not retried; the receiving endpoint refuses bad input with its
// sentence and keeps serving; the app's exchange API checks who may do what.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asAgencyCode, asPersonId, asStepId, parseCertificate, sha256Hex, type DocId, type RoutingPlan } from "@countersign/crdt-model";
import { until, type RunningAgency } from "./support/agency-server.ts";
import { SEND_DENIED } from "../../sync-server/src/exchange/http-api.ts";
import { FAST_DELIVERY, call, delivered, draftAndSubmit, federate, restartServer, send, startAgencies, stopServer, upload } from "./support/federation.ts";

let A: RunningAgency, B: RunningAgency, C: RunningAgency;
// C is strict: small envelopes only and a tiny per-address burst, to show the limits (only the
// bad-input tests post to it: every delivery comes from 127.0.0.1, so they share one bucket).
const STRICT = { ...FAST_DELIVERY, envelopeBytes: 256 * 1024, gate: { perAddressBurst: 4, perAddressPerSecond: 0.01 } };
beforeAll(async () => {
  ({ A, B } = await startAgencies(["A", "B"]));
  ({ C } = await startAgencies(["C"], STRICT));
  await federate([A, B, C], { urls: true });
});
afterAll(async () => {
  await Promise.all([A, B, C].map((x) => x?.stop()));
});

const code = (x: RunningAgency) => x.agency.code;
const plan = (to: RunningAgency): RoutingPlan => ({
  v: 1,
  stages: [
    { kind: "single", step: { id: asStepId("cs"), type: "countersign", assignee: { kind: "agency", agency: asAgencyCode(code(to)) } } },
    { kind: "single", step: { id: asStepId("decide"), type: "decide", assignee: { kind: "person", person: asPersonId("P-chief") } } },
  ],
  decisionLevel: 3,
  deputies: [],
});

interface OutboxRow {
  envelope: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  peer: string;
}
const outboxRow = async (x: RunningAgency, envelope: string) =>
  (await call<{ items: OutboxRow[] }>(x, "registry", "/api/exchange/outbox")).json.items.find((i) => i.envelope === envelope);

describe("the outbox", () => {
  it("retries with back-off while B's server is down, shows attempts and the last error, and delivers once B is back", async () => {
    const doc = await draftAndSubmit(A, plan(B), "停機重送測試");
    await stopServer(B);
    const sent = await send(A, "officer", { docs: [doc], to: code(B), purpose: "countersign-request" });
    expect(sent.delivery).toBe("queued");
    await until(async () => ((await outboxRow(A, sent.envelope))?.attempts ?? 0) >= 3, 10_000, "three failed attempts");
    const waiting = (await outboxRow(A, sent.envelope))!;
    expect(waiting).toMatchObject({ status: "pending", peer: code(B) });
    expect(waiting.lastError).toMatch(/^The peer's server could not be reached \(.+\)\.$/);
    expect(waiting.nextAttemptAt).not.toBeNull();

    await restartServer(B);
    await delivered(A, sent.envelope);
    const done = (await outboxRow(A, sent.envelope))!;
    expect(done.status).toBe("delivered");
    expect(done.lastError).toBeNull();
    expect(await B.store.hasDoc(doc)).toBe(true);
    // B's receipt came back in the answer and A imported it.
    await until(() => A.server.exchange.acknowledged(asAgencyCode(code(B)), sent.envelope as never), 5000, "the receipt");
    expect((await A.store.exchanges({ doc, direction: "out" })).map((r) => r.status)).toEqual(expect.arrayContaining(["queued", "delivered"]));
  });

  it("an encrypted envelope travels as application/pkcs7-mime and imports at the peer", async () => {
    const doc = await draftAndSubmit(A, plan(B), "加密遞送測試");
    const sent = await send(A, "officer", { docs: [doc], to: code(B), purpose: "countersign-request", encrypt: true });
    await delivered(A, sent.envelope);
    const file = await fetch(`${A.http}${sent.file}`, { headers: { authorization: `Bearer ${A.people.officer.token}` } });
    expect(file.headers.get("content-type")).toBe("application/pkcs7-mime");
    expect(await B.store.hasDoc(doc)).toBe(true);
    expect((await B.store.exchanges({ doc, direction: "in" }))[0]).toMatchObject({ status: "imported", envelope: sent.envelope });
  });

  it("an envelope that came as a file from an agency with a server address gets its receipt pushed back", async () => {
    const doc = await draftAndSubmit(A, plan(B), "檔案來、回執推送");
    const made = await A.server.exchange.exportEnvelope({ docs: [doc], to: asAgencyCode(code(B)), purpose: "countersign-request" });
    if (!made.ok) throw new Error(made.reason);
    const r = await upload(B, "registry", made.value.bytes);
    expect(r.json).toMatchObject({ status: "imported", pushed: true });
    await until(() => A.server.exchange.acknowledged(asAgencyCode(code(B)), made.value.id), 10_000, "the pushed receipt");
  });

  it("“retry now” makes a waiting delivery due at once; an unknown envelope is refused", async () => {
    const doc = await draftAndSubmit(A, plan(B), "立即重試測試");
    // A long back-off: without "retry now" the second attempt would be minutes away.
    await stopServer(B);
    await A.server.outbox.stop();
    Object.assign(A.server.outbox.options, { backoff: { baseMs: 600_000, maxMs: 600_000 } });
    A.server.outbox.start();
    try {
      const sent = await send(A, "officer", { docs: [doc], to: code(B), purpose: "countersign-request" });
      await until(async () => ((await outboxRow(A, sent.envelope))?.attempts ?? 0) >= 1, 10_000, "a failed attempt");
      expect(Date.parse((await outboxRow(A, sent.envelope))!.nextAttemptAt!)).toBeGreaterThan(Date.now());
      await restartServer(B);
      const r = await call(A, "registry", `/api/exchange/outbox/${sent.envelope}/retry`, {});
      expect(r.status).toBe(200);
      await delivered(A, sent.envelope, 5000);
      const unknown = await call<{ reason: string }>(A, "registry", "/api/exchange/outbox/env-nope/retry", {});
      expect(unknown.status).toBe(404);
      expect(unknown.json.reason).toBe("There is no undelivered envelope with this id in the outbox.");
    } finally {
      Object.assign(A.server.outbox.options, FAST_DELIVERY.outbox);
    }
  });

  it("The sender is not trusted: … — a refusal is final: the item fails at once with the peer's reason and is not retried", async () => {
    const doc = await draftAndSubmit(A, plan(B), "拒收不重送");
    const removed = await B.server.exchange.removePeer(asAgencyCode(code(A)));
    expect(removed.ok).toBe(true);
    try {
      const sent = await send(A, "officer", { docs: [doc], to: code(B), purpose: "countersign-request" });
      await until(async () => (await outboxRow(A, sent.envelope))?.status === "failed", 10_000, "the refusal");
      const row = (await outboxRow(A, sent.envelope))!;
      expect(row.attempts).toBe(1);
      expect(row.lastError).toMatch(/^The sender is not trusted: /);
      expect(row.nextAttemptAt).toBeNull();
      const failed = (await A.store.exchanges({ doc, direction: "out" })).find((r) => r.status === "failed");
      expect(failed?.detail).toBe(row.lastError);
      expect(await B.store.hasDoc(doc)).toBe(false);
    } finally {
      await federate([A, B], { urls: true });
    }
  });
});

describe("bad input to POST /api/exchange/envelopes (no login: the signature authenticates)", () => {
  const post = (x: RunningAgency, body: Uint8Array | string, type = "application/vnd.countersign.envelope+zip") =>
    fetch(`${x.http}/api/exchange/envelopes`, { method: "POST", headers: { "content-type": type }, body: body as Uint8Array<ArrayBuffer> });

  it("The envelope is not a ZIP archive, or it is truncated. — refused for good (400), logged, nothing changed, the server keeps serving", async () => {
    const res = await post(B, new TextEncoder().encode("not an envelope at all"));
    expect(res.status).toBe(400);
    expect(res.headers.get("x-countersign-outcome")).toBe("refused");
    expect(await res.json()).toEqual({ ok: false, code: "envelope.damaged", v: 1, status: "refused", reason: "The envelope is not a ZIP archive, or it is truncated." });
    expect((await B.store.exchanges({ direction: "in", limit: 1 }))[0]).toMatchObject({ status: "refused", detail: "The envelope is not a ZIP archive, or it is truncated." });
    expect((await fetch(`${B.http}/healthz`)).status).toBe(200);
  });

  it("Send the envelope's bytes as application/vnd.countersign.envelope+zip … — a form or JSON body is refused (415)", async () => {
    const res = await post(B, "a=b", "application/x-www-form-urlencoded");
    expect(res.status).toBe(415);
    expect(((await res.json()) as { reason: string }).reason).toBe(
      "Send the envelope's bytes as application/vnd.countersign.envelope+zip (or application/pkcs7-mime when encrypted).",
    );
  });

  it("The envelope is larger than … bytes — refused before it is read (413)", async () => {
    const res = await post(C, new Uint8Array(STRICT.envelopeBytes + 1));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { reason: string }).reason).toMatch(/^The envelope is larger than 262144 bytes, the most this server takes over HTTP; import it with the countersign command instead\.$/);
  });

  it("Too many envelopes from … — an address that keeps sending garbage is slowed down (429 with Retry-After), which a sender retries later", async () => {
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) last = await post(C, new TextEncoder().encode(`garbage ${i}`));
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await last!.json()) as { status: string; reason: string }).reason).toMatch(/^Too many envelopes from .+; try again in \d+ s\.$/);
    expect((await fetch(`${C.http}/healthz`)).status).toBe(200);
  });
});

describe("who may use the exchange API", () => {
  let doc: DocId;
  let envelope: string;
  beforeAll(async () => {
    doc = await draftAndSubmit(A, plan(B), "權限測試");
    envelope = (await send(A, "officer", { docs: [doc], to: code(B), purpose: "countersign-request" })).envelope;
  });

  it("A login token is required.", async () => {
    const res = await fetch(`${A.http}/api/exchange/outbox`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ ok: false, code: "http.unauthenticated", reason: "A login token is required." });
  });

  it("Only someone who may open these documents … may send them to another agency (an outsider, or the mail room before the document waits for 發文).", async () => {
    const r = await call<{ reason: string }>(A, "outsider", "/api/exchange/send", { docs: [doc], to: code(B), purpose: "countersign-request" });
    expect(r.status).toBe(403);
    expect(r.json.reason).toBe(SEND_DENIED);
    expect((await call(A, "mail", "/api/exchange/send", { docs: [doc], to: code(B), purpose: "dispatch" })).status).toBe(403);
    expect((await call(A, "registry", "/api/exchange/send", { docs: [doc], to: code(B), purpose: "countersign-request" })).status).toBe(200);
  });

  it("a classified (密) document is sent only by those named in it, not by the mail room", async () => {
    const secret = await draftAndSubmit(A, plan(B), "密件", { secrecy: "confidential" });
    const r = await call<{ reason: string }>(A, "mail", "/api/exchange/send", { docs: [secret], to: code(B), purpose: "countersign-request", encrypt: true });
    expect(r.status).toBe(403);
    const mine = await call<{ delivery: string }>(A, "officer", "/api/exchange/send", { docs: [secret], to: code(B), purpose: "countersign-request", encrypt: true });
    expect(mine.status).toBe(200);
  });

  it("… is not an agency in the federation trust list.", async () => {
    const r = await call<{ reason: string }>(A, "officer", "/api/exchange/send", { docs: [doc], to: "X-NOBODY", purpose: "countersign-request" });
    expect(r.status).toBe(400);
    expect(r.json.reason).toBe("X-NOBODY is not an agency in the federation trust list.");
  });

  it("Only registry, mail-room, admin may see the outbox / import an envelope file; only registry may assign", async () => {
    expect((await call<{ reason: string }>(A, "officer", "/api/exchange/outbox")).json.reason).toBe("Only registry, mail-room, admin may see the outbox.");
    const up = await fetch(`${A.http}/api/exchange/import`, { method: "POST", headers: { authorization: `Bearer ${A.people.officer.token}` }, body: "x" });
    expect(up.status).toBe(403);
    const assign = await call<{ reason: string }>(B, "mail", "/api/exchange/assign", { doc, person: "P-officer" });
    expect(assign.status).toBe(403);
    expect(assign.json.reason).toBe("Only registry may assign (分文) incoming documents.");
  });

  it("the envelope file downloads for its case officer and the desk, as an attachment named <id>.csenv, and for nobody else", async () => {
    const res = await fetch(`${A.http}/api/exchange/envelopes/${envelope}/file`, { headers: { authorization: `Bearer ${A.people.officer.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.countersign.envelope+zip");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${envelope}.csenv"`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
    const other = await fetch(`${A.http}/api/exchange/envelopes/${envelope}/file`, { headers: { authorization: `Bearer ${A.people.outsider.token}` } });
    expect(other.status).toBe(404);
  });

  it("the peers list shows public facts only (code, name, fingerprint, address, CA certificate, delegation table) to anyone logged in", async () => {
    const r = await call<{ peers: Record<string, unknown>[] }>(A, "outsider", "/api/exchange/peers");
    expect(r.status).toBe(200);
    const b = r.json.peers.find((p) => p.code === code(B))!;
    expect(Object.keys(b).sort()).toEqual(["ca", "code", "delegation", "fingerprint", "name", "url"]);
    const ca = parseCertificate(String(b.ca));
    expect(ca.ok && sha256Hex(new Uint8Array(ca.value.rawData))).toBe(b.fingerprint);
    expect(JSON.parse(String(b.delegation))).toMatchObject({ agency: code(B) });
    expect(b).toMatchObject({ name: "高雄市政府教育局", url: B.http });
    expect(b.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it("the exchange log is the desk's; a case officer sees it for a document they handle", async () => {
    expect((await call(A, "officer", "/api/exchange/log")).status).toBe(403);
    const mine = await call<{ records: { envelope: string }[] }>(A, "officer", `/api/exchange/log?doc=${doc}`);
    expect(mine.status).toBe(200);
    expect(mine.json.records.some((r) => r.envelope === envelope)).toBe(true);
    expect((await call(A, "outsider", `/api/exchange/log?doc=${doc}`)).status).toBe(403);
  });
});
