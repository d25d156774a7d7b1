// The batch sync against a scripted server, on fake-indexeddb: the index merge keeps what only this
// device knows, queued changes are sent and cleared (or kept with the server's reason), downloads
// land in the persisted Y.Doc, and denied documents become metadata-only.
import "fake-indexeddb/auto";
import { describe, expect, it, vi } from "vitest";
import * as Y from "yjs";
import { CountersignDocument, asAgencyCode, asDocId, asPersonId, asUnitId, fromBase64, toBase64, type Metadata } from "@countersign/crdt-model";
import type { BatchRequest, BatchResponse, ServerIndexRow } from "$lib/api/types.ts";
import { LocalStore } from "./local-store.ts";
import { pushOnce, syncOnce, type Api, type SyncProgress } from "./sync.ts";

const meta: Metadata = {
  kind: "memo",
  speed: "most-urgent",
  secrecy: "none",
  dueDate: "2026-11-30",
  docNumber: "示教學字第1150001000號",
  receiptNumber: null,
  agency: asAgencyCode("A-DEMO"),
  unit: asUnitId("U-STU"),
  caseOfficer: asPersonId("chen"),
  retention: "10",
  category: "學務",
};

const row = (doc: string, o: Partial<ServerIndexRow> = {}): ServerIndexRow => ({
  doc: asDocId(doc),
  kind: "memo",
  subject: "主旨",
  status: "draft",
  secrecy: "none",
  unit: "U-STU",
  caseOfficer: "chen",
  dueDate: "2026-11-30",
  participants: ["person:chen"],
  holders: ["person:chen"],
  updatedAt: "2026-11-20T00:00:00.000Z",
  ...o,
});

/** A scripted agency server: the index, the documents it holds, and the requests it saw. */
function fakeServer(
  index: ServerIndexRow[],
  docs: Map<string, Y.Doc>,
  opts: { refuse?: string; deny?: string[]; pageSize?: number; failAfter?: string; inbox?: ServerIndexRow[] } = {},
) {
  const requests: BatchRequest[] = [];
  const listings: string[] = [];
  const api: Api = async <T>(path: string, o?: { body?: unknown }): Promise<T> => {
    const url = new URL(path, "http://server");
    if (url.pathname === "/api/docs" || url.pathname === "/api/inbox") {
      listings.push(path);
      const all = url.pathname === "/api/inbox" && opts.inbox ? opts.inbox : index;
      // Without a page size: the old response shape, one listing without `next`.
      if (!opts.pageSize) return { docs: all } as T;
      const after = url.searchParams.get("after") ?? "";
      if (opts.failAfter !== undefined && after === opts.failAfter) throw new Error("The connection dropped.");
      const rows = all.filter((r) => r.doc > after).sort((a, b) => (a.doc < b.doc ? -1 : 1)).slice(0, opts.pageSize);
      return { docs: rows, next: rows.length === opts.pageSize ? rows.at(-1)!.doc : null } as T;
    }
    if (path === "/api/delegation") return { delegation: null } as T;
    if (path === "/api/units") return { units: [{ id: "U-STU", name: "學務管理科" }] } as T;
    if (path !== "/api/sync") throw new Error(path);
    const req = o!.body as BatchRequest;
    requests.push(req);
    const res: BatchResponse = { v: 1, pushed: [], docs: [], denied: (opts.deny ?? []).map(asDocId) };
    for (const p of req.push) {
      if (p.doc === opts.refuse) res.pushed.push({ doc: asDocId(p.doc), ok: false, code: "update.decided", reason: "The document is decided; its content may not change." });
      else {
        Y.applyUpdate(docs.get(p.doc)!, fromBase64(p.update));
        res.pushed.push({ doc: asDocId(p.doc), ok: true });
      }
    }
    for (const h of req.have) {
      const d = docs.get(h.doc);
      if (!d || opts.deny?.includes(h.doc)) continue;
      const diff = Y.encodeStateAsUpdate(d, fromBase64(h.sv));
      const decoded = Y.decodeUpdate(diff);
      if (decoded.structs.length) res.docs.push({ doc: asDocId(h.doc), update: toBase64(diff) });
    }
    return res as T;
  };
  return { api, requests, listings };
}

function serverDoc(id: string): Y.Doc {
  const created = CountersignDocument.create({ id: asDocId(id), metadata: meta, subject: "有關學生獎懲一案" });
  if (!created.ok) throw new Error(created.reason);
  const y = new Y.Doc();
  Y.applyUpdate(y, created.value.encodeState());
  return y;
}

let n = 0;
const freshStore = () => new LocalStore("A-DEMO", `p${++n}`);

