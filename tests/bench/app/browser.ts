// The browser side of the app benchmark: Debian's Chromium (playwright-core, launched as the e2e
// tests launch it), a person enrolled through the app's home page, the local store filled with the
// agency's documents through the app's own local-store code, and helpers to inject the bench bundle.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../../e2e/support.ts";
import { log, round } from "./common.ts";
import type { Bench } from "./page/entry.ts";
import type { BenchServer } from "./server.ts";
import { VIEWER } from "./seed.ts";

declare global {
  interface Window {
    __bench: Bench;
    __inboxShown?: Promise<{ dom: number; frame: number }>;
  }
}

export const AGENCY = "A-DEMO-EDU";

/**
 * Installed in every page before its own scripts: on /inbox, resolves window.__inboxShown with the
 * time (performance.now(), i.e. since navigation start) at which the inbox first shows its tab counts
 * and its list (or its empty-tab message), and at the end of the frame that paints it.
 */
const INBOX_MARK = `(() => {
  // tsx compiles this benchmark with esbuild's keepNames, which wraps functions passed to
  // page.evaluate in __name(…): give every page that helper.
  globalThis.__name ??= (f) => f;
  if (location.pathname !== "/inbox") return;
  const shown = () => {
    const todo = document.querySelector('[data-testid="tab-todo"]');
    return !!todo && todo.getAttribute("data-count") !== "" && !!document.querySelector('[data-testid="inbox-list"], [data-testid="empty"]');
  };
  window.__inboxShown = new Promise((resolve) => {
    const mo = new MutationObserver(() => {
      if (!shown()) return;
      const dom = performance.now();
      mo.disconnect();
      requestAnimationFrame(() => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => resolve({ dom, frame: performance.now() });
        ch.port2.postMessage(null);
      });
    });
    mo.observe(document, { subtree: true, childList: true, attributes: true });
  });
})();`;

export interface Session {
  browser: Browser;
  context: BrowserContext;
  bundle: string;
  /** How long the app's own first batch sync took after enrolling, and what it brought. */
  firstSync: { ms: number; toInboxMs: number; rows: number; withCopy: number };
  /** What the bench added through LocalStore afterwards: what the first sync did not bring (normally nothing). */
  fill: { ms: number; rows: number; applied: number };
  pageErrors: string[];
  /** Whether the browser's network is off (context.setOffline), set through setOffline() only. */
  offline: boolean;
}

export async function setOffline(s: Session, offline: boolean): Promise<void> {
  await s.context.setOffline(offline);
  s.offline = offline;
}

export async function inject(page: Page, bundle: string): Promise<void> {
  if (await page.evaluate(() => typeof window.__bench !== "undefined")) return;
  await page.addScriptTag({ content: bundle });
}

/**
 * A page of the app's origin for the bench bundle: online, one that runs none of the app (the
 * server's /healthz JSON); offline, /inbox from the service worker (the app stays idle offline).
 */
export async function plainPage(s: Session, base: string): Promise<Page> {
  const page = await s.context.newPage();
  await page.goto(s.offline ? `${base}/inbox` : `${base}/healthz`);
  if (s.offline) await page.waitForFunction(() => window.__inboxShown !== undefined, null, { timeout: 60_000 }).then(() => page.evaluate(() => window.__inboxShown));
  await inject(page, s.bundle);
  return page;
}

export async function startSession(server: BenchServer, bundle: string): Promise<Session> {
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true /* the bench injects its own script (page/entry.ts) into the app's pages */ });
  const pageErrors: string[] = [];
  context.on("page", (p) => p.on("pageerror", (e) => pageErrors.push(e.message)));
  await context.addInitScript(INBOX_MARK);
  const s: Session = { browser, context, bundle, firstSync: { ms: 0, toInboxMs: 0, rows: 0, withCopy: 0 }, fill: { ms: 0, rows: 0, applied: 0 }, pageErrors, offline: false };

  // Enroll as the case officer through the home page's demo list, as a newcomer would.
  const page = await context.newPage();
  await page.goto(`${server.base}/`);
  const t0 = Date.now();
  await page.locator(`[data-testid="demo-person"][data-person="${VIEWER}"] button`).click();
  // The app finishes its first batch sync before it shows the inbox (App.enroll awaits it).
  log("enrolling in Chromium; the app runs its first batch sync");
  await page.waitForURL(/\/inbox$/, { timeout: 1_800_000 });
  s.firstSync.toInboxMs = Date.now() - t0;
  await page.waitForFunction(() => document.querySelector('[data-testid="sync-state"]')?.getAttribute("data-mode") === "synced", null, { timeout: 1_800_000, polling: 500 });
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
  s.firstSync.ms = Date.now() - t0;
  await inject(page, bundle);
  const c = await page.evaluate(([a, p]) => window.__bench.counts(a!, p!), [AGENCY, VIEWER]);
  s.firstSync.rows = c.rows;
  s.firstSync.withCopy = c.withCopy;
  log(`first sync: ${c.rows} index rows, ${c.withCopy} copies in ${round(s.firstSync.ms / 1000)} s`);
  log(`first sync steps (overlapping; the listings run side by side): ${(await syncSteps(page, 0)).join("; ")}`);
  // Closed before filling, so its background sync (every minute) cannot run meanwhile.
  await page.close();

  // The rest of the documents, through LocalStore.mergeIndex / applyFromServer (batch sync's own calls).
  const fill = await plainPage(s, server.base);
  const t1 = Date.now();
  const rows = await fill.evaluate(([a, p, r]) => window.__bench.mergeRows(a as string, p as string, JSON.parse(r as string)), [AGENCY, VIEWER, JSON.stringify(server.seeded.rows)] as const);
  const missing = new Set(await fill.evaluate(([a, p]) => window.__bench.withoutCopy(a!, p!), [AGENCY, VIEWER]));
  const todo = server.seeded.docs.filter((d) => missing.has(d.id));
  for (let i = 0; i < todo.length; i += 250) {
    const chunk = todo.slice(i, i + 250).map((d) => ({ id: d.id, update: d.update }));
    await fill.evaluate(([a, p, docs]) => window.__bench.apply(a as string, p as string, docs as { id: string; update: string }[]), [AGENCY, VIEWER, chunk] as const);
    if ((i / 250) % 8 === 7) log(`filled ${i + chunk.length}/${todo.length} documents`);
  }
  s.fill = { ms: Date.now() - t1, rows, applied: todo.length };
  const after = await fill.evaluate(([a, p]) => window.__bench.counts(a!, p!), [AGENCY, VIEWER]);
  log(`local store: ${after.rows} index rows, ${after.withCopy} downloaded copies (bench added ${todo.length} in ${round(s.fill.ms / 1000)} s)`);
  await fill.close();
  return s;
}

/** The steps of the page's syncs since `from` (page time), added up: the measures src/lib/local/timing.ts records. */
export async function syncSteps(page: Page, from: number): Promise<string[]> {
  return page.evaluate((from) => {
    const sum = new Map<string, { n: number; ms: number }>();
    for (const e of performance.getEntriesByType("measure")) {
      if (e.startTime < from || !e.name.startsWith("countersign:sync:")) continue;
      const k = e.name.slice("countersign:sync:".length);
      const s = sum.get(k) ?? { n: 0, ms: 0 };
      s.n++;
      s.ms += e.duration;
      sum.set(k, s);
    }
    return [...sum].map(([k, s]) => `${k} ${s.n}× ${Math.round(s.ms)} ms`);
  }, from);
}
