// Attachments against a real demo agency: officer A attaches a PNG and a PDF to a draft, officer B
// (another browser context) sees both, previews the image and gets the PDF's exact bytes; then A
// attaches while offline, reconnects, and B gets that one too. The registry desk's scan of a
// registered letter is shown locked to the case officer (only the desk removes it), and the desk
// removes it.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { useDemoAgency, T, enrollDemoPerson, openDoc, noisePng, navigate, synced, type Person } from "./demo-session.ts";

const agency = useDemoAgency();
const pageErrors: string[] = [];

const PDF = Buffer.from(
  "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
  "latin1",
);
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** Each demo person enrolled once (a demo code works once), kept for the later tests at the width asked. */
const enrolled = new Map<string, Person>();
async function person(who: string, width = 375): Promise<Person> {
  const known = enrolled.get(who);
  if (known) {
    await known.page.setViewportSize({ width, height: 900 });
    return known;
  }
  const p = await enrollDemoPerson(agency.browser, agency.server.base, who, { width, errors: pageErrors });
  enrolled.set(who, p);
  return p;
}
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

  it("the registry desk's scan: the case officer sees it locked with the reason (1280 and 375 px) and removes only his own; the desk removes it", async () => {
    const deskScan = noisePng(48, 36, 3);
    const ownFile = noisePng(20, 20, 4);
    const li = await person("li", 1280);
    await navigate(li.page, "nav-registry");
    await li.page.waitForURL(/\/registry$/);
    await li.page.getByTestId("reg-from").fill("臺中市政府");
    await li.page.getByTestId("reg-subject").fill("函送校園安全檢核表，請查照。");
    await li.page.getByTestId("reg-scans").setInputFiles([{ name: "來文掃描.png", mimeType: "image/png", buffer: deskScan }]);
    await li.page.getByTestId("reg-scan").waitFor(T);
    await expect.poll(() => li.page.getByTestId("reg-unit").inputValue(), T).toBe("U-STU");
    await expect.poll(() => li.page.getByTestId("reg-officer").locator('option[value="chen"]').count(), T).toBe(1);
    await li.page.getByTestId("reg-officer").selectOption("chen");
    await li.page.getByTestId("reg-submit").click();
    const reg = (await li.page.getByTestId("reg-done").getAttribute("data-doc", T))!;
    await synced(li.page);

    const chen = await person("chen", 1280);
    await open(chen.page, reg);
    const scanRow = item(chen.page, sha(deskScan));
    await expect.poll(() => scanRow.getAttribute("data-state"), T).toBe("ready");
    expect(await scanRow.getByTestId("attachment-desk-scan").innerText()).toBe("登記桌掃描");
    expect(await scanRow.getByTestId("attachment-remove").count()).toBe(0);
    const locked = scanRow.getByTestId("attachment-remove-locked");
    expect(await locked.innerText()).toContain("只有登記桌能移除");
    expect(await locked.getAttribute("data-code")).toBe("update.attachment-remover");
    // His own file on the same letter he may remove.
    await chen.page.getByTestId("attach-input").setInputFiles([{ name: "承辦補充.png", mimeType: "image/png", buffer: ownFile }]);
    await item(chen.page, sha(ownFile)).getByTestId("attachment-remove").waitFor(T);
    expect(await item(chen.page, sha(ownFile)).getByTestId("attachment-desk-scan").count()).toBe(0);
    await expect.poll(() => chen.page.getByTestId("attachment-pending").count(), T).toBe(0);
    await chen.page.getByTestId("attachments").scrollIntoViewIfNeeded();
    await chen.page.getByTestId("attachments").screenshot({ path: "test-results/attachments-desk-scan-1280.png" });
    await chen.page.setViewportSize({ width: 375, height: 900 });
    await chen.page.getByTestId("attachments").scrollIntoViewIfNeeded();
    const box = (await locked.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(375);
    await chen.page.getByTestId("attachments").screenshot({ path: "test-results/attachments-desk-scan-375.png" });
    // In English the reason reads in English.
    await chen.page.locator("button.lang").click();
    await expect.poll(() => locked.innerText(), T).toContain("only the registry desk can remove it");
    await chen.page.getByTestId("attachments").screenshot({ path: "test-results/attachments-desk-scan-375-en.png" });
    await chen.page.locator("button.lang").click();

    // The desk opens the letter and removes its scan; it goes for the case officer too.
    await open(li.page, reg);
    const onDesk = item(li.page, sha(deskScan));
    await onDesk.getByTestId("attachment-remove").waitFor(T);
    expect(await onDesk.getByTestId("attachment-remove-locked").count()).toBe(0);
    await onDesk.getByTestId("attachment-remove").click();
    await expect.poll(() => item(chen.page, sha(deskScan)).count(), T).toBe(0);
    await expect.poll(() => chen.page.getByTestId("attachment").count(), T).toBe(1);
    expect(await li.page.getByTestId("refusal-explained").count()).toBe(0);
    expect(pageErrors).toEqual([]);
  }, 150_000);
});
