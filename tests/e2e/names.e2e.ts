// Names, not ids, and the facts panel, against a real demo agency: several demo people walk their
// main pages (inbox, a document in review, registry, exchange, dispatch, archives) and no visible
// text shows a raw demo id (a person id as a whole word, a unit id U-…, an agency code A-DEMO-… or
// B-KH-…) outside URLs and form fields. Then the registry desk registers an incoming letter for
// 陳承辦, who sees it as 收文 with our 收文號 in the inbox, finds it by that number, and opens it to
// the facts panel (文別, 收文號, 來文字號, 速別, 密等, 限辦日期 in ROC, unit and case officer by name),
// at 375 px and 1280 px.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { useDemoAgency, T, enrollDemoPerson, synced, type Person } from "./demo-session.ts";

const agency = useDemoAgency();
const pageErrors: string[] = [];
const enrolled = new Map<string, Person>();
/** A demo person's browser (enrolled once: a demo person's one-time code enrolls one device), at `width`. */
async function demoPerson(who: string, width = 1280): Promise<Person> {
  let p = enrolled.get(who);
  if (!p) enrolled.set(who, (p = await enrollDemoPerson(agency.browser, agency.server.base, who, { width, errors: pageErrors })));
  await p.page.setViewportSize({ width, height: 900 });
  return p;
}

/** The demo's ids as they would leak: person ids as whole words, unit ids, agency codes. */
const RAW_ID = /\b(?:chen|li|lin|huang|wu|wang|chou|tsai|hsu|kao)\b|\bU-[A-Z][A-Z0-9-]*\b|\bA-DEMO-[A-Z0-9-]+\b|\bB-KH-[A-Z0-9-]+\b/;

/**
 * Every visible text node of the page outside form fields (inputs, selects, text areas, editable
 * text: what the person typed is theirs) whose text shows a raw id, with the id found.
 */
async function rawIds(page: Page): Promise<string[]> {
  return page.evaluate((source) => {
    const re = new RegExp(source);
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest("input, textarea, select, script, style, [contenteditable='true'], [hidden]")) continue;
      if (!el.checkVisibility()) continue;
      const text = n.textContent ?? "";
      const m = re.exec(text);
      if (m) out.push(`「${m[0]}」 in 「${text.trim().slice(0, 80)}」`);
    }
    return out;
  }, RAW_ID.source);
}

/** Goes to `path`, lets it settle, and expects no raw id on it. */
async function noRawIds(page: Page, path: string, ready: string): Promise<void> {
  if (path) await page.goto(`${agency.server.base}${path}`);
  await page.getByTestId(ready).first().waitFor(T);
  await page.waitForTimeout(800); // names come from the cached directory a moment after the first frame
  expect(await rawIds(page), `${page.url()}`).toEqual([]);
}

/** Opens the first document of an inbox tab and checks it (the action panel names holders and steps). */
async function firstDocOf(page: Page, tab: string): Promise<void> {
  await page.goto(`${agency.server.base}/inbox`);
  await page.getByTestId(`tab-${tab}`).click();
  await page.getByTestId("inbox-row").first().click();
  await page.getByTestId("doc-status").waitFor(T);
  await noRawIds(page, "", "doc-facts");
}

