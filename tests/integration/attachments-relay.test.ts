import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CountersignDocument, asDocId, asPersonId, asSha256Hex, toBase64, type AttachmentAdder, type Sha256Hex } from "@countersign/crdt-model";
import { startAgency, testMetadata, until, must, type RunningAgency, type Who } from "./support/agency-server.ts";
import { openRaw, type RawClient } from "./support/raw-client.ts";

// Issue 15 point 6, "the registry's scans can be removed by the case officer": the relay, over a real
// WebSocket and the batch sync, takes an attachment only naming its true adder, and a scan the
// registry desk registered is removed only by the desk (crdt-model workflow/attachments.ts).

let a: RunningAgency;
beforeAll(async () => {
  a = await startAgency();
});
afterAll(async () => {
  await a?.stop();
});

let n = 0;
const freshId = (what: string) => `att-${what}-${++n}-${Date.now()}`;
const SCAN = asSha256Hex("5".repeat(64));
const scanRef = { sha256: SCAN, name: "來文掃描.pdf", size: 1234, mime: "application/pdf" };
const ref = (c: string) => ({ sha256: asSha256Hex(c.repeat(64)), name: `附件${c}.pdf`, size: 10, mime: "application/pdf" });
const DESK: AttachmentAdder = { person: "P-registry", role: "registry" };

const storedCount = async (id: string) => (await a.store.readUpdates(asDocId(id))).length;

/** The document as the server stored it. */
async function serverDoc(id: string): Promise<CountersignDocument> {
  const y = new Y.Doc();
  for (const u of await a.store.readUpdates(asDocId(id))) Y.applyUpdate(y, u.data);
  return CountersignDocument.wrap(y);
}

/** The stored count once the server has finished with what it was sent: unchanged over 300 ms. */
async function settledCount(id: string): Promise<number> {
  let last = await storedCount(id);
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    const now = await storedCount(id);
    if (now === last) return now;
    last = now;
  }
}

/** The registry desk registers an incoming letter for the case officer with its scan, over the relay. */
async function registered(id: string): Promise<void> {
  const doc = must(CountersignDocument.create({ id: asDocId(id), metadata: testMetadata({ kind: "letter", caseOfficer: asPersonId("P-officer") }), subject: "來文：請查填調查表" }));
  must(doc.addAttachment(scanRef, DESK));
  const c = await openRaw(a.ws, id, a.people.registry.token);
  c.update(doc.encodeState());
  await until(async () => (await a.store.getIndex(asDocId(id))) !== undefined, 10_000, "registered");
  expect(c.refused()).toEqual([]);
  c.close();
}

/** Connects as `who`, waits for the document, and makes `edit` on a fresh client id: the update it sends, and the client. */
async function edit(id: string, who: Who, change: (d: CountersignDocument) => void): Promise<{ c: RawClient; update: Uint8Array }> {
  const c = await openRaw(a.ws, id, a.people[who].token);
  await until(() => CountersignDocument.wrap(c.doc()).metadata().ok, 5000, `${who} synced`);
  const craft = new Y.Doc();
  Y.applyUpdate(craft, Y.encodeStateAsUpdate(c.doc()));
  const before = Y.encodeStateVector(craft);
  change(CountersignDocument.wrap(craft));
  const update = Y.encodeStateAsUpdate(craft, before);
  c.update(update);
  return { c, update };
}

async function batchPush(doc: string, update: Uint8Array, who: Who) {
  const res = await fetch(`${a.http}/api/sync`, {
    method: "POST",
    headers: { authorization: `Bearer ${a.people[who].token}`, "content-type": "application/json" },
    body: JSON.stringify({ v: 1, push: [{ doc, update: toBase64(update) }] }),
  });
  return ((await res.json()) as { pushed: { ok: boolean; code?: string }[] }).pushed[0];
}

async function refusedWith(id: string, who: Who, change: (d: CountersignDocument) => void, code: string): Promise<void> {
  const count = await settledCount(id);
  const { c, update } = await edit(id, who, change);
  await until(() => c.refused().length > 0, 5000, `${code} refusal`);
  expect(c.refused()[0]?.code).toBe(code);
  expect(c.refused()[0]?.reason.length).toBeGreaterThan(20);
  expect(await storedCount(id)).toBe(count);
  // The batch sync (an offline device's way in) refuses it the same way.
  expect(await batchPush(id, update, who)).toMatchObject({ ok: false, code });
  expect(await storedCount(id)).toBe(count);
  c.close();
}

