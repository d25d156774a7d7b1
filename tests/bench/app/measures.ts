// The four measures of the app benchmark, each timed inside the page (performance.now()) on the
// app's real code paths, and each beside a peer: the same work without the UI, in the same run.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { CountersignDocument, fromBase64 } from "@countersign/crdt-model";
import { log, round, sleep, stats, type Stats } from "./common.ts";
import { AGENCY, inject, plainPage, setOffline, syncSteps, type Session } from "./browser.ts";
import type { BenchServer, otherDevice } from "./server.ts";
import { CHAIN_DOC, CHAIN_ENTRIES, VIEWER } from "./seed.ts";

const VIEWER_ROLES = { person: VIEWER, unit: "U-STU", agency: AGENCY, roles: ["case-officer"] };

/** A new page on /inbox, as a returning user opens the app; resolves once the inbox is shown. */
async function openInbox(
  s: Session,
  base: string,
  profile?: string,
): Promise<{ page: Page; dom: number; frame: number; controlled: boolean; rows: number; counts: Record<string, number>; timing: Record<string, number> }> {
  const page = await s.context.newPage();
  const cdp = profile ? await s.context.newCDPSession(page) : null;
  if (cdp) {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
    await cdp.send("Profiler.start");
  }
  await page.goto(`${base}/inbox`, { waitUntil: "commit" });
  await page.waitForFunction(() => window.__inboxShown !== undefined, null, { timeout: 60_000 });
  const shown = await page.evaluate(() => window.__inboxShown!);
  if (cdp && profile) {
    const { profile: p } = await cdp.send("Profiler.stop");
    writeProfile(profile, p);
    await cdp.detach();
  }
  // Where the time went before the app's own code ran (navigation timing, ms since navigation start).
  const timing = await page.evaluate(() => {
    const n = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
    return n ? { responseEnd: n.responseEnd, domInteractive: n.domInteractive, domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd } : {};
  });
  const info = await page.evaluate(() => ({
    controlled: navigator.serviceWorker.controller !== null,
    rows: document.querySelectorAll('[data-testid="inbox-row"]').length,
    counts: Object.fromEntries(["todo", "countersign", "mine", "done", "overdue"].map((t) => [t, Number(document.querySelector(`[data-testid="tab-${t}"]`)?.getAttribute("data-count"))])),
  }));
  return { page, ...shown, ...info, timing: Object.fromEntries(Object.entries(timing).map(([k, v]) => [k, round(v)])) };
}

