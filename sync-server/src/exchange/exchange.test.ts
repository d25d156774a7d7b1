import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CountersignDocument, ENVELOPE_REFUSALS, asAgencyCode, type AgencyCode, type DocId } from "@countersign/crdt-model";
import { federate, makeAgency, snapshot, storedDocument, type TestAgency } from "../../tests/support/exchange-agencies.ts";

let a: TestAgency; // 臺南市政府教育局, the sender
let b: TestAgency; // 高雄市政府教育局, the recipient
let c: TestAgency; // 嘉義市政府教育處, a third agency that has not seen the document

beforeAll(async () => {
  [a, b, c] = await Promise.all([makeAgency("A-TN-EDU", "臺南市政府教育局"), makeAgency("A-KH-EDU", "高雄市政府教育局"), makeAgency("A-CY-EDU", "嘉義市政府教育處")]);
  await federate(a, b, c);
});
afterAll(async () => {
  await Promise.all([a, b, c].map((x) => x?.stop()));
});

const must = <T>(r: { ok: true; value: T } | { ok: false; reason: string }): T => {
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};

async function send(from: TestAgency, to: TestAgency, docs: DocId[], o: { encrypt?: boolean; full?: boolean } = {}) {
  return must(await from.exchange.exportEnvelope({ docs, to: to.agency.code, purpose: "countersign-request", ...o }));
}

async function stored(x: TestAgency, id: DocId): Promise<Y.Doc> {
  const ydoc = new Y.Doc();
  for (const u of await x.store.readUpdates(id)) Y.applyUpdate(ydoc, u.data);
  return ydoc;
}

