// What a federation peer may change here (issue 12, finding 5): a trusted peer's envelope is
// authentic, but authenticity is not a right to write. A peer changes a document of ours only when
// we sent it that document, and then only by adding its own signed entries; a document new to us
// must be its own, come as a request or a dispatch, and land with our registry desk (待分文).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  CountersignDocument,
  act,
  asAgencyCode,
  asDocId,
  asPersonId,
  asStepId,
  asUnitId,
  buildEnvelope,
  derive,
  randomId,
  signAction,
  type Code,
  type DocId,
  type Metadata,
  type Purpose,
  type RoutingPlan,
} from "@countersign/crdt-model";
import { federate, makeAgency, snapshot, storedDocument, type TestAgency } from "../../tests/support/exchange-agencies.ts";
import { agencySigner } from "./signer.ts";
import { PEER_CODES, PEER_REFUSALS } from "./peer-rights.ts";

let a: TestAgency; // this agency
let b: TestAgency; // a trusted peer that turns against it

beforeAll(async () => {
  [a, b] = await Promise.all([makeAgency("A-TN-EDU", "臺南市政府教育局"), makeAgency("A-KH-EDU", "高雄市政府教育局")]);
  await federate(a, b);
});
afterAll(async () => {
  await Promise.all([a, b].map((x) => x?.stop()));
});

const must = <T>(r: { ok: true; value: T } | { ok: false; reason: string }): T => {
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};

/** A's copy of a document as A's store holds it. */
async function storedAt(x: TestAgency, id: DocId): Promise<CountersignDocument> {
  const ydoc = new Y.Doc();
  for (const u of await x.store.readUpdates(id)) Y.applyUpdate(ydoc, u.data);
  return CountersignDocument.wrap(ydoc);
}

/** B's agency signs an envelope to A carrying these documents' full state. */
async function fromB(docs: CountersignDocument[], purpose: Purpose = "countersign-reply"): Promise<Uint8Array> {
  return must(await buildEnvelope({ to: a.agency.code, purpose, docs: docs.map((doc) => ({ doc })), sender: agencySigner(b.agency) }));
}

async function refusedAtA(bytes: Uint8Array, code: Code, reason: string, docs: DocId[]): Promise<void> {
  const before = await snapshot(a, docs);
  const r = await a.exchange.importEnvelope(bytes, "http");
  expect(r).toEqual({ ok: false, code, reason });
  expect(await snapshot(a, docs)).toBe(before);
  expect((await a.store.exchanges({ direction: "in", limit: 1 }))[0]).toMatchObject({ status: "refused", detail: reason, code });
}

function bMetadata(over: Partial<Metadata> = {}): Metadata {
  return {
    kind: "memo",
    speed: "ordinary",
    secrecy: "none",
    dueDate: null,
    docNumber: null,
    receiptNumber: null,
    agency: asAgencyCode(b.agency.code),
    unit: asUnitId("U-STU"),
    caseOfficer: asPersonId("P-OFFICER"),
    retention: "10",
    category: "學務",
    ...over,
  };
}

/** B's own 簽, submitted by B's officer, with a countersign step for the agency A (as the app's plan builder makes it). */
async function bRequest(o: { metadata?: Partial<Metadata>; stepFor?: RoutingPlan["stages"][number] } = {}): Promise<CountersignDocument> {
  const plan: RoutingPlan = {
    v: 1,
    stages: [
      o.stepFor ?? { kind: "single", step: { id: asStepId("cs-a"), type: "countersign", assignee: { kind: "agency", agency: asAgencyCode(a.agency.code) } } },
      { kind: "single", step: { id: asStepId("decide"), type: "decide", assignee: { kind: "person", person: asPersonId("P-CHIEF") } } },
    ],
    decisionLevel: 3,
    deputies: [],
  };
  const doc = must(CountersignDocument.create({ id: asDocId(randomId("d")), metadata: bMetadata(o.metadata), subject: "有關兩市合辦教師研習一案，請惠予會辦。", plan }));
  await act(doc, b.people.officer, await b.trustStore(), { action: { kind: "submit" }, step: null, opinion: "陳請會辦。", at: new Date(Date.now() - 60_000) });
  return doc;
}

