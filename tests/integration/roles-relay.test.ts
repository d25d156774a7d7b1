import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CountersignDocument, asDocId, asPersonId, asStepId, asUnitId, toBase64 } from "@countersign/crdt-model";
import { PEOPLE, startAgency, testMetadata, until, must, type RunningAgency, type Who } from "./support/agency-server.ts";
import { openRaw, type RawClient } from "./support/raw-client.ts";
import { draftLive, signAs } from "./support/live-draft.ts";

// Issue 15 point 6, "who can do what", enforced by the relay against a real server: forged updates
// from people whose screens would not offer the action (crdt-model workflow/editing.ts).

let a: RunningAgency;
beforeAll(async () => {
  a = await startAgency();
});
afterAll(async () => {
  await a?.stop();
});

let n = 0;
const freshId = (what: string) => `roles-${what}-${++n}-${Date.now()}`;

async function batchPush(doc: string, update: Uint8Array, token: string) {
  const res = await fetch(`${a.http}/api/sync`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ v: 1, push: [{ doc, update: toBase64(update) }] }),
  });
  return ((await res.json()) as { pushed: { ok: boolean; code?: string }[] }).pushed[0];
}

/** Connects as `who`, waits for the document, and sends a plain edit of its 主旨 made on a fresh client id. */
async function editSubject(id: string, who: Who, subject: string): Promise<RawClient> {
  const c = await openRaw(a.ws, id, a.people[who].token);
  await until(() => CountersignDocument.wrap(c.doc()).metadata().ok, 5000, `${who} synced`);
  const craft = new Y.Doc();
  Y.applyUpdate(craft, Y.encodeStateAsUpdate(c.doc()));
  const before = Y.encodeStateVector(craft);
  CountersignDocument.wrap(craft).setSubject(subject);
  c.update(Y.encodeStateAsUpdate(craft, before));
  return c;
}

const storedCount = async (id: string) => (await a.store.readUpdates(asDocId(id))).length;

/**
 * The stored count once the server has finished with what it was sent (an entry's receipt and any
 * client catch-up are further stored updates, written a moment later): unchanged over 300 ms.
 */
async function settledCount(id: string): Promise<number> {
  let last = await storedCount(id);
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    const now = await storedCount(id);
    if (now === last) return now;
    last = now;
  }
}

describe("新增公文: only those who draft create a document", () => {
  for (const who of ["mail", "archivist", "followup"] as const) {
    it(`${who} cannot create a document naming themselves its case officer`, async () => {
      const id = freshId(`create-${who}`);
      const forged = must(CountersignDocument.create({ id: asDocId(id), metadata: testMetadata({ caseOfficer: asPersonId(`P-${who}`), unit: asUnitId(PEOPLE[who].unit) }), subject: "非承辦人建立" }));
      const c = await openRaw(a.ws, id, a.people[who].token);
      c.update(forged.encodeState());
      await until(() => c.refused().length > 0, 5000, "refusal");
      expect(c.refused()[0]?.code).toBe("relay.creator");
      expect(await storedCount(id)).toBe(0);
      expect(await a.store.getIndex(asDocId(id))).toBeUndefined();
      const r = await batchPush(id, forged.encodeState(), a.people[who].token);
      expect(r).toMatchObject({ ok: false, code: "relay.creator" });
      c.close();
    });
  }
});

describe("the text: the case officer's while drafting, the step holder's 修改 while out for signing", () => {
  it("a reviewer's plain edit of a draft is refused with its code and nothing changes", async () => {
    const { id, p, doc } = await draftLive(a, freshId("draft"));
    const count = await settledCount(id);
    const c = await editSubject(id, "chief", "核稿人偷改的主旨");
    await until(() => c.refused().length > 0, 5000, "refusal");
    expect(c.refused()[0]?.code).toBe("update.content-editor");
    expect(await storedCount(id)).toBe(count);
    expect(doc.subject()).toBe("測試主旨");
    // The case officer's own edit goes through.
    doc.setSubject("承辦人修正的主旨");
    await until(async () => (await storedCount(id)) > count, 5000, "officer's edit stored");
    c.close();
    p.destroy();
  });

  it("out for review: the holder of the step may make a 修改; the case officer and a later unit may not", async () => {
    const { id, p, doc } = await draftLive(a, freshId("review"));
    await signAs(a, doc, "officer", { action: { kind: "submit" }, step: null, opinion: "陳核" });
    await until(async () => (await a.store.getIndex(asDocId(id)))?.status === "in-review", 5000, "in review");
    // The agency's receipt for the 陳核 is one more stored update, written after the index row: count
    // once it is in (it is stored before it is relayed to the live copy), or it lands mid-test.
    await until(() => doc.rawReceipts().size > 0, 5000, "receipt of the submission");
    const count = await settledCount(id);
    const outsider = await editSubject(id, "personnel", "會辦單位先改");
    await until(() => outsider.refused().length > 0, 5000, "refusal");
    expect(outsider.refused()[0]?.code).toBe("update.content-editor");
    const officer = await editSubject(id, "officer", "承辦人陳核後再改");
    await until(() => officer.refused().length > 0, 5000, "refusal");
    expect(officer.refused()[0]?.code).toBe("update.content-editor");
    expect(await storedCount(id)).toBe(count);
    const holder = await editSubject(id, "chief", "科長修改的主旨");
    await until(async () => (await storedCount(id)) > count, 5000, "holder's 修改 stored");
    expect(holder.refused()).toEqual([]);
    await until(() => doc.subject() === "科長修改的主旨", 5000, "修改 relayed");
    // The holder signs their version: the diff attributes the 修改 to them.
    await signAs(a, doc, "chief", { action: { kind: "approve" }, step: asStepId("review"), opinion: "修改後核稿" });
    for (const c of [outsider, officer, holder]) c.close();
    p.destroy();
  });
});
