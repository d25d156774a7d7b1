import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  CountersignDocument,
  TrustStore,
  asDocId,
  asStepId,
  signAction,
  toBase64,
  verify,
} from "@countersign/crdt-model";
import { provider, startAgency, testMetadata, until, must, type RunningAgency, type Who } from "./support/agency-server.ts";
import { awarenessStatesIn, encodeAwarenessStates, openRaw } from "./support/raw-client.ts";
import { deepNesting } from "../../packages/crdt-model/tests/support/hostile-updates.ts";
import { agencyTrust, draftLive, signAs } from "./support/live-draft.ts";

// Issue 12's relay findings, each reproduced against a real server with real clients: what an
// attacker holding a valid login can send, and what must stay true afterwards.

let a: RunningAgency;
beforeAll(async () => {
  // Rooms unload soon after their last client leaves, so tests can reload a document from the store.
  a = await startAgency({ idleMs: 400 });
});
afterAll(async () => {
  await a?.stop();
});

const trust = (): TrustStore => agencyTrust(a);

let n = 0;
const freshId = (what: string) => `atk-${what}-${++n}-${Date.now()}`;

/** A document drafted by the case officer, connected through a stock provider. */
const draft = () => draftLive(a, freshId("doc"));

const sign = (doc: CountersignDocument, who: Who, input: Parameters<typeof signAction>[3]) => signAs(a, doc, who, input);

/** The document as the store holds it, merged as a room loads it. */
async function stored(id: string): Promise<CountersignDocument> {
  const ups = await a.store.readUpdates(asDocId(id));
  const ydoc = new Y.Doc();
  Y.applyUpdate(ydoc, Y.mergeUpdates(ups.map((u) => u.data)));
  return CountersignDocument.wrap(ydoc);
}

async function healthy(): Promise<boolean> {
  return (await fetch(`${a.http}/healthz`)).status === 200;
}

async function batchPush(doc: string, update: Uint8Array, token = a.people.officer.token) {
  const res = await fetch(`${a.http}/api/sync`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ v: 1, push: [{ doc, update: toBase64(update) }] }),
  });
  return ((await res.json()) as { pushed: { ok: boolean; reason?: string }[] }).pushed[0];
}

const settle = (ms = 200) => new Promise((r) => setTimeout(r, ms));

/** Waits until the document's room is unloaded (nobody connected, idle past idleMs). */
async function unloaded(id: string): Promise<void> {
  await until(async () => {
    await a.server.rooms.sweep();
    return (await a.server.rooms.ifLoaded(asDocId(id))) === undefined;
  }, 10_000, "room unloaded");
}

