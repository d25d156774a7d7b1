/**
 * Relay benchmark: our agency server against the stock y-websocket server (@y/websocket-server), and
 * batch sync against one socket per document. Prints one JSON object on stdout; progress on stderr.
 *
 *   npm run bench:relay                                            the issue's workload (a few minutes)
 *   BENCH_CLIENTS=200 BENCH_ROOMS=50 BENCH_RATE=100 BENCH_SECONDS=5 BENCH_BATCH_DOCS=100 npm run bench:relay
 *   BENCH_PROF=prof npm run bench:relay                            --cpu-prof of each server child into prof/
 *   BENCH_WINDOW_PROF=prof npm run bench:relay                     CPU and allocation profiles of our server's measured window
 *   BENCH_ONLY=ours npm run bench:relay                            a subset: any of ours, stock, batch
 *   BENCH_SERVER_ARGS="--trace-gc" npm run bench:relay             extra node options for the server children
 *
 * (a) Relay: BENCH_CLIENTS (2,000) stock `WebsocketProvider` clients (y-websocket, `ws` as the
 *     WebSocket) in BENCH_ROOMS (500) rooms send BENCH_RATE (1,000) updates/s in total for
 *     BENCH_SECONDS (30) s, after BENCH_WARMUP (3) s of the same load that is not measured. Each update
 *     retypes the document's 說明 一、 (BENCH_EDIT=subject: its 主旨, which our index row also holds)
 *     with its sequence number and send time (performance.now() of this process) in the text; every
 *     other client of the room takes the time when the update reaches its Y.Doc, so fan-out latency is
 *     measured on one clock. Only the clients logged in as the case officer send (our relay refuses
 *     anyone else's text edit of a draft, update.content-editor); the others receive. The same clients
 *     run against
 *       ours:  sync-server's AgencyServer as the integration tests start it (SQLite, enrolled people,
 *              real login tokens, every update through the ingest rules); rooms are documents the case
 *              officer created and pushed through POST /api/sync first; the k-th client of a room
 *              uses the token of its k-th participant (officer, chief, personnel, accounting, …);
 *       stock: @y/websocket-server's src/server.js unchanged (in memory, no auth, no validation);
 *              the first client of each room brings the same document.
 *     Each server runs in its own child process; its CPU time (utime+stime of all its threads) over the
 *     measured window comes from /proc/<pid>/stat, its peak RSS from /proc/<pid>/status (VmHWM, and
 *     the peak of VmRSS sampled during the window).
 * (b) Batch: BENCH_BATCH_DOCS (1,000) documents changed on our server since a device last synced:
 *     one POST /api/sync with their state vectors (answers applied) against as many providers that
 *     connect and sync; median of BENCH_BATCH_RUNS (3) runs after one warm-up run, rooms unloaded
 *     before each run.
 *
 * The load generator runs in this process and shares the machine's cores with the server under test;
 * the JSON says how much CPU it used, how late its event loop ran, how much CPU other processes took
 * meanwhile (relay.*.otherProcessesCores) and how long each main thread waited for a CPU; "caveats"
 * lists what makes a run less than clean. Ratios are ours/stock. Exits 1 only when the run could not
 * be carried out; goals not met are reported in "goals", not as a failure.
 */
import { execSync } from "node:child_process";
import os from "node:os";
import { join } from "node:path";
import { runBatch } from "./relay/batch.ts";
import { ROOT, envInt, forkChild, freePort, fsyncProbe, log, nextMessage, profArgs, round, setClockTicks, stopChild } from "./relay/common.ts";
import { CODE, benchPlan, draft, push } from "./relay/docs.ts";
import { runRelay, type RelayConfig, type RelayResult } from "./relay/load.ts";
import type { OursReady } from "./relay/ours-server.ts";

const OURS = join(ROOT, "tests/bench/relay/ours-server.ts");
const STOCK = join(ROOT, "tests/bench/relay/stock-server.ts");
/** Participants of a document drafted by "officer" with the agency's plan, in the order clients take them. */
const PARTICIPANTS = ["officer", "chief", "personnel", "accounting", "director", "outsider", "registry"] as const;

