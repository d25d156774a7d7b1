import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import * as encoding from "lib0/encoding";
import { startAgency, syncUrl, type RunningAgency } from "./support/agency-server.ts";
import { refusalsIn, refusedIn } from "./support/raw-client.ts";

// Bad input at the relay: a clear refusal, a counter in the metrics, the process keeps serving,
// nothing stored.

let a: RunningAgency;
beforeAll(async () => {
  a = await startAgency({ frame: 64 * 1024 });
});
afterAll(async () => {
  await a?.stop();
});

async function open(doc: string, token: string | null): Promise<{ ws: WebSocket; frames: Uint8Array[]; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(await syncUrl(a.ws, doc, token));
  const frames: Uint8Array[] = [];
  ws.on("message", (d) => frames.push(new Uint8Array(d as Buffer)));
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.on("close", (code, reason) => r({ code, reason: reason.toString() })));
  return new Promise((resolve, reject) => {
    ws.on("open", () => resolve({ ws, frames, closed }));
    ws.on("error", reject);
  });
}


async function settle(ms = 150): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

async function metric(cls: string): Promise<number> {
  const text = await (await fetch(`${a.http}/metrics`)).text();
  return Number(new RegExp(`countersign_refusals_total\\{class="${cls}"\\} (\\d+)`).exec(text)?.[1] ?? "0");
}

describe("bad input at the relay", () => {
  it("Unknown message type … — a garbage frame is refused, counted, and the connection keeps working", async () => {
    const before = await metric("malformed-frame");
    const { ws, frames } = await open("bad-frames", a.people.officer.token);
    ws.send(new Uint8Array([99, 1, 2, 3]));
    ws.send(new Uint8Array([0])); // a sync message cut short
    await settle();
    // The permission-denied text is the v1 JSON: the code the app decides by, the sentence for people.
    expect(refusedIn(frames)).toEqual([
      { code: "relay.frame", reason: "Unknown message type 99." },
      { code: "relay.frame", reason: "The frame is truncated or malformed." },
    ]);
    expect(await metric("malformed-frame")).toBe(before + 2);
    // Still serving this connection: a sync step 1 is answered with a step 2.
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint8Array(e, new Uint8Array([0]));
    const n = frames.length;
    ws.send(encoding.toUint8Array(e));
    await settle();
    expect(frames.length).toBeGreaterThan(n);
    ws.close();
  });

  it("The update is malformed: … — a garbled update is refused and nothing is stored", async () => {
    const { ws, frames } = await open("bad-update", a.people.officer.token);
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, 2);
    encoding.writeVarUint8Array(e, new Uint8Array([1, 200, 3, 4, 5, 6, 7]));
    ws.send(encoding.toUint8Array(e));
    await settle();
    expect(refusalsIn(frames)[0]).toMatch(/^The update is malformed: /);
    expect(refusedIn(frames)[0]?.code).toBe("update.malformed");
    expect(await a.store.readUpdates("bad-update" as never)).toEqual([]);
    ws.close();
  });

  it("an oversized frame closes the connection (1009) and the server keeps serving", async () => {
    const before = await metric("oversized");
    const { ws, closed } = await open("big-frame", a.people.officer.token);
    ws.send(new Uint8Array(128 * 1024));
    expect((await closed).code).toBe(1009);
    expect(await metric("oversized")).toBe(before + 1);
    expect((await fetch(`${a.http}/healthz`)).status).toBe(200);
  });

  it("The document id is not valid. — refused with 4403", async () => {
    const { closed } = await open("bad id with spaces", a.people.officer.token);
    expect(await closed).toEqual({ code: 4403, reason: "The document id is not valid." });
  });

  it("The ticket's signature does not verify. — a forged ticket is refused with 4401", async () => {
    const before = await metric("unauthenticated");
    const url = await syncUrl(a.ws, "any-doc", a.people.officer.token);
    const ws = new WebSocket(url.slice(0, -4) + "AAAA");
    const c = await new Promise<{ code: number; reason: string }>((r) => ws.on("close", (code, reason) => r({ code, reason: reason.toString() })));
    expect(c).toEqual({ code: 4401, reason: "The ticket's signature does not verify." });
    expect(await metric("unauthenticated")).toBe(before + 1);
  });

  it("an app announcing an older protocol than the server takes is closed with 4426 before authentication; its own protocol is taken", async () => {
    const url = await syncUrl(a.ws, "outdated-app", a.people.officer.token);
    const old = new WebSocket(`${url}&protocol=0`);
    const c = await new Promise<{ code: number; reason: string }>((r) => old.on("close", (code, reason) => r({ code, reason: reason.toString() })));
    expect(c.code).toBe(4426);
    expect(c.reason).toMatch(/^http\.outdated-client: /);
    const current = new WebSocket(`${await syncUrl(a.ws, "outdated-app", a.people.officer.token)}&protocol=1`);
    const frames: Uint8Array[] = [];
    current.on("message", (d) => frames.push(new Uint8Array(d as Buffer)));
    await new Promise((r, j) => (current.on("open", r), current.on("error", j)));
    await settle();
    expect(frames.length).toBeGreaterThan(0); // the room answered (sync step 1)
    current.close();
  });

  it("a path that is not the relay's is answered 404 on upgrade", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${a.port}/elsewhere`);
    const err = await new Promise<Error>((r) => ws.on("error", r));
    expect(err.message).toMatch(/404/);
  });
});
