// Issue 5's bad input, each class by name, through the server's import: refused with its sentence,
// nothing changed (updates, blobs, index, receipts, the import log), the refusal logged, and the
// exchange still imports a good envelope afterwards.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CountersignDocument,
  ENVELOPE_REFUSALS as REFUSE,
  act,
  buildEnvelope,
  createSampleAgency,
  createSampleDocument,
  sampleTrust,
  tamperEnvelope,
  utf8,
  type EnvelopeId,
  type Sha256Hex,
} from "@countersign/crdt-model";
import { federate, makeAgency, snapshot, storedDocument, type TestAgency } from "../../tests/support/exchange-agencies.ts";
import { agencySigner } from "./signer.ts";
import { IMPORT_REFUSALS } from "./import.ts";

let a: TestAgency;
let b: TestAgency;
let c: TestAgency;
let doc: CountersignDocument;
let valid: { id: EnvelopeId; bytes: Uint8Array };
let blob: Sha256Hex;

const must = <T>(r: { ok: true; value: T } | { ok: false; reason: string }): T => {
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};

beforeAll(async () => {
  [a, b, c] = await Promise.all([makeAgency("A-TN-EDU", "臺南市政府教育局"), makeAgency("A-KH-EDU", "高雄市政府教育局"), makeAgency("A-CY-EDU", "嘉義市政府教育處")]);
  await federate(a, b, c);
  doc = await storedDocument(a);
  blob = doc.attachments()[0]!.sha256;
  valid = must(await a.exchange.exportEnvelope({ docs: [doc.id], to: b.agency.code, purpose: "countersign-request" }));
});
afterAll(async () => {
  await Promise.all([a, b, c].map((x) => x?.stop()));
});

const docPath = (part: string) => `docs/${doc.id}/${part}`;

/** Imports at B and checks the refusal: its sentence, nothing changed, one "refused" log line. */
async function refusedAtB(bytes: Uint8Array, reason: string | RegExp): Promise<void> {
  const before = await snapshot(b, [doc.id], [blob]);
  const logged = (await b.store.exchanges({ direction: "in" })).length;
  const r = await b.exchange.importEnvelope(bytes, "file");
  expect(r.ok).toBe(false);
  if (r.ok) return;
  if (typeof reason === "string") expect(r.reason).toBe(reason);
  else expect(r.reason).toMatch(reason);
  expect(r.reason).not.toMatch(/\n/);
  expect(await snapshot(b, [doc.id], [blob])).toBe(before);
  const log = await b.store.exchanges({ direction: "in" });
  expect(log.length).toBe(logged + 1);
  expect(log[0]).toMatchObject({ status: "refused", detail: r.reason });
  expect(b.logs.some((l) => l.msg === "envelope refused" && l.reason === r.reason)).toBe(true);
}