/** BENCH_PROF=DIR: one extra cold start and one extra opening are profiled (CDP) into DIR as .cpuprofile files (open them in DevTools). */
const PROF_DIR = process.env.BENCH_PROF ? resolve(process.env.BENCH_PROF) : null;
function writeProfile(name: string, profile: unknown): void {
  if (!PROF_DIR) return;
  mkdirSync(PROF_DIR, { recursive: true });
  const file = join(PROF_DIR, `${name}-${Date.now()}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  log(`profile written to ${file}`);
}

export interface ColdStart {
  network: "offline";
  serviceWorker: string;
  frame: Stats;
  dom: Stats;
  rowsRendered: number;
  counts: Record<string, number>;
  lastRunNavigationTiming: Record<string, number>;
  peer: { what: string; stats: Stats; rows: number };
  ratio: number;
}

/**
 * (1) Cold start: a new page (a new renderer) loads /inbox with the service worker installed and its
 * cache filled, IndexedDB holding the documents, and the network off — a returning user opening the
 * app on a weak uplink. Time from navigation start to the end of the frame that shows the tab counts
 * and the list. Run 0 warms the OS and the browser's caches and is not counted.
 * Peer: opening the same Dexie database with the app's schema and reading every index row, no UI —
 * the floor any inbox built on this store pays before it can render anything.
 */
export async function coldStart(s: Session, base: string, runs: number): Promise<ColdStart> {
  const frame: number[] = [];
  const dom: number[] = [];
  let last: Awaited<ReturnType<typeof openInbox>> | null = null;
  let controlled = true;
  for (let run = 0; run <= runs; run++) {
    const o = await openInbox(s, base);
    controlled &&= o.controlled;
    if (run > 0) {
      frame.push(o.frame);
      dom.push(o.dom);
    }
    log(`cold start ${run ? `run ${run}/${runs}` : "warm-up"}: ${round(o.frame)} ms (${o.rows} rows rendered, 待辦 ${o.counts.todo})`);
    last = o;
    await o.page.close();
  }
  if (PROF_DIR) await (await openInbox(s, base, "cold-start")).page.close();
  const peerPage = await plainPage(s, base);
  const peer: number[] = [];
  let peerRows = 0;
  for (let run = 0; run <= runs; run++) {
    const r = await peerPage.evaluate(([a, p]) => window.__bench.rawRead(a!, p!), [AGENCY, VIEWER]);
    if (run > 0) peer.push(r.ms);
    peerRows = r.rows;
  }
  await peerPage.close();
  const f = stats(frame);
  const p = stats(peer);
  return {
    network: "offline",
    serviceWorker: controlled ? "installed and controlling every load (app shell from its cache)" : "NOT controlling every load",
    frame: f,
    dom: stats(dom),
    rowsRendered: last!.rows,
    counts: last!.counts,
    lastRunNavigationTiming: last!.timing,
    peer: { what: `new Dexie(the app's LocalDb).docs.toArray(): ${peerRows} rows, no UI`, stats: p, rows: peerRows },
    ratio: round(f.medianMs / p.medianMs, 2),
  };
}

export interface Search {
  query: string;
  tab: "todo";
  tabRows: number;
  matched: number;
  rowsRendered: number;
  frame: Stats;
  dom: Stats;
  peer: { what: string; stats: Stats };
  ratio: number;
}

/**
 * (2) Search: in the inbox's 待辦 tab, the query arrives in one input event (as a Chinese IME commits a
 * word) and the time runs to the end of the frame showing only matching rows. Cleared between runs.
 * Peer: the inbox's own filter (classify's `matches`) over the same tab's rows in memory, no rendering.
 */
export async function search(s: Session, base: string, runs: number, query: string): Promise<Search> {
  const o = await openInbox(s, base);
  const page = o.page;
  await inject(page, s.bundle);
  const frame: number[] = [];
  const dom: number[] = [];
  let rendered = 0;
  for (let run = 0; run <= runs; run++) {
    const r = await page.evaluate(async (q) => {
      const b = window.__bench;
      const input = document.querySelector<HTMLInputElement>('[data-testid="search"]')!;
      const rows = () => [...document.querySelectorAll('[data-testid="inbox-row"]')];
      const t0 = performance.now();
      input.value = q;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      const dom = await b.when(() => rows().length > 0 && rows().every((r) => r.textContent!.includes(q)), 20_000, "the filtered list");
      const frame = await b.nextFrame();
      const shown = rows().length;
      input.value = "";
      input.dispatchEvent(new Event("input", { bubbles: true }));
      await b.when(() => rows().some((r) => !r.textContent!.includes(q)), 20_000, "the whole list again");
      await b.nextFrame();
      return { dom: dom - t0, frame: frame - t0, shown };
    }, query);
    if (run > 0) {
      frame.push(r.frame);
      dom.push(r.dom);
    }
    rendered = r.shown;
  }
  const peer = await page.evaluate(([a, p, v, q, n]) => window.__bench.rawSearch(a as string, p as string, v as never, "todo", q as string, n as number), [AGENCY, VIEWER, VIEWER_ROLES, query, runs + 1] as const);
  await page.close();
  const f = stats(frame);
  const p = stats(peer.ms.slice(1));
  return {
    query,
    tab: "todo",
    tabRows: peer.tabRows,
    matched: peer.matched,
    rowsRendered: rendered,
    frame: f,
    dom: stats(dom),
    peer: { what: "classify's matches() over the tab's rows in memory (the inbox's own filter), no rendering", stats: p },
    ratio: round(f.medianMs / Math.max(p.medianMs, 0.1), 2),
  };
}

export interface OpenDoc {
  doc: string;
  entries: number;
  frame: Stats;
  dom: Stats;
  peer: { what: string; stats: Stats; valid: number };
  /** The model's work in an opening, piece by piece (medians, outside the page). */
  modelPartsMedianMs: Record<string, number>;
  ratio: number;
}

/**
 * (3) Opening the document with a 30-entry chain: from the click on its row in the inbox (已辦 tab,
 * found by searching its 主旨) to the end of the frame in which the history shows all 30 badges, each
 * verified (data-valid="true"). A client-side navigation, as a user clicks; back to the inbox between runs.
 * Peer: the same local copy loaded from y-indexeddb, then verify + derive with the agency CA — what
 * the page computes, without the page.
 */
export async function openDoc(s: Session, base: string, runs: number, caPem: string): Promise<OpenDoc> {
  const o = await openInbox(s, base);
  const page = o.page;
  await inject(page, s.bundle);
  const frame: number[] = [];
  const dom: number[] = [];
  const extra = PROF_DIR ? 1 : 0; // a last, profiled run (not counted)
  for (let run = 0; run <= runs + extra; run++) {
    await page.getByTestId("tab-done").click();
    await page.getByTestId("search").fill("校務評鑑");
    await page.locator(`[data-testid="inbox-row"][data-doc="${CHAIN_DOC}"]`).waitFor({ timeout: 20_000 });
    const cdp = run > runs ? await s.context.newCDPSession(page) : null;
    if (cdp) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
      await cdp.send("Profiler.start");
    }
    const r = await page.evaluate(
      async ([doc, entries]) => {
        const b = window.__bench;
        const row = document.querySelector<HTMLAnchorElement>(`[data-testid="inbox-row"][data-doc="${doc}"]`)!;
        const badges = () => [...document.querySelectorAll('[data-testid="badge"]')];
        const t0 = performance.now();
        row.click();
        const dom = await b.when(() => badges().length === entries && badges().every((x) => x.getAttribute("data-valid") === "true"), 30_000, "every badge verified");
        const frame = await b.nextFrame();
        return { dom: dom - t0, frame: frame - t0 };
      },
      [CHAIN_DOC, CHAIN_ENTRIES] as const,
    );
    if (cdp) {
      writeProfile("open-doc", (await cdp.send("Profiler.stop")).profile);
      await cdp.detach();
    } else if (run > 0) {
      frame.push(r.frame);
      dom.push(r.dom);
    }
    log(`open ${CHAIN_DOC} ${run > runs ? "profiled" : run ? `run ${run}/${runs}` : "warm-up"}: ${round(r.frame)} ms`);
    await page.goBack();
    await page.getByTestId("tab-done").waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="tab-todo"]')?.getAttribute("data-count") !== "", null, { timeout: 30_000 });
  }
  const peer = await page.evaluate(([a, p, d, ca, n]) => window.__bench.rawOpen(a as string, p as string, d as string, ca as string, n as number), [AGENCY, VIEWER, CHAIN_DOC, caPem, runs + 1] as const);
  // The model's share of an opening, piece by piece (the rest of the page's time is rendering it).
  const parts: Record<string, number>[] = [];
  for (let run = 0; run <= runs; run++) parts.push(await page.evaluate(([a, p, d, ca]) => window.__bench.openParts(a!, p!, d!, ca!), [AGENCY, VIEWER, CHAIN_DOC, caPem]));
  const partsMedianMs = Object.fromEntries(Object.keys(parts[0]!).map((k) => [k, stats(parts.slice(1).map((x) => x[k]!)).medianMs]));
  await page.close();
  if (peer.valid !== CHAIN_ENTRIES) throw new Error(`peer: ${peer.valid}/${CHAIN_ENTRIES} entries valid`);
  const f = stats(frame);
  const p = stats(peer.ms.slice(1));
  return {
    doc: CHAIN_DOC,
    entries: CHAIN_ENTRIES,
    frame: f,
    dom: stats(dom),
    peer: { what: "LocalStore.openDoc (the one local database) + TrustStore.fromPem + derive (verify) of the same copy, no page", stats: p, valid: peer.valid },
    modelPartsMedianMs: partsMedianMs,
    ratio: round(f.medianMs / p.medianMs, 2),
  };
}