describe("names everywhere", () => {
  it("the demo people's main pages show people, units and agencies by name, never by id", async () => {
    const chen = await demoPerson("chen");
    await noRawIds(chen.page, "/inbox", "inbox-list");
    await firstDocOf(chen.page, "mine");
    await chen.page.screenshot({ path: "test-results/names-doc-chen-1280.png", fullPage: true });
    await noRawIds(chen.page, "/exchange", "ex-incoming");

    const lin = await demoPerson("lin");
    await noRawIds(lin.page, "/inbox", "inbox-list");
    await firstDocOf(lin.page, "todo"); // a document in review, waiting on 林科長
    await lin.page.screenshot({ path: "test-results/names-doc-review-1280.png", fullPage: true });

    const li = await demoPerson("li");
    await noRawIds(li.page, "/registry", "reg-incoming");
    await noRawIds(li.page, "/exchange", "ex-import");
    // The demo peer's 會辦 request: imported (the result names the peer and the document by name), assigned (分文).
    await li.page.getByTestId("ex-file").setInputFiles(join(agency.server.dir, "demo-envelope.csenv"));
    const outcome = li.page.getByTestId("ex-outcome");
    await outcome.waitFor(T);
    expect(await outcome.getAttribute("data-status")).toBe("imported");
    const doc = decodeURIComponent((await outcome.locator("a").first().getAttribute("href"))!.replace(/^\/docs\//, ""));
    const incoming = li.page.locator(`[data-testid="ex-incoming-doc"][data-doc="${doc}"]`);
    await incoming.getByRole("combobox").selectOption({ label: "陳承辦" });
    await incoming.getByRole("button", { name: "分文" }).click();
    await expect.poll(() => incoming.getByTestId("ex-assignment").innerText(), T).toContain("分文給 陳承辦");
    await noRawIds(li.page, "", "ex-outcome");
    await li.page.screenshot({ path: "test-results/names-exchange-desk-1280.png", fullPage: true });
    // 陳承辦 reads who it was assigned to, and opens it: the peer's signers by agency and name.
    await noRawIds(chen.page, "/exchange", "ex-incoming-doc");
    await chen.page.goto(`${agency.server.base}/docs/${encodeURIComponent(doc)}`);
    await noRawIds(chen.page, "", "doc-facts");
    // Another agency's document: its agency and its officer as signed in it.
    expect(await chen.page.getByTestId("fact-unit").innerText()).toBe("高雄市示範教育局");
    expect(await chen.page.getByTestId("fact-case-officer").innerText()).toBe("郭承辦");
    // Where it came from: its agency by name as 來文機關 (its own 字號 as 來文字號).
    expect(await chen.page.getByTestId("fact-from").innerText()).toBe("高雄市示範教育局");
    expect(await chen.page.getByTestId("fact-sender-number").count()).toBe(1);
    await chen.page.screenshot({ path: "test-results/names-exchanged-doc-1280.png", fullPage: true });

    const chou = await demoPerson("chou");
    await noRawIds(chou.page, "/dispatch", "dispatched");

    const tsai = await demoPerson("tsai");
    await noRawIds(tsai.page, "/archives", "archive-queue");
    expect(pageErrors).toEqual([]);
  });
});

describe("the facts panel", () => {
  it("a registered incoming letter is 收文 with our 收文號 in the inbox, found by it, and its page shows the facts by name", async () => {
    const li = await demoPerson("li", 375);
    await li.page.goto(`${agency.server.base}/registry`);
    const receipt = await (async () => {
      await expect.poll(() => li.page.getByTestId("reg-receipt").inputValue(), T).not.toBe("");
      return li.page.getByTestId("reg-receipt").inputValue();
    })();
    await li.page.getByTestId("reg-from").fill("臺南市政府");
    await li.page.getByTestId("reg-doc-number").fill("府教字第1150001234號");
    await li.page.getByTestId("reg-speed").selectOption("urgent");
    await li.page.getByTestId("reg-subject").fill("請查填校園安全設施調查表");
    await expect.poll(() => li.page.getByTestId("reg-unit").inputValue(), T).toBe("U-STU");
    await li.page.getByTestId("reg-officer").selectOption("chen");
    await li.page.getByTestId("reg-submit").click();
    const done = li.page.getByTestId("reg-done");
    await done.waitFor(T);
    const doc = (await done.getAttribute("data-doc"))!;
    await synced(li.page);
    await noRawIds(li.page, "/registry", "reg-incoming"); // the 改分 list names the letter's unit and officer

    for (const width of [375, 1280]) {
      const chen = await demoPerson("chen", width);
      await chen.page.goto(`${agency.server.base}/inbox`);
      const row = chen.page.locator(`[data-testid="inbox-row"][data-doc="${doc}"]`);
      await row.waitFor(T);
      expect(await row.locator(".status").innerText()).toBe("收文");
      expect(await row.innerText()).toContain(receipt);
      await chen.page.getByTestId("search").fill(receipt);
      await expect.poll(() => chen.page.getByTestId("inbox-row").count(), T).toBe(1);
      await chen.page.screenshot({ path: `test-results/facts-inbox-${width}.png`, fullPage: true });
      await row.click();
      const facts = chen.page.getByTestId("doc-facts");
      await facts.waitFor(T);
      expect(await chen.page.getByTestId("doc-status").innerText()).toContain("收文");
      await expect.poll(() => chen.page.getByTestId("fact-case-officer").innerText(), T).toBe("陳承辦");
      expect(await chen.page.getByTestId("fact-receipt-number").innerText()).toBe(receipt);
      expect(await chen.page.getByTestId("fact-sender-number").innerText()).toBe("府教字第1150001234號");
      // 來文機關 and 收文日期 are fields of the document (metadata.incoming), shown as such.
      expect(await chen.page.getByTestId("fact-from").innerText()).toBe("臺南市政府");
      expect(await chen.page.getByTestId("fact-received-on").innerText()).toMatch(/^(中華民國\d+年\d+月\d+日|\d{3}\/\d{2}\/\d{2})$/);
      expect(await chen.page.getByTestId("fact-speed").innerText()).toBe("速件");
      expect(await chen.page.getByTestId("fact-secrecy").innerText()).toBe("普通");
      expect(await chen.page.getByTestId("fact-due").innerText()).toMatch(/^(中華民國\d+年\d+月\d+日|\d{3}\/\d{2}\/\d{2})$/);
      expect(await chen.page.getByTestId("fact-unit").innerText()).not.toMatch(RAW_ID);
      // Label over value in every cell: the labels of one row start at the same height.
      const tops = await facts.locator("dt").evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
      const values = await facts.locator("dd").evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
      expect(values.every((v, i) => v > tops[i]!)).toBe(true);
      await facts.screenshot({ path: `test-results/facts-incoming-${width}.png` });
      await chen.page.screenshot({ path: `test-results/facts-doc-${width}.png` });
      expect(await chen.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    }
    expect(pageErrors).toEqual([]);
  });

  it("a new 簽 gets its 文號 from the server when it is first stored: 「尚未編號」 while made offline, then the agency's number, found by it in the inbox", async () => {
    const NUMBER = /^示教字第\d{3}\d{7}號$/;
    const numbers: string[] = [];
    for (const width of [375, 1280]) {
      const chen = await demoPerson("chen", width);
      await chen.page.goto(`${agency.server.base}/inbox`);
      await synced(chen.page);
      // At 375 px the 簽 is made offline: the device has no number to show until the server numbers it.
      const offline = width === 375;
      if (offline) {
        await expect.poll(() => chen.page.evaluate(() => navigator.serviceWorker.controller !== null), T).toBe(true);
        await chen.context.setOffline(true);
      }
      await chen.page.getByTestId("new-doc-link").click();
      await chen.page.getByTestId("new-doc").waitFor(T);
      await chen.page.getByTestId("new-kind-memo").check();
      await chen.page.getByTestId("new-category").selectOption("學務");
      await chen.page.getByTestId("new-subject").fill(`校園安全演練簽（${width}）`);
      await chen.page.locator('[data-testid="new-item"][data-section="explanation"]').first().fill("依規定辦理。");
      await chen.page.getByTestId("new-create").click();
      await chen.page.waitForURL(/\/docs\/doc-[0-9a-f]+$/, T);
      const doc = decodeURIComponent(new URL(chen.page.url()).pathname.split("/").pop()!);
      const fact = chen.page.getByTestId("fact-number");
      await fact.waitFor(T);
      if (offline) {
        expect(await fact.getAttribute("data-numbered")).toBe("no");
        expect(await fact.innerText()).toBe("尚未編號");
        await chen.page.getByTestId("doc-facts").screenshot({ path: `test-results/facts-memo-unnumbered-${width}.png` });
        await chen.context.setOffline(false);
      }
      await expect.poll(() => fact.getAttribute("data-numbered"), { timeout: 30_000 }).toBe("yes");
      const number = await fact.innerText();
      expect(number).toMatch(NUMBER);
      numbers.push(number);
      await chen.page.getByTestId("doc-facts").screenshot({ path: `test-results/facts-memo-${width}.png` });
      await chen.page.screenshot({ path: `test-results/facts-memo-doc-${width}.png` });
      expect(await chen.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      // The inbox finds it by its 文號.
      await chen.page.goto(`${agency.server.base}/inbox`);
      await synced(chen.page);
      await chen.page.getByTestId("search").fill(number);
      const row = chen.page.locator(`[data-testid="inbox-row"][data-doc="${doc}"]`);
      await expect.poll(() => row.count(), T).toBe(1);
      expect(await row.innerText()).toContain(number);
      await chen.page.screenshot({ path: `test-results/facts-memo-search-${width}.png`, fullPage: true });
    }
    expect(new Set(numbers).size).toBe(2);
    expect(pageErrors).toEqual([]);
  });
});