const has = async (id: string, sha: Sha256Hex) => (await serverDoc(id)).attachments().some((r) => r.sha256 === sha);

describe("the registry desk's scans: removed only by the desk", () => {
  it("the case officer's forged removal (and rewrite) of the desk's scan is refused, over the WebSocket and the batch sync; nothing is stored", async () => {
    const id = freshId("remove");
    await registered(id);
    expect((await serverDoc(id)).attachmentEntries()[0]?.addedBy).toEqual(DESK);
    await refusedWith(id, "officer", (d) => d.removeAttachment(SCAN), "update.attachment-remover");
    // Rewritten as his own: a removal in disguise.
    await refusedWith(id, "officer", (d) => void d.addAttachment(scanRef, { person: "P-officer", role: "case-officer" }), "update.attachment-remover");
    // Written without an adder (as earlier documents were): it would read as the case officer's.
    await refusedWith(id, "officer", (d) => void d.addAttachment(scanRef), "update.attachment-remover");
    expect(await has(id, SCAN)).toBe(true);
  });

  it("the desk removes its own scan, and the case officer removes his own attachment", async () => {
    const id = freshId("desk");
    await registered(id);
    const own = ref("6");
    let count = await settledCount(id);
    const officer = await edit(id, "officer", (d) => void d.addAttachment(own, { person: "P-officer", role: "case-officer" }));
    await until(async () => (await storedCount(id)) > count, 5000, "officer's attachment stored");
    expect(officer.c.refused()).toEqual([]);
    count = await settledCount(id);
    const desk = await edit(id, "registry", (d) => d.removeAttachment(SCAN));
    await until(async () => (await storedCount(id)) > count, 5000, "desk's removal stored");
    expect(desk.c.refused()).toEqual([]);
    expect(await has(id, SCAN)).toBe(false);
    count = await settledCount(id);
    const mine = await edit(id, "officer", (d) => d.removeAttachment(own.sha256));
    await until(async () => (await storedCount(id)) > count, 5000, "officer's removal stored");
    expect(mine.c.refused()).toEqual([]);
    expect((await serverDoc(id)).attachments()).toEqual([]);
    for (const c of [officer.c, desk.c, mine.c]) c.close();
  });
});

describe("an attachment names who added it, truly", () => {
  it("an attachment claiming the registry desk (or a role its sender does not hold) as its adder is refused", async () => {
    const id = freshId("adder");
    await registered(id);
    await refusedWith(id, "officer", (d) => void d.addAttachment(ref("7"), DESK), "update.attachment-adder");
    await refusedWith(id, "officer", (d) => void d.addAttachment(ref("7"), { person: "P-officer", role: "registry" }), "update.attachment-adder");
    // Without an adder it reads as the case officer's: only the case officer may send that.
    await refusedWith(id, "registry", (d) => void d.addAttachment(ref("8")), "update.attachment-adder");
    expect(await has(id, ref("7").sha256)).toBe(false);
  });

  it("a document whose attachments have no adder (written before adders were recorded) is taken, and they stay the case officer's", async () => {
    const id = freshId("legacy");
    const doc = must(CountersignDocument.create({ id: asDocId(id), metadata: testMetadata(), subject: "舊附件" }));
    must(doc.addAttachment(ref("9")));
    const c = await openRaw(a.ws, id, a.people.officer.token);
    c.update(doc.encodeState());
    await until(async () => (await a.store.getIndex(asDocId(id))) !== undefined, 10_000, "created");
    expect(c.refused()).toEqual([]);
    expect((await serverDoc(id)).attachmentEntries()[0]?.addedBy).toBeNull();
    const count = await settledCount(id);
    const removed = await edit(id, "officer", (d) => d.removeAttachment(ref("9").sha256));
    await until(async () => (await storedCount(id)) > count, 5000, "removal stored");
    expect(removed.c.refused()).toEqual([]);
    c.close();
    removed.c.close();
  });
});