export interface ReconcileRun {
  docs: number;
  ms: number;
  peerMs: number;
  indexRowsBefore: number;
  indexRowsAfter: number;
  pendingBefore: number;
  pendingAfter: number;
}

export interface Reconcile {
  runs: ReconcileRun[];
  app: Stats;
  peer: { what: string; stats: Stats };
  ratio: number;
  checked: string;
}

type Device = Awaited<ReturnType<typeof otherDevice>>;

/** The other client (the reviewer's second device) changes 主旨 of each document on the server. */
async function editOnServer(other: Device, server: BenchServer, ids: string[], tag: string): Promise<Map<string, string>> {
  const byId = new Map(server.seeded.docs.map((d) => [d.id, d]));
  const want = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const push = ids.slice(i, i + 500).map((id) => {
      const r = CountersignDocument.fromUpdate(fromBase64(byId.get(id)!.update));
      if (!r.ok) throw new Error(r.reason);
      const doc = r.value;
      const sv = doc.stateVector();
      const subject = `${doc.subject()}（${tag}）`;
      doc.setSubject(subject);
      want.set(id, subject);
      return { doc: id, update: Buffer.from(doc.encodeState(sv)).toString("base64") };
    });
    const res = await other.sync({ v: 1, push });
    const bad = res.pushed.filter((p) => !p.ok);
    if (bad.length || res.pushed.length !== push.length) throw new Error(`server edits: ${bad.length} refused (${bad[0]?.reason ?? "?"}), ${res.denied.length} denied`);
  }
  return want;
}