describe("the container", () => {
  it("truncated ZIP", () => refusedAtB(tamperEnvelope(valid.bytes, "truncated"), REFUSE.notZip));
  it("corrupted ZIP (random bytes)", () => refusedAtB(crypto.getRandomValues(new Uint8Array(5000)), REFUSE.notZip));
  it("a changed byte in a part", () => refusedAtB(tamperEnvelope(valid.bytes, "changed-byte"), REFUSE.hash(docPath("update.bin"))));
  it("a manifest that lists a missing part", () => refusedAtB(tamperEnvelope(valid.bytes, "missing-part"), REFUSE.missingPart(docPath("update.bin"))));
  it("an extra part the manifest does not list", () => refusedAtB(tamperEnvelope(valid.bytes, "extra-part"), REFUSE.extraPart(docPath("extra.bin"))));
  it("an entry name with ..", () => refusedAtB(tamperEnvelope(valid.bytes, "dot-dot-name"), REFUSE.badName("docs/../../etc/cron.d/evil")));
  it("an absolute entry name", () => refusedAtB(tamperEnvelope(valid.bytes, "absolute-name"), REFUSE.badName("/etc/passwd")));
  it("a backslash entry name", () => refusedAtB(tamperEnvelope(valid.bytes, "backslash-name"), REFUSE.badName("docs\\..\\evil")));
  it("a duplicate entry name", () => refusedAtB(tamperEnvelope(valid.bytes, "duplicate-name"), REFUSE.duplicate(docPath("update.bin"))));
  it("the mimetype not first", () => refusedAtB(tamperEnvelope(valid.bytes, "mimetype-not-first"), REFUSE.mimetypeFirst));
  it("a ZIP bomb (compression ratio)", () => refusedAtB(tamperEnvelope(valid.bytes, "zip-bomb-ratio"), REFUSE.ratio(`docs/bomb/attachments/${"0".repeat(64)}`, 100)));
  it("a ZIP bomb (a part lying about its size)", () => refusedAtB(tamperEnvelope(valid.bytes, "zip-bomb-lying-size"), REFUSE.inflatesPast(docPath("update.bin"))));
  it("a ZIP bomb (overlapping entries)", () => refusedAtB(tamperEnvelope(valid.bytes, "zip-bomb-overlap"), /ZIP bomb|overlaps another entry/));
});

describe("sender and recipient", () => {
  it("an untrusted sender (an agency not in our trust list)", async () => {
    const d = await makeAgency("A-TC-EDU", "臺中市政府教育局");
    try {
      must(await d.exchange.addPeer({ ca: b.agency.caPem }));
      const own = await storedDocument(d);
      const env = must(await d.exchange.exportEnvelope({ docs: [own.id], to: b.agency.code, purpose: "countersign-request" }));
      await refusedAtB(env.bytes, REFUSE.untrusted("The signer's certificate is not issued by a trusted authority."));
    } finally {
      await d.stop();
    }
  });

  it("a revoked sender (a serial the peer told us it revoked)", async () => {
    // Signed by A's mail room rather than A's CA: a person's certificate, which A revoked.
    const byMailRoom = must(await buildEnvelope({ to: b.agency.code, purpose: "dispatch", docs: [{ doc }], sender: a.people.mailRoom }));
    must(await b.exchange.recordPeerRevoked(a.agency.code, [a.people.mailRoom.cert.serialNumber]));
    await refusedAtB(byMailRoom, REFUSE.untrusted("The signer's certificate has been revoked."));
  });

  it("a revoked sender (a peer removed from the trust list)", async () => {
    must(await b.exchange.removePeer(a.agency.code));
    try {
      await refusedAtB(valid.bytes, REFUSE.untrusted("The signer's certificate is not issued by a trusted authority."));
    } finally {
      must(await b.exchange.addPeer({ ca: a.agency.caPem, delegation: a.people.delegation }));
    }
  });

  it("an envelope for another agency", async () => {
    const toC = must(await a.exchange.exportEnvelope({ docs: [doc.id], to: c.agency.code, purpose: "countersign-request" }));
    await refusedAtB(toC.bytes, REFUSE.recipient);
  });

  it("an encrypted envelope for another agency cannot be opened here", async () => {
    const toC = must(await a.exchange.exportEnvelope({ docs: [doc.id], to: c.agency.code, purpose: "countersign-request", encrypt: true }));
    await refusedAtB(toC.bytes, REFUSE.sealed);
  });
});