describe("batch sync", () => {
  it("downloads documents into their persisted copy and learns 速別 and 文號 for the index", async () => {
    const store = freshStore();
    const server = fakeServer([row("d1")], new Map([["d1", serverDoc("d1")]]));
    expect(await syncOnce(store, server.api)).toEqual({ pushed: 0, pulled: 1, refused: [] });
    const r = await store.db.docs.get("d1");
    expect(r).toMatchObject({ speed: "most-urgent", docNumber: "示教學字第1150001000號", subject: "有關學生獎懲一案", access: "edit" });
    expect(r!.sv).not.toBeNull();
    expect(await store.unitNames()).toEqual({ "U-STU": "學務管理科" });

    // Nothing new on the server: the second sync asks with our state vector and downloads nothing.
    expect((await syncOnce(store, server.api)).pulled).toBe(0);
    expect(server.requests[1]!.have).toEqual([{ doc: "d1", sv: r!.sv }]);

    // The persisted copy reopens with the content.
    const local = store.openDoc("d1");
    await local.ready;
    expect(local.doc.subject()).toBe("有關學生獎懲一案");
    await local.release();
  });

  it("indexes a batch of downloads in one write, and a sync that brings nothing new rewrites no index row", async () => {
    const store = freshStore();
    const ids = ["d1", "d2", "d3"];
    // The server's index says what its copies say (as the real one does).
    const server = fakeServer(ids.map((id) => row(id, { subject: "有關學生獎懲一案" })), new Map(ids.map((id) => [id, serverDoc(id)])));
    const bulkPut = vi.spyOn(store.db.docs, "bulkPut");
    const put = vi.spyOn(store.db.docs, "put");
    expect((await syncOnce(store, server.api)).pulled).toBe(3);
    // The index rows as listed, then the three downloads' 速別, 文號 and state vectors together.
    expect(bulkPut.mock.calls.map(([rows]) => rows.length)).toEqual([3, 3]);
    expect((await store.db.docs.toArray()).every((r) => r.sv !== null && r.speed === "most-urgent")).toBe(true);
    await syncOnce(store, server.api);
    expect(bulkPut).toHaveBeenCalledTimes(2);
    expect(put).not.toHaveBeenCalled();
  });

  it("sends changes made here, clears them once acknowledged, and keeps refused ones with the reason", async () => {
    const store = freshStore();
    const docs = new Map([["d1", serverDoc("d1")], ["d2", serverDoc("d2")]]);
    const first = fakeServer([row("d1"), row("d2")], docs);
    await syncOnce(store, first.api);

    for (const id of ["d1", "d2"]) {
      const local = store.openDoc(id);
      await local.ready;
      local.doc.setSubject(`改過的主旨 ${id}`);
      await local.release();
    }
    await expect.poll(() => store.db.pending.count()).toBe(2);

    const second = fakeServer([row("d1"), row("d2")], docs, { refuse: "d2" });
    const report = await syncOnce(store, second.api);
    expect(report.pushed).toBe(1);
    expect(report.refused).toEqual([{ doc: "d2", code: "update.decided", reason: "The document is decided; its content may not change." }]);
    expect(CountersignDocument.wrap(docs.get("d1")!).subject()).toBe("改過的主旨 d1");
    const left = await store.db.pending.toArray();
    expect(left.map((p) => [p.doc, p.refused])).toEqual([["d2", "The document is decided; its content may not change."]]);
    // A refused change is not sent again on its own: the user decides what to do with it.
    await syncOnce(store, second.api);
    expect(second.requests.at(-1)!.push).toEqual([]);
  });

  it("a document the server denies becomes metadata-only, until its index row changes", async () => {
    const store = freshStore();
    const docs = new Map([["d1", serverDoc("d1")]]);
    await syncOnce(store, fakeServer([row("d1")], docs, { deny: ["d1"] }).api);
    expect((await store.db.docs.get("d1"))!.access).toBe("metadata");
    const again = fakeServer([row("d1")], docs);
    await syncOnce(store, again.api);
    expect(again.requests).toEqual([]); // nothing to send, nothing to ask for
    await syncOnce(store, fakeServer([row("d1", { updatedAt: "2026-11-21T00:00:00.000Z" })], docs).api);
    expect((await store.db.docs.get("d1"))!.access).toBe("edit");
  });

  it("drops documents the server no longer lists for us, unless they hold unsent changes", async () => {
    const store = freshStore();
    const docs = new Map([["d1", serverDoc("d1")], ["d2", serverDoc("d2")]]);
    await syncOnce(store, fakeServer([row("d1"), row("d2")], docs).api);
    await store.db.pending.add({ doc: "d2", update: new Uint8Array([0, 0]), at: "", refused: "kept" });
    await syncOnce(store, fakeServer([], docs).api);
    expect((await store.db.docs.toArray()).map((r) => r.doc)).toEqual(["d2"]);
  });
});