describe("a peer and the documents this agency never sent it", () => {
  it("an envelope from a peer cannot change a draft it was never sent", async () => {
    const draft = await storedDocument(a);
    // B got hold of A's internal document somehow; it moves it to another unit and officer.
    const stolen = must(CountersignDocument.fromUpdate((await storedAt(a, draft.id)).encodeState()));
    must(stolen.setMetadata({ unit: asUnitId("U-HEAD"), caseOfficer: asPersonId("P-DIRECTOR") }));
    await refusedAtA(await fromB([stolen]), PEER_CODES.notExchanged, PEER_REFUSALS.notExchanged(draft.id, b.agency.code), [draft.id]);
    const meta = must((await storedAt(a, draft.id)).metadata());
    expect(meta).toMatchObject({ unit: "U-STU", caseOfficer: "P-OFFICER" });
  });

  it("a new document from a peer cannot claim to be this agency's own and plant a draft in an officer's inbox", async () => {
    const planted = must(CountersignDocument.create({ id: asDocId(randomId("d")), metadata: bMetadata({ agency: asAgencyCode(a.agency.code), caseOfficer: asPersonId("P-DIRECTOR") }), subject: "局長請逕行核定。" }));
    await refusedAtA(await fromB([planted], "countersign-request"), PEER_CODES.notOwn, PEER_REFUSALS.notOwn(planted.id, b.agency.code), [planted.id]);
    expect(await a.store.hasDoc(planted.id)).toBe(false);
  });

  it("a new document comes only as a request or a dispatch, not as a reply", async () => {
    const doc = await bRequest();
    await refusedAtA(await fromB([doc], "countersign-reply"), PEER_CODES.newPurpose, PEER_REFUSALS.newPurpose(doc.id, "countersign-reply"), [doc.id]);
  });

  it("a dispatch (發文) brings only a decided document", async () => {
    const doc = await bRequest();
    await refusedAtA(await fromB([doc], "dispatch"), PEER_CODES.notDecided, PEER_REFUSALS.notDecided(doc.id), [doc.id]);
  });

  it("a new document may not assign a step to this agency's people or units directly", async () => {
    const doc = await bRequest({ stepFor: { kind: "single", step: { id: asStepId("cs-a"), type: "countersign", assignee: { kind: "person", person: asPersonId("P-DIRECTOR"), agency: asAgencyCode(a.agency.code) } } } });
    await refusedAtA(await fromB([doc], "countersign-request"), PEER_CODES.namesOurs, PEER_REFUSALS.namesOurs(doc.id, asStepId("cs-a")), [doc.id]);
  });

  it("a peer's request lands with the registry desk (待分文), not in the inbox of an officer whose id matches B's officer", async () => {
    const doc = await bRequest();
    const r = must(await a.exchange.importEnvelope(await fromB([doc], "countersign-request"), "http"));
    expect(r.status).toBe("imported");
    const row = (await a.store.getIndex(doc.id))!;
    // B's P-OFFICER and P-CHIEF are not A's people of the same ids.
    expect(row.caseOfficer).toBeNull();
    expect(row.unit).toBeNull();
    expect(row.holders).toEqual([`agency:${a.agency.code}`]);
    expect(row.participants).toEqual([`agency:${a.agency.code}`]);
  });
});

describe("a peer and a document this agency sent it", () => {
  let doc: CountersignDocument;
  let request: string;
  beforeAll(async () => {
    doc = await storedDocument(a);
    const sent = must(await a.exchange.exportEnvelope({ docs: [doc.id], to: b.agency.code, purpose: "countersign-request" }));
    request = sent.id;
    must(await b.exchange.importEnvelope(sent.bytes, "file"));
  });

  it("an envelope from a peer cannot change the unit or the case officer of a document it was sent", async () => {
    const atB = must(CountersignDocument.fromUpdate((await storedAt(b, doc.id)).encodeState()));
    must(atB.setMetadata({ unit: asUnitId("U-HEAD"), caseOfficer: asPersonId("P-DIRECTOR") }));
    await refusedAtA(await fromB([atB]), PEER_CODES.parts, PEER_REFUSALS.parts(doc.id, b.agency.code, ["meta"]), [doc.id]);
  });

  it("an envelope from a peer cannot rewrite the text of a document it was sent", async () => {
    const atB = must(CountersignDocument.fromUpdate((await storedAt(b, doc.id)).encodeState()));
    atB.setSubject("有關本市學生獎懲實施要點廢止一案。");
    await refusedAtA(await fromB([atB]), PEER_CODES.parts, PEER_REFUSALS.parts(doc.id, b.agency.code, ["subject"]), [doc.id]);
  });

  it("an envelope from a peer cannot add entries signed by this agency's own people", async () => {
    // A's own officer signed at A after the request left; B carries a copy of that (it is A's
    // entry, not B's): a peer answers only with what its own people signed.
    const atB = must(CountersignDocument.fromUpdate((await storedAt(b, doc.id)).encodeState()));
    const trust = await a.trustStore();
    const heads = (await derive(atB, trust)).heads;
    must(await signAction(atB, a.people.personnel, heads, { action: { kind: "countersign" }, step: asStepId("cs-personnel"), opinion: "人事室同意。" }));
    const entry = [...atB.rawEntries().keys()].find((k) => !doc.rawEntries().has(k))!;
    await refusedAtA(await fromB([atB]), PEER_CODES.foreignSigner, PEER_REFUSALS.foreignSigner(doc.id, b.agency.code, entry), [doc.id]);
  });

  it("the peer's reply with nothing but its receipts still imports", async () => {
    const reply = must(await b.exchange.exportEnvelope({ docs: [doc.id], to: a.agency.code, purpose: "countersign-reply", answers: request as never, full: true }));
    expect(must(await a.exchange.importEnvelope(reply.bytes, "http")).status).toBe("imported");
    expect(must((await storedAt(a, doc.id)).metadata())).toMatchObject({ unit: "U-STU", caseOfficer: "P-OFFICER" });
  });
});
