// What the 發文/歸檔 integration tests do against a running agency (tests/integration/dispatch-*.test.ts):
// sign on a fresh replica of the stored document as one of its people and send the update over a raw
// y-websocket connection, read what the relay refused, call the mail room's and archives' routes.
import { expect } from "vitest";
import * as Y from "yjs";
import { CountersignDocument, asDocId, asStepId, parseCertificate, signerFromKey, type ActionInput, type Metadata, type SignerProfile } from "@countersign/crdt-model";
import { addPerson, enroll, issueEnrollmentCode, x509 } from "@countersign/sync-server";
import { decisionOnlyPlan, testMetadata, tokenFor, until, must, type RunningAgency, type Who } from "./agency-server.ts";
import { openRaw, type WireRefusal } from "./raw-client.ts";
import { signAs } from "./live-draft.ts";

/** The helpers bound to an agency (a getter: the agency starts in beforeAll). */
export function filingHelpers(agency: () => RunningAgency, prefix = "fil") {
  let n = 0;
  const freshId = (what: string) => `${prefix}-${what}-${++n}-${Date.now()}`;

  /** The document as the store holds it (every stored update merged). */
  async function storedState(id: string): Promise<Uint8Array> {
    return Y.mergeUpdates((await agency().store.readUpdates(asDocId(id))).map((u) => u.data));
  }

  /**
   * What must not change when an update is refused: the stored document and its index row. Read once
   * the store is quiet (an accepted entry's receipts are stored just after its index row).
   */
  async function snapshot(id: string) {
    const read = async () => JSON.stringify({ state: Buffer.from(await storedState(id)).toString("base64"), row: { ...(await agency().store.getIndex(asDocId(id))), updatedAt: "" } });
    let last = await read();
    for (;;) {
      await new Promise((r) => setTimeout(r, 150));
      const now = await read();
      if (now === last) return now;
      last = now;
    }
  }

  const rowKey = async (id: string) => JSON.stringify({ ...(await agency().store.getIndex(asDocId(id))), updatedAt: "" });

  /**
   * Sends `update` as `who` over a raw y-websocket connection; resolves with what the relay refused
   * (empty once the update was taken: the index row changed), or "closed" when not admitted.
   */
  async function send(id: string, who: Who, update: Uint8Array, o: { creates?: boolean } = {}): Promise<WireRefusal[] | "closed"> {
    const before = o.creates ? "" : await rowKey(id);
    const c = await openRaw(agency().ws, id, agency().people[who].token);
    let closed = false;
    void c.closed.then(() => (closed = true));
    await until(() => closed || c.frames.length > 0, 10_000, "admission");
    if (closed && c.frames.length === 0) return "closed";
    c.update(update);
    await until(async () => closed || c.refused().length > 0 || (o.creates ? (await agency().store.getIndex(asDocId(id))) !== undefined : (await rowKey(id)) !== before), 10_000, "an answer");
    c.close();
    return c.refused();
  }

  /** Signs `input` as `who` on a fresh replica of the stored document (a client id of its own) and sends it. */
  async function act(id: string, who: Who, input: ActionInput, edit?: (d: CountersignDocument) => void) {
    const ydoc = new Y.Doc();
    Y.applyUpdate(ydoc, await storedState(id));
    const sv = Y.encodeStateVector(ydoc);
    const doc = CountersignDocument.wrap(ydoc);
    edit?.(doc);
    await signAs(agency(), doc, who, input);
    return send(id, who, Y.encodeStateAsUpdate(ydoc, sv));
  }

  /** A plain edit (no entry) as `who`. */
  async function edit(id: string, who: Who, change: (d: CountersignDocument) => void) {
    const ydoc = new Y.Doc();
    Y.applyUpdate(ydoc, await storedState(id));
    const sv = Y.encodeStateVector(ydoc);
    change(CountersignDocument.wrap(ydoc));
    return send(id, who, Y.encodeStateAsUpdate(ydoc, sv));
  }

  /** A document of the officer's, created and submitted (in review with the chief), or decided too. */
  async function document(upTo: "draft" | "submitted" | "decided", over: Partial<Metadata> = {}, officer: Who = "officer"): Promise<string> {
    const id = freshId(over.kind ?? "letter");
    const meta = testMetadata({ kind: "letter", agency: agency().agency.code, ...over });
    const doc = must(CountersignDocument.create({ id: asDocId(id), metadata: meta, subject: `測試${over.kind ?? "函"}主旨`, plan: decisionOnlyPlan("P-chief", 1) }));
    if (upTo !== "draft") await signAs(agency(), doc, officer, { action: { kind: "submit" }, step: null, opinion: "陳核。" });
    expect(await send(id, officer, doc.encodeState(), { creates: true })).toEqual([]);
    if (upTo === "decided") expect(await act(id, "chief", { action: { kind: "decide" }, step: asStepId("decide"), opinion: "如擬。" })).toEqual([]);
    return id;
  }

  async function api(path: string, who: Who, init: { method?: string; body?: unknown } = {}) {
    const res = await fetch(`${agency().http}${path}`, {
      method: init.method ?? "GET",
      headers: { authorization: `Bearer ${agency().people[who].token}`, ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const type = res.headers.get("content-type") ?? "";
    return { status: res.status, json: type.includes("json") ? ((await res.json()) as Record<string, unknown>) : null, bytes: type.includes("json") ? null : new Uint8Array(await res.arrayBuffer()) };
  }

  async function reserve(id: string): Promise<{ number: string; date: string }> {
    const r = await api("/api/dispatch/numbers", "mail", { method: "POST", body: { doc: id } });
    expect(r.status).toBe(200);
    return r.json as { number: string; date: string };
  }

  /** Whether `who` is let into the document's room (a sync answer arrives) or closed out (4403). */
  async function admitted(id: string, who: Who): Promise<boolean> {
    const c = await openRaw(agency().ws, id, agency().people[who].token);
    let closed: number | null = null;
    void c.closed.then((x) => (closed = x.code));
    await until(() => closed !== null || c.frames.length > 0, 10_000, "admission");
    c.close();
    if (closed !== null && c.frames.length === 0) {
      expect(closed).toBe(4403);
      return false;
    }
    return true;
  }

  /** Another archives person, enrolled and logged in: their token. */
  async function archivesPerson(id: string): Promise<string> {
    must(await addPerson(agency().store, { system: true }, { id, name: "檔案管理員二", unit: "U-SEC", level: 1, roles: ["archives"] }));
    const code = must(await issueEnrollmentCode(agency().store, { system: true }, id));
    const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: "CN=x", keys, signingAlgorithm: { name: "ECDSA", hash: "SHA-256" } });
    const enrolled = must(await enroll(agency().store, agency().agency, { code: code.code, csrPem: csr.toString("pem") }));
    const signer = signerFromKey(must(parseCertificate(enrolled.certificatePem)), enrolled.profile as SignerProfile, "ES256", keys.privateKey);
    return tokenFor(agency().store, agency().agency, { signer, privateKey: keys.privateKey });
  }

  /** As `admitted`, with a token. */
  async function admittedWith(id: string, token: string): Promise<boolean> {
    const c = await openRaw(agency().ws, id, token);
    let closed: number | null = null;
    void c.closed.then((x) => (closed = x.code));
    await until(() => closed !== null || c.frames.length > 0, 10_000, "admission");
    c.close();
    return !(closed !== null && c.frames.length === 0);
  }

  const FILE_NUMBER = "115-0101-000012-001-00003";

  return { storedState, snapshot, rowKey, send, act, edit, document, api, reserve, admitted, archivesPerson, admittedWith, FILE_NUMBER, freshId };
}
