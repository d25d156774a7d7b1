// A raw y-websocket client for relay tests: it sends whatever bytes it is given (the attacker's
// tool) and records every frame the relay sends back, decoded. Nothing of y-websocket is used, so a
// test can send frames the stock client would never send.
import { WebSocket } from "ws";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as Y from "yjs";
import { syncUrl } from "./agency-server.ts";

export interface RawClient {
  ws: WebSocket;
  /** Every binary frame received, in order. */
  frames: Uint8Array[];
  /** The close code and reason once the relay closes the connection. */
  closed: Promise<{ code: number; reason: string }>;
  send(frame: Uint8Array): void;
  /** Sends a sync step 1 with the given state vector bytes (which may be malformed). */
  syncStep1(stateVector: Uint8Array): void;
  /** Sends a Yjs update (sync message type 2, "update"). */
  update(update: Uint8Array): void;
  awareness(update: Uint8Array): void;
  /** Permission-denied reasons (the sentences) received so far. */
  refusals(): string[];
  /** The same refusals as the relay sends them: code and sentence (relay/protocol.ts refusalText). */
  refused(): WireRefusal[];
  /** The document as the relay has sent it to this client (sync step 2 and updates applied). */
  doc(): Y.Doc;
  close(): void;
}

export function syncFrame(sub: number, body: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, sub);
  encoding.writeVarUint8Array(e, body);
  return encoding.toUint8Array(e);
}

export function awarenessFrame(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

/** An awareness update as y-protocols encodes it: [count, (clientID, clock, JSON state)*]. */
export function encodeAwarenessStates(states: { client: number; clock: number; state: unknown }[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, states.length);
  for (const s of states) {
    encoding.writeVarUint(e, s.client);
    encoding.writeVarUint(e, s.clock);
    encoding.writeVarString(e, JSON.stringify(s.state));
  }
  return encoding.toUint8Array(e);
}

/** Awareness states carried by awareness frames received, last one per client wins. */
export function awarenessStatesIn(frames: Uint8Array[]): Map<number, unknown> {
  const out = new Map<number, unknown>();
  for (const f of frames) {
    const d = decoding.createDecoder(f);
    if (decoding.readVarUint(d) !== 1) continue;
    const inner = decoding.createDecoder(decoding.readVarUint8Array(d));
    const n = decoding.readVarUint(inner);
    for (let i = 0; i < n; i++) {
      const client = decoding.readVarUint(inner);
      decoding.readVarUint(inner);
      out.set(client, JSON.parse(decoding.readVarString(inner)));
    }
  }
  return out;
}

/** A relay refusal on the wire: the permission-denied text is `{"v":1,"code":…,"reason":…}`. */
export interface WireRefusal {
  code: string;
  reason: string;
}

/** Parses a permission-denied text strictly: anything but the v1 JSON fails the test that reads it. */
export function parseRefusalText(text: string): WireRefusal {
  const j = JSON.parse(text) as { v?: unknown; code?: unknown; reason?: unknown };
  if (j.v !== 1 || typeof j.code !== "string" || typeof j.reason !== "string") throw new Error(`Not a v1 relay refusal: ${text}`);
  return { code: j.code, reason: j.reason };
}

export function refusedIn(frames: Uint8Array[]): WireRefusal[] {
  const out: WireRefusal[] = [];
  for (const f of frames) {
    const d = decoding.createDecoder(f);
    if (decoding.readVarUint(d) === 2 && decoding.readVarUint(d) === 0) out.push(parseRefusalText(decoding.readVarString(d)));
  }
  return out;
}

export const refusalsIn = (frames: Uint8Array[]): string[] => refusedIn(frames).map((r) => r.reason);

/**
 * Opens a raw connection to `/sync/<doc>` (resolves once open, or with the close when refused). Like a
 * stock client it asks for the whole document (sync step 1, empty state vector) unless `sync` is false.
 */
export async function openRaw(wsBase: string, doc: string, token: string | null, o: { sync?: boolean } = {}): Promise<RawClient> {
  // The relay takes a single-use ticket (POST /api/sync/ticket), never the login token, in the URL.
  const ws = new WebSocket(await syncUrl(wsBase, doc, token));
  const frames: Uint8Array[] = [];
  const ydoc = new Y.Doc();
  ws.on("message", (data) => {
    const f = new Uint8Array(data as Buffer);
    frames.push(f);
    try {
      const d = decoding.createDecoder(f);
      if (decoding.readVarUint(d) !== 0) return;
      const sub = decoding.readVarUint(d);
      if (sub === 1 || sub === 2) Y.applyUpdate(ydoc, decoding.readVarUint8Array(d));
    } catch {
      // what the relay sends is checked by the tests that care
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.on("close", (code, reason) => r({ code, reason: reason.toString() })));
  const client: RawClient = {
    ws,
    frames,
    closed,
    send: (f) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(f);
    },
    syncStep1: (sv) => client.send(syncFrame(0, sv)),
    update: (u) => client.send(syncFrame(2, u)),
    awareness: (u) => client.send(awarenessFrame(u)),
    refusals: () => refusalsIn(frames),
    refused: () => refusedIn(frames),
    doc: () => ydoc,
    close: () => ws.close(),
  };
  return await new Promise((resolve, reject) => {
    ws.on("open", () => {
      if (o.sync !== false) client.syncStep1(new Uint8Array([0]));
      resolve(client);
    });
    ws.on("error", reject);
    void closed.then(() => resolve(client));
  });
}