describe("finding 1: no frame stops the server; a never-seen id is only for its creator", () => {
  it("a truncated state vector is refused and the server keeps serving", async () => {
    const id = freshId("never-seen");
    const c = await openRaw(a.ws, id, a.people.outsider.token, { sync: false });
    c.send(new Uint8Array([0x00, 0x00, 0x01, 0x05]));
    await until(() => c.refusals().length > 0, 5000, "refusal");
    expect(c.refusals()[0]).toMatch(/state vector/);
    expect(c.refused()[0]?.code).toBe("relay.frame");
    expect(await healthy()).toBe(true);
    // The same connection and a new one still work.
    const before = c.frames.length;
    c.syncStep1(new Uint8Array([0]));
    await until(() => c.frames.length > before, 5000, "sync step 2");
    const { p } = await draft();
    p.destroy();
    c.close();
  });

  it("an update that does not make the sender its case officer cannot create a document", async () => {
    const id = freshId("not-mine");
    const forged = must(CountersignDocument.create({ id: asDocId(id), metadata: testMetadata(), subject: "冒名建立" }));
    const c = await openRaw(a.ws, id, a.people.outsider.token);
    c.update(forged.encodeState());
    await until(() => c.refusals().length > 0, 5000, "refusal");
    expect(c.refusals()[0]).toMatch(/case officer/);
    expect(c.refused()[0]?.code).toBe("relay.creator");
    expect(await a.store.readUpdates(asDocId(id))).toEqual([]);
    expect(await a.store.getIndex(asDocId(id))).toBeUndefined();
    // The batch endpoint answers the same refusal.
    const r = await batchPush(id, forged.encodeState(), a.people.outsider.token);
    expect(r?.ok).toBe(false);
    expect(r?.reason).toMatch(/case officer/);
    c.close();
  });

  it("the registry desk creates a document for an officer of any unit (分文), and no other agency's document", async () => {
    const id = freshId("registered");
    const registered = must(CountersignDocument.create({ id: asDocId(id), metadata: testMetadata(), subject: "收文" }));
    expect(await batchPush(id, registered.encodeState(), a.people.registry.token)).toEqual({ doc: id, ok: true });
    const other = freshId("registered-elsewhere");
    const elsewhere = must(
      CountersignDocument.create({ id: asDocId(other), metadata: testMetadata({ unit: "U-PER" as never, caseOfficer: "P-outsider" as never }), subject: "收文" }),
    );
    expect(await batchPush(other, elsewhere.encodeState(), a.people.registry.token)).toEqual({ doc: other, ok: true });
    const foreign = freshId("foreign");
    const theirs = must(CountersignDocument.create({ id: asDocId(foreign), metadata: testMetadata({ agency: "A-ELSE" as never }), subject: "他機關" }));
    const r = await batchPush(foreign, theirs.encodeState(), a.people.registry.token);
    expect(r?.ok).toBe(false);
    expect(r?.reason).toMatch(/this agency/);
  });

  it("someone waiting in a never-seen room is sent away when another person creates it, and sees none of it", async () => {
    const id = freshId("race");
    const lurker = await openRaw(a.ws, id, a.people.outsider.token);
    await settle(100);
    const doc = must(CountersignDocument.create({ id: asDocId(id), metadata: testMetadata(), subject: "機密主旨不給別人看" }));
    const ydoc = new Y.Doc();
    Y.applyUpdate(ydoc, doc.encodeState());
    const p = provider(a, id, a.people.officer.token, ydoc);
    await until(() => p.synced, 10_000, "officer synced");
    await until(async () => (await a.store.getIndex(asDocId(id))) !== undefined, 10_000, "created");
    const closed = await lurker.closed;
    expect(closed.code).toBe(4403);
    expect(lurker.doc().getText("subject").toString()).toBe("");
    // Its own creating update, sent after, is refused (the document exists and is not theirs).
    const late = await openRaw(a.ws, id, a.people.outsider.token);
    expect((await late.closed).code).toBe(4403);
    p.destroy();
  });
});

