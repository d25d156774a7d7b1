import type { DocId } from "@countersign/crdt-model";
import { Room, type RoomDeps } from "./room.ts";

/**
 * The rooms loaded in this process. Memory stays bounded however many documents are touched: a room
 * nobody is connected to is unloaded after `idleMs`, and past `maxLoaded` the least recently used idle
 * rooms go first. Loading is deduplicated, so concurrent requests for one document share one room.
 */
export class Rooms {
  private readonly loaded = new Map<DocId, Promise<Room>>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly deps: RoomDeps,
    private readonly limits: { idleMs: number; maxLoaded: number },
  ) {
    this.timer = setInterval(() => void this.sweep(), Math.max(1000, Math.floor(limits.idleMs / 2)));
    this.timer.unref();
  }

  get size(): number {
    return this.loaded.size;
  }

  async get(id: DocId): Promise<Room> {
    let p = this.loaded.get(id);
    if (!p) {
      p = Room.load(id, this.deps);
      this.loaded.set(id, p);
      p.catch(() => this.loaded.delete(id));
      if (this.loaded.size > this.limits.maxLoaded) void this.sweep(true);
    }
    const room = await p;
    if (room.closed) {
      // Unloaded between lookup and use: load it afresh (the store has everything it stored).
      if (this.loaded.get(id) === p) this.loaded.delete(id);
      return this.get(id);
    }
    room.lastUsed = Date.now();
    return room;
  }

  /** The room if it is loaded now (fan-out from other processes only touches loaded rooms). */
  async ifLoaded(id: DocId): Promise<Room | undefined> {
    const p = this.loaded.get(id);
    return p ? p : undefined;
  }

  /** Unloads idle rooms; with `pressure`, also the least recently used idle ones beyond the limit. */
  async sweep(pressure = false): Promise<void> {
    const now = Date.now();
    const idle: Room[] = [];
    for (const p of this.loaded.values()) {
      const room = await p.catch(() => undefined);
      if (room && room.idle) idle.push(room);
    }
    idle.sort((a, b) => a.lastUsed - b.lastUsed);
    let excess = pressure ? this.loaded.size - this.limits.maxLoaded : 0;
    for (const room of idle) {
      // Re-checked here: the awaits above let connections and updates arrive meanwhile.
      if (room.idle && (now - room.lastUsed >= this.limits.idleMs || excess > 0)) {
        excess--;
        this.loaded.delete(room.id);
        await room.close();
      }
    }
  }

  async closeAll(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const all = [...this.loaded.values()];
    this.loaded.clear();
    for (const p of all) await (await p.catch(() => undefined))?.close();
  }
}
