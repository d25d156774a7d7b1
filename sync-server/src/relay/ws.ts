import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, WebSocket, type RawData } from "ws";
import type { BaseLogger as Logger } from "pino";
import { asPersonId, type DocId, errorMessage, fail, parseDocId, type Result } from "@countersign/crdt-model";
import type { DirectoryStore, DocStore } from "../storage/types.ts";
import type { Metrics } from "../http/metrics.ts";
import { access, type Principal } from "./authz.ts";
import type { Peer, Room } from "./room.ts";
import { sendFramed } from "./frame.ts";
import type { Shown } from "./presence.ts";
import type { Rooms } from "./rooms.ts";
import type { OpenSockets, SocketSession } from "./sessions.ts";
import { PROTOCOL_PARAM, RELAY_ACK_PARAM, outdatedClient } from "@countersign/contract";
import {
  CLOSE_FORBIDDEN,
  CLOSE_OUTDATED_CLIENT,
  CLOSE_GOING_AWAY,
  CLOSE_UNAUTHORIZED,
  decodeMessage,
  encodeAck,
  encodeRefusal,
  isUpdateFrame,
  encodeSyncStep1,
  encodeSyncStep2,
} from "./protocol.ts";

export interface RelayOptions {
  rooms: Rooms;
  /** Documents' index rows; people and units for what presence shows (presence.ts). */
  store: DocStore & Pick<DirectoryStore, "person" | "units">;
  /**
   * Who the upgrade's query (`?ticket=…`) speaks for, with the certificate and the token's expiry;
   * a refusal closes with 4401 (http/server.ts: tickets, never a login token in the URL).
   */
  authenticate: (query: URLSearchParams) => Promise<Result<Principal & SocketSession> | { ok: false; reason: string; retry: true }>;
  /** The open sockets by certificate: closed at revocation and at token expiry (sessions.ts). */
  sessions: OpenSockets;
  metrics: Metrics;
  log: Logger;
  /** Largest frame accepted; larger ones close the connection (ws answers 1009). */
  maxPayload: number;
  /** Ping interval; a connection that misses a pong is dropped. */
  heartbeatMs: number;
}

/**
 * The y-websocket relay: `ws://host/sync/<docId>?ticket=…`, one room per document, so the stock
 * `WebsocketProvider` connects unchanged (pass a fresh ticket in its `params` for each connection,
 * or give it a WebSocket class that fetches one: tests/integration/support/agency-server.ts).
 */
export class Relay {
  private readonly wss: WebSocketServer;
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private readonly alive = new WeakSet<WebSocket>();

