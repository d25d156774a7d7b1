// A new user's journey against a real demo agency: the case officer enrolls with their one-time
// code, drafts a 簽 through 新增公文, builds its routing plan in the page (review by the section
// chief, decision by the person the delegation table requires), submits it; the chief approves in
// another browser, the director decides; the case officer sees 已決行 and every badge valid.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { useDemoAgency, T, synced, openDoc, docStatus, act } from "./demo-session.ts";

const agency = useDemoAgency();
const pageErrors: string[] = [];

/** The one-time codes `countersign demo` handed out (person id → code). */
function codes(): Map<string, string> {
  const lines = readFileSync(join(agency.server.dir, "demo-codes.txt"), "utf8").split("\n");
  return new Map(lines.filter((l) => l && !l.startsWith("#")).map((l) => [l.split("\t")[0]!, l.split("\t")[3]!]));
}

const enrolled = new Map<string, { context: BrowserContext; page: Page }>();

/** A new browser context where `who` types their one-time code into the enrollment form. */
async function enroll(who: string): Promise<Page> {
  const context = await agency.browser.newContext({ viewport: { width: 375, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(`${who}: ${e.message}`));
  await page.goto(`${agency.server.base}/`);
  await page.locator("#enroll-code").fill(codes().get(who)!);
  await page.getByTestId("enroll-form").locator('button[type="submit"]').click();
  await page.waitForURL(/\/inbox$/, { timeout: 30_000 });
  await synced(page);
  enrolled.set(who, { context, page });
  return page;
}

const open = (page: Page, doc: string) => openDoc(page, agency.server.base, doc, { live: false });

const status = docStatus;

describe("a new user's journey", () => {
  it("enroll, draft a 簽, build its routing, submit; the chief approves, the director decides; the case officer sees it decided and valid", async () => {
    // 陳承辦 enrolls with the code the registry desk gave them.
    const chen = await enroll("chen");

    // 新增公文 from the inbox header.
    await chen.getByTestId("new-doc-link").click();
    await chen.waitForURL(/\/new$/);
    const form = chen.getByTestId("new-doc");
    await form.waitFor(T);
    await chen.getByTestId("new-kind-memo").check();
    await chen.getByTestId("new-speed").selectOption("urgent");
    await expect.poll(() => chen.getByTestId("new-due-roc").innerText(), T).toMatch(/^中華民國1\d\d年\d{1,2}月\d{1,2}日$/);
    // The category sets the decision level: 學務.獎懲 is decided by 副局長 (level 4) or above.
    await chen.getByTestId("new-category").selectOption("學務.獎懲");
    await expect.poll(() => chen.getByTestId("new-decided-by").innerText(), T).toContain("依分層負責明細表，本案由副局長決行");
    await chen.getByTestId("new-subject").fill("有關本市國民中學學生獎懲案，簽請核示。");
    const items = chen.locator('[data-testid="new-item"][data-section="explanation"]');
    await items.first().fill("依據本市學生獎懲實施要點辦理。");
    await chen.getByTestId("new-add-explanation").click();
    await items.nth(1).fill("經查該生表現優良，事證明確。");
    expect(await chen.locator('[data-testid="new-section-explanation"] .num').allInnerTexts()).toEqual(["一、", "二、"]);
    await chen.screenshot({ path: "test-results/new-doc-375.png", fullPage: true });
    expect(await chen.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await chen.getByTestId("new-create").click();

    // The document page opens the new draft, with the two items, ready to co-edit and route.
    await chen.waitForURL(/\/docs\/doc-[0-9a-f]+$/, T);
    const doc = decodeURIComponent(new URL(chen.url()).pathname.split("/").pop()!);
    await chen.getByTestId("doc-status").waitFor(T);
    expect(await status(chen)).toBe("draft");
    expect(await chen.getByTestId("field-subject").inputValue()).toBe("有關本市國民中學學生獎懲案，簽請核示。");
    expect(await chen.locator('[data-section="explanation"] textarea').evaluateAll((els) => els.map((e) => (e as HTMLTextAreaElement).value))).toEqual([
      "依據本市學生獎懲實施要點辦理。",
      "經查該生表現優良，事證明確。",
    ]);
    await chen.locator('[data-testid="doc-connection"][data-connection="connected"]').waitFor(T);

    // The routing plan, from the directory: 林科長 reviews; 林科長 (level 3) may not decide, 王局長 may.
    const plan = chen.getByTestId("plan-editor");
    await plan.getByTestId("plan-requirement").waitFor(T);
    expect(await plan.getByTestId("plan-requirement").innerText()).toBe("依分層負責明細表，本案由副局長決行");
    await expect.poll(() => plan.locator('[data-testid="plan-reviewer"] option[value="lin"]').count(), T).toBe(1);
    await plan.getByTestId("plan-reviewer").selectOption("lin");
    await plan.getByTestId("plan-add-review").click();
    await expect.poll(async () => (await plan.getByTestId("plan-step").allTextContents()).map((s) => s.trim()), T).toEqual(["核稿林科長"]);
    // The 決行 picker lists only people at the required level (副局長, 4): 林科長 (3) is not offered.
    expect(await plan.locator('[data-testid="plan-decider"] option:not([value=""])').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(["wang"]);
    await plan.getByTestId("plan-decider").selectOption("wang");
    await expect.poll(() => plan.getByTestId("plan-state").getAttribute("data-saved"), T).toBe("true");
    await chen.screenshot({ path: "test-results/journey-plan-375.png", fullPage: true });

    // 陳核 with an opinion: the plan is part of what the entry signs.
    await act(chen, "submit", "陳請核示。");
    await expect.poll(() => status(chen), T).toBe("in-review");
    expect(await chen.getByTestId("plan-editor").count()).toBe(0); // out for signing: the plan is fixed
    expect(await chen.getByTestId("pending").innerText()).toContain("林科長核稿");

    // 林科長, in another browser, enrolls, finds it waiting and approves.
    const lin = await enroll("lin");
    await open(lin, doc);
    await expect.poll(() => status(lin), T).toBe("in-review");
    await act(lin, "approve", "擬如擬，陳請局長核示。");
    await expect.poll(() => status(lin), T).toBe("in-review");
    await expect.poll(() => lin.getByTestId("pending").innerText(), T).toContain("王局長決行");

    // 王局長 decides with an opinion.
    const wang = await enroll("wang");
    await open(wang, doc);
    await expect.poll(() => wang.getByTestId("offer-decide").count(), T).toBe(1);
    await act(wang, "decide", "如擬，予以嘉獎。");
    await expect.poll(() => status(wang), T).toBe("decided");

    // The case officer's view: 已決行, three entries, every badge valid.
    await open(chen, doc);
    await expect.poll(() => status(chen), { timeout: 30_000 }).toBe("decided");
    expect(await chen.getByTestId("doc-status").innerText()).toContain("已決行");
    expect(await chen.getByTestId("doc-status").getAttribute("data-valid")).toBe("true");
    const entries = chen.getByTestId("entry");
    await expect.poll(() => entries.count(), T).toBe(3);
    const texts = await entries.allInnerTexts();
    expect(texts[0]).toMatch(/陳核[\s\S]*陳承辦[\s\S]*陳請核示。/);
    expect(texts[1]).toMatch(/核稿[\s\S]*林科長[\s\S]*擬如擬/);
    expect(texts[2]).toMatch(/決行[\s\S]*王局長[\s\S]*如擬，予以嘉獎。/);
    const badges = chen.getByTestId("badge");
    expect(await badges.count()).toBe(3);
    for (const b of await badges.all()) expect(await b.getAttribute("data-valid")).toBe("true");
    await chen.screenshot({ path: "test-results/journey-decided-375.png", fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it("offline, the case officer drafts a 簽 and builds its routing from the cached directory; once online it reaches the server with its plan", async () => {
    const { context, page: chen } = enrolled.get("chen")!;
    await chen.goto(`${agency.server.base}/inbox`);
    await synced(chen);
    await expect.poll(() => chen.evaluate(() => navigator.serviceWorker.controller !== null), T).toBe(true);
    await context.setOffline(true);
    await chen.reload(); // the app starts from the service worker's cache
    await chen.getByTestId("new-doc-link").click();
    await chen.getByTestId("new-doc").waitFor(T);
    await chen.getByTestId("new-category").selectOption("學務");
    await expect.poll(() => chen.getByTestId("new-decided-by").innerText(), T).toContain("本案由科長／單位主管決行");
    await chen.getByTestId("new-subject").fill("離線草擬：有關校外教學安全注意事項，簽請核示。");
    await chen.locator('[data-testid="new-item"][data-section="explanation"]').first().fill("依據校外教學實施要點辦理。");
    await chen.locator('[data-testid="new-item"][data-section="proposal"]').first().fill("奉核後函送各校。");
    await chen.getByTestId("new-create").click();
    await chen.waitForURL(/\/docs\/doc-[0-9a-f]+$/, T);
    const doc = decodeURIComponent(new URL(chen.url()).pathname.split("/").pop()!);
    await chen.getByTestId("doc-status").waitFor(T);
    expect(await status(chen)).toBe("draft");
    expect(await chen.getByTestId("doc-connection").getAttribute("data-connection")).not.toBe("connected");
    // The directory comes from this device's cache: 林科長 decides 學務 (level 3).
    const plan = chen.getByTestId("plan-editor");
    expect(await plan.getByTestId("plan-cached").innerText()).toContain("先前下載的通訊錄");
    await plan.getByTestId("plan-decider").selectOption("lin");
    await expect.poll(() => plan.getByTestId("plan-state").getAttribute("data-saved"), T).toBe("true");
    expect(await chen.getByTestId("sync-state").getAttribute("data-mode")).toBe("offline");

    // Online again: the creating update and the plan go out; the server indexes the draft with 林科長 in it.
    await context.setOffline(false);
    await synced(chen);
    const row = await chen.evaluate(async (doc) => {
      const key = Object.keys(sessionStorage).find((k) => k.startsWith("countersign:token:"))!;
      const { token } = JSON.parse(sessionStorage.getItem(key)!) as { token: string };
      const r = await fetch("/api/docs", { headers: { authorization: `Bearer ${token}` } });
      return ((await r.json()) as { docs: { doc: string; status: string; subject: string; participants: string[] }[] }).docs.find((x) => x.doc === doc);
    }, doc);
    expect(row).toMatchObject({ status: "draft", subject: "離線草擬：有關校外教學安全注意事項，簽請核示。" });
    expect(row!.participants).toEqual(expect.arrayContaining(["person:chen", "person:lin"]));
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