describe("documents", () => {
  it("a document whose chain does not verify (signed under a CA nobody trusts)", async () => {
    const impostor = await createSampleAgency({ code: "A-TN-EDU" });
    const forged = createSampleDocument(impostor);
    await act(forged, impostor.officer, sampleTrust(impostor), { action: { kind: "submit" }, step: null, opinion: "陳請核示。", at: new Date(Date.now() - 60_000) });
    const env = must(await buildEnvelope({ to: b.agency.code, purpose: "countersign-request", docs: [{ doc: forged }], sender: agencySigner(a.agency) }));
    await refusedAtB(env, REFUSE.chain(forged.id, "The signer's certificate is not issued by a trusted authority."));
  });

  it("a document whose signed entry was altered", async () => {
    const copy = must(CountersignDocument.fromUpdate(doc.encodeState()));
    const [key, raw] = [...copy.rawEntries()][0]!;
    copy.ydoc.transact(() => copy.ydoc.getMap("chain").set(key, String(raw).replace("陳請核示", "逕行核示")));
    const env = must(await buildEnvelope({ to: b.agency.code, purpose: "countersign-request", docs: [{ doc: copy }], sender: agencySigner(a.agency) }));
    await refusedAtB(env, new RegExp(`^The chain of document ${doc.id} does not verify: `));
  });

  it("a classified document sent unencrypted", async () => {
    const secret = must(CountersignDocument.fromUpdate(doc.encodeState()));
    must(secret.setMetadata({ secrecy: "confidential" }));
    // willEncrypt promised, then not kept: what a broken sender would do.
    const env = must(await buildEnvelope({ to: b.agency.code, purpose: "countersign-request", docs: [{ doc: secret }], sender: agencySigner(a.agency), willEncrypt: true }));
    await refusedAtB(env, IMPORT_REFUSALS.clear(doc.id));
  });

  const withDi = async (di: string) =>
    must(await buildEnvelope({ to: b.agency.code, purpose: "countersign-request", docs: [{ doc, di: utf8(di) }], sender: agencySigner(a.agency) }));

  it("a DI that does not match its DTD", async () => {
    const bad = `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE 簽 SYSTEM "104_5_utf8.dtd">\n<簽><主旨><文字>x</文字></主旨></簽>\n`;
    await refusedAtB(await withDi(bad), new RegExp(`^The DI of document ${doc.id} does not match its DTD: .*content does not follow the DTD`));
  });

  it("a DI without the official DOCTYPE", async () => {
    await refusedAtB(await withDi(`<?xml version="1.0"?>\n<簽/>\n`), `The DI of document ${doc.id} does not begin with a DOCTYPE naming an official DTD.`);
  });

  it("a DI whose DOCTYPE declares its own elements", async () => {
    const own = `<?xml version="1.0"?>\n<!DOCTYPE 簽 SYSTEM "104_5_utf8.dtd" [\n<!ELEMENT 簽 ANY>\n]>\n<簽/>\n`;
    await refusedAtB(await withDi(own), `The DI of document ${doc.id} declares something other than unparsed entities and notations in its DOCTYPE.`);
  });

  it("a DI naming a file outside the DTDs", async () => {
    const outside = `<?xml version="1.0"?>\n<!DOCTYPE 函 SYSTEM "/etc/passwd">\n<函/>\n`;
    await refusedAtB(await withDi(outside), `The DI of document ${doc.id} names the DTD "/etc/passwd" where a 函 uses 104_2_utf8.dtd.`);
  });
});

describe("after all that", () => {
  it("the good envelope still imports, and a different envelope reusing its id is refused as a replay", async () => {
    const r = must(await b.exchange.importEnvelope(valid.bytes, "file"));
    expect(r.status).toBe("imported");
    const first = (await b.store.importedEnvelope(valid.id))!;
    const other = await storedDocument(a);
    const replay = must(await buildEnvelope({ id: valid.id, to: b.agency.code, purpose: "countersign-request", docs: [{ doc: other }], sender: agencySigner(a.agency) }));
    await refusedAtB(replay, IMPORT_REFUSALS.replay(valid.id, first.at));
    expect(await b.store.hasDoc(other.id)).toBe(false);
  });

  it("a receipt that carries documents is refused", async () => {
    const env = must(await buildEnvelope({ to: b.agency.code, purpose: "receipt", answers: valid.id, docs: [{ doc }], sender: agencySigner(a.agency) }));
    await refusedAtB(env, IMPORT_REFUSALS.receiptDocs);
  });
});