/** The server's copies of `ids`, fetched by the other device (POST /api/sync with nothing held). */
async function serverStates(other: Device, ids: string[]): Promise<Map<string, { subject: string; items: string[]; sv: string }>> {
  const res = await other.sync({ v: 1, have: ids.map((doc) => ({ doc, sv: "AA==" })) });
  const out = new Map<string, { subject: string; items: string[]; sv: string }>();
  for (const d of res.docs) {
    const r = CountersignDocument.fromUpdate(fromBase64(d.update));
    if (!r.ok) throw new Error(r.reason);
    const items: string[] = [];
    const walk = (xs: ReturnType<CountersignDocument["body"]>) => xs.forEach((x) => (items.push(x.text), walk(x.children)));
    walk(r.value.body("explanation"));
    out.set(d.doc, { subject: r.value.subject(), items, sv: Buffer.from(r.value.stateVector()).toString("base64") });
  }
  return out;
}

/**
 * (4) Reconcile: `n` documents changed offline on both sides — in the browser (network off, an item
 * added to 說明 through the app's LocalStore, queued like any local edit) and on the server (the
 * case officer's other device changes 主旨; drafts, which only the case officer edits). Then the app runs in a page and the network comes back:
 * time from the `online` event to the header's sync state reading 已同步 (data-mode "synced": the
 * app's batch sync finished, nothing left to send). Every document is then checked in the browser
 * (the server's 主旨 and our item), and a sample against the server's copy (same 主旨, same items,
 * same state vector).
 * Peer: `n` other documents changed the same way on both sides, reconciled by one stock y-websocket
 * provider per document in a page of the same browser (in-memory Y.Docs: no IndexedDB, no index —
 * less work than the app does; at most 200 sockets open at once, as Chromium allows a profile 255)
 * against the same server. Each run uses fresh documents.
 */
