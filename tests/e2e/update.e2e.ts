// A new version announces itself (src/lib/update/), in real Chromium against a real demo server
// that this file stops and starts again with another build of the app, as a deployment does:
// build A is served and its service worker installed; the server stops, an edit is made while it is
// away (and the page reloaded from the worker's cache meanwhile); the server comes back serving
// build B; the page (still A) syncs the edit and shows 「有新版本，重新載入」; the reload brings B in
// through B's service worker, with A's cache gone and the edit on the server.
//
// Build B is build A with its version name replaced (version.json, the service worker, the chunk
// holding $app/environment's version): to the browser and the server it is another build — another
// service-worker script, another cache key, another /api/version answer — without a second
// `npm run build` (a minute on a loaded machine). Screenshots at 1280 and 375 px in test-results/.
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { demoDataDir, freePort, launchChromium } from "./support.ts";
import { T, enrollDemoPerson, localWritesSettled, openDoc, synced } from "./demo-session.ts";

/** The demo agency's `serve` of a given build, on a fixed port and data directory (stopped and started again). */
class Server {
  child: ChildProcess | null = null;
  constructor(
    readonly dir: string,
    readonly port: number,
  ) {}
  get base(): string {
    return `http://localhost:${this.port}`;
  }
  async start(app: string): Promise<void> {
    this.child = spawn(process.execPath, ["bin/countersign.js", "serve", "--data", this.dir, "--port", String(this.port), "--host", "127.0.0.1", "--app", app], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    const until = Date.now() + 60_000;
    for (;;) {
      if (await fetch(`${this.base}/healthz`).then((r) => r.ok, () => false)) return;
      if (Date.now() > until) throw new Error(`the server on ${this.port} did not answer within 60 s`);
      await new Promise((r) => setTimeout(r, 50));
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

/** Every file under `dir`. */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/**
 * `from` copied to `to` as another build, as `vite build` would make it: every file naming the
 * version names `next` instead, and every content-hashed file under _app/immutable whose content so
 * changes gets a new name (and so, in turn, each one importing it), since browsers and the old
 * service worker keep an immutable file by its name forever. The precompressed .br/.gz copies of
 * changed files are removed (the server would send those). Returns the files changed (as in `to`).
 */
function rebuildAs(from: string, to: string, version: string, next: string): string[] {
  cpSync(from, to, { recursive: true });
  const text = new Map<string, string>();
  for (const file of files(to)) if (/\.(js|json|html|css)$/.test(file)) text.set(file, readFileSync(file, "utf8"));
  const immutable = join(to, "client/_app/immutable");
  // A hashed file's token is its name without the extension ("Ci9JORU0", "start.BxYz12"): unique in the build.
  const token = (file: string) => basename(file).replace(/\.(js|css)$/, "");
  const renamed = new Map<string, string>(); // file → its token
  for (let grew = true; grew; ) {
    grew = false;
    for (const [file, body] of text) {
      if (!file.startsWith(immutable) || renamed.has(file) || file.endsWith(".map")) continue;
      if (body.includes(version) || [...renamed.values()].some((t) => body.includes(t))) {
        renamed.set(file, token(file));
        grew = true;
      }
    }
  }
  const tokens = [...renamed.values()];
  const pattern = new RegExp([version, ...tokens].map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  const changed: string[] = [];
  for (const [file, body] of text) {
    const after = body.replace(pattern, (m) => (m === version ? next : `${m}n`));
    if (after === body && !renamed.has(file)) continue;
    for (const z of [".br", ".gz"]) if (existsSync(file + z)) rmSync(file + z);
    rmSync(file);
    const target = renamed.has(file) ? join(dirname(file), basename(file).replace(token(file), `${token(file)}n`)) : file;
    writeFileSync(target, after);
    changed.push(target.slice(to.length + 1));
  }
  return changed;
}

let server: Server;
let browser: Browser;
let work: string;
let buildA: string;
let buildB: string;
let versionA: string;
let versionB: string;

beforeAll(async () => {
  if (!existsSync("build/handler.js")) throw new Error("build/ is missing: run npm run build first");
  // Copied at once: others may rebuild build/ while this file runs.
  work = mkdtempSync(join(tmpdir(), "countersign-update-"));
  buildA = join(work, "a");
  buildB = join(work, "b");
  cpSync("build", buildA, { recursive: true });
  // Outside the repository no package.json says the build's .js files are ES modules (a deployment has its own).
  writeFileSync(join(work, "package.json"), JSON.stringify({ type: "module" }));
  versionA = (JSON.parse(readFileSync(join(buildA, "client/_app/version.json"), "utf8")) as { version: string }).version;
  versionB = `${versionA}-next`;
  const changed = rebuildAs(buildA, buildB, versionA, versionB);
  // The version is in these three places; if SvelteKit moves it, this test must learn where.
  expect(changed).toContain("client/_app/version.json");
  expect(changed).toContain("client/service-worker.js");
  expect(changed.some((f) => f.startsWith("client/_app/immutable/"))).toBe(true);
  const dir = demoDataDir("countersign-update-data-");
  server = new Server(dir, await freePort());
  await server.start(buildA);
  browser = await launchChromium();
  mkdirSync("test-results", { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) rmSync(server.dir, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

const running = (page: Page) => page.evaluate(() => document.documentElement.dataset.appVersion ?? null);
const banner = (page: Page) => page.getByTestId("update-banner");

async function typeAtEnd(page: Page, text: string): Promise<void> {
  const box = page.getByTestId("field-subject");
  await box.click();
  await box.press("Control+End");
  await box.pressSequentially(text);
}

/** Screenshots at 1280 and 375 px; at 375 the banner fits the screen and its button is a 44 px target. */
async function shoot(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.waitForTimeout(150);
  await page.screenshot({ path: `test-results/update-${name}-1280.png` });
  await page.setViewportSize({ width: 375, height: 800 });
  await page.waitForTimeout(150);
  await page.screenshot({ path: `test-results/update-${name}-375.png` });
  const box = (await banner(page).boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width, `the banner (${name}) fits 375 px`).toBeLessThanOrEqual(375);
  const button = (await page.getByTestId("update-reload").boundingBox())!;
  expect(button.height).toBeGreaterThanOrEqual(44);
  expect(button.x + button.width).toBeLessThanOrEqual(375);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe("a new version of the app", () => {
  it("is announced, reloads onto the new service worker, and an edit made while the server was away reaches it", async () => {
    const { context, page } = await enrollDemoPerson(browser, server.base, "chen", { width: 1280 });
    // Build A runs, under its service worker (the first install claims the page).
    await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller)), T).toBe(true);
    expect(await running(page)).toBe(versionA);
    expect(await (await fetch(`${server.base}/api/version`)).json()).toEqual({ app: versionA, protocol: 1, minProtocol: 1 });
    expect(await banner(page).count()).toBe(0);

    // The server goes away for the deployment; an edit is made meanwhile and waits on this device.
    const doc = "demo-009"; // a draft of chen's
    await openDoc(page, server.base, doc, { live: true });
    await server.stop();
    const mark = `（更新時離線 ${Date.now() % 100000}）`;
    await typeAtEnd(page, mark);
    await expect.poll(() => page.getByTestId("sync-waiting").getAttribute("data-count"), T).toBe("1");
    await localWritesSettled(page);
    // The page reloaded while the server is down starts from A's cache, the edit still waiting.
    await page.reload();
    await page.getByTestId("doc-status").waitFor(T);
    expect(await running(page)).toBe(versionA);
    expect(await page.getByTestId("field-subject").inputValue()).toContain(mark);
    await expect.poll(() => page.getByTestId("sync-waiting").getAttribute("data-count"), T).toBe("1");

    // Back, serving build B (same protocol): A syncs the edit and announces B without blocking.
    await server.start(buildB);
    const listening = Date.now();
    const bar = banner(page);
    await bar.waitFor({ timeout: 30_000 });
    console.log(`update: the banner appeared ${Date.now() - listening} ms after build B's server answered`);
    expect(await bar.getAttribute("data-blocking")).toBe("false");
    expect(await bar.innerText()).toContain("有新版本，重新載入");
    expect(await running(page)).toBe(versionA);
    await synced(page);
    await shoot(page, "available");
    await page.locator("button.lang").click();
    expect(await bar.innerText()).toContain("A new version is available — reload");
    await page.screenshot({ path: "test-results/update-available-en-1280.png" });
    await page.locator("button.lang").click();

    // Reload: B's service worker takes over (A's cache is gone) and B runs.
    const clicked = Date.now();
    await page.getByTestId("update-reload").click();
    await expect.poll(() => running(page).catch(() => null), { timeout: 40_000 }).toBe(versionB);
    console.log(`update: build B ran ${Date.now() - clicked} ms after the reload button was pressed`);
    await page.getByTestId("doc-status").waitFor(T);
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.state ?? null), T).toBe("activated");
    await expect.poll(() => page.evaluate(() => caches.keys()), T).toEqual([`countersign-${versionB}`]);
    expect(await banner(page).count()).toBe(0);
    await synced(page);
    expect(await page.getByTestId("sync-waiting").count()).toBe(0);
    await page.screenshot({ path: "test-results/update-reloaded-1280.png" });

    // The edit is on the server: the draft's reviewer, on a fresh device, downloads it (a demo code is used once).
    const other = await enrollDemoPerson(browser, server.base, "lin", { width: 375 });
    await openDoc(other.page, server.base, doc, { live: false });
    await expect.poll(() => other.page.getByTestId("field-subject").inputValue(), T).toContain(mark);
    expect(await running(other.page)).toBe(versionB);
    await other.context.close();
    await context.close();
  }, 240_000);

  it("blocks writing when the server no longer takes this app's protocol, until reloaded", async () => {
    if (!server.child) await server.start(buildB); // the test before may have failed while it was stopped
    const { context, page } = await enrollDemoPerson(browser, server.base, "chou", { width: 1280 });
    // The server's answer as a server with a raised minimum would give it (this build speaks protocol 1);
    // the server's own refusal of an old protocol is tested in sync-server (router.test.ts).
    await page.route("**/api/version", (route) => route.fulfill({ json: { app: `${versionB}-later`, protocol: 2, minProtocol: 2 } }));
    await page.reload();
    const dialog = banner(page);
    await dialog.waitFor(T);
    expect(await dialog.getAttribute("data-blocking")).toBe("true");
    expect(await dialog.getAttribute("role")).toBe("alertdialog");
    expect(await dialog.innerText()).toContain("已停止同步");
    // The reload button has the focus, and the page behind cannot be used.
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("update-reload");
    expect(await page.evaluate(() => document.querySelector("main")?.inert)).toBe(true);
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press("Tab");
      // Tab never reaches the page or the header behind the dialog.
      expect(await page.evaluate(() => Boolean(document.activeElement?.closest("main, header")))).toBe(false);
    }
    await shoot(page, "blocking");
    // No sync runs while blocked: asked to (as on returning to the tab), the page sends nothing to the API but the version question.
    const asked: string[] = [];
    page.on("request", (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith("/api/") && path !== "/api/version") asked.push(`${r.method()} ${path}`);
    });
    await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
    await page.waitForTimeout(2000);
    expect(asked).toEqual([]);
    await context.close();
  }, 120_000);
});
