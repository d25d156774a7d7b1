// Catching up after being offline, against our server: N documents changed on the server since the
// device last synced, fetched (a) by one POST /api/sync carrying N state vectors, applying the N
// answers, and (b) by N stock y-websocket providers that connect and sync (time until the last one is
// synced). The rooms are unloaded before each run (idleMs 2 s), as they would be after a day offline;
// one warm-up run of each is not counted.
import { performance } from "node:perf_hooks";
import { WebSocket } from "ws";
import { WebsocketProvider } from "y-websocket";
import { fetchTicket, ticketedWebSocket } from "../../../src/lib/sync/ticket-socket.ts";
import { CountersignDocument } from "@countersign/crdt-model";
import { forkChild, log, median, nextMessage, procCpuSeconds, profArgs, round, sleep, stopChild } from "./common.ts";
import { draft, fromBase64, postSync, push, toBase64 } from "./docs.ts";
import type { OursReady } from "./ours-server.ts";

export interface BatchResult {
  docs: number;
  runs: number;
  batchMs: number;
  providersMs: number;
  ratio: number;
  batchRunsMs: number[];
  /** Of batchMs: until the whole response has arrived (the rest is parsing it and applying the updates). */
  batchResponseMs: number;
  providersRunsMs: number[];
  batchServerCpuSeconds: number;
  providersServerCpuSeconds: number;
  batchResponseBytes: number;
}

