import { randomBytes } from "node:crypto";
import type { BaseLogger as Logger } from "pino";
import { createClient, type RedisClientType } from "redis";
import * as Y from "yjs";
import { type DocId, parseDocId } from "@countersign/crdt-model";
import type { Fanout } from "../http/server.ts";
import type { Room } from "../relay/room.ts";
import type { Rooms } from "../relay/rooms.ts";
import type { DocStore } from "../storage/types.ts";

/**
 * Live edits between server processes that share one store (PostgreSQL): each process publishes
 * every update it stored on one Redis channel per agency, and applies the updates other processes
 * published to the rooms it has loaded, so an officer connected to process A sees an edit made
 * through process B as it happens.
 *
 * Durability never depends on Redis: an update is published only after the store has it, and a
 * room that is not loaded here needs nothing, because it loads from the shared store when opened.
 *
 * Why no update is missed when a room loads while updates arrive (the load reads the store, and a
 * message may arrive before, during or after that read):
 * - A process publishes only after its append committed (RoomDeps.onAccepted runs after
 *   appendUpdate resolved), so a message for doc D arrives after D's update is in the store.
 * - Rooms registers a load before it reads the store, and ifLoaded() hands out that pending load:
 *   a message for a room that is loading waits for the load and is applied after it.
 * - A message for a room neither loaded nor loading is dropped; any later load of it starts after
 *   the message arrived, hence after the commit, and so reads the update from the store.
 * Applying an update the loaded state already holds is a no-op in Yjs (items are identified by
 * client and clock, deletions are a set), so the overlap between the read and the messages is
 * harmless.
 *
 * A message can also be lost: a process may die between its commit and its publish (a SIGKILL
 * under load does this often), and Redis pub/sub delivers at most once (nothing is kept for a
 * subscriber that is disconnected). The room then catches up from the store, which holds
 * everything any room was ever given (rooms only hold stored updates), whenever
 * - an update arrives that builds on content the room lacks (Yjs keeps it pending);
 * - a process that sent updates for the room stops sending heartbeats (it died);
 * - this process's own subscription to Redis was interrupted and is back.
 * What remains: if a dying process's lost update was the first it ever sent for a document loaded
 * here, the room learns of it only from a later update or when it reloads (Rooms cannot list its
 * rooms, so the fan-out only knows documents it has seen traffic for).
 */
export interface RedisFanoutOptions {
  url: string;
  agency: string;
  log: Logger;
  /** The shared store, read to catch a room up when a message was lost. */
  store: Pick<DocStore, "readUpdates">;
  /** How often each process says it is alive; one silent for three periods is taken as dead. */
  heartbeatMs?: number;
}

/**
 * Message: version (1 byte), kind (1: 0 update, 1 heartbeat), sender process id (16), doc id
 * length (2, big-endian), doc id (UTF-8), update (the rest). Binary, so no update is re-encoded.
 */
const VERSION = 1;
const KIND_UPDATE = 0;
const KIND_HEARTBEAT = 1;
const ID_BYTES = 16;
const HEADER = 2 + ID_BYTES + 2;
const HEARTBEAT_MS = 1000;
const SILENT_PERIODS = 3;
/** Connection attempts before start() gives up: a mistyped URL should fail the command, not hang. */
const START_ATTEMPTS = 5;
/** Publishes kept while Redis is unreachable; beyond that they fail (and are logged), bounding memory. */
const OFFLINE_QUEUE = 10_000;

export const fanoutChannel = (agency: string): string => `countersign:${agency}:updates`;

export type FanoutMessage = { kind: "update"; from: Buffer; doc: DocId; update: Uint8Array } | { kind: "heartbeat"; from: Buffer };

export function encodeFanoutMessage(from: Uint8Array, doc: DocId | null, update: Uint8Array = new Uint8Array()): Buffer {
  const id = Buffer.from(doc ?? "", "utf8");
  if (id.length > 0xffff) throw new Error(`The document id ${id.toString("utf8", 0, 40)}… is too long to fan out.`);
  const m = Buffer.allocUnsafe(HEADER + id.length + update.byteLength);
  m[0] = VERSION;
  m[1] = doc === null ? KIND_HEARTBEAT : KIND_UPDATE;
  m.set(from.subarray(0, ID_BYTES), 2);
  m.writeUInt16BE(id.length, 2 + ID_BYTES);
  m.set(id, HEADER);
  m.set(update, HEADER + id.length);
  return m;
}

