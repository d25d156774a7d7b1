import { WebSocket } from "ws";

/**
 * A message the relay sends to every peer of a room, framed once (RFC 6455 §5.2: a final binary
 * frame, unmasked as a server's frames are) and written as it is to each socket: one write per peer
 * instead of ws framing it again for each (a header allocated and a two-buffer writev per peer).
 * What must stay true: the bytes on the wire are exactly the frame ws would write, and a raw write
 * happens only when ws would write at once itself — the socket open, no compression negotiated,
 * nothing queued in its sender — so frames never overtake one another; otherwise ws sends it.
 */
export class Framed {
  private wire: Buffer | undefined;
  constructor(readonly payload: Uint8Array) {}

  /** The whole frame: header and payload. */
  bytes(): Buffer {
    if (this.wire) return this.wire;
    const n = this.payload.length;
    const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
    const b = Buffer.allocUnsafe(head + n);
    b[0] = 0x82; // FIN, binary
    if (n < 126) b[1] = n;
    else if (n < 65536) {
      b[1] = 126;
      b.writeUInt16BE(n, 2);
    } else {
      b[1] = 127;
      b.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
      b.writeUInt32BE(n >>> 0, 6);
    }
    b.set(this.payload, head);
    this.wire = b;
    return b;
  }
}

/** The parts of ws's WebSocket this relies on (ws 8: lib/websocket.js, lib/sender.js). */
interface WsInternals {
  _socket?: { write(b: Buffer): boolean; writable?: boolean };
  _sender?: { _state?: number; _queue?: unknown[] };
  _extensions?: Record<string, unknown>;
}

/** Sends a framed message on `ws`: written as it is when ws would write at once, else through ws. */
export function sendFramed(ws: WebSocket, f: Framed): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  const w = ws as unknown as WsInternals;
  const s = w._sender;
  if (w._socket?.writable && s && s._state === 0 && s._queue?.length === 0 && w._extensions && !w._extensions["permessage-deflate"]) {
    w._socket.write(f.bytes());
    return;
  }
  ws.send(f.payload);
}