export async function reconcile(s: Session, server: BenchServer, other: Device, runs: number, n: number): Promise<Reconcile> {
  // Drafts: both sides are the case officer (the browser, and their other device), the only one who
  // edits a draft's text (crdt-model editing.ts); out for signing, nobody edits it without a 修改.
  const pool = server.seeded.docs.filter((d) => d.id !== CHAIN_DOC && d.stage === 0).map((d) => d.id);
  if (pool.length < 2 * n) throw new Error(`reconcile needs ${2 * n} drafts, the agency has ${pool.length}`);
  if (pool.length < runs * 2 * n) {
    log(`reconcile: ${pool.length} drafts are enough for ${Math.floor(pool.length / (2 * n))} of the ${runs} runs asked (each takes 2 × ${n} fresh drafts)`);
    runs = Math.floor(pool.length / (2 * n));
  }
  const wsBase = `ws://localhost:${server.port}/sync`;
  const out: ReconcileRun[] = [];
  const byId = new Map(server.seeded.docs.map((d) => [d.id, d]));
  let checked = 0;
  for (let run = 1; run <= runs; run++) {
    const mine = pool.slice((run - 1) * 2 * n, (run - 1) * 2 * n + n);
    const theirs = pool.slice((run - 1) * 2 * n + n, run * 2 * n);
    const text = `離線補充第${run}輪。`;

    // The browser goes offline and edits; the server's copies change meanwhile.
    const edit = await plainPage(s, server.base);
    await setOffline(s, true);
    await edit.evaluate(([a, p, ids, t]) => window.__bench.editOffline(a as string, p as string, ids as string[], t as string), [AGENCY, VIEWER, mine, text] as const);
    const before = await edit.evaluate(([a, p]) => window.__bench.counts(a!, p!), [AGENCY, VIEWER]);
    await edit.close();
    const want = await editOnServer(other, server, [...mine, ...theirs], `第${run}輪另一裝置修正`);
    log(`reconcile run ${run}: ${n} documents edited offline in the browser and on the server`);

    // The app starts offline, then the network returns.
    const o = await openInbox(s, server.base);
    const page = o.page;
    await inject(page, s.bundle);
    await page.evaluate(() => {
      const w = window as unknown as { __onlineAt?: Promise<number> };
      w.__onlineAt = new Promise((r) => window.addEventListener("online", (e) => r(e.timeStamp), { once: true }));
    });
    const done = page.evaluate(async () => {
      const mode = () => document.querySelector('[data-testid="sync-state"]')?.getAttribute("data-mode");
      const end = await window.__bench.when(() => mode() === "synced", 1_800_000, "the sync state 已同步");
      const start = await (window as unknown as { __onlineAt: Promise<number> }).__onlineAt;
      return end - start;
    });
    await sleep(200);
    // BENCH_PROF: the page's CPU profile from the network's return to 已同步.
    const cdp = PROF_DIR ? await s.context.newCDPSession(page) : null;
    if (cdp) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
      await cdp.send("Profiler.start");
    }
    await setOffline(s, false);
    const ms = await done;
    if (cdp) {
      writeProfile(`reconcile-${run}`, (await cdp.send("Profiler.stop")).profile);
      await cdp.detach();
    }
    const after = await page.evaluate(([a, p]) => window.__bench.counts(a!, p!), [AGENCY, VIEWER]);
    // Where the time went: the requests the sync made after the network returned (server time, as the page saw it).
    const requests = await page.evaluate(async () => {
      const from = await (window as unknown as { __onlineAt: Promise<number> }).__onlineAt;
      return performance
        .getEntriesByType("resource")
        .filter((e) => e.startTime >= from && new URL(e.name).pathname.startsWith("/api/"))
        .map((e) => `${new URL(e.name).pathname} +${Math.round(e.startTime - from)} ms ${Math.round(e.duration)} ms`);
    });
    log(`reconcile run ${run}: requests after online: ${requests.join("; ")}`);
    // And in the page: the sync's own steps (src/lib/local/timing.ts), added up.
    const steps = await syncSteps(page, await page.evaluate(() => (window as unknown as { __onlineAt: Promise<number> }).__onlineAt));
    log(`reconcile run ${run}: sync steps (overlapping; the listings run side by side): ${steps.join("; ")}`);
    log(`reconcile run ${run}: app ${round(ms)} ms; index rows ${before.rows} → ${after.rows}, pending ${before.pending} → ${after.pending}`);

    // Converged: every document in the browser, and a sample against the server's copy.
    const states = await page.evaluate(([a, p, ids]) => window.__bench.states(a as string, p as string, ids as string[]), [AGENCY, VIEWER, mine] as const);
    const wrong = states.filter((st) => st.subject !== want.get(st.id) || !st.items.includes(text));
    if (wrong.length) throw new Error(`reconcile: ${wrong.length}/${n} documents did not converge in the browser (first ${wrong[0]!.id}: ${wrong[0]!.subject})`);
    const sample = mine.filter((_, i) => i % Math.max(1, Math.floor(n / 20)) === 0);
    const server1 = await serverStates(other, sample);
    for (const st of states.filter((x) => sample.includes(x.id))) {
      const sv = server1.get(st.id);
      if (!sv || sv.subject !== st.subject || JSON.stringify(sv.items) !== JSON.stringify(st.items) || sv.sv !== st.sv)
        throw new Error(`reconcile: ${st.id} differs from the server's copy`);
      checked++;
    }
    await page.close();

    // Peer: stock providers, one per document, with the same kind of offline edit.
    const token = await tokenOf(s, server.base);
    const peerPage = await plainPage(s, server.base);
    const peer = await peerPage.evaluate(
      ([ws, tok, docs, t]) => window.__bench.providers(ws as string, tok as string, docs as { id: string; update: string; want: string }[], t as string),
      [wsBase, token, theirs.map((id) => ({ id, update: byId.get(id)!.update, want: want.get(id)! })), text] as const,
    );
    await peerPage.close();
    if (peer.converged !== n) throw new Error(`peer: ${peer.converged}/${n} providers converged`);
    const server2 = await serverStates(other, theirs.filter((_, i) => i % Math.max(1, Math.floor(n / 20)) === 0));
    for (const [id, st] of server2) if (!st.items.includes(text)) throw new Error(`peer: the server did not get ${id}'s offline edit`);
    log(`reconcile run ${run}: ${n} stock providers ${round(peer.ms)} ms`);
    out.push({ docs: n, ms: round(ms), peerMs: round(peer.ms), indexRowsBefore: before.rows, indexRowsAfter: after.rows, pendingBefore: before.pending, pendingAfter: after.pending });
  }
  const app = stats(out.map((r) => r.ms));
  const peer = stats(out.map((r) => r.peerMs));
  return {
    runs: out,
    app,
    peer: { what: `${n} stock y-websocket providers (one socket per document, at most 200 open at once under Chromium's cap of 255; in-memory Y.Docs) in a page of the same browser, same server`, stats: peer },
    ratio: round(app.medianMs / peer.medianMs, 2),
    checked: `every document's 主旨 and offline item in the browser; ${checked} against the server's copy (主旨, items, state vector)`,
  };
}

