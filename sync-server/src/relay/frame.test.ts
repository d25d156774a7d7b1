import { describe, expect, it } from "vitest";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { Framed, sendFramed } from "./frame.ts";

describe("a message framed once and written to each socket", () => {
  it("arrives as the same binary messages ws sends, in order, for short, medium and long payloads", { timeout: 20_000 }, async () => {
    const server = createServer();
    const wss = new WebSocketServer({ noServer: true });
    server.on("upgrade", (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws)));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    const payloads = [new Uint8Array([1, 2, 3]), new Uint8Array(125).fill(7), new Uint8Array(126).fill(8), new Uint8Array(70_000).fill(9), new Uint8Array(0)];
    const got: Uint8Array[] = [];
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    const done = new Promise<void>((r) =>
      client.on("message", (d: Buffer, binary: boolean) => {
        expect(binary).toBe(true);
        got.push(new Uint8Array(d));
        if (got.length === payloads.length * 2) r();
      }),
    );
    const ws = await new Promise<WebSocket>((r) => wss.once("connection", r));
    for (const p of payloads) {
      sendFramed(ws, new Framed(p)); // raw
      ws.send(p); // through ws, interleaved
    }
    await done;
    expect(got).toEqual(payloads.flatMap((p) => [p, p]));
    client.close();
    wss.close();
    server.close();
  });
});
