// The registry desk against a real demo agency: 李登記 registers an incoming letter with a scanned
// PNG and assigns it to 陳承辦, who sees it in the inbox with the ROC due date its 速別 implies and
// opens the scan; then 李登記 re-assigns it (改分) to a new officer of the unit, who sees it, and the
// history shows the signed 改分 entry as valid.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { useDemoAgency, T, enrollDemoPerson, synced, greyPng, type Person, navigate } from "./demo-session.ts";

const agency = useDemoAgency();
const pageErrors: string[] = [];

/** Today in Taiwan and the date `n` working days (Monday to Friday) after it, YYYY-MM-DD. */
function taipeiToday(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
}
function workingDaysAfter(from: string, n: number): string {
  const d = new Date(`${from}T00:00:00Z`);
  while (n > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) n--;
  }
  return d.toISOString().slice(0, 10);
}
const rocShort = (iso: string) => `${String(Number(iso.slice(0, 4)) - 1911).padStart(3, "0")}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`;

const demoPerson = (who: string, width = 375): Promise<Person> => enrollDemoPerson(agency.browser, agency.server.base, who, { width, errors: pageErrors });

/** Someone added to the directory after the demo was made, enrolled with their one-time code. */
async function enrollWithCode(code: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await agency.browser.newContext({ viewport: { width: 375, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(`${agency.server.base}/`);
  await page.locator("#enroll-code").fill(code);
  await page.getByTestId("enroll-form").locator('button[type="submit"]').click();
  await page.getByTestId("enrolled").waitFor({ timeout: 30_000 });
  await page.goto(`${agency.server.base}/inbox`);
  await synced(page);
  return { context, page };
}

const row = (page: Page, doc: string) => page.locator(`[data-testid="inbox-row"][data-doc="${doc}"]`);

describe("the registry desk", () => {
  it("李登記 registers an incoming letter with a scan and assigns it; the case officer sees it with its ROC due date; 改分 moves it with a valid signed entry; offline the desk still registers, and it arrives once online", async () => {
    const scan = greyPng(64, 48);
    const li = await demoPerson("li");
    await navigate(li.page, "nav-registry");
    await li.page.waitForURL(/\/registry$/);

    // The proposed 收文號: this ROC year and the next serial after the demo's history (which has
    // registered letters of this year already), seven digits.
    const year = String(Number(taipeiToday().slice(0, 4)) - 1911).padStart(3, "0");
    await expect.poll(() => li.page.getByTestId("reg-receipt").inputValue(), T).toMatch(new RegExp(`^${year}\\d{7}$`));
    const proposed = await li.page.getByTestId("reg-receipt").inputValue();

    await li.page.getByTestId("reg-from").fill("臺南市政府");
    await li.page.getByTestId("reg-doc-number").fill("府教字第1150001234號");
    await li.page.getByTestId("reg-speed").selectOption("urgent");
    const due = workingDaysAfter(taipeiToday(), 3);
    expect(await li.page.getByTestId("reg-due-shown").getAttribute("data-due")).toBe(due);
    expect(await li.page.getByTestId("reg-due-shown").innerText()).toContain(`中華民國${Number(year)}年`);
    await li.page.getByTestId("reg-subject").fill("請查填校園安全設施調查表");
    await li.page.getByTestId("reg-scans").setInputFiles([{ name: "來文掃描.png", mimeType: "image/png", buffer: scan }]);
    await li.page.getByTestId("reg-scan").waitFor(T);
    await expect.poll(() => li.page.getByTestId("reg-unit").inputValue(), T).toBe("U-STU");
    await li.page.getByTestId("reg-officer").selectOption("chen");

    // A form without 來文機關 is refused with the reason, registers nothing and uses up no 收文號.
    await li.page.getByTestId("reg-from").fill("");
    await li.page.getByTestId("reg-submit").click();
    await expect.poll(() => li.page.getByTestId("reg-failed").innerText(), T).toContain("請填寫來文機關。");
    expect(await li.page.getByTestId("reg-failed").getAttribute("data-code")).toBe("register.input");
    await li.page.getByTestId("reg-from").fill("臺南市政府");

    await li.page.getByTestId("reg-submit").click();
    const done = li.page.getByTestId("reg-done");
    await done.waitFor(T);
    expect(await done.innerText()).toContain(proposed);
    expect(await done.innerText()).toContain("陳承辦");
    const doc = (await done.getAttribute("data-doc"))!;
    await li.page.getByTestId("reg-incoming").screenshot({ path: "test-results/registry-incoming-375.png" });
    await synced(li.page);

    // 陳承辦 finds it in 待辦 and 承辦中 with the due date in ROC, and opens the scan.
    const chen = await demoPerson("chen");
    await expect.poll(() => row(chen.page, doc).count(), T).toBe(1);
    expect(await row(chen.page, doc).innerText()).toContain(`限辦 ${rocShort(due)}`);
    expect(await row(chen.page, doc).innerText()).toContain("速件");
    await chen.page.getByTestId("tab-mine").click();
    await expect.poll(() => row(chen.page, doc).count(), T).toBe(1);
    await row(chen.page, doc).click();
    await chen.page.getByTestId("doc-status").waitFor(T);
    expect(await chen.page.getByTestId("field-subject").inputValue()).toBe("請查填校園安全設施調查表");
    const hash = createHash("sha256").update(scan).digest("hex");
    const att = chen.page.locator(`[data-testid="attachment"][data-sha="${hash}"]`);
    await expect.poll(() => att.getAttribute("data-state"), T).toBe("ready");
    await att.getByTestId("attachment-preview").click();
    await expect.poll(() => att.getByTestId("attachment-image").evaluate((el) => (el as HTMLImageElement).naturalWidth), T).toBe(64);

    // A new officer joins the unit (the administrator's command line), enrolls, and 李登記 re-assigns to them.
    const out = execFileSync(process.execPath, ["bin/countersign.js", "user", "add", "--data", agency.server.dir, "--id", "chang", "--name", "張承辦", "--unit", "U-STU", "--level", "1", "--roles", "case-officer"], {
      encoding: "utf8",
    });
    const code = out.trim().split("\n").pop()!.trim();
    const chang = await enrollWithCode(code);
    expect(await row(chang.page, doc).count()).toBe(0);

    await li.page.goto(`${agency.server.base}/registry`);
    await li.page.getByTestId("reg-search").fill("校園安全設施");
    await expect.poll(() => li.page.getByTestId("reg-doc").count(), T).toBe(1);
    const item = li.page.locator(`[data-testid="reg-doc"][data-doc="${doc}"]`);
    await item.waitFor(T);
    expect(await item.getAttribute("data-officer")).toBe("chen");
    await item.getByTestId("reg-reassign-open").click();
    await expect.poll(() => item.getByTestId("reg-to").locator('option[value="chang"]').count(), T).toBe(1);
    // No reason, no signature.
    await item.getByTestId("reg-to").selectOption("chang");
    await item.getByTestId("reg-reassign-submit").click();
    await expect.poll(() => item.getByTestId("reg-reassign-failed").innerText(), T).toContain("請填寫改分理由。");
    expect(await item.getByTestId("reg-reassign-failed").getAttribute("data-code")).toBe("reassign.input");
    await item.getByTestId("reg-reason").fill("業務調整，改由張承辦承辦。");
    await item.getByTestId("reg-reassign-submit").click();
    await li.page.getByTestId("reg-reassigned").waitFor(T);
    await li.page.getByTestId("reg-reassign").screenshot({ path: "test-results/registry-reassign-375.png" });
    await expect.poll(() => li.page.locator(`[data-testid="reg-doc"][data-doc="${doc}"]`).getAttribute("data-officer"), T).toBe("chang");

    // 張承辦 now has it waiting, and the history shows the signed 改分 as valid.
    await chang.page.reload();
    await synced(chang.page);
    await expect.poll(() => row(chang.page, doc).count(), { timeout: 30_000 }).toBe(1);
    await row(chang.page, doc).click();
    await chang.page.getByTestId("doc-status").waitFor(T);
    const entry = chang.page.locator('[data-testid="entry"][data-action="reassign"]');
    await entry.waitFor(T);
    expect(await entry.getByTestId("badge").getAttribute("data-valid")).toBe("true");
    expect(await entry.getByTestId("entry-opinion").innerText()).toBe("業務調整，改由張承辦承辦。");
    expect(await chang.page.getByTestId("holders").innerText()).toContain("張承辦");

    // Offline, the desk still registers (from the cached directory, with a typed 收文號); the
    // registration and its scan go out once the device is back online.
    await expect.poll(() => li.page.evaluate(() => navigator.serviceWorker.controller !== null), T).toBe(true);
    await li.context.setOffline(true);
    await li.page.reload();
    await li.page.getByTestId("reg-incoming").waitFor(T);
    expect(await li.page.getByTestId("reg-receipt").inputValue()).toBe("");
    await li.page.getByTestId("reg-from").fill("嘉義市政府");
    await li.page.getByTestId("reg-receipt").fill(`${year}9000001`);
    await li.page.getByTestId("reg-subject").fill("離線收文：轉知防汛整備事項");
    const offlineScan = greyPng(32, 32);
    await li.page.getByTestId("reg-scans").setInputFiles([{ name: "離線掃描.png", mimeType: "image/png", buffer: offlineScan.subarray(0) }]);
    await li.page.getByTestId("reg-scan").waitFor(T);
    await expect.poll(() => li.page.getByTestId("reg-officer").locator('option[value="chang"]').count(), T).toBe(1);
    await li.page.getByTestId("reg-officer").selectOption("chang");
    await li.page.getByTestId("reg-submit").click();
    await expect.poll(() => li.page.getByTestId("reg-done").innerText(), T).toContain("目前離線");
    const offlineDoc = (await li.page.getByTestId("reg-done").getAttribute("data-doc"))!;
    await li.context.setOffline(false);
    await synced(li.page);

    await chang.page.goto(`${agency.server.base}/inbox`);
    await synced(chang.page);
    await expect.poll(() => row(chang.page, offlineDoc).count(), { timeout: 30_000 }).toBe(1);
    await row(chang.page, offlineDoc).click();
    await chang.page.getByTestId("doc-status").waitFor(T);
    // 來文機關, 來文字號 and 收文日期 are fields of the document (its facts panel), not a sentence in 說明.
    await expect.poll(() => chang.page.getByTestId("fact-from").innerText(), T).toBe("嘉義市政府");
    expect(await chang.page.getByTestId("fact-receipt-number").innerText()).toBe(`${year}9000001`);
    expect(await chang.page.getByTestId("fact-sender-number").innerText()).toBe("—");
    expect(await chang.page.getByTestId("fact-received-on").getAttribute("data-date")).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(await chang.page.locator('[data-section="explanation"] textarea').count()).toBe(0);
    await expect.poll(() => chang.page.getByTestId("attachment").getAttribute("data-state"), { timeout: 30_000 }).toBe("ready");
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
