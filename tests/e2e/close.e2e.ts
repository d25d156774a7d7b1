// The life of a 簽 that ends without a letter, against a real demo agency: 陳承辦 drafts it on
// /new and routes it (林科長 reviews, 王局長 decides), files it (存查), and 蔡檔管 of the archives
// archives it (歸檔) with a 檔號 checked as it is typed and a 保存年限; from then on the document is
// read-only for everyone — the case officer and the archivist alike. Then the action panel's other
// filing actions on demo documents: 周收發 dispatches a decided 書函 under the 發文字號 the server
// reserves, and a document handled on paper is recorded online (線上補登) with its scan.
import { describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { useDemoAgency, T, enrollDemoPerson, synced, openDoc, docStatus, act, greyPng } from "./demo-session.ts";

const agency = useDemoAgency();
const pageErrors: string[] = [];
const people = new Map<string, { context: BrowserContext; page: Page }>();

async function person(who: string): Promise<Page> {
  const known = people.get(who);
  if (known) {
    await known.page.goto(`${agency.server.base}/inbox`);
    await synced(known.page);
    return known.page;
  }
  const enrolled = await enrollDemoPerson(agency.browser, agency.server.base, who, { errors: pageErrors });
  people.set(who, enrolled);
  return enrolled.page;
}

const open = (page: Page, doc: string) => openDoc(page, agency.server.base, doc, { live: false });
const status = docStatus;

/** Every button, select and input of the action panel is a 44 px touch target. */
async function touchTargets(page: Page): Promise<void> {
  const heights = await page.evaluate(() =>
    [...document.querySelectorAll('[data-testid="actions"] button, [data-testid="actions"] select, [data-testid="actions"] input:not([type="file"])')].map(
      (el) => [el.getAttribute("data-testid") ?? el.tagName, el.getBoundingClientRect().height] as const,
    ),
  );
  for (const [id, h] of heights) expect({ id, tall: h >= 44 }).toEqual({ id, tall: true });
}

describe("a 簽 from draft to 歸檔", () => {
  it("drafted, reviewed and decided; the case officer files it (存查); the archives archive it with 檔號 and 保存年限; then it is read-only", async () => {
    const chen = await person("chen");
    await chen.getByTestId("new-doc-link").click();
    await chen.getByTestId("new-doc").waitFor(T);
    await chen.getByTestId("new-kind-memo").check();
    await chen.getByTestId("new-category").selectOption("學務");
    await chen.getByTestId("new-subject").fill("有關本局辦理學生事務研習之經費核銷一案，簽請核示。");
    await chen.locator('[data-testid="new-item"][data-section="explanation"]').first().fill("研習已於本月辦理完竣。");
    // The exclusion list is a suggestion, never a block: 永久 retention suggests paper.
    await chen.getByTestId("new-paper-retention").selectOption("permanent");
    await expect.poll(() => chen.getByTestId("new-paper-suggestion").innerText(), T).toContain("本件可能不適用線上簽核：保存年限逾10年");
    await chen.getByTestId("new-paper-retention").selectOption("10");
    expect(await chen.getByTestId("new-paper-suggestion").count()).toBe(0);
    expect(await chen.getByTestId("new-recipients").count()).toBe(0); // a 簽 has no 受文者
    await chen.getByTestId("new-create").click();
    await chen.waitForURL(/\/docs\/doc-[0-9a-f]+$/, T);
    const doc = decodeURIComponent(new URL(chen.url()).pathname.split("/").pop()!);
    await chen.getByTestId("doc-status").waitFor(T);

    // Routing: 林科長 reviews, 王局長 decides.
    const plan = chen.getByTestId("plan-editor");
    await expect.poll(() => plan.locator('[data-testid="plan-reviewer"] option[value="lin"]').count(), T).toBe(1);
    await plan.getByTestId("plan-reviewer").selectOption("lin");
    await plan.getByTestId("plan-add-review").click();
    await plan.getByTestId("plan-decider").selectOption("wang");
    await expect.poll(() => plan.getByTestId("plan-state").getAttribute("data-saved"), T).toBe("true");
    await act(chen, "submit", "陳請核示。");
    await expect.poll(() => status(chen), T).toBe("in-review");

    const lin = await person("lin");
    await open(lin, doc);
    await expect.poll(() => lin.getByTestId("offer-approve").count(), T).toBe(1);
    await act(lin, "approve", "擬如擬。");
    const wang = await person("wang");
    await open(wang, doc);
    await expect.poll(() => wang.getByTestId("offer-decide").count(), T).toBe(1);
    await act(wang, "decide", "如擬。");
    await expect.poll(() => status(wang), T).toBe("decided");

    // A decided 簽 needs no letter: its case officer files it (存查); nobody offers 發文.
    await open(chen, doc);
    await expect.poll(() => status(chen), { timeout: 30_000 }).toBe("decided");
    await expect.poll(() => chen.getByTestId("offer-close").count(), T).toBe(1);
    expect(await chen.getByTestId("offer-dispatch").count()).toBe(0);
    expect(await chen.getByTestId("offer-close").innerText()).toBe("存查");
    await act(chen, "close", "本案不需發文，存查。");
    await expect.poll(() => status(chen), T).toBe("closed");
    expect(await chen.getByTestId("doc-status").innerText()).toContain("已存查");
    await expect.poll(() => chen.getByTestId("holders").innerText(), T).toContain("檔案管理");

    // 蔡檔管 archives it: a wrong 檔號 is explained part by part as it is typed; 保存年限 from a list.
    const tsai = await person("tsai");
    await open(tsai, doc);
    await expect.poll(() => status(tsai), { timeout: 30_000 }).toBe("closed");
    await expect.poll(() => tsai.getByTestId("offer-archive").count(), T).toBe(1);
    await tsai.getByTestId("offer-archive").click();
    expect(await tsai.getByTestId("retention").inputValue()).toBe("10"); // the 保存年限 drafted on /new
    await tsai.getByTestId("file-number").fill("115-01a1-12-1-3");
    const bad = tsai.getByTestId("file-number-bad");
    await bad.waitFor(T);
    expect(await bad.getAttribute("data-code")).toBe("filing.file-number");
    expect(await bad.innerText()).toContain("分類號");
    expect(await tsai.getByTestId("sign").isDisabled()).toBe(true);
    await tsai.getByTestId("file-number").fill("115-0101-000012-001-00003");
    await tsai.getByTestId("file-number-ok").waitFor(T);
    await tsai.getByTestId("retention").selectOption("30");
    await tsai.getByTestId("opinion").fill("歸檔。");
    await touchTargets(tsai);
    await tsai.screenshot({ path: "test-results/close-archive-form-375.png", fullPage: true });
    await tsai.getByTestId("sign").click();
    await tsai.getByTestId("sign-done").waitFor(T);
    await expect.poll(() => status(tsai), T).toBe("archived");

    // Read-only for everyone: a banner with 檔號 and 保存年限, no editing, no attachments, no actions.
    for (const page of [tsai, chen]) {
      if (page === chen) await open(chen, doc);
      await expect.poll(() => status(page), { timeout: 30_000 }).toBe("archived");
      const banner = page.getByTestId("archived-banner");
      await banner.waitFor(T);
      expect(await banner.innerText()).toContain("已歸檔");
      expect(await banner.innerText()).toContain("115-0101-000012-001-00003");
      expect(await banner.innerText()).toContain("30年");
      expect(await page.getByTestId("fact-file-number").innerText()).toBe("115-0101-000012-001-00003");
      expect(await page.getByTestId("fact-retention").innerText()).toBe("30年");
      expect(await page.getByTestId("field-subject").getAttribute("readonly")).not.toBeNull();
      expect(await page.getByTestId("plan-editor").count()).toBe(0);
      expect(await page.getByTestId("attach-input").count()).toBe(0);
      expect(await page.getByTestId("no-actions").count()).toBe(1);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    }
    await chen.screenshot({ path: "test-results/close-archived-375.png", fullPage: true });
    await tsai.setViewportSize({ width: 1280, height: 900 });
    await tsai.screenshot({ path: "test-results/close-archived-1280.png", fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 240_000);

  it("the mail room dispatches a decided 書函 under a reserved 發文字號; a paper document is recorded online (線上補登) with its scan, then waits on the archives", async () => {
    const chou = await person("chou");
    const letter = "demo-035"; // a decided 書函 waiting for 發文
    await open(chou, letter);
    await expect.poll(() => status(chou), T).toBe("decided");
    await expect.poll(() => chou.getByTestId("offer-dispatch").count(), T).toBe(1);
    expect(await chou.getByTestId("offer-dispatch").innerText()).toBe("發文");
    await chou.getByTestId("offer-dispatch").click();
    await chou.getByTestId("dispatch-hint").waitFor(T);
    await touchTargets(chou);
    await chou.getByTestId("sign").click();
    await expect.poll(() => chou.getByTestId("sign-done").innerText(), T).toMatch(/^已發文：示教字第115\d{7}號（中華民國115年\d{1,2}月\d{1,2}日）/);
    await expect.poll(() => status(chou), T).toBe("dispatched");
    expect(await chou.getByTestId("fact-dispatch-number").innerText()).toMatch(/^示教字第115\d{7}號$/);
    expect(await chou.getByTestId("fact-dispatch-date").innerText()).toMatch(/^中華民國115年\d{1,2}月\d{1,2}日$/);
    await chou.screenshot({ path: "test-results/close-dispatched-375.png", fullPage: true });

    const chen = await person("chen");
    const paper = "demo-032"; // switched to paper, not yet recorded online
    await open(chen, paper);
    await expect.poll(() => status(chen), T).toBe("on-paper");
    await expect.poll(() => chen.getByTestId("offer-paper-record").count(), T).toBe(1);
    await chen.getByTestId("offer-paper-record").click();
    // The attachments open for the scans (only until the 線上補登 is signed).
    await chen.getByTestId("attach-input").setInputFiles([{ name: "紙本公文掃描.png", mimeType: "image/png", buffer: greyPng(120, 160) }]);
    await expect.poll(() => chen.getByTestId("paper-record-scans").getAttribute("data-count"), T).toBe("1");
    // The reason is required.
    await chen.getByTestId("sign").click();
    await chen.getByTestId("sign-failed").waitFor(T);
    await chen.getByTestId("opinion").fill("紙本已陳核決行，補登掃描檔。");
    await touchTargets(chen);
    await chen.screenshot({ path: "test-results/close-paper-record-375.png", fullPage: true });
    await chen.getByTestId("sign").click();
    await chen.getByTestId("sign-done").waitFor(T);
    await expect.poll(() => chen.getByTestId("holders").innerText(), T).toContain("檔案管理");
    expect(await chen.getByTestId("offer-paper-record").count()).toBe(0);
    expect(await chen.getByTestId("attach-input").count()).toBe(0); // the recorded content is fixed
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it("drafting a 函 names its 受文者, 正本 and 副本; the exclusion list suggests paper on /new and at the registry desk, without blocking", async () => {
    const chen = await person("chen");
    await chen.getByTestId("new-doc-link").click();
    await chen.getByTestId("new-doc").waitFor(T);
    await chen.getByTestId("new-kind-letter").check();
    const roster = chen.getByTestId("new-recipients");
    await roster.waitFor(T);
    // The first row: a peer agency picked from the exchange list when there is one, else typed in.
    const first = roster.getByTestId("recipient").first();
    const peers = await first.locator('[data-testid="recipient-peer"] option').count();
    if (peers > 1) await first.getByTestId("recipient-peer").selectOption({ index: 1 });
    else {
      await first.getByTestId("recipient-name").fill("示範市立示範國民中學");
      await first.getByTestId("recipient-code").fill("A-DEMO-JHS");
    }
    expect(await first.getByTestId("recipient-code").inputValue()).not.toBe("");
    await roster.getByTestId("recipient-add").click();
    const copy = roster.getByTestId("recipient").nth(1);
    expect(await copy.getByTestId("recipient-delivery").inputValue()).toBe("copy");
    await copy.getByTestId("recipient-kind").selectOption("unit");
    await copy.getByTestId("recipient-name").fill("本局學務管理科");
    await copy.getByTestId("recipient-code").fill("A-DEMO-EDU");
    await copy.getByTestId("recipient-unit").fill("U-STU");
    // 密 and many pages: the suggestion names both, and the form still creates the document.
    await chen.getByTestId("new-secrecy").selectOption("confidential");
    await chen.getByTestId("new-paper-pages").fill("40");
    await chen.getByTestId("new-paper-photos").check();
    await expect.poll(() => chen.getByTestId("new-paper-suggestion").getAttribute("data-reasons"), T).toBe("secret pages photos");
    expect(await chen.getByTestId("new-paper-suggestion").innerText()).toContain("本件可能不適用線上簽核：密件、逾15頁、照片");
    expect(await chen.getByTestId("new-paper-suggestion").innerText()).toContain("改紙本");
    await chen.getByTestId("new-subject").fill("函送本局學生事務研習成果，請查照。");
    await chen.locator('[data-testid="new-item"][data-section="explanation"]').first().fill("檢送研習成果報告1份。");
    expect(await chen.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await chen.screenshot({ path: "test-results/close-new-letter-375.png", fullPage: true });
    await chen.getByTestId("new-create").click();
    await chen.waitForURL(/\/docs\/doc-[0-9a-f]+$/, T);
    await chen.getByTestId("doc-status").waitFor(T);
    expect(await status(chen)).toBe("draft");

    // The registry desk: 收文 of a long tender suggests paper too.
    const li = await person("li");
    await li.goto(`${agency.server.base}/registry`);
    await li.getByTestId("reg-incoming").waitFor(T);
    await li.getByTestId("reg-paper-pages").fill("16");
    await li.getByTestId("reg-paper-tender").check();
    await expect.poll(() => li.getByTestId("reg-paper-suggestion").getAttribute("data-reasons"), T).toBe("pages tender");
    expect(await li.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await li.getByTestId("reg-paper-facts").screenshot({ path: "test-results/close-registry-paper-375.png" });
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