/**
 * Who sends updates: the clients logged in as the case officer. The documents are drafts, whose text
 * only their case officer edits (crdt-model mayEditContent: the relay refuses anyone else's edit with
 * update.content-editor); the others are participants watching. The stock server gets the same writers.
 */
const writes = (k: number) => PARTICIPANTS[k % PARTICIPANTS.length] === "officer";

const GOALS = { p99Ms: 20, cpuRatio: 1.3, batchRatio: 10 };

/** Our server's own view of the window, from its /metrics (Prometheus text). */
async function scrape(http: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${http}/metrics`)).text();
  const num = (re: RegExp) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : NaN;
  };
  return {
    updatesAccepted: num(/^countersign_updates_total\{outcome="accepted"\} (\S+)/m),
    updatesRefused: num(/^countersign_updates_total\{outcome="refused"\} (\S+)/m) || 0,
    ingestSecondsSum: num(/^countersign_ingest_seconds_sum (\S+)/m),
    ingestCount: num(/^countersign_ingest_seconds_count (\S+)/m),
    ingestUnder5ms: num(/^countersign_ingest_seconds_bucket\{le="0.005"\} (\S+)/m),
    eventLoopLagP99Ms: round(num(/^nodejs_eventloop_lag_p99_seconds (\S+)/m) * 1000, 2),
    eventLoopLagMaxMs: round(num(/^nodejs_eventloop_lag_max_seconds (\S+)/m) * 1000, 2),
  };
}

async function relayOurs(cfg: RelayConfig, ids: string[]): Promise<RelayResult> {
  const child = forkChild(OURS, { tsx: true, env: { BENCH_LIMITS: JSON.stringify({ maxLoaded: Math.max(2000, ids.length + 10) }) }, execArgv: profArgs("ours-relay") });
  try {
    const ready = await nextMessage<OursReady>(child, "ready");
    const http = `http://127.0.0.1:${ready.port}`;
    log(`ours: agency server pid ${child.pid} on port ${ready.port}`);
    const docs = draft(ids, ready.code, ready.plan, subjectOf);
    await push(http, ready.tokens.officer, new Map([...docs].map(([id, d]) => [id, d.encodeState()])));
    log(`ours: ${ids.length} documents created by the case officer and pushed through POST /api/sync`);
    let before: Record<string, number> = {};
    return await runRelay(
      {
        name: "ours",
        serverUrl: `ws://127.0.0.1:${ready.port}/sync`,
        ticketsFrom: `http://127.0.0.1:${ready.port}`,
        pid: child.pid!,
        rooms: ids,
        token: (k) => ready.tokens[PARTICIPANTS[k % PARTICIPANTS.length]!],
        writes,
        initial: () => null,
        beforeWindow: async () => {
          before = await scrape(http);
          child.send({ type: "window-start" });
        },
        afterWindow: async () => {
          child.send({ type: "window-end" });
          const after = await scrape(http);
          const count = after.ingestCount! - before.ingestCount!;
          return {
            updatesAccepted: after.updatesAccepted! - before.updatesAccepted!,
            updatesRefused: after.updatesRefused! - before.updatesRefused!,
            // From arrival of the frame to stored and relayed: includes waiting behind the room's earlier updates.
            ingestMeanMs: round(((after.ingestSecondsSum! - before.ingestSecondsSum!) / count) * 1000, 2),
            ingestUnder5msShare: round((after.ingestUnder5ms! - before.ingestUnder5ms!) / count, 3),
            // prom-client's event-loop lag (a 10 ms-resolution histogram since the last scrape).
            eventLoopLagP99Ms: after.eventLoopLagP99Ms!,
            eventLoopLagMaxMs: after.eventLoopLagMaxMs!,
          };
        },
      },
      cfg,
    );
  } finally {
    await stopChild(child);
  }
}