export function decodeFanoutMessage(m: Buffer): FanoutMessage | undefined {
  if (m.length < HEADER || m[0] !== VERSION) return undefined;
  const from = Buffer.from(m.subarray(2, 2 + ID_BYTES));
  if (m[1] === KIND_HEARTBEAT) return { kind: "heartbeat", from };
  const len = m.readUInt16BE(2 + ID_BYTES);
  if (m[1] !== KIND_UPDATE || len === 0 || m.length < HEADER + len) return undefined;
  const doc = parseDocId(m.toString("utf8", HEADER, HEADER + len));
  if (!doc.ok) return undefined;
  return {
    kind: "update",
    from,
    doc: doc.value,
    // A copy: the message buffer may be reused by the client, and Yjs keeps pending updates.
    update: new Uint8Array(m.subarray(HEADER + len)),
  };
}

/** Another process, as far as this one knows: when it last spoke, and the documents it sent. */
interface Peer {
  lastSeen: number;
  docs: Set<DocId>;
}

export class RedisFanout implements Fanout {
  /** Tags this process's messages, so it skips its own when they come back from the channel. */
  readonly processId = randomBytes(ID_BYTES);
  readonly channel: string;
  private readonly pub: RedisClientType;
  private readonly sub: RedisClientType;
  private readonly heartbeatMs: number;
  private rooms: Rooms | undefined;
  /** Per document, the delivery in progress: one document's messages apply in arrival order. */
  private readonly pending = new Map<DocId, Promise<void>>();
  private readonly peers = new Map<string, Peer>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private started = false;
  private stopped = false;
  /** Counters for logs and tests. */
  readonly counts = { published: 0, received: 0, applied: 0, dropped: 0, caughtUp: 0 };

  constructor(private readonly o: RedisFanoutOptions) {
    this.channel = fanoutChannel(o.agency);
    this.heartbeatMs = o.heartbeatMs ?? HEARTBEAT_MS;
    const connectedOnce = { pub: false, sub: false };
    const make = (which: "pub" | "sub"): RedisClientType => {
      const c: RedisClientType = createClient({
        url: o.url,
        commandsQueueMaxLength: OFFLINE_QUEUE,
        socket: {
          // Before the first connection: give up after a few tries, so start() reports the reason.
          // After it: keep trying, with backoff; node-redis resubscribes once back.
          reconnectStrategy: (retries, cause) =>
            connectedOnce[which] ? Math.min(100 * 2 ** retries, 3000) : retries >= START_ATTEMPTS ? new Error(`Redis at ${redact(o.url)} cannot be reached: ${cause.message}`) : 200,
        },
      });
      // node-redis throws an unhandled 'error' event without a listener: that would end the server.
      c.on("error", (e: Error) => {
        if (!this.stopped) o.log.warn({ redis: which, err: e.message }, "redis fan-out connection error");
      });
      c.on("ready", () => {
        // Back after an interruption: whatever was published meanwhile never reached us.
        if (connectedOnce[which] && which === "sub") this.catchUpAll("the Redis subscription was interrupted");
        connectedOnce[which] = true;
      });
      return c;
    };
    this.pub = make("pub");
    this.sub = make("sub");
  }

  /** Connects and subscribes; resolves once messages from other processes are being received. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    try {
      await Promise.all([this.pub.connect(), this.sub.connect()]);
      await this.sub.subscribe(this.channel, (message: Buffer) => this.onMessage(message), true);
    } catch (e) {
      this.stopped = true;
      this.pub.destroy();
      this.sub.destroy();
      throw new Error(`The Redis fan-out could not start: ${(e as Error).message}`, { cause: e });
    }
    this.timer = setInterval(() => this.tick(), this.heartbeatMs);
    this.timer.unref();
    this.tick();
    this.o.log.info({ redis: redact(this.o.url), channel: this.channel }, "redis fan-out started");
  }

  attach(rooms: Rooms): void {
    this.rooms = rooms;
  }

  /**
   * Fire and forget: the update is already durable, and the relay must not wait on Redis to
   * acknowledge it. A failed publish only delays what other processes' clients see.
   */
  publish(doc: DocId, update: Uint8Array): void {
    if (this.stopped) return;
    let message: Buffer;
    try {
      message = encodeFanoutMessage(this.processId, doc, update);
    } catch (e) {
      this.o.log.warn({ doc, err: (e as Error).message }, "fan-out message not sent");
      return;
    }
    this.counts.published++;
    this.pub.publish(this.channel, message).catch((e: Error) => this.o.log.warn({ doc, err: e.message }, "fan-out publish failed"));
  }

