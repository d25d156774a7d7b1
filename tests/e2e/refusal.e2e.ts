// A change the agency server refuses, provoked for real against a demo agency: the case officer edits
// a document offline while the chief decides it; the relay refuses the edit ("content after
// decision"). The refusal's code travels from the relay to the page (update.decided), which explains it
// with that code's zh-TW message and the server's sentence below, keeps the text, offers it as a file,
// re-sends on request, and replaces the copy with the server's version after a backup.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { useDemoAgency, T, enrollDemoPerson, synced, openDoc, docStatus, downloaded, type Person } from "./demo-session.ts";
import { REFUSAL_MESSAGES } from "../../src/lib/refusals/table.ts";

const agency = useDemoAgency();

const enroll = (who: string, width = 375): Promise<Person> => enrollDemoPerson(agency.browser, agency.server.base, who, { width, acceptDownloads: true });

const open = (page: Page, doc: string) => openDoc(page, agency.server.base, doc, { live: true });
const status = docStatus;
const subject = (page: Page) => page.getByTestId("field-subject").inputValue();

describe("a change the agency server refuses", () => {
  it("an edit made offline after the chief decided is refused: explained in zh-TW, kept, downloadable, re-sent on request, and replaced by the server's version", async () => {
    const doc = "demo-005"; // chen's memo, countersigned by both units, waiting for lin's 決行
    const chen = await enroll("chen");
    const lin = await enroll("lin", 1024);
    await open(chen.page, doc);
    expect(await status(chen.page)).toBe("in-review");

    // chen goes offline (the service worker starts the app) and keeps editing the subject.
    await expect.poll(() => chen.page.evaluate(() => navigator.serviceWorker.controller !== null), T).toBe(true);
    await chen.context.setOffline(true);
    await chen.page.reload();
    await chen.page.getByTestId("doc-status").waitFor(T);
    const box = chen.page.getByTestId("field-subject");
    await box.click();
    await box.press("End");
    await box.pressSequentially("（離線修改）");
    expect(await subject(chen.page)).toContain("（離線修改）");

    // Meanwhile lin decides it.
    await open(lin.page, doc);
    await lin.page.getByTestId("offer-decide").click();
    await lin.page.getByTestId("opinion").fill("如擬。");
    await lin.page.getByTestId("sign").click();
    await lin.page.getByTestId("sign-done").waitFor(T);
    await expect.poll(() => status(lin.page), T).toBe("decided");

    // chen reconnects: the relay refuses the edit. Its code reaches the page, explained by the code's
    // zh-TW message, with the server's sentence below.
    await chen.context.setOffline(false);
    const refused = chen.page.getByTestId("doc-refused");
    await refused.waitFor({ timeout: 45_000 });
    expect(await refused.getAttribute("data-code")).toBe("update.decided");
    expect(await refused.getAttribute("data-retry")).toBe("false");
    expect(await chen.page.getByTestId("refusal-explained").innerText()).toBe(REFUSAL_MESSAGES["update.decided"].zh);
    expect(REFUSAL_MESSAGES["update.decided"].zh).toContain("這份公文已經決行");
    expect(await chen.page.getByTestId("refusal-original").innerText()).toContain("The update changes the content of a decided document.");
    expect(await refused.innerText()).toContain("不會遺失");
    // Counted in the header, on every page.
    await expect.poll(() => chen.page.getByTestId("sync-refused").getAttribute("data-count"), { timeout: 30_000 }).toMatch(/^[1-9]\d*$/);
    expect(await chen.page.getByTestId("sync-refused").innerText()).toContain("遭拒");
    await expect.poll(() => chen.page.getByTestId("refused-doc").first().getAttribute("href"), T).toBe(`/docs/${doc}`);
    // Nothing typed is lost: still on screen, and in the file offered for download.
    expect(await subject(chen.page)).toContain("（離線修改）");
    const file = await downloaded(chen.page, "download-unsent");
    expect(file).toContain("主旨：");
    expect(file).toContain("（離線修改）");
    expect(file).toContain("The update changes the content of a decided document.");
    expect(file).toMatch(/Yjs update, base64）:\n[A-Za-z0-9+/=]{8,}/);
    await chen.page.screenshot({ path: "test-results/refusal-375.png", fullPage: true });

    // 重試 sends once more; the rules still refuse it, and it is still kept (no loop, no loss).
    await chen.page.getByTestId("refusal-retry").click();
    await expect.poll(() => refused.getAttribute("data-code"), { timeout: 30_000 }).toBe("update.decided");
    await expect.poll(() => chen.page.getByTestId("sync-refused").count(), { timeout: 30_000 }).toBe(1);
    expect(await subject(chen.page)).toContain("（離線修改）");

    // 以伺服器版本重新下載: the server's decided version comes back; the unsent state is backed up.
    await chen.page.getByTestId("server-version").click();
    await chen.page.getByTestId("recovered").waitFor({ timeout: 30_000 });
    expect(await chen.page.getByTestId("recovered").innerText()).toContain("已以伺服器版本重新下載");
    await expect.poll(() => status(chen.page), T).toBe("decided");
    expect(await chen.page.getByTestId("doc-status").getAttribute("data-valid")).toBe("true");
    expect(await subject(chen.page)).not.toContain("（離線修改）");
    expect(await subject(chen.page)).toBe(await subject(lin.page));
    expect(await chen.page.getByTestId("doc-refused").count()).toBe(0);
    await expect.poll(() => chen.page.getByTestId("sync-refused").count(), T).toBe(0);
    const backup = await downloaded(chen.page, "backup-download");
    expect(backup).toContain("（離線修改）");

    // A reload keeps the server's version: the refused change does not come back by itself.
    await chen.page.reload();
    await chen.page.getByTestId("doc-status").waitFor(T);
    await synced(chen.page);
    expect(await subject(chen.page)).not.toContain("（離線修改）");
    expect(await chen.page.getByTestId("doc-refused").count()).toBe(0);

    // An address that is no document id (here with ':', which ids never hold) is explained by its
    // code (id.doc), not looked up or shown as "not on this device".
    await chen.page.goto(`${agency.server.base}/docs/a:b`);
    const badId = chen.page.getByTestId("doc-bad-id");
    await badId.waitFor(T);
    expect(await badId.getAttribute("data-code")).toBe("id.doc");
    expect(await badId.innerText()).toContain(REFUSAL_MESSAGES["id.doc"].zh);
    expect(await chen.page.getByTestId("doc-missing").count()).toBe(0);
    await chen.page.screenshot({ path: "test-results/doc-bad-id-375.png" });
  }, 180_000);
});
