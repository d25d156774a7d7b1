// Convergence across the system with the app's own local store and sync (fake-indexeddb), against a
// real agency server: 200 documents edited offline on two devices and on the server (a third client
// of the case officer, the only one who edits a draft's text), then reconciled through the app's
// batch sync. Every copy ends with the same content as the server's, and every device's index rows
// the same derived state (status, holders, participants, subject) as the server's index.
import "fake-indexeddb/auto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CountersignDocument, asDocId, toBase64 } from "@countersign/crdt-model";
import { must, startAgency, testMetadata, CODE, type RunningAgency } from "./support/agency-server.ts";
import { LocalStore } from "../../src/lib/local/local-store.ts";
import { syncOnce, type Api } from "../../src/lib/local/sync.ts";

let a: RunningAgency;
beforeAll(async () => {
  a = await startAgency();
});
afterAll(async () => {
  await a?.stop();
});

const N = 200;
const http = () => a.ws.replace(/^ws/, "http").replace(/\/sync$/, "");

function apiOf(token: string): Api {
  return async <T>(path: string, o?: { body?: unknown }): Promise<T> => {
    const res = await fetch(`${http()}${path}`, {
      method: o?.body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: o?.body === undefined ? undefined : JSON.stringify(o.body),
    });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
}

/** A device's copy of a document: its content as JSON and its state vector. */
async function copyOf(store: LocalStore, id: string) {
  const local = store.openDoc(id);
  await local.ready;
  try {
    return { subject: local.doc.subject(), body: JSON.stringify(local.doc.body("explanation")), sv: toBase64(Y.encodeStateVector(local.ydoc)) };
  } finally {
    await local.release();
  }
}

describe("convergence", () => {
  it(`${N} documents edited offline on two devices and on the server converge: same content and derived state as the server`, { timeout: 240_000 }, async () => {
    const api = apiOf(a.people.officer.token);
    const ids = Array.from({ length: N }, (_, i) => `conv-${Date.now()}-${i}`);
    // The case officer drafts them (pushed as one batch).
    const push = ids.map((id) => ({
      doc: id,
      update: toBase64(must(CountersignDocument.create({ id: asDocId(id), metadata: testMetadata(), subject: `第${id.slice(-3)}件`, plan: a.plan() })).encodeState()),
    }));
    const created = await api<{ pushed: { ok: boolean }[] }>("/api/sync", { body: { v: 1, push, have: [] } });
    expect(created.pushed.filter((p) => p.ok)).toHaveLength(N);

    // Two devices of the case officer download them.
    const one = new LocalStore(CODE, `conv-one-${Date.now()}`);
    const two = new LocalStore(CODE, `conv-two-${Date.now()}`);
    await syncOnce(one, api, { full: true });
    await syncOnce(two, api, { full: true });

    // Offline: device one adds an item to 說明, device two changes 主旨; a third client changes the
    // server's copies (another item) meanwhile.
    const edit = async (store: LocalStore, f: (d: CountersignDocument, i: number) => void) => {
      for (const [i, id] of ids.entries()) {
        const local = store.openDoc(id);
        await local.ready;
        f(local.doc, i);
        await local.release();
      }
    };
    await edit(one, (d, i) => must(d.addItem("explanation", null, `裝置一補充${i}`)));
    await edit(two, (d) => d.setSubject(`${d.subject()}（裝置二修正）`));
    const server = await api<{ docs: { doc: string; update: string }[] }>("/api/sync", { body: { v: 1, push: [], have: ids.map((doc) => ({ doc, sv: "AA==" })) } });
    const third = server.docs.map(({ doc, update }) => {
      const d = must(CountersignDocument.fromUpdate(Buffer.from(update, "base64")));
      const sv = d.stateVector();
      must(d.addItem("explanation", null, "伺服器端補充"));
      return { doc, update: toBase64(d.encodeState(sv)) };
    });
    const pushedThird = await api<{ pushed: { ok: boolean; reason?: string }[] }>("/api/sync", { body: { v: 1, push: third, have: [] } });
    expect(pushedThird.pushed.filter((p) => !p.ok)).toEqual([]);
    expect(await one.db.pending.count()).toBeGreaterThanOrEqual(N);

    // Reconciled: each device syncs (the first device again, for the second's changes).
    await syncOnce(one, api, { full: true });
    await syncOnce(two, api, { full: true });
    await syncOnce(one, api, { full: true });
    expect(await one.db.pending.count()).toBe(0);
    expect(await two.db.pending.count()).toBe(0);

    for (const id of ids) {
      const stored = await a.store.readUpdates(asDocId(id));
      const s = must(CountersignDocument.fromUpdate(Y.mergeUpdates(stored.map((u) => u.data))));
      const want = { subject: s.subject(), body: JSON.stringify(s.body("explanation")), sv: toBase64(s.stateVector()) };
      expect(want.subject).toMatch(/（裝置二修正）$/);
      expect(want.body).toContain("裝置一補充");
      expect(want.body).toContain("伺服器端補充");
      expect(await copyOf(one, id)).toEqual(want);
      expect(await copyOf(two, id)).toEqual(want);
      const row = (await a.store.getIndex(asDocId(id)))!;
      for (const store of [one, two]) {
        const mine = (await store.db.docs.get(id))!;
        expect({ status: mine.status, holders: mine.holders, participants: mine.participants, subject: mine.subject }).toEqual({
          status: row.status,
          holders: row.holders,
          participants: row.participants,
          subject: row.subject,
        });
      }
    }
    await one.close();
    await two.close();
  });

  it("a full sync that finds nothing new reads nothing: each copy is asked about with the server's seq it holds, and a deletion alone still arrives", { timeout: 120_000 }, async () => {
    const seen: { have: { doc: string; seq?: number }[]; docs: { doc: string; seq?: number }[] }[] = [];
    const plain = apiOf(a.people.officer.token);
    const api: Api = async <T>(path: string, o?: { body?: unknown }): Promise<T> => {
      const res = await plain<T>(path, o);
      if (path === "/api/sync") seen.push({ have: (o!.body as { have: { doc: string; seq?: number }[] }).have, docs: (res as { docs: { doc: string; seq?: number }[] }).docs });
      return res;
    };
    const ids = Array.from({ length: 20 }, (_, i) => `seen-${Date.now()}-${i}`);
    const push = ids.map((id) => {
      const d = must(CountersignDocument.create({ id: asDocId(id), metadata: testMetadata(), subject: `第${id.slice(-2)}件`, plan: a.plan() }));
      // A replaced subject: the document holds a deletion, which a state vector cannot show is known.
      d.setSubject(`第${id.slice(-2)}件（修正）`);
      return { doc: id, update: toBase64(d.encodeState()) };
    });
    await plain("/api/sync", { body: { v: 1, push, have: [] } });
    const device = new LocalStore(CODE, `seen-${Date.now()}`);
    await syncOnce(device, api, { full: true });
    const first = seen.flatMap((s) => s.docs).filter((d) => ids.includes(d.doc));
    expect(first).toHaveLength(ids.length);
    expect(first.every((d) => typeof d.seq === "number")).toBe(true);

    // Nothing changed: every one is asked about with its seq, and none is sent again.
    seen.length = 0;
    await syncOnce(device, api, { full: true });
    const asked = seen.flatMap((s) => s.have).filter((h) => ids.includes(h.doc));
    expect(asked).toHaveLength(ids.length);
    expect(asked.every((h) => typeof h.seq === "number")).toBe(true);
    expect(seen.flatMap((s) => s.docs).filter((d) => ids.includes(d.doc))).toEqual([]);

    // A deletion alone on the server (the state vector does not move) reaches the device.
    const target = ids[0]!;
    const server = await plain<{ docs: { doc: string; update: string }[] }>("/api/sync", { body: { v: 1, push: [], have: [{ doc: target, sv: "AA==" }] } });
    const copy = must(CountersignDocument.fromUpdate(Buffer.from(server.docs[0]!.update, "base64")));
    const before = copy.stateVector();
    const text = copy.ydoc.getText("subject");
    copy.ydoc.transact(() => text.delete(text.length - 4, 4));
    expect(toBase64(copy.stateVector())).toBe(toBase64(before));
    const deleted = await plain<{ pushed: { ok: boolean; reason?: string }[] }>("/api/sync", { body: { v: 1, push: [{ doc: target, update: toBase64(copy.encodeState(before)) }], have: [] } });
    expect(deleted.pushed[0]).toEqual({ doc: target, ok: true });
    seen.length = 0;
    await syncOnce(device, api, { full: true });
    expect(seen.flatMap((s) => s.docs).map((d) => d.doc)).toContain(target);
    expect((await copyOf(device, target)).subject).toBe(copy.subject());
    await device.close();
  });
});

