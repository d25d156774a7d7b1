// Attachments against a real demo agency: officer A attaches a PNG and a PDF to a draft, officer B
// (another browser context) sees both, previews the image and gets the PDF's exact bytes; then A
// attaches while offline, reconnects, and B gets that one too.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { useDemoAgency, T, enrollDemoPerson, openDoc, noisePng, type Person } from "./demo-session.ts";

const agency = useDemoAgency();
const pageErrors: string[] = [];

const PDF = Buffer.from(
  "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
  "latin1",
);
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

const person = (who: string, width = 375): Promise<Person> => enrollDemoPerson(agency.browser, agency.server.base, who, { width, errors: pageErrors });
const open = (page: Page, doc: string) => openDoc(page, agency.server.base, doc, { live: true });

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
  const scan = noisePng(40, 30, 1);
  const offlineScan = noisePng(16, 12, 2);

  it("officer A attaches a PNG and a small PDF to a draft; officer B sees both, previews the image and gets the PDF's exact bytes", async () => {
    const a = await person("chen");
    const b = await person("lin", 1024);
    await open(a.page, doc);
    await a.page.getByTestId("attach-input").setInputFiles([
      { name: "來文掃描.png", mimeType: "image/png", buffer: scan },
      { name: "附件一.pdf", mimeType: "application/pdf", buffer: PDF },
    ]);
    await item(a.page, sha(scan)).waitFor(T);
    await item(a.page, sha(PDF)).waitFor(T);
    expect(await item(a.page, sha(scan)).innerText()).toContain(`${(scan.length / 1024).toFixed(1)} KB`);
    // Uploaded in the background: nothing waits to be sent once A is synced.
    await expect.poll(() => a.page.getByTestId("attachment-pending").count(), T).toBe(0);

    await open(b.page, doc);
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
