// Index rows derived on the device (local-rows.ts): a signature made offline moves the document in
// the inbox at once, the server's older row does not undo it while the change waits, and a big sync
// derives only the documents that hold changes of ours. On fake-indexeddb (the cost below is the
// derivation's, CPU: not a storage measurement).
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { SAMPLE_STEPS, VerifyCache, act, createSampleAgency, createSampleDocument, derive, indexRowOf, sampleTrust, signAction, asDocId, type IndexRow } from "@countersign/crdt-model";
import type { ServerIndexRow } from "$lib/api/types.ts";
import { classify, type Viewer } from "$lib/inbox/classify.ts";
import { LocalStore } from "./local-store.ts";
import { rowDeriver } from "./local-rows.ts";

let n = 0;
const agency = await createSampleAgency();
const trust = sampleTrust(agency);
const pem = agency.ca.cert.toString("pem");
const deriver = (store: LocalStore, cache?: VerifyCache) =>
  rowDeriver({ agency: agency.ca.agency, ca: () => pem, tables: async () => ({ delegation: [agency.delegation], deputies: agency.deputies ? [agency.deputies] : [] }), cache: cache ?? new VerifyCache() });

/** A 簽 waiting on the director's 決行 (submitted, reviewed, countersigned), and the server's row of it. */
async function atDecision(id: string) {
  const doc = createSampleDocument(agency, asDocId(id));
  const cache = new VerifyCache();
  await act(doc, agency.officer, trust, { action: { kind: "submit" }, step: null, opinion: "陳請核示。" }, cache);
  await act(doc, agency.chief, trust, { action: { kind: "approve" }, step: SAMPLE_STEPS.review, opinion: "擬陳。" }, cache);
  await act(doc, agency.personnel, trust, { action: { kind: "countersign" }, step: SAMPLE_STEPS.personnel, opinion: "敬會。" }, cache);
  await act(doc, agency.accounting, trust, { action: { kind: "countersign" }, step: SAMPLE_STEPS.accounting, opinion: "敬會。" }, cache);
  const row: IndexRow = indexRowOf(doc, await derive(doc, trust, { cache }), new Date("2026-12-01T00:00:00Z"));
  return { doc, row: { ...row, docNumber: "南市教學字第1150009999號" } as ServerIndexRow };
}

const director = (): Viewer => ({ person: agency.director.profile.person, unit: "U-HEAD", agency: agency.ca.agency, roles: [] });