/** The app's login token for this tab (sessionStorage), for the peer's providers to act as the same person. */
async function tokenOf(s: Session, base: string): Promise<string> {
  const page = await s.context.newPage();
  await page.goto(`${base}/inbox`);
  const token = await page.waitForFunction(
    () => {
      for (let i = 0; i < sessionStorage.length; i++) {
        const k = sessionStorage.key(i)!;
        if (k.startsWith("countersign:token:")) return (JSON.parse(sessionStorage.getItem(k)!) as { token: string }).token;
      }
      return null;
    },
    null,
    { timeout: 60_000, polling: 200 },
  );
  const t = (await token.jsonValue()) as string;
  await page.close();
  return t;
}

export interface Reopen {
  opens: number;
  before: { rows: number; bytes: number };
  after: { rows: number; bytes: number };
  ms: number;
  grew: boolean;
}

/** Opens the 30-entry document `opens` times through the app's LocalStore (no edit): does its storage grow? */
export async function reopen(s: Session, base: string, opens: number): Promise<Reopen> {
  const page = await plainPage(s, base);
  const r = await page.evaluate(([a, p, d, n]) => window.__bench.reopen(a as string, p as string, d as string, n as number), [AGENCY, VIEWER, CHAIN_DOC, opens] as const);
  await page.close();
  return { opens, ...r, ms: round(r.ms), grew: r.after.bytes > r.before.bytes || r.after.rows > r.before.rows };
}

export interface StoreChoice {
  docs: number;
  reopens: number;
  own: { applyMs: number; reopenMs: number; before: number; after: number };
  yDexie: { applyMs: number; reopenMs: number; before: number; after: number };
  applyRatio: number;
}

/** Item 1's choice: the app's own provider on Dexie against y-dexie, the same documents, fresh databases each (see page/entry.ts storeCompare). */
export async function storeChoice(s: Session, base: string, docs: { id: string; update: string }[], reopens: number): Promise<StoreChoice> {
  const page = await plainPage(s, base);
  const r = await page.evaluate(([d, n]) => window.__bench.storeCompare(d as { id: string; update: string }[], n as number), [docs, reopens] as const);
  await page.close();
  const rd = (x: StoreChoice["own"]) => ({ applyMs: round(x.applyMs), reopenMs: round(x.reopenMs), before: x.before, after: x.after });
  return { docs: docs.length, reopens, own: rd(r.own), yDexie: rd(r.yDexie), applyRatio: round(r.yDexie.applyMs / r.own.applyMs, 2) };
}