async function relayStock(cfg: RelayConfig, ids: string[]): Promise<RelayResult> {
  // The same documents (same plan and metadata), brought by each room's first client.
  const initial = [...draft(ids, CODE, benchPlan(), subjectOf).values()].map((d) => d.encodeState());
  const port = await freePort();
  const child = forkChild(STOCK, { tsx: true, env: { PORT: String(port), HOST: "127.0.0.1" }, execArgv: profArgs("stock-relay") });
  try {
    await nextMessage(child, "ready");
    log(`stock: @y/websocket-server pid ${child.pid} on port ${port}`);
    return await runRelay(
      {
        name: "stock",
        serverUrl: `ws://127.0.0.1:${port}`,
        pid: child.pid!,
        rooms: ids,
        token: () => "unused-by-the-stock-server",
        writes,
        initial: (room) => initial[room]!,
        beforeWindow: async () => void child.send({ type: "window-start" }),
        afterWindow: async () => {
          child.send({ type: "window-end" });
          return {};
        },
      },
      cfg,
    );
  } finally {
    await stopChild(child);
  }
}

const subjectOf = (i: number) => `研商校園安全會議第${i}案`;

function machine() {
  let clk = 100;
  try {
    clk = Number(execSync("getconf CLK_TCK").toString().trim());
  } catch {
    /* keep 100 */
  }
  setClockTicks(clk);
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? "unknown",
    memoryGb: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((x) => round(x, 2)),
    loadAverageAtEnd: [] as number[],
    /** write + fdatasync of 256 bytes in the temp folder (where our server's SQLite file lives). */
    fsyncAtStart: fsyncProbe(),
    fsyncAtEnd: undefined as ReturnType<typeof fsyncProbe> | undefined,
    note:
      `The load generator (every client) runs in the benchmark process on the same ${cpus.length} cores as the server ` +
      "under test, so the two compete for CPU: latencies include the generator's own event-loop delay " +
      "(relay.*.generator), and a server that needs more CPU leaves less for the clients that measure it.",
  };
}

/** The commit measured, and server or model files that differ from it (other people edit them meanwhile). */
function codeVersion(): { commit: string; uncommitted: string[] } {
  try {
    const commit = execSync("git rev-parse --short HEAD", { cwd: ROOT }).toString().trim();
    const dirty = execSync("git status --porcelain -- sync-server/src packages/crdt-model/src", { cwd: ROOT }).toString().trim();
    return { commit, uncommitted: dirty ? dirty.split("\n").map((l) => l.trim()) : [] };
  } catch {
    return { commit: "unknown", uncommitted: [] };
  }
}

