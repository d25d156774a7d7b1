/**
 * The web app's performance, measured in Debian's Chromium against a real agency server. Prints one
 * JSON object on stdout; progress goes to stderr. Exits 1 only when the run could not be carried out
 * (or an outcome was wrong); goals not met are reported in "goals", not as a failure.
 *
 *   npm run bench:app                                   the issue's workload (10,000 documents; ~12 min)
 *   BENCH_DOCS=2000 BENCH_RUNS=5 BENCH_RECONCILE_DOCS=200 npm run bench:app      a quick run
 *   BENCH_RECONCILE_RUNS=1 npm run bench:app            reconcile runs (each uses 2 × 1,000 fresh documents)
 *   BENCH_PROF=prof npm run bench:app                   also one profiled cold start and opening (CDP) in prof/*.cpuprofile
 *   BENCH_BUILD=skip npm run bench:app                  measure build/ as it is (=always: rebuild first)
 *   BENCH_ONLY=open npm run bench:app                   only the named measures (comma-separated: cold,search,open,store,reconcile)
 *
 * Setup (not timed): build the app if build/ is missing or stale; `countersign demo` into a temp dir;
 * BENCH_DOCS (10,000) documents seeded server-side the way the demo seeds its own (signed by the demo
 * people, certificates from the agency CA, stored through the relay's ingest path), a quarter each
 * draft / in review / countersigning (two stages), plus one 簽 with a 30-entry chain, decided; then
 * `countersign serve` on a free port. In Chromium (playwright-core, /usr/bin/chromium) the case
 * officer 陳承辦 enrolls through the home page and the app runs its own first batch sync, reading the
 * server's listings page by page; anything in scope it has not brought (none, unless the sync was cut
 * short) goes into the same local store through the app's LocalStore.mergeIndex / applyFromServer —
 * batch sync's own calls — from a page that runs none of the app (tests/bench/app/page/entry.ts, bundled from the app's sources).
 *
 * Measures (each timed with performance.now() inside the page; BENCH_RUNS (10) counted runs after one
 * warm-up; median, p95 and the raw samples):
 *   coldStart  a new page loads /inbox, network off, service worker installed with its cache: from
 *              navigation start to the end of the frame that shows the tab counts and the list;
 *   search     the query 畢業典禮 arrives in one input event (as an IME commits a word) in 待辦: to the
 *              end of the frame that shows only matching rows;
 *   openDoc    click on the 30-entry document's row: to the end of the frame where all 30 badges
 *              read verified;
 *   reconcile  BENCH_RECONCILE_DOCS (1,000) drafts edited offline in the browser and on the server
 *              by the case officer's other device; the network returns: from the `online` event to
 *              the header reading 已同步, then every document checked (BENCH_RECONCILE_RUNS (3)
 *              runs, fresh drafts each, as many as the seeded drafts allow: 1 with 10,000 documents).
 * Peers, in the same browser and run (the ratio is app / peer, so lower is better and 1 is the floor):
 *   coldStart  opening the same Dexie database and reading every index row, no UI: what any inbox on
 *              this store must pay before it can render;
 *   search     the inbox's own filter over the tab's rows in memory, no rendering;
 *   openDoc    loading the same local copy from y-indexeddb and verify + derive, no page;
 *   reconcile  one stock y-websocket provider per document (the way y-websocket alone would catch up:
 *              a socket each, in-memory Y.Docs without IndexedDB or an index, so it does less than the
 *              app) on as many other documents changed the same way, against the same server.
 * Phases 1–3 run with the network off: the server lists at most 6,000 of the 10,000 documents and the
 * app's sync drops index rows the server does not list (reported in "findings"), which would shrink
 * the store under the measurement; reconcile comes last, online.
 */
import { execSync } from "node:child_process";
import os from "node:os";
import { ROOT, ensureBuild, envInt, goal, log, round } from "./app/common.ts";
import { pageBundle } from "./app/page-bundle.ts";
import { setOffline, startSession, type Session } from "./app/browser.ts";
import { coldStart, openDoc, reconcile, reopen, search, storeChoice } from "./app/measures.ts";
import { otherDevice, startBenchServer, type BenchServer } from "./app/server.ts";
import { OTHER } from "./app/seed.ts";

