// A change the agency server refuses, provoked for real against a demo agency: the chief, holding the
// document's 決行, makes a 修改 offline while the case officer switches it to paper (改紙本); the relay
// refuses the edit (the text of a document on paper is nobody's: crdt-model mayEditContent). The
// refusal's code travels from the relay to the page (update.content-editor), which explains it with
// that code's zh-TW message and the server's sentence below, keeps the text, offers it as a file,
// re-sends on request, and replaces the copy with the server's version after a backup. (A plain edit
// after 決行, update.decided, can no longer come from the screens: tests/integration/relay.test.ts.)
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
  it("a 修改 made offline by the holder after the case officer switched the document to paper is refused: explained in zh-TW, kept, downloadable, re-sent on request, and replaced by the server's version", async () => {
    const doc = "demo-005"; // chen's memo, countersigned by both units, waiting for lin's 決行
    const lin = await enroll("lin");
    const chen = await enroll("chen", 1024);
    await open(lin.page, doc);
    expect(await status(lin.page)).toBe("in-review");

    // lin, who holds its 決行, goes offline (the service worker starts the app) and makes a 修改 of the subject.
    await expect.poll(() => lin.page.evaluate(() => navigator.serviceWorker.controller !== null), T).toBe(true);
    await lin.context.setOffline(true);
    await lin.page.reload();
    await lin.page.getByTestId("doc-status").waitFor(T);
    await lin.page.getByTestId("revise").click();
    const box = lin.page.getByTestId("field-subject");
    await box.click();
    await box.press("End");
    await box.pressSequentially("（離線修改）");
    expect(await subject(lin.page)).toContain("（離線修改）");

    // Meanwhile chen switches it to paper (改紙本): its text is nobody's to change any more.
    await open(chen.page, doc);
    await chen.page.getByTestId("offer-switch-to-paper").click();
    await chen.page.getByTestId("opinion").fill("改以紙本簽核。");
    await chen.page.getByTestId("sign").click();
    await chen.page.getByTestId("sign-done").waitFor(T);
    await expect.poll(() => status(chen.page), T).toBe("on-paper");

    // lin reconnects: the relay refuses the edit. Its code reaches the page, explained by the code's
    // zh-TW message, with the server's sentence below.
    await lin.context.setOffline(false);
    const refused = lin.page.getByTestId("doc-refused");
    await refused.waitFor({ timeout: 45_000 });
    expect(await refused.getAttribute("data-code")).toBe("update.content-editor");
    expect(await refused.getAttribute("data-retry")).toBe("false");
    expect(await lin.page.getByTestId("refusal-explained").innerText()).toBe(REFUSAL_MESSAGES["update.content-editor"].zh);
    expect(REFUSAL_MESSAGES["update.content-editor"].zh).toContain("您現在不能修改");
    expect(await lin.page.getByTestId("refusal-original").innerText()).toContain("nobody changes the text of a document decided, handled on paper or archived");
    expect(await refused.innerText()).toContain("不會遺失");
    // Counted in the header, on every page.
    await expect.poll(() => lin.page.getByTestId("sync-refused").getAttribute("data-count"), { timeout: 30_000 }).toMatch(/^[1-9]\d*$/);
    expect(await lin.page.getByTestId("sync-refused").innerText()).toContain("遭拒");
    await expect.poll(() => lin.page.getByTestId("refused-doc").first().getAttribute("href"), T).toBe(`/docs/${doc}`);
    // Nothing typed is lost: still on screen, and in the file offered for download.
    expect(await subject(lin.page)).toContain("（離線修改）");
    const file = await downloaded(lin.page, "download-unsent");
    expect(file).toContain("主旨：");
    expect(file).toContain("（離線修改）");
    expect(file).toContain("nobody changes the text of a document decided, handled on paper or archived");
    expect(file).toMatch(/Yjs update, base64）:\n[A-Za-z0-9+/=]{8,}/);
    await lin.page.screenshot({ path: "test-results/refusal-375.png", fullPage: true });

    // chen leaves the document (a 重試 reconnects lin's stock provider, which on disconnect drops
    // the others' presence with a newer clock: the relay answers that as relay.presence).
    await chen.page.goto(`${agency.server.base}/inbox`);
    // 重試 sends once more; the rules still refuse it, and it is still kept (no loop, no loss).
    await lin.page.getByTestId("refusal-retry").click();
    await expect.poll(() => refused.getAttribute("data-code"), { timeout: 30_000 }).toBe("update.content-editor");
    await expect.poll(() => lin.page.getByTestId("sync-refused").count(), { timeout: 30_000 }).toBe(1);
    expect(await subject(lin.page)).toContain("（離線修改）");

    // 以伺服器版本重新下載: the server's version comes back; the unsent state is backed up.
    await lin.page.getByTestId("server-version").click();
    await lin.page.getByTestId("recovered").waitFor({ timeout: 30_000 });
    expect(await lin.page.getByTestId("recovered").innerText()).toContain("已以伺服器版本重新下載");
    await expect.poll(() => status(lin.page), T).toBe("on-paper");
    expect(await lin.page.getByTestId("doc-status").getAttribute("data-valid")).toBe("true");
    expect(await subject(lin.page)).not.toContain("（離線修改）");
    await open(chen.page, doc);
    await expect.poll(() => subject(chen.page), T).toBe(await subject(lin.page));
    expect(await lin.page.getByTestId("doc-refused").count()).toBe(0);
    await expect.poll(() => lin.page.getByTestId("sync-refused").count(), T).toBe(0);
    const backup = await downloaded(lin.page, "backup-download");
    expect(backup).toContain("（離線修改）");

    // A reload keeps the server's version: the refused change does not come back by itself.
    await lin.page.reload();
    await lin.page.getByTestId("doc-status").waitFor(T);
    await synced(lin.page);
    expect(await subject(lin.page)).not.toContain("（離線修改）");
    expect(await lin.page.getByTestId("doc-refused").count()).toBe(0);

    // An address that is no document id (here with ':', which ids never hold) is explained by its
    // code (id.doc), not looked up or shown as "not on this device".
    await lin.page.goto(`${agency.server.base}/docs/a:b`);
    const badId = lin.page.getByTestId("doc-bad-id");
    await badId.waitFor(T);
    expect(await badId.getAttribute("data-code")).toBe("id.doc");
    expect(await badId.innerText()).toContain(REFUSAL_MESSAGES["id.doc"].zh);
    expect(await lin.page.getByTestId("doc-missing").count()).toBe(0);
    await lin.page.screenshot({ path: "test-results/doc-bad-id-375.png" });
  }, 180_000);
});
