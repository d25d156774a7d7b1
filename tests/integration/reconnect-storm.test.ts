import { afterAll, describe, expect, it } from "vitest";
import type { ChildProcess } from "node:child_process";
import { WebSocket } from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { CountersignDocument, asDocId, asPersonId, asStepId, toBase64, type RoutingPlan } from "@countersign/crdt-model";
import { attachJitteredReconnect, providerOptions } from "../../src/lib/sync/reconnect.ts";
import { fetchTicket, ticketedWebSocket } from "../../src/lib/sync/ticket-socket.ts";
import { loginOverHttp, must, testMetadata, until, type Who } from "./support/agency-server.ts";
import { freePort, preparedDataDir, serveProcess } from "./support/serve-process.ts";

// 500 clients dropped at once (the server is killed) reconnect with the jittered back-off the app
// uses, and the restarted server takes them all without falling over.
const CLIENTS = Number(process.env.STORM_CLIENTS ?? 500);
const DOCS = 50;

let server: ChildProcess | undefined;
afterAll(() => server?.kill("SIGKILL"));

const meta = testMetadata();
const plan: RoutingPlan = {
  v: 1,
  stages: [
    { kind: "single", step: { id: asStepId("review"), type: "review", assignee: { kind: "person", person: asPersonId("P-chief") } } },
    { kind: "single", step: { id: asStepId("decide"), type: "decide", assignee: { kind: "person", person: asPersonId("P-director") } } },
  ],
  decisionLevel: 5,
  deputies: [],
};

describe("reconnect storm", () => {
  it(`${CLIENTS} clients dropped at once all reconnect, spread out by jitter, and the server keeps serving`, async () => {
    const { dir, people } = await preparedDataDir();
    const port = await freePort();
    server = await serveProcess(dir, port);
    const http = `http://127.0.0.1:${port}`;
    const who: Who[] = ["officer", "chief", "director"];
    const tokens = await Promise.all(who.map((w) => loginOverHttp(http, people[w])));
    const push = [];
    for (let i = 0; i < DOCS; i++) {
      const d = must(CountersignDocument.create({ id: asDocId(`storm-${i}`), metadata: meta, subject: `第${i}件`, plan }));
      push.push({ doc: `storm-${i}`, update: toBase64(d.encodeState()) });
    }
    const res = await fetch(`${http}/api/sync`, { method: "POST", headers: { authorization: `Bearer ${tokens[0]}` }, body: JSON.stringify({ v: 1, push }) });
    expect(res.status).toBe(200);

    const clients = Array.from({ length: CLIENTS }, (_, i) => {
      const p = new WebsocketProvider(`ws://127.0.0.1:${port}/sync`, `storm-${i % DOCS}`, new Y.Doc(), {
        // The app's own ticket socket: every reconnection asks for a fresh single-use ticket.
        WebSocketPolyfill: ticketedWebSocket(WebSocket as never, () => fetchTicket(http, tokens[i % tokens.length]!)) as unknown as typeof globalThis.WebSocket,
        disableBc: true,
        ...providerOptions,
      });
      attachJitteredReconnect(p, { baseMs: 250, maxMs: 4000 });
      return p;
    });
    await until(() => clients.every((c) => c.synced), 60_000, "all clients synced");

    server.kill("SIGKILL");
    await new Promise((r) => server!.once("exit", r));
    await until(() => clients.every((c) => !c.wsconnected), 20_000, "all clients dropped");
    const restarted = Date.now();
    const back: number[] = [];
    for (const c of clients) c.once("sync", (s: boolean) => s && back.push(Date.now() - restarted));
    server = await serveProcess(dir, port);
    await until(() => clients.every((c) => c.synced), 60_000, "all clients back");

    back.sort((x, y) => x - y);
    const spread = back[back.length - 1]! - back[0]!;
    console.log(JSON.stringify({ clients: CLIENTS, firstBackMs: back[0], medianBackMs: back[back.length >> 1], lastBackMs: back[back.length - 1], spreadMs: spread }));
    expect(back).toHaveLength(CLIENTS);
    expect(spread).toBeGreaterThan(500); // jitter spreads the reconnections out

    // Still serving: an edit on one client reaches another client of the same document.
    const [x, y] = [clients[0]!, clients[DOCS]!];
    CountersignDocument.wrap(x.doc).insertSubject(0, "【補正】");
    await until(() => CountersignDocument.wrap(y.doc).subject().startsWith("【補正】"), 10_000, "edit after the storm");
    expect((await fetch(`${http}/healthz`)).status).toBe(200);

    for (const c of clients) c.destroy();
    // Graceful shutdown: SIGTERM stops the process cleanly.
    const exited = new Promise<number | null>((r) => server!.once("exit", (code) => r(code)));
    server.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 180_000);
});