describe("index rows derived on the device", () => {
  it("an offline 決行 moves the document to 已辦 at once; the server's older row does not undo it until the change is acknowledged", async () => {
    const store = new LocalStore(agency.ca.agency, `director${++n}`);
    store.deriveRow = deriver(store);
    const { doc: server, row } = await atDecision("d-decide");
    await store.mergeIndex([row]);
    await store.applyManyFromServer([{ doc: "d-decide", update: server.encodeState() }]);
    const before = classify(await store.db.docs.toArray(), director(), "2026-12-01");
    expect(before.todo.map((r) => r.doc)).toEqual(["d-decide"]);
    expect(before.done).toEqual([]);

    // Offline: the director decides on the device's copy.
    const local = store.openDoc("d-decide");
    await local.ready;
    const state = await derive(local.doc, trust);
    const signed = await signAction(local.doc, agency.director, state.heads, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, opinion: "如擬。" });
    expect(signed.ok).toBe(true);
    await store.settled();
    await store.derived();
    const after = await store.db.docs.get("d-decide");
    // Decided: it waits on its case officer now (to dispatch), no longer on the director.
    expect(after).toMatchObject({ status: "decided", holders: [`person:${agency.officer.profile.person}`], docNumber: "南市教學字第1150009999號" });
    expect(after?.derivedAt).toBeTruthy();
    const tabs = classify(await store.db.docs.toArray(), director(), "2026-12-01");
    expect(tabs.done.map((r) => r.doc)).toEqual(["d-decide"]);
    expect(tabs.todo).toEqual([]);

    // A page closed before its derivation ran left the server's row: the next start derives it.
    await store.db.docs.put({ ...row, speed: null, docNumber: row.docNumber ?? null, sv: null, access: "edit" });
    const reopened = new LocalStore(agency.ca.agency, store.person);
    reopened.deriveRow = deriver(reopened);
    expect(await reopened.rederivePending()).toBe(1);
    expect((await reopened.db.docs.get("d-decide"))?.status).toBe("decided");
    await reopened.close();

    // A listing read before the server has the 決行: the local derivation stands while it waits.
    await store.mergeIndex([{ ...row, updatedAt: "2026-12-01T00:01:00.000Z" }]);
    expect((await store.db.docs.get("d-decide"))?.status).toBe("decided");

    // Acknowledged (the queue is empty): the server's row, with the 決行, is taken as it is.
    await store.db.pending.clear();
    const serverAfter = indexRowOf(local.doc, await derive(local.doc, trust), new Date());
    await store.mergeIndex([{ ...serverAfter, docNumber: "南市教學字第1150009999號" } as ServerIndexRow]);
    const final = await store.db.docs.get("d-decide");
    expect(final?.status).toBe("decided");
    expect(final?.derivedAt).toBeUndefined();
    await local.release();
    await store.close();
  });

  it("a text edit derives nothing (it moves no workflow field); a signature does", async () => {
    const store = new LocalStore(agency.ca.agency, `text${++n}`);
    let derivations = 0;
    const inner = deriver(store);
    store.deriveRow = async (d) => (derivations++, inner(d));
    const { doc: server } = await atDecision("d-text");
    await store.applyManyFromServer([{ doc: "d-text", update: server.encodeState() }]);
    const local = store.openDoc("d-text");
    await local.ready;
    local.doc.setSubject(`${local.doc.subject()}（修正）`);
    await store.settled();
    await store.derived();
    expect(derivations).toBe(0);
    expect((await store.db.pending.toArray()).map((p) => p.text)).toEqual([true]);
    expect(await store.rederivePending()).toBe(0);
    const state = await derive(local.doc, trust);
    expect((await signAction(local.doc, agency.director, state.heads, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, opinion: "如擬。" })).ok).toBe(true);
    await store.settled();
    await store.derived();
    expect(derivations).toBe(1);
    await local.release();
    await store.close();
  });

  it("a sync of 1,000 changed documents derives only those holding changes of ours (cost measured)", { timeout: 120_000 }, async () => {
    const store = new LocalStore(agency.ca.agency, `bulk${++n}`);
    let derivations = 0;
    const inner = deriver(store);
    store.deriveRow = async (d) => {
      derivations++;
      return inner(d);
    };
    const { doc } = await atDecision("d-template");
    // 1,000 documents (the same signed content under 1,000 keys: the store keys by id, the derivation reads the content).
    const bytes = doc.encodeState();
    const ids = Array.from({ length: 1000 }, (_, i) => `bulk-${i}`);
    await store.applyManyFromServer(ids.map((id) => ({ doc: id, update: bytes })));
    expect(derivations).toBe(0);

    // The server sends a change to each of them (a receipt-sized edit under another client).
    const change = (i: number) => {
      const y = new Y.Doc();
      Y.applyUpdate(y, bytes);
      const sv = Y.encodeStateVector(y);
      y.getMap("receipts").set(`r${i}`, "x");
      return Y.encodeStateAsUpdate(y, sv);
    };
    let t = performance.now();
    await store.applyManyFromServer(ids.map((id, i) => ({ doc: id, update: change(i) })));
    const noneOurs = performance.now() - t;
    expect(derivations).toBe(0);

    // 100 of them hold a change of ours: those alone are derived (no verify cache: every signature
    // checked; all 1,000 took 33 s here on the loaded 2-core machine, ~30 ms each: why only these).
    const ours = ids.slice(0, 100);
    await store.db.pending.bulkAdd(ours.map((id) => ({ doc: id, update: new Uint8Array([0, 0]), at: new Date().toISOString() })));
    t = performance.now();
    await store.applyManyFromServer(ids.map((id, i) => ({ doc: id, update: change(i + 1000) })));
    const allOurs = performance.now() - t;
    expect(derivations).toBe(100);
    expect((await store.db.docs.get("bulk-7"))?.derivedAt).toBeTruthy();
    expect((await store.db.docs.get("bulk-700"))?.derivedAt).toBeUndefined();
    console.log(`applyManyFromServer, 1,000 changed documents: ${noneOurs.toFixed(0)} ms deriving none; ${allOurs.toFixed(0)} ms deriving the 100 holding changes of ours (fresh verify cache)`);
    await store.close();
  });
});