// Issue 11's goals (cold start 500 ms, opening the chain 50 ms, reconcile 3 s and 6× the peer, first
// sync of 10,000 documents 15 s, no growth on 100 re-opens); search keeps the earlier issue's 50 ms.
const GOALS = { coldStartMs: 500, searchMs: 50, openDocMs: 50, reconcileMs: 3000, reconcileTimesFaster: 6, firstSyncMs: 15_000, reopens: 100 };

function codeVersion(): { commit: string; uncommitted: string[] } {
  try {
    const commit = execSync("git rev-parse --short HEAD", { cwd: ROOT }).toString().trim();
    const dirty = execSync("git status --porcelain -- src packages/crdt-model/src sync-server/src", { cwd: ROOT }).toString().trim();
    return { commit, uncommitted: dirty ? dirty.split("\n").map((l) => l.trim()) : [] };
  } catch {
    return { commit: "unknown", uncommitted: [] };
  }
}

async function main(): Promise<void> {
  const docs = envInt("BENCH_DOCS", 10_000);
  const runs = envInt("BENCH_RUNS", 10);
  const reconcileDocs = envInt("BENCH_RECONCILE_DOCS", 1000);
  const only = new Set((process.env.BENCH_ONLY ?? "cold,search,open,store,reconcile").split(",").map((x) => x.trim()));
  for (const m of only) if (!["cold", "search", "open", "store", "reconcile"].includes(m)) throw new Error(`BENCH_ONLY takes cold, search, open, store and reconcile, not "${m}".`);
  const reconcileRuns = only.has("reconcile") ? envInt("BENCH_RECONCILE_RUNS", 3, 0) : 0;
  const build = ensureBuild();
  const cpus = os.cpus();
  log(`${docs} documents, ${runs} runs per measure, reconcile ${reconcileRuns} × ${reconcileDocs}; ${cpus.length} cpus, load ${os.loadavg().map((x) => round(x, 2)).join(" ")}`);
  const bundle = await pageBundle();

  let server: BenchServer | null = null;
  let session: Session | null = null;
  try {
    const t0 = Date.now();
    server = await startBenchServer(docs);
    const seedSeconds = round((Date.now() - t0) / 1000);
    session = await startSession(server, bundle);
    const ca = ((await (await fetch(`${server.base}/api/agency`)).json()) as { ca: string }).ca;

    await setOffline(session, true);
    const cold = only.has("cold") ? await coldStart(session, server.base, runs) : null;
    if (cold) log(`cold start: median ${cold.frame.medianMs} ms, p95 ${cold.frame.p95Ms} ms (peer ${cold.peer.stats.medianMs} ms)`);
    const found = only.has("search") ? await search(session, server.base, runs, "畢業典禮") : null;
    if (found) log(`search: median ${found.frame.medianMs} ms, p95 ${found.frame.p95Ms} ms (peer ${found.peer.stats.medianMs} ms)`);
    const opened = only.has("open") ? await openDoc(session, server.base, runs, ca) : null;
    if (opened) log(`open: median ${opened.frame.medianMs} ms, p95 ${opened.frame.p95Ms} ms (peer ${opened.peer.stats.medianMs} ms)`);
    const reopened = only.has("open") ? await reopen(session, server.base, GOALS.reopens) : null;
    if (reopened) log(`re-open ×${reopened.opens}: ${reopened.before.rows} rows / ${reopened.before.bytes} B before, ${reopened.after.rows} / ${reopened.after.bytes} B after`);
    const choice = only.has("store") ? await storeChoice(session, server.base, server.seeded.docs.slice(0, 1000).map((d) => ({ id: d.id, update: d.update })), GOALS.reopens) : null;
    if (choice) log(`store choice: own ${choice.own.applyMs} ms, y-dexie ${choice.yDexie.applyMs} ms for ${choice.docs} documents`);
    await setOffline(session, false);

    // The case officer's other device (its own certificate and Yjs client id): only the case officer
    // edits a draft's text (crdt-model editing.ts), and the relay binds each client id to one writer.
    const other = await otherDevice(server.base, server.newCode(OTHER));
    const rec = reconcileRuns > 0 ? await reconcile(session, server, other, reconcileRuns, reconcileDocs) : null;

    const dropped = rec?.runs[0] ? rec.runs[0].indexRowsBefore - rec.runs[0].indexRowsAfter : 0;
    const findings: string[] = [];
    if (session.firstSync.rows < docs)
      findings.push(
        `The app's own first sync brought ${session.firstSync.rows} of the ${docs + 1} documents in scope; the rest were added through LocalStore for the measures.`,
      );
    if (dropped > 0)
      findings.push(`On reconnecting, the app's batch sync dropped ${dropped} local index rows (a row may go only once a complete listing no longer holds it).`);
    if (session.pageErrors.length) findings.push(`Page errors: ${[...new Set(session.pageErrors)].slice(0, 5).join(" | ")}`);

    const out = {
      machine: {
        cpus: cpus.length,
        cpuModel: cpus[0]?.model ?? "unknown",
        memoryGb: round(os.totalmem() / 2 ** 30, 1),
        node: process.version,
        chromium: session.browser.version(),
        loadAverageAtEnd: os.loadavg().map((x) => round(x, 2)),
        note: "The agency server, Chromium and this process share the machine's cores; other processes may run too (see the load average).",
      },
      code: codeVersion(),
      build: build.reason,
      setup: {
        documents: docs + 1,
        seedSeconds,
        firstSync: { seconds: round(session.firstSync.ms / 1000), secondsUntilInbox: round(session.firstSync.toInboxMs / 1000), indexRows: session.firstSync.rows, copies: session.firstSync.withCopy },
        filledByBench: { seconds: round(session.fill.ms / 1000), indexRows: session.fill.rows, copies: session.fill.applied },
        viewer: "陳承辦 (chen), case officer of every document",
        viewport: "1280 × 900",
      },
      coldStart: cold,
      search: found,
      openDoc: opened,
      reconcile: rec,
      reopen: reopened,
      storeChoice: choice,
      goals: {
        coldStart: goal(GOALS.coldStartMs, cold?.frame ?? null),
        search: goal(GOALS.searchMs, found?.frame ?? null),
        openDoc: goal(GOALS.openDocMs, opened?.frame ?? null),
        reconcile: {
          goalMs: GOALS.reconcileMs,
          measuredMs: rec?.app.medianMs ?? null,
          peerMs: rec?.peer.stats.medianMs ?? null,
          timesFaster: rec ? round(rec.peer.stats.medianMs / rec.app.medianMs, 2) : null,
          goalTimesFaster: GOALS.reconcileTimesFaster,
          met: rec ? rec.app.medianMs <= GOALS.reconcileMs && rec.peer.stats.medianMs / rec.app.medianMs >= GOALS.reconcileTimesFaster : false,
        },
        firstSync: {
          goalMs: GOALS.firstSyncMs,
          measuredMs: session.firstSync.ms,
          documents: session.firstSync.rows,
          // Met only when the app's own sync brought every document (the bench fills in what it did not).
          met: session.firstSync.ms <= GOALS.firstSyncMs && session.firstSync.rows >= docs,
        },
        storageOnReopen: { opens: reopened?.opens ?? null, before: reopened?.before ?? null, after: reopened?.after ?? null, met: reopened ? !reopened.grew : false },
      },
      ratios: { coldStart: cold?.ratio ?? null, search: found?.ratio ?? null, openDoc: opened?.ratio ?? null, reconcile: rec?.ratio ?? null },
      findings,
    };
    process.stdout.write(JSON.stringify(out, null, 2) + "\n");
  } finally {
    await session?.browser.close().catch(() => undefined);
    await server?.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    log(`failed: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  },
);