describe("export, import, receipt", () => {
  let doc: CountersignDocument;
  let first: { id: string; bytes: Uint8Array };

  it("an envelope from A imports at B with the document, its chain and its attachment, and B answers with a receipt", async () => {
    doc = await storedDocument(a);
    first = await send(a, b, [doc.id]);
    const r = must(await b.exchange.importEnvelope(first.bytes, "file"));
    expect(r.status).toBe("imported");
    if (r.status !== "imported") return;
    expect(r.from).toBe("A-TN-EDU");
    expect(r.docs).toEqual([doc.id]);
    expect(r.receipt).toBeInstanceOf(Uint8Array);
    const atB = await stored(b, doc.id);
    expect(CountersignDocument.wrap(atB).rawEntries().size).toBe(2);
    expect(atB.getText("subject").toString()).toBe(doc.subject());
    const sha = doc.attachments()[0]!.sha256;
    expect((await b.store.getBlob(sha))?.length).toBe(4096);
    expect((await b.store.getIndex(doc.id))?.status).toBeTruthy();
    // B's receipts for the entries it saw first: A's server wrote none, so B writes its own.
    expect((await b.store.receipts(doc.id)).length).toBe(2);
    const log = await b.store.exchanges({ direction: "in" });
    expect(log[0]).toMatchObject({ envelope: first.id, status: "imported", peer: "A-TN-EDU", purpose: "countersign-request" });

    // The receipt goes back to A and marks A's envelope acknowledged.
    expect(await a.exchange.acknowledged(b.agency.code, first.id as never)).toBe(false);
    const ack = must(await a.exchange.importEnvelope(r.receipt!, "file"));
    expect(ack).toMatchObject({ status: "imported", purpose: "receipt", receipt: null });
    expect(await a.exchange.acknowledged(b.agency.code, first.id as never)).toBe(true);
    expect((await a.store.exchanges({ direction: "in" }))[0]?.detail).toContain(`acknowledges ${first.id}`);
  });

  it("the same envelope twice: already imported; nothing changed", async () => {
    const before = await snapshot(b, [doc.id]);
    const r = must(await b.exchange.importEnvelope(first.bytes, "http"));
    expect(r.status).toBe("duplicate");
    if (r.status === "duplicate") expect(r.envelope).toBe(first.id);
    expect(await snapshot(b, [doc.id])).toBe(before);
    const line = (await b.store.exchanges({ direction: "in" }))[0]!;
    expect(line.status).toBe("duplicate");
    expect(line.detail).toMatch(/^already imported at .*; nothing changed$/);
  });

  it("once B acknowledged, A sends only what B lacks (a delta), and B applies it", async () => {
    // A's officer edits the text after the first envelope left.
    const live = await a.rooms.get(doc.id);
    const edited = live.doc.encodeState();
    const copy = must((await import("@countersign/crdt-model")).CountersignDocument.fromUpdate(edited));
    copy.setSubject("有關本市115學年度國民中學學生獎懲實施要點修正草案一案，請惠予會辦。");
    must(await live.receive(copy.encodeState(live.doc.stateVector()), null));
    const delta = await send(a, b, [doc.id]);
    const header = await b.exchange.verifyEnvelope(delta.bytes);
    expect(must(header).header.docs[0]!.update.kind).toBe("delta");
    must(await b.exchange.importEnvelope(delta.bytes, "file"));
    expect((await stored(b, doc.id)).getText("subject").toString()).toBe("有關本市115學年度國民中學學生獎懲實施要點修正草案一案，請惠予會辦。");
  });

  it("B's reply sends A's document back without a DI of B's, and merges at A with the receipts B's server wrote", async () => {
    const reply = must(await b.exchange.exportEnvelope({ docs: [doc.id], to: a.agency.code, purpose: "countersign-reply", answers: first.id as never }));
    const header = must(await a.exchange.verifyEnvelope(reply.bytes)).header;
    expect(header.docs[0]).toMatchObject({ di: false, sw: false });
    expect(header.answers).toBe(first.id);
    const r = must(await a.exchange.importEnvelope(reply.bytes, "http"));
    expect(r).toMatchObject({ status: "imported", from: "A-KH-EDU", purpose: "countersign-reply" });
    const atA = CountersignDocument.wrap(await stored(a, doc.id));
    expect(atA.rawReceipts().size).toBeGreaterThanOrEqual(2);
  });

  it("a delta for a document the recipient does not hold is refused, saying what is missing, and changes nothing", async () => {
    // C never saw the document; an envelope A made for B's state cannot apply at C. Made by hand:
    // A's export to C would be full, since C never acknowledged anything.
    const toC = await send(a, c, [doc.id]);
    expect(must(await c.exchange.verifyEnvelope(toC.bytes)).header.docs[0]!.update.kind).toBe("full");
    const { buildEnvelope, CountersignDocument: D } = await import("@countersign/crdt-model");
    const { agencySigner } = await import("./signer.ts");
    const atA = must(D.fromUpdate((await a.rooms.get(doc.id)).doc.encodeState()));
    const deltaBytes = must(
      await buildEnvelope({ to: c.agency.code, purpose: "countersign-request", docs: [{ doc: atA, sinceStateVector: Y.encodeStateVector(await stored(b, doc.id)) }], sender: agencySigner(a.agency) }),
    );
    const before = await snapshot(c, [doc.id]);
    const r = await c.exchange.importEnvelope(deltaBytes, "file");
    expect(r).toEqual({ ok: false, code: "envelope.missing-base", reason: ENVELOPE_REFUSALS.noBase(doc.id) });
    expect(await snapshot(c, [doc.id])).toBe(before);
    // The full-state envelope always applies, whatever arrived before it.
    expect(must(await c.exchange.importEnvelope(toC.bytes, "file")).status).toBe("imported");
  });

  it("the same envelope delivered twice at once: one import, one duplicate", async () => {
    const doc4 = await storedDocument(a);
    const env = await send(a, b, [doc4.id]);
    const [x, y] = await Promise.all([b.exchange.importEnvelope(env.bytes, "http"), b.exchange.importEnvelope(env.bytes, "file")]);
    expect([must(x).status, must(y).status].sort()).toEqual(["duplicate", "imported"]);
    expect((await b.store.exchanges({ doc: doc4.id, direction: "in" })).map((r) => r.status).sort()).toEqual(["duplicate", "imported"]);
    expect((await b.store.receipts(doc4.id)).length).toBe(2);
  });

  it("an encrypted envelope imports (CMS EnvelopedData for the recipient's CA certificate)", async () => {
    const doc2 = await storedDocument(a);
    const sealed = await send(a, b, [doc2.id], { encrypt: true });
    expect(sealed.bytes[0]).toBe(0x30); // DER, not a ZIP
    const r = must(await b.exchange.importEnvelope(sealed.bytes, "file"));
    expect(r.status).toBe("imported");
    expect((await b.store.readUpdates(doc2.id)).length).toBeGreaterThan(0);
  });

  it("a classified document does not leave unencrypted", async () => {
    const doc3 = await storedDocument(a, { secrecy: "confidential" });
    const r = await a.exchange.exportEnvelope({ docs: [doc3.id], to: b.agency.code, purpose: "countersign-request" });
    expect(r).toEqual({ ok: false, code: "envelope.classified", reason: `Document ${doc3.id} is classified; it may leave only in an encrypted envelope.` });
    // Encrypted it goes, without DI (classified documents are not exported as DI), and imports.
    const sealed = must(await a.exchange.exportEnvelope({ docs: [doc3.id], to: b.agency.code, purpose: "countersign-request", encrypt: true }));
    expect(must(await b.exchange.importEnvelope(sealed.bytes, "file")).status).toBe("imported");
    expect((await b.store.getIndex(doc3.id))?.secrecy).toBe("confidential");
  });

  it("分文: the registry desk assigns the incoming document to an active officer; others may not", async () => {
    const ok = must(await b.exchange.assign(doc.id, "P-OFFICER" as never, "P-REGISTRY" as never));
    expect(ok.envelope).toBeTruthy();
    expect((await b.store.assignment(doc.id))?.person).toBe("P-OFFICER");
    expect(await b.exchange.assign(doc.id, "P-OFFICER" as never, "P-CHIEF" as never)).toEqual({
      ok: false,
      code: "assign.not-registry",
      reason: "P-CHIEF does not hold the registry (登記桌) role, which assigns incoming documents.",
    });
    expect((await b.exchange.assign(doc.id, "P-NOBODY" as never, "P-REGISTRY" as never)).ok).toBe(false);
  });
});

