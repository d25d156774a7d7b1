// The one sync status, in real Chromium against a real demo server that this file stops and starts
// again: the header and the document page read the same state, so they never contradict each other.
// Browser offline → both say this device is offline; back online → synced within 2 s; the server
// stopped → "server unreachable" with the count of changes waiting; started again → synced within
// 2 s of it listening (measured and printed); a document the person may not open is a refusal,
// not a network message. Screenshots at 1280 and 375 px in test-results/.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { demoDataDir, freePort, launchChromium } from "./support.ts";
import { T, enrollDemoPerson, openDoc, synced } from "./demo-session.ts";
import { REFUSAL_MESSAGES } from "../../src/lib/refusals/table.ts";

/** How long after the real state the status may lag: the 2 s, with 1 s of slack for a busy CI machine. */
const FOLLOWS_WITHIN_MS = 3_000;

/** The demo agency's `serve`, on a fixed port and data directory so it can be stopped and started again. */
class Server {
  child: ChildProcess | null = null;
  constructor(
    readonly dir: string,
    readonly port: number,
  ) {}
  get base(): string {
    return `http://localhost:${this.port}`;
  }
  /** Starts it; resolves with the moment /healthz first answered. */
  async start(): Promise<number> {
    this.child = spawn(process.execPath, ["bin/countersign.js", "serve", "--data", this.dir, "--port", String(this.port), "--host", "127.0.0.1"], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    const until = Date.now() + 30_000;
    for (;;) {
      const ok = await fetch(`${this.base}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return Date.now();
      if (Date.now() > until) throw new Error(`the server on ${this.port} did not answer within 30 s`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
    this.child = null;
  }
}

let server: Server;
let browser: Browser;

beforeAll(async () => {
  const dir = demoDataDir("countersign-sync-status-");
  server = new Server(dir, await freePort());
  await server.start();
  browser = await launchChromium();
  mkdirSync("test-results", { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) rmSync(server.dir, { recursive: true, force: true });
});

const header = (page: Page) => page.getByTestId("sync-state");
const mode = (page: Page) => header(page).getAttribute("data-mode");
const live = (page: Page) => page.getByTestId("doc-connection").getAttribute("data-connection");

/** Polls until `check` holds; returns how long it took (ms), or throws after `ms`. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function typeAtEnd(page: Page, text: string): Promise<void> {
  const box = page.getByTestId("field-subject");
  await box.click();
  await box.press("Control+End");
  await box.pressSequentially(text);
}

/** A screenshot at 1280 px and one at 375 px; at 375 the header's sync status stays on one line. */
async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/sync-status-${name}-1280.png` });
  await page.setViewportSize({ width: 375, height: 900 });
  await page.waitForTimeout(150);
  await page.screenshot({ path: `test-results/sync-status-${name}-375.png` });
  const box = await header(page).boundingBox();
  expect(box!.height, `the sync status at 375 px (${name}) is one line`).toBeLessThanOrEqual(44);
  expect(box!.x + box!.width, `the sync status at 375 px (${name}) fits the screen`).toBeLessThanOrEqual(375);
  // The whole header (brand bar and navigation) stays as it is with any status: no extra line for it.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.waitForTimeout(150);
}

describe("one honest sync status, shared by the header and the document page", () => {
  it("offline, back online, server down with a change waiting, server back: the header and the page follow within 2 s and agree", async () => {
    const { context, page } = await enrollDemoPerson(browser, server.base, "chen", { width: 1280 });
    const doc = "demo-009"; // a draft of chen's
    await openDoc(page, server.base, doc, { live: true });
    await synced(page); // a page load syncs
    expect(await header(page).innerText()).toMatch(/已同步 \d{3}\/\d{2}\/\d{2} \d{2}:\d{2}/);
    await shoot(page, "synced");

    // This device offline: both say so, in the same words.
    await context.setOffline(true);
    const offlineMs = await within(FOLLOWS_WITHIN_MS, async () => (await mode(page)) === "offline" && (await live(page)) === "offline");
    console.log(`sync status: device offline shown after ${offlineMs} ms`);
    expect(await header(page).innerText()).toContain("此裝置離線");
    expect(await page.getByTestId("doc-connection").innerText()).toContain("此裝置離線");
    expect(await page.getByTestId("doc-connection").innerText()).not.toContain("即時協作中");
    // An edit made offline waits, counted by document.
    await typeAtEnd(page, "（離線時）");
    await expect.poll(() => header(page).innerText(), T).toContain("1 份公文的變更待送出");
    expect(await mode(page)).toBe("offline");
    await shoot(page, "offline");

    // Back online: synced (the edit sent, and live again) within 2 s.
    await context.setOffline(false);
    const onlineMs = await within(10_000, async () => (await mode(page)) === "synced" && (await live(page)) === "connected");
    console.log(`sync status: back online → synced and live after ${onlineMs} ms`);
    expect(onlineMs).toBeLessThanOrEqual(FOLLOWS_WITHIN_MS);

    // The server stops; an edit made meanwhile waits, counted, and the status says the server is unreachable.
    await server.stop();
    await typeAtEnd(page, "（伺服器停機時）");
    const downMs = await within(10_000, async () => (await mode(page)) === "unreachable" && (await live(page)) === "unreachable");
    console.log(`sync status: server unreachable shown ${downMs} ms after the edit began`);
    await expect.poll(() => page.getByTestId("sync-waiting").getAttribute("data-count"), T).toBe("1");
    const text = await header(page).innerText();
    expect(text).toContain("伺服器無回應");
    expect(text).toContain("1 份公文的變更待送出"); // one document edited, however many keystrokes
    expect(text).not.toContain("離線");
    expect(await page.getByTestId("doc-connection").innerText()).toContain("伺服器無回應");
    await shoot(page, "unreachable");
    // In English the count is a real plural ("Changes in 1 document", not "1 documents").
    await page.locator("button.lang").click();
    const en = await header(page).innerText();
    expect(en).toContain("Server unreachable");
    expect(en).toContain("Changes in 1 document not yet sent");
    await page.screenshot({ path: "test-results/sync-status-unreachable-en-1280.png" });
    await page.locator("button.lang").click();
    await expect.poll(() => header(page).innerText(), T).toContain("伺服器無回應");

    // Down for a while (the page's socket backs off up to 15 s meanwhile): the status holds, no flicker.
    const seen = new Set<string | null>();
    for (const until = Date.now() + 8_000; Date.now() < until; ) {
      seen.add(await mode(page));
      await page.waitForTimeout(200);
    }
    expect([...seen]).toEqual(["unreachable"]);

    // Started again: synced (the waiting change sent) within 2 s of the server listening.
    const listening = await server.start();
    let answered = 0; // when the header stopped saying the server is unreachable (syncing, then synced)
    await within(20_000, async () => {
      const m = await mode(page);
      if (m !== "unreachable" && !answered) answered = Date.now() - listening;
      return m === "synced";
    });
    const measured = Date.now() - listening; // from the server listening to the header saying "synced"
    console.log(`sync status: server back → header left "unreachable" after ${answered} ms and said synced ${measured} ms after the server was listening (limit ${FOLLOWS_WITHIN_MS} ms)`);
    expect(answered).toBeLessThanOrEqual(FOLLOWS_WITHIN_MS);
    expect(measured).toBeLessThanOrEqual(FOLLOWS_WITHIN_MS);
    const liveMs = await within(10_000, async () => (await live(page)) === "connected");
    console.log(`sync status: the page live again ${Date.now() - listening} ms after the server was listening (${liveMs} ms after synced)`);
    expect(Date.now() - listening).toBeLessThanOrEqual(FOLLOWS_WITHIN_MS + 1_000);
    expect(await page.getByTestId("sync-waiting").count()).toBe(0);
    await shoot(page, "back");
    await context.close();
  }, 180_000);

  it("a document the person may not open is a refusal with its reason, not a network message, while online", async () => {
    if (!server.child) await server.start(); // the test before may have failed while it was stopped
    const { context, page } = await enrollDemoPerson(browser, server.base, "chou", { width: 1280 });
    await page.goto(`${server.base}/docs/demo-033`); // 密: only its named participants open it, not the mail room
    const refused = page.getByTestId("doc-refused");
    await refused.waitFor(T);
    expect(await refused.getAttribute("data-code")).toBe("http.not-found");
    const text = await refused.innerText();
    expect(text).toContain("拒絕");
    expect(text).toContain(REFUSAL_MESSAGES["http.not-found"].zh);
    expect(text).not.toContain("連線後再試一次");
    expect(await page.getByTestId("doc-missing").count()).toBe(0);
    await synced(page);
    await shoot(page, "refused");
    await context.close();
  }, 120_000);
});