  constructor(private readonly o: RelayOptions) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: o.maxPayload });
    this.heartbeat = setInterval(() => {
      for (const ws of this.wss.clients) {
        if (!this.alive.has(ws)) {
          ws.terminate();
          continue;
        }
        this.alive.delete(ws);
        ws.ping();
      }
    }, o.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Handles an HTTP upgrade; returns false when the path is not the relay's. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? "/", "http://localhost");
    const m = /^\/sync\/([^/]+)$/.exec(url.pathname);
    if (!m) return false;
    let raw: string;
    try {
      raw = decodeURIComponent(m[1]!);
    } catch {
      raw = "";
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // An app of an older protocol than this server takes writes nothing here (contract protocol.ts):
      // refused before authentication; the app asks to be reloaded (src/lib/update/).
      if (outdatedClient(url.searchParams.get(PROTOCOL_PARAM))) {
        this.o.metrics.refuse("bad-request");
        ws.close(CLOSE_OUTDATED_CLIENT, "http.outdated-client: this app is older than the server takes; reload it.");
        return;
      }
      const doc = parseDocId(raw);
      if (!doc.ok) {
        this.o.metrics.refuse("bad-document-id");
        ws.close(CLOSE_FORBIDDEN, "The document id is not valid.");
        return;
      }
      void this.accept(ws, doc.value, url.searchParams);
    });
    return true;
  }

  private async accept(ws: WebSocket, doc: DocId, query: URLSearchParams): Promise<void> {
    this.alive.add(ws);
    ws.on("pong", () => this.alive.add(ws));
    // Frames that arrive while we authenticate and load are kept and handled in order afterwards.
    const early: RawData[] = [];
    const buffer = (d: RawData) => early.push(d);
    // A client that asks for acknowledgements (contract RELAY_ACK_PARAM) gets one per update frame,
    // numbered in the order the frames arrived (the early ones first), whatever order they finish in.
    const acks = query.get(RELAY_ACK_PARAM) === "1" ? { sent: 0 } : null;
    ws.on("message", buffer);
    ws.on("error", (e) => {
      // ws closes with 1009 itself; we count it so oversized frames show in the metrics.
      if ((e as { code?: string }).code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") this.o.metrics.refuse("oversized");
      this.o.log.warn({ doc, err: e.message }, "websocket error");
    });

    const who = await this.o.authenticate(query);
    if (!who.ok) {
      // `retry`: the server could not check (its storage); the client should come back, not give up.
      if ("retry" in who) return void ws.close(CLOSE_GOING_AWAY, clip(who.reason));
      this.o.metrics.refuse("unauthenticated");
      return void ws.close(CLOSE_UNAUTHORIZED, clip(who.reason));
    }
    const row = await this.o.store.getIndex(doc);
    const allowed = access(who.value, row);
    // "read" (調閱 of an archived document): the room checks the recorded 調閱 (Room.admits).
    if (allowed !== "edit" && allowed !== "create" && allowed !== "read") {
      this.o.metrics.refuse("forbidden");
      return void ws.close(CLOSE_FORBIDDEN, clip("You do not take part in this document."));
    }
    // The room decides on the document as it stands (a never-seen id: anyone may wait, and reads
    // nothing until the document exists; then only those who take part stay: Room.evictOutsiders).
    // While it decides, the room has no peer of ours and may be unloaded as idle: then the decision
    // is taken again on the room loaded afresh, so no connection is ever attached to a closed room.
    let room: Room;
    let admitted: boolean;
    let shown: Shown;
    try {
      do {
        room = await this.o.rooms.get(doc);
        [admitted, shown] = await Promise.all([room.admits(who.value), this.shown(who.value)]);
      } while (room.closed);
    } catch (e) {
      this.o.log.error({ doc, err: errorMessage(e) }, "loading the document failed");
      return void ws.close(CLOSE_GOING_AWAY, "The document could not be loaded; try again.");
    }
    if (!admitted) {
      this.o.metrics.refuse("forbidden");
      return void ws.close(CLOSE_FORBIDDEN, clip("You do not take part in this document."));
    }
    if (ws.readyState !== WebSocket.OPEN) return;

    const peer: Peer = {
      send: (frame) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(frame);
      },
      sendFramed: (framed) => sendFramed(ws, framed),
      close: (code, reason) => ws.close(code, clip(reason)),
      who: who.value,
      shown,
    };
    room.addPeer(peer);
    const release = this.o.sessions.add(who.value, (code, reason) => ws.close(code, clip(reason)));
    this.o.metrics.connections.inc();
    ws.on("close", () => {
      release();
      room.removePeer(peer);
      this.o.metrics.connections.dec();
    });
    ws.off("message", buffer);
    // Frames are numbered as they arrive (early ones were buffered in order, so they come first).
    const numbered = (d: RawData): number | undefined => (acks && isUpdateFrameData(d) ? ++acks.sent : undefined);
    const earlyNumbered = early.map((d) => [d, numbered(d)] as const);
    ws.on("message", (d) => void this.onFrameSafely(room, peer, who.value, d, numbered(d)));

    peer.send(encodeSyncStep1(room.doc.stateVector()));
    const aw = room.awarenessFrame();
    if (aw) peer.send(aw);
    for (const [d, n] of earlyNumbered) await this.onFrameSafely(room, peer, who.value, d, n);
  }

  /** How presence shows a person: their name and unit's name from the directory (presence.ts). */
  private async shown(who: Principal): Promise<Shown> {
    const [person, units] = await Promise.all([this.o.store.person(asPersonId(who.person)), this.o.store.units()]);
    return { person: who.person, name: person?.name ?? who.person, unit: units.find((u) => u.id === who.unit)?.name ?? who.unit };
  }

  /**
   * The relay's trust boundary for frames: nothing a client sends may escape as an exception (an
   * unhandled rejection would take the process down). What throws is logged and refused.
   */
  private async onFrameSafely(room: Room, peer: Peer, who: Principal, data: RawData, ack?: number): Promise<void> {
    try {
      await this.onFrame(room, peer, who, data, ack);
    } catch (e) {
      this.o.metrics.refuse("malformed-frame");
      this.o.log.error({ doc: room.id, person: who.person, err: errorMessage(e) }, "a frame could not be handled");
      peer.send(encodeRefusal({ code: "relay.server", reason: `The server could not handle the frame: ${errorMessage(e)}` }));
      if (ack !== undefined) peer.send(encodeAck(ack, false));
    }
  }

  private async onFrame(room: Room, peer: Peer, who: Principal, data: RawData, ack?: number): Promise<void> {
    const bytes = toBytes(data);
    const msg = decodeMessage(bytes);
    if (!msg.ok) {
      this.o.metrics.refuse("malformed-frame");
      this.o.log.warn({ doc: room.id, person: who.person, code: msg.code, reason: msg.reason }, "malformed frame");
      peer.send(encodeRefusal(msg));
      if (ack !== undefined) peer.send(encodeAck(ack, false));
      return;
    }
    switch (msg.value.type) {
      case "sync-step1": {
        const answer = room.answer(peer, msg.value.stateVector);
        if (answer.ok) return peer.send(encodeSyncStep2(answer.value));
        this.o.metrics.refuse("malformed-frame");
        this.o.log.warn({ doc: room.id, person: who.person, code: answer.code, reason: answer.reason }, "sync step 1 refused");
        return peer.send(encodeRefusal(answer));
      }
      case "sync-update": {
        const started = performance.now();
        const r = await room.receive(msg.value.update, peer).catch((e: unknown) => fail<never>("relay.store", `The server could not store the update: ${(e as Error).message}`));
        this.o.metrics.ingestSeconds.observe((performance.now() - started) / 1000);
        if (r.ok) {
          this.o.metrics.updates.inc({ outcome: "accepted" });
          if (ack !== undefined) peer.send(encodeAck(ack, true));
          return;
        }
        this.o.metrics.updates.inc({ outcome: "refused" });
        this.o.metrics.refuse("refused-update");
        this.o.log.info({ doc: room.id, person: who.person, code: r.code, reason: r.reason }, "update refused");
        peer.send(encodeRefusal(r));
        if (ack !== undefined) peer.send(encodeAck(ack, false));
        return;
      }
      case "awareness": {
        const r = room.applyAwareness(peer, msg.value.update);
        if (!r.ok) {
          this.o.metrics.refuse("malformed-frame");
          peer.send(encodeRefusal(r));
        }
        return;
      }
      case "query-awareness": {
        const aw = room.awarenessFrame();
        if (aw) peer.send(aw);
        return;
      }
      case "auth":
        return; // clients have nothing to say in the auth channel
    }
  }

  /** Tells every client to reconnect later (graceful shutdown) and stops accepting. */
  close(): void {
    clearInterval(this.heartbeat);
    for (const ws of this.wss.clients) ws.close(CLOSE_GOING_AWAY, "The server is restarting.");
    this.wss.close();
  }
}

/** Whether a frame says it carries an update (sync step 2 or update): the frames acknowledged. */
function isUpdateFrameData(d: RawData): boolean {
  return isUpdateFrame(toBytes(d));
}

function toBytes(d: RawData): Uint8Array {
  if (Array.isArray(d)) return new Uint8Array(Buffer.concat(d));
  if (d instanceof ArrayBuffer) return new Uint8Array(d);
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** WebSocket close reasons are limited to 123 bytes. */
function clip(reason: string): string {
  const b = Buffer.from(reason);
  return b.length <= 123 ? reason : b.subarray(0, 120).toString("utf8").replace(/\uFFFD$/, "") + "…";
}
