// The relay load generator: N stock y-websocket clients (`WebsocketProvider` from y-websocket with
// `ws` as the WebSocket) in R rooms, sending `rate` updates per second in total, each a real edit of
// the document (its 說明 一、 or its 主旨) that carries its sequence number and send time; every other
// client of the room takes the time when the update reached its Y.Doc. Sender and receivers live in
// this process, so one clock measures both ends.
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import * as Y from "yjs";
import * as decoding from "lib0/decoding";
import { WebSocket } from "ws";
import { WebsocketProvider } from "y-websocket";
import { fetchTicket, ticketedWebSocket } from "../../../src/lib/sync/ticket-socket.ts";
import { CountersignDocument } from "@countersign/crdt-model";
import { log, machineBusySeconds, percentiles, procCpuTimes, procIo, procMemMb, round, rssSampler, schedstat, sleep, stateSampler, until, type Percentiles } from "./common.ts";

export interface RelayTarget {
  name: string;
  /** The provider's serverUrl; the room name (document id) is appended by the provider. */
  serverUrl: string;
  /** The server process, for /proc CPU and memory. */
  pid: number;
  /** The document id of each room. */
  rooms: string[];
  /** Token of the k-th client of a room (k = 0, 1, …). */
  token: (k: number) => string;
  /**
   * Whether the k-th client of a room sends updates (the others only receive). Our relay takes text
   * edits of a draft only from its case officer (crdt-model mayEditContent), so only the clients
   * logged in as the officer write; the stock server gets the same writers.
   */
  writes: (k: number) => boolean;
  /**
   * Our server's HTTP address: each connection then takes a single-use ticket for the token (the
   * relay refuses tokens in URLs). Absent for the stock server, which takes the token as it is.
   */
  ticketsFrom?: string;
  /** The document a room starts from, given to the room's first client (null: the server has it). */
  initial: (room: number) => Uint8Array | null;
  /** Called just before and just after the measured window (e.g. to read the server's metrics). */
  beforeWindow?: () => Promise<void>;
  afterWindow?: () => Promise<Record<string, number>>;
}

export interface RelayConfig {
  clients: number;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  /** Providers created at once while connecting. */
  connectBatch: number;
  /** What each update retypes: the first 說明 item ("body") or the 主旨 ("subject", which is in the server's index row). */
  edit: "body" | "subject";
}

export interface RelayResult extends Percentiles {
  updatesSent: number;
  deliveries: number;
  expectedDeliveries: number;
  lostDeliveries: number;
  refusals: number;
  disconnects: number;
  achievedRate: number;
  windowSeconds: number;
  drainMs: number;
  cpuSeconds: number;
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  /** Server CPU seconds per wall second of the window (1 = one core busy). */
  cpuCores: number;
  peakRssMb: number;
  windowPeakRssMb: number;
  /** The server's write syscalls (socket and file) and bytes written to disk during the window. */
  serverIo: { writeSyscalls: number; diskWriteMb: number };
  connectMs: number;
  /**
   * The server's main thread over the window: share of wall time on a CPU and waiting on a run queue
   * for one (schedstat), and share of 5 ms samples in each state (R runnable, S sleeping, D in I/O wait).
   */
  serverMainThread: { onCpu: number; waitingForCpu: number; states: Record<string, number> };
  generator: { cpuSeconds: number; cpuCores: number; mainThreadWaitingForCpu: number; eventLoopDelayP99Ms: number; eventLoopDelayMaxMs: number };
  /** Cores busy on the whole machine during the window, and how many of them neither the server nor the generator used. */
  machineBusyCores: number;
  otherProcessesCores: number;
  firstRefusal?: string;
  /** The server's own account of the window, where it keeps one. */
  server?: Record<string, number>;
}

