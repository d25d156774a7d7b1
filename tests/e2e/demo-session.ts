// What the browser tests share once the demo agency runs: one server and one Chromium per file,
// people enrolled from the home page's demo list, the sync state, documents, downloads and PNGs.
// Helpers take the browser and the server's base URL explicitly, so a file that starts its own
// servers (exchange.e2e.ts) uses them too; where files differ (page errors collected or not,
// downloads accepted, waiting for a live connection) that is an option, never a silent default.
import { mkdirSync, readFileSync } from "node:fs";
import { crc32, deflateSync } from "node:zlib";
import { afterAll, beforeAll, expect } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium, startDemoServer, type DemoServer } from "./support.ts";

/** How long one element or state may take to appear in the browser tests. */
export const T = { timeout: 20_000 };

export interface Person {
  context: BrowserContext;
  page: Page;
}

export interface DemoAgency {
  readonly server: DemoServer;
  readonly browser: Browser;
}

/** Starts the demo agency and Chromium before this file's tests and stops both after them. */
export function useDemoAgency(): DemoAgency {
  let server: DemoServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchChromium();
    mkdirSync("test-results", { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  return {
    get server() {
      if (!server) throw new Error("the demo server is not running (used outside a test?)");
      return server;
    },
    get browser() {
      if (!browser) throw new Error("Chromium is not running (used outside a test?)");
      return browser;
    },
  };
}

export interface EnrollOptions {
  /** Viewport width; the height is 900. */
  width?: number;
  /** Where the page's uncaught errors go; left out, they are not collected. */
  errors?: string[];
  /** Sets the context's acceptDownloads explicitly. */
  acceptDownloads?: boolean;
  /** Lets the test inject a script into the app's pages (the app's CSP forbids inline scripts). */
  bypassCSP?: boolean;
}

/** A new browser context where the demo person `who` enrolled from the home page's demo list, on the inbox, synced. */
export async function enrollDemoPerson(browser: Browser, base: string, who: string, opts: EnrollOptions = {}): Promise<Person> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 375, height: 900 }, ...(opts.acceptDownloads ? { acceptDownloads: true } : {}), ...(opts.bypassCSP ? { bypassCSP: true } : {}) });
  const page = await context.newPage();
  const errors = opts.errors;
  if (errors) page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${base}/`);
  await page.locator(`[data-testid="demo-person"][data-person="${who}"] button`).click();
  await page.waitForURL(/\/inbox$/, { timeout: 30_000 });
  // The first sync runs in the background after enrollment: wait until the header says it is done.
  await synced(page);
  return { context, page };
}

/**
 * Resolves once every change the page has handed to its local database is committed: a read of the
 * queue over a connection of its own waits, by IndexedDB's ordering, for every read-write
 * transaction created before it. Before a reload that must find what was just typed (a page closed
 * within milliseconds of a keystroke loses the transactions still in flight).
 */
export async function localWritesSettled(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name ?? "").filter((n) => n.startsWith("countersign:"));
    for (const name of names) {
      const db = await new Promise<IDBDatabase>((ok, no) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => no(r.error);
      });
      const stores = ["updates", "pending"].filter((s) => db.objectStoreNames.contains(s));
      if (stores.length > 0) {
        await new Promise<void>((ok, no) => {
          const tr = db.transaction(stores, "readonly");
          for (const s of stores) tr.objectStore(s).count();
          tr.oncomplete = () => ok();
          tr.onerror = () => no(tr.error);
        });
      }
      db.close();
    }
  });
}

/**
 * Rows of one store of the app's local database, read raw (IndexedDB, not the app's code): the
 * values of `keys` (undefined where there is none), or every row.
 */
export function readLocal<R>(page: Page, store: string, keys?: readonly string[]): Promise<(R | undefined)[]> {
  return page.evaluate(
    async ([store, keys]) => {
      const name = (await indexedDB.databases()).map((d) => d.name ?? "").find((n) => n.startsWith("countersign:"));
      if (!name) throw new Error("this page has no local database of the app");
      const db = await new Promise<IDBDatabase>((ok, no) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => no(r.error);
      });
      const os = db.transaction(store).objectStore(store);
      const get = (r: IDBRequest) => new Promise<unknown>((ok, no) => ((r.onsuccess = () => ok(r.result)), (r.onerror = () => no(r.error))));
      const rows = keys ? await Promise.all(keys.map((k) => get(os.get(k)))) : ((await get(os.getAll())) as unknown[]);
      db.close();
      return rows as never;
    },
    [store, keys ? [...keys] : null] as const,
  );
}

/** Waits until the header's sync state says everything is synced. */
export async function synced(page: Page): Promise<void> {
  await expect.poll(() => page.getByTestId("sync-state").getAttribute("data-mode"), { timeout: 30_000 }).toBe("synced");
}

/** Follows a header link (nav-admin, nav-registry…): on a phone the links sit behind the menu button, opened first. */
export async function navigate(page: Page, link: string): Promise<void> {
  const menu = page.getByTestId("nav-menu");
  if ((await menu.isVisible()) && (await menu.getAttribute("aria-expanded")) !== "true") await menu.click();
  await page.getByTestId(link).click();
}

/** Opens a document and waits for its status; with `live`, also for the live connection to the server. */
export async function openDoc(page: Page, base: string, doc: string, opts: { live: boolean }): Promise<void> {
  await page.goto(`${base}/docs/${doc}`);
  await page.getByTestId("doc-status").waitFor(T);
  if (opts.live) await page.locator('[data-testid="doc-connection"][data-connection="connected"]').waitFor(T);
}

export const docStatus = (page: Page) => page.getByTestId("doc-status").getAttribute("data-status");

/** Chooses an offered action, writes the opinion and signs; waits for the confirmation. */
export async function act(page: Page, kind: string, opinion: string): Promise<void> {
  await page.getByTestId(`offer-${kind}`).click();
  await page.getByTestId("opinion").fill(opinion);
  await page.getByTestId("sign").click();
  await page.getByTestId("sign-done").waitFor(T);
}

/** Clicks the (first) element with this test id and returns the text of the file it downloads. */
export async function downloaded(page: Page, testid: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent("download", T), page.getByTestId(testid).first().click()]);
  return readFileSync((await download.path())!, "utf8");
}

/** A real PNG file (8-bit, colour type 0 grey or 2 RGB) from its unfiltered rows, so the browser decodes it. */
function encodePng(w: number, h: number, colourType: 0 | 2, rows: Buffer[]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, colourType, 0, 0, 0], 8);
  const raw = Buffer.concat(rows.map((row) => Buffer.concat([Buffer.from([0]), row])));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

/** An RGB PNG `w`×`h` of seeded noise that does not compress. */
export function noisePng(w: number, h: number, seed: number): Buffer {
  let x = seed;
  const noise = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
  return encodePng(w, h, 2, Array.from({ length: h }, () => Buffer.from(Array.from({ length: w * 3 }, noise))));
}

/** A greyscale PNG `w`×`h` of horizontal stripes. */
export function greyPng(w: number, h: number): Buffer {
  return encodePng(w, h, 0, Array.from({ length: h }, (_, y) => Buffer.alloc(w, (y * 7) % 256)));
}
