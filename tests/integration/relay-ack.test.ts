// The relay's acknowledgement of live updates (contract protocol.ts, RELAY_ACK_MESSAGE) with the
// app's own local store and live-ack tracker on fake-indexeddb, against a real agency server; and the
// incremental listings (?since=) the app's sync reads.
import "fake-indexeddb/auto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { WebsocketProvider } from "y-websocket";
import { CountersignDocument, asDocId } from "@countersign/crdt-model";
import { RELAY_ACK_MESSAGE } from "@countersign/contract";
import { must, provider, startAgency, testMetadata, until, CODE, type RunningAgency } from "./support/agency-server.ts";
import { LocalStore } from "../../src/lib/local/local-store.ts";
import { markRemote } from "../../src/lib/local/ydoc-store.ts";
import { LiveAcks } from "../../src/lib/sync/live-ack.ts";
import { fetchTicket, ticketedWebSocket } from "../../src/lib/sync/ticket-socket.ts";
import { syncOnce, type Api } from "../../src/lib/local/sync.ts";

let a: RunningAgency;
beforeAll(async () => {
  a = await startAgency();
});
afterAll(async () => {
  await a?.stop();
});

const http = () => a.ws.replace(/^ws/, "http").replace(/\/sync$/, "");

describe("the relay acknowledges live updates to a client that asks", () => {
  it("a change queued here leaves the queue when the relay acknowledges it (the creation in sync step 2, then a typed edit), and nothing is acknowledged twice", async () => {
    const store = new LocalStore(CODE, "P-officer");
    const id = `ack-${Date.now()}`;
    const local = store.openDoc(id);
    await local.ready;
    const created = must(CountersignDocument.create({ id: asDocId(id), metadata: testMetadata(), subject: "確認主旨", plan: a.plan() }));
    must(local.doc.applyUpdate(created.encodeState()));
    await store.settled();
    expect(await store.db.pending.count()).toBe(1);

    const accepted: string[] = [];
    const acks = new LiveAcks((f) => {
      accepted.push(f.kind);
      void store.acknowledgeLive(id, f);
    });
    const Socket = acks.wrap(ticketedWebSocket(WebSocket as never, () => fetchTicket(http(), a.people.officer.token)));
    const p = new WebsocketProvider(a.ws, id, local.ydoc, { WebSocketPolyfill: Socket as unknown as typeof globalThis.WebSocket, disableBc: true, params: { ack: "1" } });
    p.messageHandlers[RELAY_ACK_MESSAGE] = acks.handler;
    markRemote(p); // what the relay sends is not queued (as the document page does)
    try {
      await until(async () => (await store.db.pending.count()) === 0, 10_000, "the creation acknowledged");
      expect(accepted).toEqual(["full"]);
      expect(await a.store.getIndex(asDocId(id))).toBeDefined();

      local.doc.setSubject("確認主旨（修正）");
      await store.settled();
      expect(await store.db.pending.count()).toBe(1);
      await until(async () => (await store.db.pending.count()) === 0, 10_000, "the edit acknowledged");
      expect(accepted).toEqual(["full", "update"]);
    } finally {
      p.destroy();
      await local.release();
      await store.close();
    }
  });

  it("the stock y-websocket client (no ?ack=1) never receives an acknowledgement", async () => {
    const id = `ack-stock-${Date.now()}`;
    const created = must(CountersignDocument.create({ id: asDocId(id), metadata: testMetadata(), subject: "主旨", plan: a.plan() }));
    const p = provider(a, id, a.people.officer.token, created.ydoc);
    let unknown = 0;
    p.messageHandlers[RELAY_ACK_MESSAGE] = () => void unknown++;
    try {
      await until(() => p.synced, 10_000, "synced");
      await until(async () => (await a.store.getIndex(asDocId(id))) !== undefined, 10_000, "index row");
      created.setSubject("主旨二");
      await until(async () => (await a.store.getIndex(asDocId(id)))?.subject === "主旨二", 20_000, "edit indexed");
      expect(unknown).toBe(0);
    } finally {
      p.destroy();
    }
  });
});

describe("incremental listings", () => {
  const get = async <T>(path: string, token = a.people.officer.token): Promise<T> => {
    const res = await fetch(`${http()}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };
  type Page = { docs: { doc: string; updatedAt: string }[]; next: string | null; cursor?: string; removed?: string[] };

  it("?since= lists only what was indexed since the cursor, and says which of those left the caller's scope", async () => {
    const first = await get<Page>("/api/docs");
    expect(first.cursor).toMatch(/^\d{4}-\d\d-\d\dT/);
    const base = { kind: "memo", subject: "s", status: "in-review", secrecy: "none", unit: null, caseOfficer: null, dueDate: null };
    const old = "2020-01-01T00:00:00.000Z";
    const now = new Date().toISOString();
    await a.store.putIndexes([
      { ...base, doc: asDocId("since-old"), participants: ["person:P-officer"], holders: [], updatedAt: old },
      { ...base, doc: asDocId("since-new"), participants: ["person:P-officer"], holders: ["person:P-officer"], updatedAt: now },
      { ...base, doc: asDocId("since-gone"), participants: ["person:P-chief"], holders: ["person:P-chief"], updatedAt: now, secrecy: "secret" },
    ] as never);
    const since = await get<Page>(`/api/docs?since=${encodeURIComponent(first.cursor!)}`);
    const listed = since.docs.map((d) => d.doc);
    expect(listed).toContain("since-new");
    expect(listed).not.toContain("since-old");
    expect(since.removed).toContain("since-gone");
    expect(since.removed).not.toContain("since-new");
    const inbox = await get<Page>(`/api/inbox?since=${encodeURIComponent(first.cursor!)}`);
    expect(inbox.docs.map((d) => d.doc)).toContain("since-new");
  });

  it("the app's sync lists the whole scope first, then only what changed, and drops what the server says left", async () => {
    const store = new LocalStore(CODE, `P-officer-${Date.now()}`);
    const paths: string[] = [];
    const api: Api = async <T>(path: string, o?: { body?: unknown }): Promise<T> => {
      paths.push(path);
      const res = await fetch(`${http()}${path}`, {
        method: o?.body === undefined ? "GET" : "POST",
        headers: { authorization: `Bearer ${a.people.officer.token}`, "content-type": "application/json" },
        body: o?.body === undefined ? undefined : JSON.stringify(o.body),
      });
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
      return (await res.json()) as T;
    };
    await syncOnce(store, api, { full: false });
    expect(paths.filter((p) => p.startsWith("/api/docs")).every((p) => !p.includes("since="))).toBe(true);
    expect(await store.db.docs.get("since-old")).toBeDefined();
    // since-old leaves the officer's scope now (indexed now, naming someone else).
    const row = (await a.store.getIndex(asDocId("since-old")))!;
    await a.store.putIndex({ ...row, participants: ["person:P-chief"], holders: ["person:P-chief"], secrecy: "secret", updatedAt: new Date().toISOString() });
    paths.length = 0;
    await syncOnce(store, api, { full: false });
    expect(paths.filter((p) => p.startsWith("/api/docs") || p.startsWith("/api/inbox")).every((p) => p.includes("since="))).toBe(true);
    expect(await store.db.docs.get("since-old")).toBeUndefined();
    expect(await store.db.docs.get("since-new")).toBeDefined();
    await store.close();
  });
});