interface Client {
  i: number;
  room: number;
  /** Whether this client sends updates (RelayTarget.writes). */
  writer: boolean;
  id: string;
  ydoc: Y.Doc;
  doc: CountersignDocument;
  provider: WebsocketProvider;
  seen: Set<number>;
  base: string;
  write: (text: string) => void;
}

interface Sent {
  sender: number;
  peers: number;
  got: number;
}

const MARK = /~T(\d+)@(\d+\.\d+)~/g;

export async function runRelay(t: RelayTarget, cfg: RelayConfig): Promise<RelayResult> {
  process.setMaxListeners(0); // every provider adds an "exit" listener
  const rooms = t.rooms.length;
  const clients: Client[] = [];
  const sizes = new Array<number>(rooms).fill(0);
  for (let i = 0; i < cfg.clients; i++) sizes[i % rooms]!++;

  let refusals = 0;
  let firstRefusal: string | undefined;
  let disconnects = 0;
  let measuring = false;
  let samples: number[] = [];
  let deliveries = 0;
  const sent = new Map<number, Sent>();

  const onUpdate = (c: Client) => (update: Uint8Array, origin: unknown) => {
    if (origin !== c.provider || !measuring) return;
    const now = performance.now();
    const text = Buffer.from(update.buffer, update.byteOffset, update.byteLength).toString("latin1");
    for (const m of text.matchAll(MARK)) {
      const seq = Number(m[1]);
      const s = sent.get(seq);
      if (!s || s.sender === c.i || c.seen.has(seq)) continue;
      c.seen.add(seq);
      s.got++;
      deliveries++;
      samples.push(now - Number(m[2]));
    }
  };

  // ---- connect ----
  const connectStarted = performance.now();
  for (let from = 0; from < cfg.clients; from += cfg.connectBatch) {
    const chunk: Client[] = [];
    for (let i = from; i < Math.min(cfg.clients, from + cfg.connectBatch); i++) {
      const room = i % rooms;
      const k = Math.floor(i / rooms);
      const ydoc = new Y.Doc();
      const init = k === 0 ? t.initial(room) : null;
      if (init) Y.applyUpdate(ydoc, init);
      const id = t.rooms[room]!;
      const token = t.token(k);
      const ticketsFrom = t.ticketsFrom;
      const provider = new WebsocketProvider(t.serverUrl, id, ydoc, {
        WebSocketPolyfill: (ticketsFrom ? ticketedWebSocket(WebSocket as never, () => fetchTicket(ticketsFrom, token)) : WebSocket) as unknown as typeof globalThis.WebSocket,
        params: ticketsFrom ? {} : { token },
        disableBc: true,
      });
      const c: Client = { i, room, writer: t.writes(k), id, ydoc, doc: CountersignDocument.wrap(ydoc), provider, seen: new Set(), base: "", write: () => {} };
      provider.messageHandlers[2] = (_enc, dec) => {
        // auth channel: 0 = permission denied, then the server's sentence
        if (decoding.readVarUint(dec) === 0) {
          const reason = decoding.readVarString(dec);
          refusals++;
          firstRefusal ??= reason;
        }
      };
      provider.on("connection-close", () => {
        if (measuring) disconnects++;
      });
      provider.on("closed", (e: { code: number; reason: string }) => log(`${t.name}: client ${i} closed for good: ${e.code} ${e.reason}`));
      ydoc.on("update", onUpdate(c));
      chunk.push(c);
      clients.push(c);
    }
    await until(() => chunk.every((c) => c.provider.synced), 120_000, `${t.name}: clients ${from}… synced`);
    if ((from / cfg.connectBatch) % 5 === 4 || from + cfg.connectBatch >= cfg.clients)
      log(`${t.name}: ${clients.length}/${cfg.clients} clients connected and synced`);
  }
  // Every client holds the room's document (for the stock server it came from the room's first client).
  await until(() => clients.every((c) => c.doc.id === c.id), 60_000, `${t.name}: every client has its document`);
  await until(() => cfg.edit === "subject" || clients.every((c) => c.doc.body("explanation").length > 0), 60_000, `${t.name}: every client has 說明 一、`);
  for (const c of clients) {
    if (cfg.edit === "subject") {
      c.base = c.doc.subject().replace(/ ~T.*$/, "");
      c.write = (text) => c.doc.setSubject(text);
    } else {
      const item = c.doc.body("explanation")[0]!;
      c.base = item.text.replace(/ ~T.*$/, "");
      c.write = (text) => {
        const r = c.doc.setItemText("explanation", item.id, text);
        if (!r.ok) throw new Error(r.reason);
      };
    }
  }
  const connectMs = performance.now() - connectStarted;
  log(`${t.name}: ${clients.length} clients in ${rooms} rooms ready in ${Math.round(connectMs)} ms`);

  // Senders take turns in an order that spreads consecutive updates over rooms and people.
  const order = clients.filter((c) => c.writer).sort((a, b) => a.room - b.room || a.i - b.i);
  if (!order.length) throw new Error(`${t.name}: no client writes`);
  const stride = order.length > 1 ? coprimeNear(order.length, Math.max(1, Math.floor(order.length / 7) + 1)) : 1;
  let cursor = 0;
  let seq = 0;
  const sendOne = () => {
    const c = order[(cursor * stride) % order.length]!;
    cursor++;
    const n = ++seq;
    const ts = performance.now();
    sent.set(n, { sender: c.i, peers: sizes[c.room]! - 1, got: 0 });
    // One transaction: the text retyped with the send time in it (delete + insert, as an editor does).
    c.write(`${c.base} ~T${n}@${ts.toFixed(3)}~`);
  };

  const drive = (seconds: number, progress: boolean) =>
    new Promise<number>((resolve) => {
      const total = Math.round(cfg.rate * seconds);
      const t0 = performance.now();
      let done = 0;
      let nextReport = t0 + 5000;
      const tick = () => {
        const now = performance.now();
        const due = Math.min(total, Math.floor(((now - t0) * cfg.rate) / 1000));
        while (done < due) {
          sendOne();
          done++;
        }
        if (progress && now >= nextReport) {
          nextReport += 5000;
          const p = percentiles(samples.slice(-5000));
          log(`${t.name}: ${round((now - t0) / 1000, 1)} s, ${done} sent, ${deliveries} delivered, recent p50 ${p.p50Ms} ms p99 ${p.p99Ms} ms, server RSS ${Math.round(procMemMb(t.pid, "VmRSS"))} MB`);
        }
        if (done >= total) return resolve(performance.now() - t0);
        setTimeout(tick, 1);
      };
      tick();
    });

  const expected = () => {
    let n = 0;
    for (const s of sent.values()) n += s.peers;
    return n;
  };
  const drain = async (ms: number) => {
    const t0 = performance.now();
    const want = expected();
    while (deliveries < want && performance.now() - t0 < ms) await sleep(5);
    return performance.now() - t0;
  };

  // ---- warm-up (not measured) ----
  if (cfg.warmupSeconds > 0) {
    measuring = true;
    log(`${t.name}: warming up for ${cfg.warmupSeconds} s at ${cfg.rate} updates/s`);
    await drive(cfg.warmupSeconds, false);
    await drain(10_000);
    measuring = false;
    log(`${t.name}: warm-up delivered ${deliveries}/${expected()}; p99 ${percentiles(samples).p99Ms} ms`);
    await sleep(500);
  }
  sent.clear();
  samples = [];
  deliveries = 0;
  refusals = 0;
  for (const c of clients) c.seen.clear();

  // ---- measured window ----
  await t.beforeWindow?.();
  log(`${t.name}: measuring ${cfg.seconds} s at ${cfg.rate} updates/s`);
  const loop = monitorEventLoopDelay({ resolution: 5 });
  const rss = rssSampler(t.pid);
  const states = stateSampler(t.pid);
  const times0 = procCpuTimes(t.pid);
  const io0 = procIo(t.pid);
  const cpu0 = times0.user + times0.system;
  const gen0 = process.cpuUsage();
  const busy0 = machineBusySeconds();
  const sched0 = schedstat(t.pid);
  const gsched0 = schedstat(process.pid);
  const w0 = performance.now();
  measuring = true;
  loop.enable();
  const sendMs = await drive(cfg.seconds, true);
  const drainMs = await drain(10_000);
  loop.disable();
  const windowMs = performance.now() - w0;
  const times1 = procCpuTimes(t.pid);
  const io1 = procIo(t.pid);
  const cpu1 = times1.user + times1.system;
  const gen = process.cpuUsage(gen0);
  const busy = machineBusySeconds() - busy0;
  const sched1 = schedstat(t.pid);
  const gsched1 = schedstat(process.pid);
  const windowPeakRssMb = rss.stop();
  const serverMainThread = states.stop();
  const peakRssMb = procMemMb(t.pid, "VmHWM");
  measuring = false;

  const want = expected();
  const p = percentiles(samples);
  const genCpu = (gen.user + gen.system) / 1e6;
  const result: RelayResult = {
    ...p,
    updatesSent: sent.size,
    deliveries,
    expectedDeliveries: want,
    lostDeliveries: want - deliveries,
    refusals,
    disconnects,
    achievedRate: round(sent.size / (sendMs / 1000), 1),
    windowSeconds: round(windowMs / 1000, 2),
    drainMs: round(drainMs, 1),
    cpuSeconds: round(cpu1 - cpu0, 2),
    cpuUserSeconds: round(times1.user - times0.user, 2),
    cpuSystemSeconds: round(times1.system - times0.system, 2),
    cpuCores: round((cpu1 - cpu0) / (windowMs / 1000), 3),
    peakRssMb: round(peakRssMb, 1),
    windowPeakRssMb: round(windowPeakRssMb, 1),
    serverIo: { writeSyscalls: io1.syscw - io0.syscw, diskWriteMb: round((io1.writeBytes - io0.writeBytes) / 2 ** 20, 1) },
    connectMs: Math.round(connectMs),
    serverMainThread: {
      onCpu: round((sched1.running - sched0.running) / (windowMs / 1000), 3),
      waitingForCpu: round((sched1.waiting - sched0.waiting) / (windowMs / 1000), 3),
      states: serverMainThread,
    },
    generator: {
      cpuSeconds: round(genCpu, 2),
      cpuCores: round(genCpu / (windowMs / 1000), 3),
      mainThreadWaitingForCpu: round((gsched1.waiting - gsched0.waiting) / (windowMs / 1000), 3),
      eventLoopDelayP99Ms: round(loop.percentile(99) / 1e6, 2),
      eventLoopDelayMaxMs: round(loop.max / 1e6, 2),
    },
    machineBusyCores: round(busy / (windowMs / 1000), 3),
    otherProcessesCores: round(Math.max(0, busy - (cpu1 - cpu0) - genCpu) / (windowMs / 1000), 3),
  };
  if (firstRefusal) result.firstRefusal = firstRefusal;
  if (t.afterWindow) {
    const own = await t.afterWindow();
    if (Object.keys(own).length) result.server = own;
  }
  log(`${t.name}: p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms, ${deliveries}/${want} deliveries, server CPU ${result.cpuSeconds} s, peak RSS ${result.peakRssMb} MB`);

  // ---- tear down ----
  for (const c of clients) c.provider.destroy();
  await until(() => clients.every((c) => c.provider.ws === null), 30_000, `${t.name}: clients closed`).catch((e: Error) => log(e.message));
  for (const c of clients) c.ydoc.destroy();
  await sleep(500);
  return result;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function coprimeNear(n: number, x: number): number {
  while (gcd(n, x) !== 1) x++;
  return x;
}