describe("a listing read in pages", () => {
  const ids = Array.from({ length: 7 }, (_, i) => `d${i}`);
  const docsOf = (list: string[]) => new Map(list.map((id) => [id, serverDoc(id)]));

  it("reads every page of both listings and keeps the documents past the first page", async () => {
    const store = freshStore();
    const server = fakeServer(ids.map((id) => row(id)), docsOf(ids), { pageSize: 3, inbox: [row("d6", { status: "in-review", updatedAt: "2026-11-21T00:00:00.000Z" })] });
    const progress: SyncProgress[] = [];
    expect((await syncOnce(store, server.api, (p) => progress.push(p))).pulled).toBe(7);
    expect((await store.db.docs.toCollection().primaryKeys()).sort()).toEqual(ids);
    // The newer row of a document both listings hold wins, whichever page came last.
    expect((await store.db.docs.get("d6"))!.status).toBe("in-review");
    expect(server.listings).toEqual(expect.arrayContaining(["/api/docs", "/api/docs?after=d2", "/api/docs?after=d5", "/api/inbox"]));
    expect(progress.at(-1)).toEqual({ listed: 7, pulled: 7, asked: 7 });

    // Reconnecting: every page is read again and nothing is dropped.
    await syncOnce(store, server.api);
    expect(await store.db.docs.count()).toBe(7);
  });

  it("a listing that fails part-way removes no local row, and the sync says it failed", async () => {
    const store = freshStore();
    const docs = docsOf(ids);
    await syncOnce(store, fakeServer(ids.map((id) => row(id)), docs, { pageSize: 3 }).api);
    // The server now lists only the first page before the connection drops.
    const broken = fakeServer(ids.slice(0, 3).map((id) => row(id)), docs, { pageSize: 3, failAfter: "d2" });
    await expect(syncOnce(store, broken.api)).rejects.toThrow("The connection dropped.");
    expect(await store.db.docs.count()).toBe(7);
  });

  it("drops a document only once a complete listing, every page read, no longer holds it", async () => {
    const store = freshStore();
    const docs = docsOf(ids);
    await syncOnce(store, fakeServer(ids.map((id) => row(id)), docs, { pageSize: 3 }).api);
    const left = ids.filter((id) => id !== "d4");
    await syncOnce(store, fakeServer(left.map((id) => row(id)), docs, { pageSize: 3 }).api);
    expect((await store.db.docs.toCollection().primaryKeys()).sort()).toEqual(left);
  });

  it("stops reading a listing whose server repeats a page, and removes nothing", async () => {
    const store = freshStore();
    const docs = docsOf(ids);
    await syncOnce(store, fakeServer(ids.map((id) => row(id)), docs).api);
    const looping: Api = async <T>(path: string): Promise<T> => {
      if (path.startsWith("/api/docs") || path.startsWith("/api/inbox")) return { docs: [row("d0")], next: "d0" } as T;
      if (path === "/api/delegation") return { delegation: null } as T;
      return { units: [] } as T;
    };
    await expect(syncOnce(store, looping)).rejects.toThrow("repeated a page");
    expect(await store.db.docs.count()).toBe(7);
  });
});

describe("one send path", () => {
  it("pushOnce sends the queue alone (no listing, no state vectors) and leaves out what a live connection is sending", async () => {
    const store = freshStore();
    const docs = new Map([["d1", serverDoc("d1")], ["d2", serverDoc("d2")]]);
    const server = fakeServer([row("d1"), row("d2")], docs);
    await syncOnce(store, server.api);
    for (const id of ["d1", "d2"]) {
      const local = store.openDoc(id);
      await local.ready;
      local.doc.setSubject(`改 ${id}`);
      await local.release();
    }
    server.listings.length = 0;
    server.requests.length = 0;
    const report = await pushOnce(store, server.api, { sentLive: (doc) => doc === "d2" });
    expect(report.pushed).toBe(1);
    expect(server.listings).toEqual([]);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.push.map((p) => p.doc)).toEqual(["d1"]);
    expect(server.requests[0]!.have).toEqual([]);
    // d2's change waits for the relay's acknowledgement, still queued.
    expect((await store.db.pending.toArray()).map((p) => p.doc)).toEqual(["d2"]);
    expect(await pushOnce(store, server.api, { sentLive: (doc) => doc === "d2" })).toEqual({ pushed: 0, pulled: 0, refused: [] });
    expect(server.requests).toHaveLength(1); // nothing to send: no request at all
  });
});