describe("finding 2: nobody writes under the server's Yjs client id, and nothing pending is stored", () => {
  it("a struct under the server's client id is refused and the signed entry stays as signed", async () => {
    const { id, p, doc } = await draft();
    await sign(doc, "officer", { action: { kind: "submit" }, step: null, opinion: "陳核" });
    const { id: review } = await sign(doc, "chief", { action: { kind: "approve" }, step: asStepId("review"), opinion: "核稿" });
    await until(() => doc.rawReceipts().has(review), 5000, "review receipted");
    const signedText = doc.rawEntries().get(review);

    // The attacker, a participant, reads a receipt to learn the server's client id and next clock.
    const attacker = await openRaw(a.ws, id, a.people.chief.token);
    await until(() => attacker.doc().getMap("receipts").has(review), 5000, "attacker synced");
    const server = (attacker.doc().getMap("receipts") as unknown as { _map: Map<string, { id: { client: number } }> })._map.get(review)!.id.client;
    const craft = new Y.Doc();
    Y.applyUpdate(craft, Y.encodeStateAsUpdate(attacker.doc()));
    craft.clientID = server;
    const next = Y.encodeStateVector(craft);
    craft.getMap("scratch").set("gap", 1); // the clock the server will write next: not sent
    const gap = Y.encodeStateVector(craft);
    craft.getMap("chain").set(review, "改寫過的核稿意見");
    const crafted = Y.encodeStateAsUpdate(craft, gap);
    expect(Y.decodeStateVector(next).get(server)! + 1).toBe(Y.decodeUpdate(crafted).structs[0]!.id.clock);
    attacker.update(crafted);
    await until(() => attacker.refusals().length > 0, 5000, "refusal");
    expect(attacker.refusals()[0]).toMatch(/client id/);
    expect(attacker.refused()[0]?.code).toBe("relay.client-id");

    // The server now writes its next receipt at the missing clock.
    const { id: cs } = await sign(doc, "personnel", { action: { kind: "countersign" }, step: asStepId("cs-per") });
    await until(() => doc.rawReceipts().has(cs), 5000, "countersign receipted");
    await settle();
    expect(doc.rawEntries().get(review)).toBe(signedText);
    const held = await stored(id);
    expect(held.rawEntries().get(review)).toBe(signedText);
    const report = await verify(held, trust());
    expect(report.entries.every((e) => e.valid)).toBe(true);
    attacker.close();
    p.destroy();
  });

  it("an update whose structs cannot all be integrated now is refused and not stored", async () => {
    const { id, p } = await draft();
    const before = (await a.store.readUpdates(asDocId(id))).length;
    const c = await openRaw(a.ws, id, a.people.chief.token);
    await until(() => c.doc().getText("subject").length > 0, 5000, "synced");
    const local = new Y.Doc();
    Y.applyUpdate(local, Y.encodeStateAsUpdate(c.doc()));
    local.getText("subject").insert(0, "甲");
    const gap = Y.encodeStateVector(local);
    local.getText("subject").insert(0, "乙");
    c.update(Y.encodeStateAsUpdate(local, gap));
    await until(() => c.refusals().length > 0, 5000, "refusal");
    expect(c.refusals()[0]).toMatch(/builds on changes the server does not have/);
    expect(c.refused()[0]?.code).toBe("relay.pending");
    expect((await a.store.readUpdates(asDocId(id))).length).toBe(before);
    c.close();
    p.destroy();
  });

  it("a client id first used by one person cannot be written by another, even after the room unloads", async () => {
    const { id, p, doc } = await draft();
    const officerClient = p.doc.clientID;
    // The chief pre-empts the officer's next clock under the officer's client id.
    const c = await openRaw(a.ws, id, a.people.chief.token);
    await until(() => c.doc().getText("subject").length > 0, 5000, "synced");
    const craft = new Y.Doc();
    Y.applyUpdate(craft, Y.encodeStateAsUpdate(c.doc()));
    craft.clientID = officerClient;
    const sv = Y.encodeStateVector(craft);
    craft.getText("subject").insert(0, "搶先");
    c.update(Y.encodeStateAsUpdate(craft, sv));
    await until(() => c.refusals().length > 0, 5000, "refusal");
    expect(c.refusals()[0]).toMatch(/client id/);
    expect(c.refused()[0]?.code).toBe("relay.client-id");
    // The officer's own next edit under that id is stored.
    doc.insertSubject(0, "正本");
    await until(async () => (await stored(id)).subject().startsWith("正本"), 5000, "officer's edit stored");
    c.close();
    p.destroy();
    // After the room unloads, the binding still holds (it is in the store): the officer's next clock
    // is still the officer's.
    await unloaded(id);
    const later = new Y.Doc();
    Y.applyUpdate(later, (await stored(id)).encodeState());
    later.clientID = officerClient;
    const at = Y.encodeStateVector(later);
    later.getText("subject").insert(0, "再搶");
    const r = await batchPush(id, Y.encodeStateAsUpdate(later, at), a.people.chief.token);
    expect(r?.ok).toBe(false);
    expect(r?.reason).toMatch(/client id/);
  });
});