  private onMessage(message: Buffer): void {
    const m = decodeFanoutMessage(message);
    if (!m) {
      this.o.log.warn({ bytes: message.length }, "malformed fan-out message ignored");
      return;
    }
    if (m.from.equals(this.processId) || this.stopped) return;
    const key = m.from.toString("hex");
    const peer = this.peers.get(key) ?? { lastSeen: 0, docs: new Set<DocId>() };
    this.peers.set(key, peer);
    peer.lastSeen = Date.now();
    if (m.kind === "heartbeat") return;
    this.counts.received++;
    peer.docs.add(m.doc);
    this.withRoom(m.doc, async (room) => {
      await room.applyRelayed(m.update);
      this.counts.applied++;
      if (hasPending(room)) await this.catchUp(room, "an update arrived before one it builds on");
    });
  }

  /**
   * Runs fn on the document's room after everything queued for it, if the room is loaded or loading
   * here (a pending load is waited for: see the class comment); otherwise there is nothing to do.
   */
  private withRoom(doc: DocId, fn: (room: Room) => Promise<void>): void {
    const next = (this.pending.get(doc) ?? Promise.resolve())
      .then(async () => {
        const room = await this.rooms?.ifLoaded(doc).catch(() => undefined);
        if (!room || room.closed) {
          this.counts.dropped++;
          return;
        }
        await fn(room);
      })
      .catch((e: Error) => this.o.log.warn({ doc, err: e.message }, "fan-out update not applied"));
    this.pending.set(doc, next);
    void next.then(() => {
      if (this.pending.get(doc) === next) this.pending.delete(doc);
    });
  }

  /** Applies everything the store holds for the room: what the room already has is a no-op. */
  private async catchUp(room: Room, why: string): Promise<void> {
    const stored = await this.o.store.readUpdates(room.id);
    if (room.closed || stored.length === 0) return;
    await room.applyRelayed(Y.mergeUpdates(stored.map((u) => u.data)));
    this.counts.caughtUp++;
    this.o.log.info({ doc: room.id, why }, "fan-out: room caught up from the store");
  }

  private catchUpAll(why: string, peers: Iterable<Peer> = this.peers.values()): void {
    const docs = new Set<DocId>();
    for (const p of peers) for (const d of p.docs) docs.add(d);
    for (const d of docs) this.withRoom(d, (room) => this.catchUp(room, why));
  }

  /** Says this process is alive, and catches up the rooms of processes that went silent. */
  private tick(): void {
    if (this.stopped) return;
    this.pub.publish(this.channel, encodeFanoutMessage(this.processId, null)).catch(() => undefined);
    const now = Date.now();
    const dead: Peer[] = [];
    for (const [key, p] of this.peers) {
      if (now - p.lastSeen > SILENT_PERIODS * this.heartbeatMs) {
        this.peers.delete(key);
        if (p.docs.size) dead.push(p);
      }
    }
    if (dead.length) this.catchUpAll("a process that sent updates went silent", dead);
    // Only rooms loaded here can need catching up: forget the rest, so the sets stay small.
    for (const p of this.peers.values()) {
      for (const d of p.docs) {
        void this.rooms
          ?.ifLoaded(d)
          .then((room) => room || p.docs.delete(d))
          .catch(() => p.docs.delete(d));
      }
    }
  }

  /** Stops receiving, lets deliveries in progress finish, and closes both connections. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.pending.values()]);
    // close() sends what is queued (the last publishes) before disconnecting.
    await Promise.all([this.sub.close(), this.pub.close()].map((p) => p.catch(() => undefined)));
  }
}

/** Whether Yjs holds updates back for want of content they build on. */
function hasPending(room: Room): boolean {
  const s = room.doc.ydoc.store;
  return s.pendingStructs !== null || s.pendingDs !== null;
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(a malformed URL)";
  }
}
