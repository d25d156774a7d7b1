// 文號 of a new 簽 / 稿 (doc-number.ts): written by the server when a room first stores the document,
// from the agency's 發文字號 series, indexed, and never changed by a client.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CountersignDocument, asDocId, randomId, type Metadata } from "@countersign/crdt-model";
import { makeAgency, type TestAgency } from "../../tests/support/exchange-agencies.ts";
import { setDispatchPrefix, reservedFor, reserveDispatchNumber, dispatchPrefix } from "../dispatch/numbers.ts";
import type { Principal } from "./authz.ts";
import { needsDocNumber } from "./doc-number.ts";

let a: TestAgency;
let officer: Principal;
let registry: Principal;

beforeAll(async () => {
  a = await makeAgency("A-TN-EDU", "臺南市政府教育局");
  must(await setDispatchPrefix(a.store, "南市教學"));
  const p = a.people;
  officer = { person: p.officer.profile.person, unit: p.officer.profile.unit, agency: a.agency.code, roles: ["case-officer"] };
  registry = { person: p.registry.profile.person, unit: p.registry.profile.unit, agency: a.agency.code, roles: ["registry"] };
});
afterAll(async () => {
  await a?.stop();
});

function must<T>(r: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

function newDoc(patch: Partial<Metadata> = {}): CountersignDocument {
  const metadata: Metadata = {
    kind: "memo",
    speed: "ordinary",
    secrecy: "none",
    dueDate: null,
    docNumber: null,
    receiptNumber: null,
    agency: a.agency.code,
    unit: officer.unit,
    caseOfficer: officer.person,
    retention: "10",
    category: "學務",
    ...patch,
  };
  return must(CountersignDocument.create({ id: asDocId(randomId("d-")), metadata, subject: "有關校園安全演練一案" }));
}

const NUMBER = /^南市教學字第\d{3}\d{7}號$/;

describe("the 文號 of a new document", () => {
  it("is written by the server when the room first stores the document: the agency's 代字, ROC year and serial, in the document, the index row and the 發文字號 reservation", async () => {
    const doc = newDoc();
    const room = await a.rooms.get(doc.id);
    expect(await room.receive(doc.encodeState(), null, officer)).toMatchObject({ ok: true });
    const number = must(room.doc.metadata()).docNumber;
    expect(number).toMatch(NUMBER);
    expect((await a.store.getIndex(doc.id))?.docNumber).toBe(number);
    expect((await reservedFor(a.store, doc.id))?.number).toBe(number);
    // Stored: a room loaded again from the store holds it (the server's write is an update of its own).
    const stored = new Y.Doc();
    for (const u of await a.store.readUpdates(doc.id)) Y.applyUpdate(stored, u.data);
    expect(must(CountersignDocument.wrap(stored).metadata()).docNumber).toBe(number);
    // The mail room's 發文字號 for it later is the same number (one series, 一文一號).
    const again = must(await reserveDispatchNumber(a.store, { prefix: await dispatchPrefix(a.store), doc: doc.id, now: new Date() }));
    expect(again.number).toBe(number);
  });

  it("replaces a number the creator wrote, and two documents never share one", async () => {
    const forged = newDoc({ docNumber: "南市教學字第1159999999號" });
    const other = newDoc();
    for (const d of [forged, other]) expect(await (await a.rooms.get(d.id)).receive(d.encodeState(), null, officer)).toMatchObject({ ok: true });
    const x = must((await a.rooms.get(forged.id)).doc.metadata()).docNumber;
    const y = must((await a.rooms.get(other.id)).doc.metadata()).docNumber;
    expect(x).toMatch(NUMBER);
    expect(x).not.toBe("南市教學字第1159999999號");
    expect(y).toMatch(NUMBER);
    expect(x).not.toBe(y);
  });

  it("no client changes it afterwards: the update is refused relay.doc-number and the number stays", async () => {
    const doc = newDoc();
    const room = await a.rooms.get(doc.id);
    must(await room.receive(doc.encodeState(), null, officer));
    const number = must(room.doc.metadata()).docNumber;
    // The officer's device, synced with the server, writes another number where the server keeps it.
    const device = must(CountersignDocument.fromUpdate(room.doc.encodeState()));
    const sv = device.stateVector();
    device.unsafeRaw().meta.set("assignedDocNumber", "南市教學字第1150000001號");
    const r = await room.receive(device.encodeState(sv), null, officer);
    expect(r).toMatchObject({ ok: false, code: "relay.doc-number" });
    expect(must(room.doc.metadata()).docNumber).toBe(number);
    // Writing the creator's own docNumber field changes nothing: the assigned number is the 文號.
    const plain = must(CountersignDocument.fromUpdate(room.doc.encodeState()));
    const sv1 = plain.stateVector();
    must(plain.setMetadata({ docNumber: "南市教學字第1150000001號" }));
    expect(must(plain.metadata()).docNumber).toBe(number);
    expect(await room.receive(plain.encodeState(sv1), null, officer)).toMatchObject({ ok: true });
    expect(must(room.doc.metadata()).docNumber).toBe(number);
    // Another metadata change of the same officer is taken as before.
    const fine = must(CountersignDocument.fromUpdate(room.doc.encodeState()));
    const sv2 = fine.stateVector();
    must(fine.setMetadata({ speed: "urgent" }));
    expect(await room.receive(fine.encodeState(sv2), null, officer)).toMatchObject({ ok: true });
    expect(must(room.doc.metadata())).toMatchObject({ speed: "urgent", docNumber: number });
  });

  it("a registered incoming document (收文號, 來文) gets none: its 收文號 identifies it", async () => {
    const doc = newDoc({
      kind: "letter",
      receiptNumber: "1150000042",
      incoming: { from: "臺南市政府", number: "府教字第1150001234號", receivedOn: "2026-11-23" },
    });
    const room = await a.rooms.get(doc.id);
    expect(await room.receive(doc.encodeState(), null, registry)).toMatchObject({ ok: true });
    expect(must(room.doc.metadata())).toMatchObject({ docNumber: null, receiptNumber: "1150000042", incoming: { from: "臺南市政府", number: "府教字第1150001234號", receivedOn: "2026-11-23" } });
    // Its index row carries the 收文號, and the 來文字號 as its number for search (indexRowOf).
    expect(await a.store.getIndex(doc.id)).toMatchObject({ receiptNumber: "1150000042", docNumber: "府教字第1150001234號" });
    expect(await reservedFor(a.store, doc.id)).toBeUndefined();
  });
});

describe("needsDocNumber", () => {
  const meta = (patch: Partial<Metadata> = {}): Metadata => ({
    kind: "memo", speed: "ordinary", secrecy: "none", dueDate: null, docNumber: null, receiptNumber: null,
    agency: a.agency.code, unit: officer.unit, caseOfficer: officer.person, retention: null, category: "", ...patch,
  });
  const state = (patch: Record<string, unknown> = {}) => ({ status: "draft", decision: null, paperRecord: null, dispatch: null, archive: null, ...patch }) as unknown as Parameters<typeof needsDocNumber>[1];

  it("numbers this agency's own new document, a draft still without one, and nothing else", () => {
    expect(needsDocNumber(meta(), state(), a.agency.code, true)).toBe(true);
    expect(needsDocNumber(meta({ docNumber: "偽字第1150000001號" }), state(), a.agency.code, true)).toBe(true); // replaced
    expect(needsDocNumber(meta(), state(), a.agency.code, false)).toBe(true); // a draft still without one
    expect(needsDocNumber(meta({ docNumber: "南市教學字第1150000001號" }), state(), a.agency.code, false)).toBe(false);
    expect(needsDocNumber(meta(), state({ status: "in-review" }), a.agency.code, false)).toBe(false); // out for signing
    expect(needsDocNumber(meta(), state({ decision: { entry: "e", content: "c" } }), a.agency.code, true)).toBe(false);
    expect(needsDocNumber(meta({ agency: "A-KH-EDU" as Metadata["agency"] }), state(), a.agency.code, true)).toBe(false);
    expect(needsDocNumber(meta({ receiptNumber: "1150000001" }), state(), a.agency.code, true)).toBe(false);
    expect(needsDocNumber(meta({ incoming: { from: "臺南市政府", number: null, receivedOn: "2026-11-23" } }), state(), a.agency.code, true)).toBe(false);
    expect(needsDocNumber(meta(), state(), undefined, true)).toBe(false);
  });
});