describe("finding 3: one update cannot freeze a room", () => {
  it("a 20,000-deep nesting is refused alone and later updates are stored", async () => {
    const { id, p, doc } = await draft();
    const c = await openRaw(a.ws, id, a.people.chief.token);
    await until(() => c.doc().getText("subject").length > 0, 5000, "synced");
    c.update(deepNesting(c.doc(), "extra", 20_000, true));
    await until(() => c.refusals().length > 0, 10_000, "refusal");
    expect(c.refusals()[0]).toMatch(/top-level|nest/);
    // The same nesting inside a type the document knows is refused for its depth.
    c.update(deepNesting(c.doc(), "attachments", 20_000, true));
    await until(() => c.refusals().length > 1, 10_000, "second refusal");
    expect(c.refusals()[1]).toMatch(/nest/);
    // Everyone's later work is stored and relayed.
    doc.insertSubject(0, "之後");
    await until(async () => (await stored(id)).subject().startsWith("之後"), 5000, "later edit stored");
    await until(() => c.doc().getText("subject").toString().startsWith("之後"), 5000, "later edit relayed");
    // The batch endpoint answers the same update as refused, never ok.
    const r = await batchPush(id, deepNesting(c.doc(), "extra", 20_000, true));
    expect(r?.ok).toBe(false);
    expect(await healthy()).toBe(true);
    c.close();
    p.destroy();
  });

  it("an unknown top-level type is refused", async () => {
    const { id, p } = await draft();
    const c = await openRaw(a.ws, id, a.people.officer.token);
    await until(() => c.doc().getText("subject").length > 0, 5000, "synced");
    const d = new Y.Doc();
    Y.applyUpdate(d, Y.encodeStateAsUpdate(c.doc()));
    const sv = Y.encodeStateVector(d);
    d.getText("notes").insert(0, "hidden");
    c.update(Y.encodeStateAsUpdate(d, sv));
    await until(() => c.refusals().length > 0, 5000, "refusal");
    expect(c.refusals()[0]).toMatch(/top-level type notes/);
    expect(c.refused()[0]?.code).toBe("update.malformed");
    expect((await stored(id)).ydoc.share.has("notes")).toBe(false);
    c.close();
    p.destroy();
  });
});

describe("presence is bound to the connection's person", () => {
  it("a spoofed presence name is replaced by the sender's own, and another connection's client id is refused", async () => {
    const { id, p } = await draft();
    p.awareness.setLocalStateField("user", { name: "測試officer", unit: "學務科", color: "#123456" });
    const watcher = await openRaw(a.ws, id, a.people.personnel.token);
    const spoofer = await openRaw(a.ws, id, a.people.chief.token);
    await settle(200);
    // Shows as the agency head under its own client id.
    spoofer.awareness(encodeAwarenessStates([{ client: 4242, clock: 1, state: { user: { name: "王局長", unit: "局長室", color: "#000000" } } }]));
    // Rewrites the officer's presence under the officer's client id.
    spoofer.awareness(encodeAwarenessStates([{ client: p.awareness.clientID, clock: 1000, state: { user: { name: "王局長", unit: "局長室" } } }]));
    await until(() => spoofer.refusals().length > 0, 5000, "refusal");
    expect(spoofer.refusals()[0]).toMatch(/presence/);
    expect(spoofer.refused()[0]?.code).toBe("relay.presence");
    await until(() => awarenessStatesIn(watcher.frames).has(4242), 5000, "spoofer's presence relayed");
    const seen = awarenessStatesIn(watcher.frames);
    expect((seen.get(4242) as { user: { name: string } }).user.name).toBe("測試chief");
    expect((seen.get(p.awareness.clientID) as { user: { name: string } }).user.name).toBe("測試officer");
    spoofer.close();
    watcher.close();
    p.destroy();
  });
});

describe("stored updates that cannot be integrated", () => {
  it("a stored update with a pending struct is logged on load and never served", async () => {
    const id = freshId("stored-pending");
    const created = must(CountersignDocument.create({ id: asDocId(id), metadata: testMetadata(), subject: "正常" }));
    expect(await batchPush(id, created.encodeState())).toEqual({ doc: id, ok: true });
    await unloaded(id);
    // What an older server stored: a struct that waits for a clock nobody wrote.
    const d = new Y.Doc();
    Y.applyUpdate(d, created.encodeState());
    d.clientID = 777;
    d.getText("subject").insert(0, "缺");
    const gap = Y.encodeStateVector(d);
    d.getText("subject").insert(0, "懸");
    await a.store.appendUpdate(asDocId(id), Y.encodeStateAsUpdate(d, gap));
    const c = await openRaw(a.ws, id, a.people.officer.token);
    await until(() => c.doc().getText("subject").length > 0, 5000, "synced");
    expect(c.doc().getText("subject").toString()).toBe("正常");
    const sent = Y.decodeUpdate(Y.encodeStateAsUpdate(c.doc()));
    expect(sent.structs.some((s) => s.id.client === 777)).toBe(false);
    expect(await healthy()).toBe(true);
    c.close();
  });
});
