// The document page against a real demo agency: live co-editing with presence, acting and signing
// (also offline), and the signing history with its badges, receipts and diffs.
import { describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { useDemoAgency, T, enrollDemoPerson, synced, openDoc, docStatus, act } from "./demo-session.ts";

const agency = useDemoAgency();
const pageErrors: string[] = [];

const people = new Map<string, { context: BrowserContext; page: Page }>();

/**
 * The browser context enrolled as the demo person `who` (each one-time code works once, so a person
 * enrolls once per run and keeps their context from test to test), on the inbox, synced.
 */
async function person(who: string, width = 375): Promise<{ context: BrowserContext; page: Page }> {
  const known = people.get(who);
  if (known) {
    await known.page.goto(`${agency.server.base}/inbox`);
    await synced(known.page);
    return known;
  }
  const enrolled = await enrollDemoPerson(agency.browser, agency.server.base, who, { width, errors: pageErrors });
  people.set(who, enrolled);
  return enrolled;
}

const open = (page: Page, doc: string, live = true) => openDoc(page, agency.server.base, doc, { live });

/** Types at the end of a field, key by key, as a person would. */
async function typeAtEnd(page: Page, field: string, text: string): Promise<void> {
  const box = page.getByTestId(`field-${field}`);
  await box.click();
  await box.press("Control+End"); // the end of the text: End alone stops at the end of a wrapped line
  await box.pressSequentially(text);
}

const status = docStatus;

describe("the document page", () => {
  it("the case officer drafts live while the reviewer watches: each sees the other, the reviewer cannot edit the draft", async () => {
    const chen = await person("chen");
    const lin = await person("lin", 1024);
    const doc = "demo-009"; // a draft: chen is its case officer, lin its reviewer
    await open(chen.page, doc);
    await open(lin.page, doc);
    expect(await status(chen.page)).toBe("draft");

    // Each sees the other, by name.
    await chen.page.locator('[data-testid="peer"][data-name="林科長"]').waitFor(T);
    await lin.page.locator('[data-testid="peer"][data-name="陳承辦"]').waitFor(T);

    // chen types in 主旨; lin sees the text and where chen is typing.
    await typeAtEnd(chen.page, "subject", "（修正版）");
    await expect.poll(() => lin.page.getByTestId("field-subject").inputValue(), T).toContain("（修正版）");
    expect(await lin.page.getByTestId("presence").innerText()).toContain("正在編輯主旨");

    // The draft's text is chen's alone (crdt-model mayEditText; the relay refuses anyone else's
    // edit): lin's fields are read-only, with no 新增 buttons and no 修改 while it is a draft.
    expect(await lin.page.getByTestId("field-subject").getAttribute("readonly")).not.toBeNull();
    expect(await lin.page.getByTestId("text-not-yours").count()).toBe(1);
    expect(await lin.page.getByTestId("add-proposal").count()).toBe(0);
    expect(await lin.page.getByTestId("revise").count()).toBe(0);
    await lin.page.getByTestId("field-subject").press("End").catch(() => undefined);
    await lin.page.keyboard.type("偷改");
    expect(await lin.page.getByTestId("field-subject").inputValue()).not.toContain("偷改");
    await lin.page.screenshot({ path: "test-results/doc-reviewer-readonly-1024.png", fullPage: true });

    // chen adds a 擬辦 item and types in it; lin sees it live, and where chen is typing.
    await chen.page.getByTestId("add-proposal").click();
    const field = await chen.page.locator('[data-section="proposal"] textarea').last().getAttribute("data-testid");
    await typeAtEnd(chen.page, field!.slice("field-".length), "請核示");
    await expect.poll(() => lin.page.locator('[data-section="proposal"] textarea').last().inputValue(), T).toBe("請核示");
    await expect.poll(() => lin.page.getByTestId("presence").innerText(), T).toContain("正在編輯擬辦");
    expect(await lin.page.locator('[data-section="proposal"] .num').last().innerText()).toBe("二、");
    expect(await chen.page.getByTestId("field-subject").inputValue()).toBe(await lin.page.getByTestId("field-subject").inputValue());
    await chen.page.screenshot({ path: "test-results/doc-coedit-375.png", fullPage: true });

    // At 375 px a long item grows with its text: read whole, never cut off in a fixed box.
    const long = "，並請各校於本學期結束前將執行成果、經費支用情形及照片等資料彙整後函報本局憑辦".repeat(3);
    await typeAtEnd(chen.page, field!.slice("field-".length), long);
    const item = chen.page.locator('[data-section="proposal"] textarea').last();
    const fits = () => item.evaluate((t: HTMLTextAreaElement) => ({ scroll: t.scrollHeight, client: t.clientHeight }));
    await expect.poll(async () => { const f = await fits(); return f.scroll <= f.client + 1; }, T).toBe(true);
    expect((await item.boundingBox())!.height, "the item grew past its two rows").toBeGreaterThan(120);
    await expect.poll(async () => { const f = await lin.page.locator('[data-section="proposal"] textarea').last().evaluate((t: HTMLTextAreaElement) => t.scrollHeight <= t.clientHeight + 1); return f; }, T).toBe(true);
    await chen.page.screenshot({ path: "test-results/doc-long-item-375.png", fullPage: true });

    // lin leaves: chen's presence list empties.
    await lin.page.goto(`${agency.server.base}/inbox`);
    await expect.poll(() => chen.page.getByTestId("presence").innerText(), { timeout: 45_000 }).toContain("目前只有您在編輯");
    expect(pageErrors).toEqual([]);
  });

  it("the case officer submits a draft with an opinion and the chief, in another browser, approves it", async () => {
    const chen = await person("chen");
    const lin = await person("lin");
    const doc = "demo-017"; // a draft decided by lin after 人事室 and 會計室 countersign
    await open(chen.page, doc);
    await typeAtEnd(chen.page, "subject", "，請核示");
    expect(await chen.page.getByTestId("holders").innerText()).toContain("陳承辦");
    await act(chen.page, "submit", "陳請核示。");
    await expect.poll(() => status(chen.page), T).toBe("in-review");
    expect(await chen.page.getByTestId("pending").innerText()).toContain("科長核稿");
    expect(await chen.page.getByTestId("offer-withdraw").count()).toBe(1);

    await open(lin.page, doc);
    await expect.poll(() => status(lin.page), T).toBe("in-review");
    expect(await lin.page.getByTestId("field-subject").inputValue()).toMatch(/，請核示$/);
    expect(await lin.page.getByTestId("offer-return").count()).toBe(1);
    // Signing on a phone: every action and the sign button are 44 px touch targets.
    const heights = await lin.page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="actions"] button, [data-testid="actions"] select')].map((el) => [el.getAttribute("data-testid"), el.getBoundingClientRect().height] as const),
    );
    // 核稿, 退回 and 改紙本 — and no 補簽 of the 決行 step, which is not passed over but still ahead.
    expect(heights.length).toBeGreaterThanOrEqual(3);
    expect(await lin.page.getByTestId("offer-late-sign").count()).toBe(0);
    for (const [id, h] of heights) expect({ id, tall: h >= 44 }).toEqual({ id, tall: true });
    // 核稿 may change the text, as an explicit 修改; the signed versions keep both texts. The case
    // officer, out for signing, may not.
    expect(await chen.page.getByTestId("field-subject").getAttribute("readonly")).not.toBeNull();
    expect(await lin.page.getByTestId("field-subject").getAttribute("readonly")).not.toBeNull();
    await lin.page.getByTestId("revise").click();
    await expect.poll(() => lin.page.getByTestId("field-subject").getAttribute("readonly"), T).toBeNull();
    await typeAtEnd(lin.page, "subject", "（核稿修正）");
    await act(lin.page, "approve", "擬如擬，請會人事室及會計室。");
    await expect.poll(() => status(chen.page), T).toBe("countersigning");
    expect(await chen.page.getByTestId("pending").innerText()).toContain("人事室會辦");

    // The history: both entries, valid, with opinions, ROC times and the agency's receipts.
    const entries = chen.page.getByTestId("entry");
    await expect.poll(() => entries.count(), T).toBe(2);
    await expect.poll(() => chen.page.locator('[data-testid="entry-times"]').last().innerText(), T).toMatch(/機關簽收時間 1\d\d\/\d\d\/\d\d \d\d:\d\d/);
    const texts = await entries.allInnerTexts();
    expect(texts[0]).toMatch(/陳核[\s\S]*陳承辦[\s\S]*簽章有效[\s\S]*陳請核示。[\s\S]*簽署於 1\d\d\/\d\d\/\d\d/);
    expect(texts[1]).toMatch(/核稿[\s\S]*林科長[\s\S]*簽章有效[\s\S]*擬如擬/);
    for (const b of await chen.page.getByTestId("badge").all()) expect(await b.getAttribute("data-valid")).toBe("true");
    // The diff between what chen submitted and what lin approved shows lin's change.
    await expect.poll(() => chen.page.getByTestId("diff-changes").innerText(), T).toContain("（核稿修正）");
    expect(await chen.page.locator('[data-testid="diff-changes"] ins').first().innerText()).toContain("核稿修正");
    await chen.page.screenshot({ path: "test-results/doc-history-375.png", fullPage: true });
    // The page fits the phone: nothing scrolls sideways, not even the diff's long version names.
    expect(await chen.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    expect(pageErrors).toEqual([]);
  });

  it("two units countersign; the decider goes offline, reloads, decides with an opinion, reconnects; the case officer sees it", async () => {
    const doc = "demo-017"; // submitted and approved by the previous test
    for (const [who, unit] of [["huang", "人事室"], ["wu", "會計室"]] as const) {
      const p = await person(who);
      await open(p.page, doc);
      await expect.poll(() => status(p.page), T).toBe("countersigning");
      await act(p.page, "countersign", `${unit}敬會，無意見。`);
    }
    const chen = await person("chen");
    const lin = await person("lin");
    await open(lin.page, doc);
    await expect.poll(() => lin.page.getByTestId("pending").innerText(), T).toContain("決行");
    expect(await lin.page.getByTestId("offer-decide").count()).toBe(1);

    // Offline: the service worker starts the app, the page opens from the local copy.
    await expect.poll(() => lin.page.evaluate(() => navigator.serviceWorker.controller !== null), T).toBe(true);
    await lin.context.setOffline(true);
    await lin.page.reload();
    await lin.page.getByTestId("doc-status").waitFor(T);
    expect(await lin.page.getByTestId("doc-connection").getAttribute("data-connection")).not.toBe("connected");
    await act(lin.page, "decide", "如擬，離線決行。");
    expect(await lin.page.getByTestId("sign-done").innerText()).toContain("目前離線");
    await expect.poll(() => status(lin.page), T).toBe("decided");
    // The entry waits on the device; the gap between signing and receipt is what the history shows.
    await lin.page.reload();
    await expect.poll(() => status(lin.page), T).toBe("decided");
    await new Promise((r) => setTimeout(r, 11_000));

    await open(chen.page, doc);
    await expect.poll(() => chen.page.locator('[data-testid="entry"][data-action="countersign"]').count(), T).toBe(2);
    expect(await status(chen.page)).toBe("in-review") // waiting for 決行;
    await lin.context.setOffline(false);
    await expect.poll(() => status(chen.page), { timeout: 30_000 }).toBe("decided");
    const decided = chen.page.locator('[data-testid="entry"][data-action="decide"]');
    await expect.poll(() => decided.innerText(), { timeout: 30_000 }).toMatch(/離線簽署於 1\d\d\/\d\d\/\d\d \d\d:\d\d／機關簽收時間 1\d\d\/\d\d\/\d\d \d\d:\d\d/);
    expect(await decided.innerText()).toContain("如擬，離線決行。");
    expect(await decided.innerText()).toContain("林科長");
    expect(await chen.page.getByTestId("doc-status").getAttribute("data-valid")).toBe("true");
    expect(await chen.page.getByTestId("entry").count()).toBe(5);
    for (const b of await chen.page.getByTestId("badge").all()) expect(await b.getAttribute("data-valid")).toBe("true");
    expect(await chen.page.getByTestId("field-subject").getAttribute("readonly")).not.toBeNull();
    // The version pickers are touch targets too.
    for (const id of ["diff-from", "diff-to"]) expect((await chen.page.getByTestId(id).boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(44);
    await chen.page.screenshot({ path: "test-results/doc-decided-375.png", fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it("two units countersign in parallel while both offline; after reconnecting every browser and the server derive the same state", async () => {
    const doc = "demo-003"; // approved by lin, waiting on 人事室 and 會計室 in parallel
    const units = [["huang", "人事室"], ["wu", "會計室"]] as const;
    const pages: Page[] = [];
    for (const [who] of units) {
      const p = await person(who);
      await open(p.page, doc);
      await expect.poll(() => status(p.page), T).toBe("countersigning");
      await expect.poll(() => p.page.evaluate(() => navigator.serviceWorker.controller !== null), T).toBe(true);
      await p.context.setOffline(true);
      await p.page.reload();
      await p.page.getByTestId("doc-status").waitFor(T);
      pages.push(p.page);
    }
    for (const [k, [, unit]] of units.entries()) await act(pages[k]!, "countersign", `${unit}離線會辦。`);
    // Each saw only its own countersign while offline.
    for (const p of pages) expect(await p.locator('[data-testid="entry"][data-action="countersign"]').count()).toBe(1);
    for (const [who] of units) await people.get(who)!.context.setOffline(false);

    for (const p of pages) {
      await expect.poll(() => p.locator('[data-testid="entry"][data-action="countersign"]').count(), { timeout: 30_000 }).toBe(2);
      await expect.poll(() => status(p), T).toBe("in-review"); // both countersigns merged: waiting for 決行
    }
    const chen = await person("chen");
    await open(chen.page, doc);
    await expect.poll(() => chen.page.locator('[data-testid="entry"][data-action="countersign"]').count(), T).toBe(2);
    expect(await status(chen.page)).toBe("in-review");
    expect(await chen.page.getByTestId("pending").innerText()).toContain("決行");
    for (const b of await chen.page.getByTestId("badge").all()) expect(await b.getAttribute("data-valid")).toBe("true");
    // The server's own derivation, from its index.
    const serverStatus = await chen.page.evaluate(async (doc) => {
      const key = Object.keys(sessionStorage).find((k) => k.startsWith("countersign:token:"))!;
      const { token } = JSON.parse(sessionStorage.getItem(key)!) as { token: string };
      const r = await fetch("/api/docs", { headers: { authorization: `Bearer ${token}` } });
      const rows = ((await r.json()) as { docs: { doc: string; status: string }[] }).docs;
      return rows.find((x) => x.doc === doc)?.status;
    }, doc);
    expect(serverStatus).toBe("in-review");
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