export async function runBatch(script: string, n: number, runs: number): Promise<BatchResult> {
  const child = forkChild(script, { tsx: true, env: { BENCH_LIMITS: JSON.stringify({ idleMs: 2000, maxLoaded: Math.max(2000, n + 10) }) }, execArgv: profArgs("ours-batch") });
  try {
    const ready = await nextMessage<OursReady>(child, "ready");
    const http = `http://127.0.0.1:${ready.port}`;
    const roomsLoaded = async () => ((await (await fetch(`${http}/healthz`)).json()) as { rooms: number }).rooms;
    const unloaded = async () => {
      const end = Date.now() + 30_000;
      while ((await roomsLoaded()) > 0) {
        if (Date.now() > end) throw new Error("rooms were not unloaded");
        await sleep(200);
      }
    };

    // The officer's device creates N documents and pushes them; that is the state it last synced.
    const ids = Array.from({ length: n }, (_, i) => `sync-${i}`);
    const local = draft(ids, ready.code, ready.plan, (i) => `第${i}件`);
    log(`batch: pushing ${n} documents`);
    await push(http, ready.tokens.officer, new Map([...local].map(([id, d]) => [id, d.encodeState()])));
    const stale = new Map([...local].map(([id, d]) => [id, d.encodeState()]));

    // Meanwhile the case officer edits every document on another device (its own Yjs client id: the
    // relay binds each client id to one writer, and only the case officer edits a draft's text);
    // the server stores the changes.
    const changes = new Map<string, Uint8Array>();
    const want = new Map<string, string>();
    for (const [id, d] of local) {
      const other = CountersignDocument.fromUpdate(d.encodeState());
      if (!other.ok) throw new Error(other.reason);
      const o = other.value;
      const sv = o.stateVector();
      const s = `${o.subject()}（修正）`;
      o.setSubject(s);
      o.addItem("explanation", null, "依據本局來函辦理。");
      changes.set(id, o.encodeState(sv));
      want.set(id, s);
    }
    await push(http, ready.tokens.officer, changes);
    log(`batch: ${n} documents changed on the server; waiting for the rooms to unload`);

    const copies = () => {
      const m = new Map<string, CountersignDocument>();
      for (const [id, u] of stale) {
        const r = CountersignDocument.fromUpdate(u);
        if (!r.ok) throw new Error(r.reason);
        m.set(id, r.value);
      }
      return m;
    };
    const check = (docs: Map<string, CountersignDocument>, what: string) => {
      const bad = [...docs].filter(([id, d]) => d.subject() !== want.get(id));
      if (bad.length) throw new Error(`${what}: ${bad.length} documents did not get the change`);
    };

    const batchRunsMs: number[] = [];
    const batchResponseMs: number[] = [];
    const providersRunsMs: number[] = [];
    let batchCpu = 0;
    let providersCpu = 0;
    let batchResponseBytes = 0;
    // Run 0 warms up both paths (JIT, SQLite page cache) and is not counted.
    for (let run = 0; run <= runs; run++) {
      const counted = run > 0;
      // (a) one request with N state vectors
      await unloaded();
      let docs = copies();
      let cpu0 = procCpuSeconds(child.pid!);
      let t0 = performance.now();
      const res = await fetch(`${http}/api/sync`, {
        method: "POST",
        headers: { authorization: `Bearer ${ready.tokens.officer}`, "content-type": "application/json" },
        body: JSON.stringify({ v: 1, have: [...docs].map(([doc, d]) => ({ doc, sv: toBase64(d.stateVector()) })) }),
      });
      const text = await res.text();
      const responseMs = performance.now() - t0;
      const body = JSON.parse(text) as Awaited<ReturnType<typeof postSync>>;
      for (const { doc, update } of body.docs) {
        const r = docs.get(doc)!.applyUpdate(fromBase64(update));
        if (!r.ok) throw new Error(r.reason);
      }
      const batchMs = performance.now() - t0;
      if (counted) batchCpu += procCpuSeconds(child.pid!) - cpu0;
      batchResponseBytes = text.length;
      if (body.docs.length !== n) throw new Error(`batch: ${body.docs.length}/${n} documents answered`);
      check(docs, "batch");
      for (const d of docs.values()) d.ydoc.destroy();

      // (b) N providers, one socket each; done when the last one has synced
      await unloaded();
      docs = copies();
      cpu0 = procCpuSeconds(child.pid!);
      let synced = 0;
      let allSynced!: () => void;
      const done = new Promise<void>((r) => (allSynced = r));
      t0 = performance.now();
      const providers = [...docs].map(([id, d]) => {
        const p = new WebsocketProvider(`ws://127.0.0.1:${ready.port}/sync`, id, d.ydoc, {
          // Each connection takes a single-use ticket: the relay refuses login tokens in URLs.
          WebSocketPolyfill: ticketedWebSocket(WebSocket as never, () => fetchTicket(`http://127.0.0.1:${ready.port}`, ready.tokens.officer)) as unknown as typeof globalThis.WebSocket,
          disableBc: true,
        });
        p.once("sync", () => {
          if (++synced === n) allSynced();
        });
        return p;
      });
      const timeout = setTimeout(() => log(`batch: only ${synced}/${n} providers synced after 5 minutes`), 300_000);
      await done;
      clearTimeout(timeout);
      const providersMs = performance.now() - t0;
      if (counted) providersCpu += procCpuSeconds(child.pid!) - cpu0;
      check(docs, "providers");
      for (const p of providers) p.destroy();
      await sleep(300);
      for (const d of docs.values()) d.ydoc.destroy();
      if (counted) {
        batchRunsMs.push(batchMs);
        batchResponseMs.push(responseMs);
        providersRunsMs.push(providersMs);
      }
      log(`batch ${counted ? `run ${run}/${runs}` : "warm-up"}: one request ${round(batchMs, 1)} ms (response ${round(responseMs, 1)} ms), ${n} providers ${round(providersMs, 1)} ms`);
    }
    const batchMs = median(batchRunsMs);
    const providersMs = median(providersRunsMs);
    return {
      docs: n,
      runs,
      batchMs: round(batchMs, 1),
      providersMs: round(providersMs, 1),
      ratio: round(providersMs / batchMs, 2),
      batchRunsMs: batchRunsMs.map((x) => round(x, 1)),
      batchResponseMs: round(median(batchResponseMs), 1),
      providersRunsMs: providersRunsMs.map((x) => round(x, 1)),
      batchServerCpuSeconds: round(batchCpu / runs, 3),
      providersServerCpuSeconds: round(providersCpu / runs, 3),
      batchResponseBytes,
    };
  } finally {
    await stopChild(child);
  }
}
