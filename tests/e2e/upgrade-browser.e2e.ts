// Upgrades, the browser side (issue 16 item 5): a person's browser store made by an earlier release
// (tests/fixtures/upgrade/browser-*/, Chromium's own IndexedDB folder with the non-extractable
// device key, made by make-browser-fixture.sh) must open with today's app: the person is still
// enrolled, every document of their local copy is there and verifies from the device alone, and
// the signature they made offline before the upgrade reaches the server and verifies there too.
// Today's server serves a copy of the same run's data directory. The fixture is never changed:
// the test copies it.
//
// What must stay true: the documents are checked with the server's batch sync and live relay
// blocked (`/api/sync*`), so they come from the upgraded local store, not from a fresh download;
// only then is the block lifted and the queued signature allowed to leave.
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { verify, VerifyCache, type DocId } from "@countersign/crdt-model";
import { openSqliteStore } from "@countersign/sync-server";
import { TrustCache } from "../../sync-server/src/http/trust-cache.ts";
import { currentDoc } from "../../sync-server/src/exchange/docs.ts";
import { CHROMIUM, freePort } from "./support.ts";
import { T } from "./demo-session.ts";

const FIXTURES = new URL("../fixtures/upgrade/", import.meta.url).pathname;
const RELEASES = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name.startsWith("browser-"))
  .map((d) => d.name);

interface Manifest {
  origin: string;
  agency: string;
  person: string;
  /** The person's name as the app shows it. */
  name: string;
  docs: { doc: string; status: string }[];
  unsent: { doc: string; action: string; opinion: string };
  attached: { doc: string; name: string; bytes: number };
}

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function tempCopy(from: string, prefix: string): string {
  const parent = mkdtempSync(join(tmpdir(), prefix));
  temps.push(parent);
  const dir = join(parent, "copy");
  cpSync(from, dir, { recursive: true });
  return dir;
}

/** The data directory copied owner-only, as `countersign init` leaves one (git keeps files 0644). */
function serverCopy(release: string): string {
  const dir = tempCopy(join(FIXTURES, release, "server"), "countersign-upgrade-browser-data-");
  chmodSync(dir, 0o700);
  for (const f of readdirSync(dir)) if (statSync(join(dir, f)).isFile()) chmodSync(join(dir, f), 0o600);
  return dir;
}