async function main(): Promise<void> {
  const m = machine();
  const clients = envInt("BENCH_CLIENTS", 2000);
  const rooms = envInt("BENCH_ROOMS", 500);
  if (rooms > clients) throw new Error("BENCH_ROOMS must not exceed BENCH_CLIENTS.");
  const cfg: RelayConfig = {
    clients,
    rate: envInt("BENCH_RATE", 1000),
    seconds: envInt("BENCH_SECONDS", 30),
    warmupSeconds: envInt("BENCH_WARMUP", 3, 0),
    connectBatch: envInt("BENCH_CONNECT_BATCH", 100),
    edit: process.env.BENCH_EDIT === "subject" ? "subject" : "body",
  };
  const batchDocs = envInt("BENCH_BATCH_DOCS", 1000);
  const batchRuns = envInt("BENCH_BATCH_RUNS", 3);
  const isDefault = clients === 2000 && rooms === 500 && cfg.rate === 1000 && cfg.seconds === 30 && batchDocs === 1000;
  log(`${clients} clients in ${rooms} rooms, ${cfg.rate} updates/s for ${cfg.seconds} s (+${cfg.warmupSeconds} s warm-up); batch of ${batchDocs}; ${m.cpus} cpus, node ${m.node}`);

  // BENCH_ONLY=ours,stock,batch runs a subset (e.g. to profile one server); the JSON says what was skipped.
  const only = new Set((process.env.BENCH_ONLY || "ours,stock,batch").split(",").map((x) => x.trim()));
  const skipped = { error: "skipped (BENCH_ONLY)" };
  const attempt = async <T>(what: string, run: () => Promise<T>): Promise<T | { error: string }> => {
    if (!only.has(what)) return skipped;
    try {
      return await run();
    } catch (e) {
      log(`${what} failed: ${(e as Error).stack ?? String(e)}`);
      return { error: (e as Error).message };
    }
  };
  const ids = Array.from({ length: rooms }, (_, i) => `bench-r${i}`);
  const ours = await attempt("ours", () => relayOurs(cfg, ids));
  const stock = await attempt("stock", () => relayStock(cfg, ids));
  const batch = await attempt("batch", () => runBatch(OURS, batchDocs, batchRuns));

  const ok = <T extends object>(r: T | { error: string }): r is T => !("error" in r);
  const div = (a: number, b: number) => round(a / b, 2);
  const ratios =
    ok(ours) && ok(stock)
      ? { cpu: div(ours.cpuSeconds, stock.cpuSeconds), p99: div(ours.p99Ms, stock.p99Ms), p50: div(ours.p50Ms, stock.p50Ms), peakRss: div(ours.peakRssMb, stock.peakRssMb) }
      : null;
  // A p99 only counts when every delivery arrived and nothing was refused.
  const p99Met = ok(ours) && ours.lostDeliveries === 0 && ours.refusals === 0 && ours.p99Ms <= GOALS.p99Ms;
  const goals = {
    p99: { goalMs: GOALS.p99Ms, oursMs: ok(ours) ? ours.p99Ms : null, met: p99Met },
    cpu: { goalRatio: GOALS.cpuRatio, ratio: ratios?.cpu ?? null, met: ratios !== null && ratios.cpu <= GOALS.cpuRatio },
    batch: { goalRatio: GOALS.batchRatio, ratio: ok(batch) ? batch.ratio : null, met: ok(batch) && batch.ratio >= GOALS.batchRatio },
    allMet: false,
  };
  goals.allMet = goals.p99.met && goals.cpu.met && goals.batch.met;

  // What makes these numbers less than clean, said next to them.
  const caveats: string[] = [];
  for (const [name, r] of [["ours", ours], ["stock", stock]] as const) {
    if (!ok(r)) continue;
    if (r.otherProcessesCores > 0.2)
      caveats.push(`${name}: other processes on this machine used ${r.otherProcessesCores} cores during the window (server and generator waited for CPU: server main thread ${r.serverMainThread.waitingForCpu} of the time).`);
    if (r.lostDeliveries > 0) caveats.push(`${name}: ${r.lostDeliveries} of ${r.expectedDeliveries} deliveries had not arrived 10 s after sending stopped; the percentiles cover only those that did.`);
    if (r.refusals > 0) caveats.push(`${name}: the server refused ${r.refusals} updates (first: ${r.firstRefusal}).`);
    if (r.achievedRate < cfg.rate * 0.98) caveats.push(`${name}: the generator reached only ${r.achievedRate} updates/s.`);
  }
  m.loadAverageAtEnd = os.loadavg().map((x) => round(x, 2));
  m.fsyncAtEnd = fsyncProbe();

  const out = {
    machine: m,
    config: {
      clients,
      rooms,
      clientsPerRoom: round(clients / rooms, 2),
      rate: cfg.rate,
      seconds: cfg.seconds,
      warmupSeconds: cfg.warmupSeconds,
      batchDocs,
      batchRuns,
      issueDefaults: isDefault,
      client: "stock y-websocket 3 WebsocketProvider in Node with ws as WebSocket, the same for both servers",
      writers: "the clients logged in as each document's case officer (the only one who edits a draft's text); the others receive, on both servers",
      edit: cfg.edit,
      update:
        cfg.edit === "body"
          ? "one transaction retyping 說明 一、 (delete + insert of the item's text) with the sequence number and send time in the text"
          : "one transaction retyping 主旨 (delete + insert) with the sequence number and send time in the text; 主旨 is in our index row, so every update also rewrites it",
      stockServer: "@y/websocket-server 0.1.1 src/server.js (yjs 13, as y-websocket 3 clients use)",
    },
    code: codeVersion(),
    relay: { ours, stock, ratios },
    batch,
    goals,
    caveats,
  };
  process.stdout.write(JSON.stringify(out, null, 2) + "\n");
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    log(`failed: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  },
);
