// Attachments against a real demo agency: officer A attaches a PNG and a PDF to a draft, officer B
// (another browser context) sees both, previews the image and gets the PDF's exact bytes; then A
// attaches while offline, reconnects, and B gets that one too.
import { createHash } from "node:crypto";
import { deflateSync, crc32 } from "node:zlib";
import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium, startDemoServer, type DemoServer } from "./support.ts";

let server: DemoServer;
let browser: Browser;
const pageErrors: string[] = [];
const T = { timeout: 20_000 };

beforeAll(async () => {
  server = await startDemoServer();
  browser = await launchChromium();
  mkdirSync("test-results", { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** A real PNG (RGB, `w`×`h`, seeded noise that does not compress), so the browser decodes it and reports its natural size. */
function png(w: number, h: number, seed: number): Buffer {
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
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  let x = seed;
  const noise = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
  const raw = Buffer.concat(Array.from({ length: h }, () => Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w * 3 }, noise))])));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

const PDF = Buffer.from(
  "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
  "latin1",
);
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function person(who: string, width = 375): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(`${server.base}/`);
  await page.locator(`[data-testid="demo-person"][data-person="${who}"] button`).click();
  await page.waitForURL(/\/inbox$/, { timeout: 30_000 });
  await expect.poll(() => page.getByTestId("sync-state").getAttribute("data-mode"), { timeout: 30_000 }).toBe("synced");
  return { context, page };
}

async function openDoc(page: Page, doc: string): Promise<void> {
  await page.goto(`${server.base}/docs/${doc}`);
  await page.getByTestId("doc-status").waitFor(T);
  await page.locator('[data-testid="doc-connection"][data-connection="connected"]').waitFor(T);
}

const item = (page: Page, hash: string) => page.locator(`[data-testid="attachment"][data-sha="${hash}"]`);

/** The bytes behind a blob: URL, hashed in the page (what the viewer would show). */
async function hashInPage(page: Page, url: string): Promise<string> {
  return page.evaluate(async (u) => {
    const bytes = await (await fetch(u)).arrayBuffer();
    return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
  }, url);
}

describe("attachments", () => {
  const doc = "demo-009"; // a draft: chen is its case officer, lin its reviewer
  const scan = png(40, 30, 1);
  const offlineScan = png(16, 12, 2);

  it("officer A attaches a PNG and a small PDF to a draft; officer B sees both, previews the image and gets the PDF's exact bytes", async () => {
    const a = await person("chen");
    const b = await person("lin", 1024);
    await openDoc(a.page, doc);
    await a.page.getByTestId("attach-input").setInputFiles([
      { name: "來文掃描.png", mimeType: "image/png", buffer: scan },
      { name: "附件一.pdf", mimeType: "application/pdf", buffer: PDF },
    ]);
    await item(a.page, sha(scan)).waitFor(T);
    await item(a.page, sha(PDF)).waitFor(T);
    expect(await item(a.page, sha(scan)).innerText()).toContain(`${(scan.length / 1024).toFixed(1)} KB`);
    // Uploaded in the background: nothing waits to be sent once A is synced.
    await expect.poll(() => a.page.getByTestId("attachment-pending").count(), T).toBe(0);

    await openDoc(b.page, doc);
    await expect.poll(() => b.page.getByTestId("attachment").count(), T).toBe(2);
    await expect.poll(() => item(b.page, sha(scan)).getAttribute("data-state"), T).toBe("ready");
    await expect.poll(() => item(b.page, sha(PDF)).getAttribute("data-state"), T).toBe("ready");

    await item(b.page, sha(scan)).getByTestId("attachment-preview").click();
    const img = item(b.page, sha(scan)).getByTestId("attachment-image");
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth), T).toBe(40);
    expect(await img.evaluate((el) => (el as HTMLImageElement).naturalHeight)).toBe(30);

    await item(b.page, sha(PDF)).getByTestId("attachment-preview").click();
    const pdf = item(b.page, sha(PDF)).getByTestId("attachment-pdf");
    await pdf.waitFor({ state: "attached", ...T });
    expect(await pdf.getAttribute("type")).toBe("application/pdf");
    const url = (await pdf.getAttribute("data"))!;
    expect(url.startsWith("blob:")).toBe(true);
    expect(await hashInPage(b.page, url)).toBe(sha(PDF));
    await b.page.screenshot({ path: "test-results/attachments-preview.png", fullPage: true });

    // ---- offline: A attaches, the bytes wait on A's device, and B gets them after A reconnects ----
    // Offline for real: the service worker starts the app and the page opens from the local copy.
    await expect.poll(() => a.page.evaluate(() => navigator.serviceWorker.controller !== null), T).toBe(true);
    await a.context.setOffline(true);
    await a.page.reload();
    await a.page.getByTestId("doc-status").waitFor(T);
    expect(await a.page.getByTestId("doc-connection").getAttribute("data-connection")).not.toBe("connected");
    await expect.poll(() => item(a.page, sha(PDF)).getAttribute("data-state"), T).toBe("ready"); // from this device
    await a.page.getByTestId("attach-input").setInputFiles([{ name: "離線補件.png", mimeType: "image/png", buffer: offlineScan }]);
    await item(a.page, sha(offlineScan)).getByTestId("attachment-pending").waitFor(T);
    expect(await a.page.getByTestId("sync-state").getAttribute("data-mode")).toBe("offline");
    await a.page.screenshot({ path: "test-results/attachments-offline-375.png", fullPage: true });
    expect(await item(b.page, sha(offlineScan)).count()).toBe(0);

    await a.context.setOffline(false);
    await expect.poll(() => item(a.page, sha(offlineScan)).getByTestId("attachment-pending").count(), { timeout: 45_000 }).toBe(0);
    await expect.poll(() => item(b.page, sha(offlineScan)).getAttribute("data-state"), { timeout: 45_000 }).toBe("ready");
    await item(b.page, sha(offlineScan)).getByTestId("attachment-preview").click();
    await expect.poll(() => item(b.page, sha(offlineScan)).getByTestId("attachment-image").evaluate((el) => (el as HTMLImageElement).naturalWidth), T).toBe(16);

    // A file over the limit is refused with the reason, and nothing is attached.
    const big = Buffer.alloc(20 * 1024 * 1024 + 1, 1);
    await a.page.getByTestId("attach-input").setInputFiles([{ name: "太大的掃描.pdf", mimeType: "application/pdf", buffer: big }]);
    await expect.poll(() => a.page.getByTestId("attach-refused").innerText(), T).toContain("超過單一附件上限 20.0 MB");
    expect(await a.page.getByTestId("attachment").count()).toBe(3);

    // A reference removed while the draft is editable disappears for B as well.
    await item(a.page, sha(offlineScan)).getByTestId("attachment-remove").click();
    await expect.poll(() => b.page.getByTestId("attachment").count(), T).toBe(2);
    expect(pageErrors).toEqual([]);
  }, 150_000);
});