async function serve(dir: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ["bin/countersign.js", "serve", "--data", dir, "--port", String(port), "--host", "127.0.0.1"], { stdio: ["ignore", "ignore", "inherit"] });
  for (const until = Date.now() + 90_000; ; ) {
    const up = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (up) break;
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}`);
    if (Date.now() > until) throw new Error("serve did not answer within 90 s");
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The person's token from the page's sessionStorage, to ask the server as the app does. */
async function serverDocs(page: Page): Promise<Map<string, string>> {
  const rows = await page.evaluate(async () => {
    const key = Object.keys(sessionStorage).find((k) => k.startsWith("countersign:token:"))!;
    const { token } = JSON.parse(sessionStorage.getItem(key)!) as { token: string };
    const r = await fetch("/api/docs", { headers: { authorization: `Bearer ${token}` } });
    return ((await r.json()) as { docs: { doc: string; status: string }[] }).docs;
  });
  return new Map(rows.map((r) => [r.doc, r.status]));
}

/**
 * Opens a document by a link inside the app, so SvelteKit navigates without reloading the page (a
 * reload per document restarts the whole app: minutes for a hundred documents on a loaded machine),
 * and waits until that document's page shows its status, verified.
 */
async function openInApp(page: Page, doc: string): Promise<void> {
  await page.evaluate((href) => {
    const a = document.createElement("a");
    a.href = href;
    document.querySelector("main")!.appendChild(a);
    a.click();
    a.remove();
  }, `/docs/${doc}`);
  const shown = page.locator(`[data-testid="doc"][data-doc="${doc}"]`);
  await shown.waitFor(T);
  // Not in the local store (and the server not asked): the page says so instead of a status.
  await expect.poll(async () => (await shown.getByTestId("doc-missing").count()) + (await shown.getByTestId("doc-status").count()), T).toBe(1);
  expect(await shown.getByTestId("doc-missing").count(), `${doc} is missing from the upgraded store`).toBe(0);
  await expect.poll(() => shown.getByTestId("doc-status").getAttribute("data-valid"), { ...T, message: doc }).toBe("true");
}

describe.each(RELEASES)("a browser store made by %s", (release) => {
  it("opens with today's app: still enrolled, every document there and verifying offline from the device, the unsent signature sent and verified by the server", async () => {
    const manifest = JSON.parse(readFileSync(join(FIXTURES, release, "manifest.json"), "utf8")) as Manifest;
    const fixed = new URL(manifest.origin).host;
    const data = serverCopy(release);
    const profile = tempCopy(join(FIXTURES, release, "profile"), "countersign-upgrade-browser-profile-");
    mkdirSync("test-results", { recursive: true });
    const server = await serve(data);
    let context: BrowserContext | undefined;
    try {
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        viewport: { width: 375, height: 900 },
        // The store belongs to the fixed origin (IndexedDB is per origin, port included); localhost
        // keeps it a secure context, and the mapping sends it to today's server on its free port.
        args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", `--host-resolver-rules=MAP ${fixed} 127.0.0.1:${server.port}`],
      });
      const page = context.pages()[0] ?? (await context.newPage());
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));

      // The device alone: no batch sync, no live relay (its ticket is /api/sync/ticket).
      const blocked: string[] = [];
      await context.route(/\/api\/sync/, (route) => {
        blocked.push(route.request().url());
        return route.abort("connectionrefused");
      });

      await page.goto(`${manifest.origin}/`);
      // Still enrolled after the upgrade: the home page welcomes the person, no enrollment asked.
      await page.getByTestId("enrolled").waitFor({ timeout: 30_000 });
      expect(await page.getByTestId("enrolled").innerText()).toContain(manifest.name);
      await page.screenshot({ path: `test-results/upgrade-browser-${release}-home-375.png` });

      // Every document of the local copy opens and verifies, with nothing fetched for it.
      const badges = new Map<string, number>();
      const started = Date.now();
      for (const { doc } of manifest.docs) {
        await openInApp(page, doc);
        const valid = await page.locator('[data-testid="badge"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-valid")));
        expect(valid.filter((v) => v === "false"), doc).toEqual([]);
        badges.set(doc, valid.length);
      }
      console.log(`upgrade (browser): ${manifest.docs.length} documents opened and verified from the upgraded store in ${Date.now() - started} ms`);
      expect(blocked.length).toBeGreaterThan(0); // the app did try to sync: the block was real

      // The signature made offline before the upgrade is still here, waiting.
      const u = manifest.unsent;
      await openInApp(page, u.doc);
      await expect.poll(() => page.getByTestId("doc-status").getAttribute("data-status"), T).toBe("in-review");
      const mine = page.locator(`[data-testid="entry"][data-action="${u.action}"]`).filter({ hasText: u.opinion });
      await expect.poll(() => mine.count(), T).toBe(1);
      await expect.poll(() => page.getByTestId("sync-waiting").getAttribute("data-count"), T).toBe("1");
      await page.screenshot({ path: `test-results/upgrade-browser-${release}-waiting-375.png`, fullPage: true });

      // The server is reachable again: the queued signature leaves, and the server derives from it.
      await context.unroute(/\/api\/sync/);
      await page.reload();
      await expect.poll(() => page.getByTestId("sync-state").getAttribute("data-mode"), { timeout: 30_000 }).toBe("synced");
      await expect.poll(async () => (await serverDocs(page)).get(u.doc), { timeout: 30_000 }).toBe("in-review");
      const onServer = await serverDocs(page);
      for (const { doc } of manifest.docs) expect(onServer.has(doc), doc).toBe(true);
      expect(await mine.innerText()).toMatch(/簽章有效/);
      await page.screenshot({ path: `test-results/upgrade-browser-${release}-sent-375.png`, fullPage: true });
      expect(errors).toEqual([]);
      await context.close();
      context = undefined;
      await server.stop();

      // The server's own verification of what it now holds: every chain valid, the same entries the
      // device showed, and the offline signature one more on its document.
      const store = openSqliteStore(join(data, "countersign.db"));
      try {
        const trust = await new TrustCache(store).get();
        const cache = new VerifyCache();
        for (const { doc } of manifest.docs) {
          const d = await currentDoc(store, undefined, doc as DocId);
          expect(d, doc).toBeDefined();
          const report = await verify(d!, trust, { cache });
          expect(report.entries.filter((e) => !e.valid).map((e) => `${e.id}: ${e.reason}`), doc).toEqual([]);
          expect(report.entries.length, doc).toBe(badges.get(doc));
        }
        const sent = (await verify((await currentDoc(store, undefined, u.doc as DocId))!, trust, { cache })).entries.find((e) => e.opinion === u.opinion);
        expect(sent).toMatchObject({ valid: true, action: u.action, signer: { person: manifest.person } });
      } finally {
        await store.close();
      }
    } finally {
      await context?.close();
      await server.stop();
    }
  }, 300_000);
});