describe("federation", () => {
  it("refuses our own CA, a certificate that is not a CA, and a code that clashes with ours", async () => {
    expect(await a.exchange.addPeer({ ca: a.agency.caPem })).toEqual({ ok: false, code: "federation.ours", reason: "The certificate is this agency's own CA; it is trusted already." });
    const person = a.people.officer.cert.toString("pem");
    expect(await b.exchange.addPeer({ ca: person })).toEqual({ ok: false, code: "federation.not-ca", reason: "The certificate is not a certificate authority's (no basicConstraints CA:TRUE)." });
    const twin = await makeAgency("A-TN-EDU", "另一個臺南市政府教育局");
    try {
      expect(await a.exchange.addPeer({ ca: twin.agency.caPem })).toEqual({ ok: false, code: "federation.ours", reason: "The certificate names agency A-TN-EDU, which is this agency's own code." });
    } finally {
      await twin.stop();
    }
  });

  it("refuses an expired CA certificate", async () => {
    const { createAgencyCa } = await import("@countersign/crdt-model");
    const old = await createAgencyCa({ agency: asAgencyCode("A-OLD-EDU"), name: "舊教育局", notBefore: new Date(Date.now() - 10 * 86400_000), validDays: 2 });
    expect(await a.exchange.addPeer({ ca: old.cert.toString("pem") })).toEqual({ ok: false, code: "federation.expired", reason: "The certificate is not valid now (expired or not yet valid)." });
  });

  it("lists peers with their fingerprints; a delegation table of another agency is refused", async () => {
    const peers = await a.exchange.peers();
    expect(peers.map((p) => p.code)).toEqual(["A-CY-EDU", "A-KH-EDU"]);
    expect(peers[1]!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(peers[1]!.name).toBe("高雄市政府教育局");
    const r = await a.exchange.addPeer({ ca: b.agency.caPem, delegation: c.people.delegation });
    expect(r).toEqual({ ok: false, code: "federation.delegation", reason: "The delegation table is agency A-CY-EDU's, not A-KH-EDU's." });
  });

  it("chains signed at a peer agency verify in our trust store", async () => {
    const trust = await b.trustStore();
    const check = await trust.checkCertificate(a.people.officer.cert, new Date());
    expect(check.ok).toBe(true);
    expect(trust.delegationTable(asAgencyCode("A-TN-EDU") as AgencyCode)).toBeDefined();
  });
});

describe("inside a running agency server", () => {
  it("refusals leave the server serving, and an import reaches a loaded room live (an officer's open document)", async () => {
    const { AgencyServer } = await import("../http/server.ts");
    const { pino } = await import("pino");
    const { tamperEnvelope } = await import("@countersign/crdt-model");
    const d = await makeAgency("A-HL-EDU", "花蓮縣政府教育處");
    // The server gets its own rooms over d's store; the test agency's own rooms stay unused.
    const server = new AgencyServer({ store: d.store, agency: d.agency, log: pino({ level: "silent" }), port: 0, host: "127.0.0.1" });
    const port = await server.start();
    try {
      must(await server.exchange.addPeer({ ca: a.agency.caPem, delegation: a.people.delegation }));
      must(await a.exchange.addPeer({ ca: d.agency.caPem }));
      const doc = await storedDocument(a);
      const env = await send(a, d, [doc.id]);
      const bomb = await server.exchange.importEnvelope(tamperEnvelope(env.bytes, "zip-bomb-lying-size"), "http");
      expect(bomb.ok).toBe(false);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const room = await server.rooms.get(doc.id); // as if an officer had it open
      expect(room.exists).toBe(false);
      expect(must(await server.exchange.importEnvelope(env.bytes, "http")).status).toBe("imported");
      expect(room.exists).toBe(true);
      expect(room.doc.subject()).toBe(doc.subject());
      expect(room.doc.rawReceipts().size).toBe(2);
    } finally {
      await server.stop(); // closes d's store too
      await d.close();
    }
  });
});
