// 密等變更 on the document page against a real demo agency: the secrecy (密等) changes only by a
// signed entry — the reviewing supervisor lowers it, the case officer raises it — and the server's
// index (the inbox's lock label) follows the signed change.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { useDemoAgency, T, enrollDemoPerson, synced, openDoc } from "./demo-session.ts";

const agency = useDemoAgency();
const DOC = "demo-033"; // the demo's 密 document: submitted by chen, waiting on lin's review

const lock = (page: Page) => page.locator(`[data-testid="inbox-row"][data-doc="${DOC}"] .secret`);

async function reclassify(page: Page, level: string, reason: string): Promise<void> {
  await openDoc(page, agency.server.base, DOC, { live: true });
  await page.getByTestId("offer-reclassify").click();
  await page.getByTestId("secrecy-level").selectOption(level);
  await page.getByTestId("opinion").fill(reason);
  await page.getByTestId("sign").click();
  await page.getByTestId("sign-done").waitFor(T);
}

/** The lock label of the document's row in the inbox tab `tab` (待辦 for the reviewer, 承辦中 for the case officer). */
async function inboxLock(page: Page, tab: "todo" | "mine"): Promise<string> {
  await page.goto(`${agency.server.base}/inbox`);
  await synced(page);
  await page.getByTestId(`tab-${tab}`).click();
  await page.locator(`[data-testid="inbox-row"][data-doc="${DOC}"]`).waitFor(T);
  return (await lock(page).count()) ? await lock(page).innerText() : "";
}

describe("密等變更 on the document page", () => {
  it("the reviewing supervisor lowers 密 with a signed entry, and the case officer raises it again; the inbox follows", async () => {
    const lin = await enrollDemoPerson(agency.browser, agency.server.base, "lin");
    expect(await inboxLock(lin.page, "todo")).toContain("密");
    await reclassify(lin.page, "none", "內容已無機密性，解除密等。");
    await expect.poll(() => inboxLock(lin.page, "todo"), { timeout: 30_000 }).toBe("");
    const chen = await enrollDemoPerson(agency.browser, agency.server.base, "chen");
    await reclassify(chen.page, "secret", "涉及個資，改列機密。");
    await chen.page.screenshot({ path: "test-results/secrecy-raised-375.png" });
    await expect.poll(() => inboxLock(chen.page, "mine"), { timeout: 30_000 }).toContain("機密");
  }, 180_000);
});
