// The officer's app against a real demo agency: enrollment and login, the inbox from the local index
// at phone width, offline reload, and storage that does not grow when a document is reopened.
import { describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { T, synced, useDemoAgency } from "./demo-session.ts";
import { REFUSAL_MESSAGES } from "../../src/lib/refusals/table.ts";

const agency = useDemoAgency();
const pageErrors: string[] = [];

async function newPage(width = 375): Promise<{ context: BrowserContext; page: Page }> {
  const context = await agency.browser.newContext({ viewport: { width, height: 800 } });
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(e.message));
  return { context, page };
}

/** Enrolls the demo person `person` by clicking their entry in the home page's demo list. */
async function enrollAs(page: Page, person: string): Promise<void> {
  await page.goto(`${agency.server.base}/`);
  await page.locator(`[data-testid="demo-person"][data-person="${person}"] button`).click();
  await page.waitForURL(/\/inbox$/, { timeout: 30_000 });
  await synced(page);
}

const count = async (page: Page, tab: string) => Number(await page.getByTestId(`tab-${tab}`).getAttribute("data-count"));

describe("the officer's app", () => {
  it("a new user enrolls with a one-time code, logs in and lands on the inbox", async () => {
    const { context, page } = await newPage();
    await page.goto(`${agency.server.base}/`);
    await page.getByRole("heading", { name: "以啟用碼註冊此裝置" }).waitFor({ timeout: 15_000 });
    await page.getByTestId("demo-people").waitFor();
    await page.screenshot({ path: "test-results/home-375.png", fullPage: true });
    // A mistyped code is explained in zh-TW, with nothing sent to the server.
    await page.getByLabel("啟用碼").fill("ABC");
    await page.getByRole("button", { name: "註冊此裝置" }).click();
    expect(await page.getByTestId("problem").getAttribute("data-code")).toBe("enroll.code-malformed");
    expect(await page.getByTestId("problem").innerText()).toContain("啟用碼格式不正確");

    const chen = page.locator('[data-testid="demo-person"][data-person="chen"]');
    expect(await chen.innerText()).toContain("承辦人");
    const code = await chen.getByTestId("demo-code").innerText();
    await page.getByLabel("啟用碼").fill(code.toLowerCase()); // typed in lower case: still the code
    await page.getByRole("button", { name: "註冊此裝置" }).click();
    await page.waitForURL(/\/inbox$/, { timeout: 30_000 });
    expect(await page.getByTestId("who").innerText()).toContain("陳承辦");
    await synced(page);
    // The inbox reads the index a moment after the sync's last write (watch-tables.ts).
    await expect.poll(() => count(page, "mine"), T).toBeGreaterThan(0);

    // The key is a non-extractable CryptoKey kept in IndexedDB.
    const key = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((res, rej) => {
        const r = indexedDB.open("countersign-identity");
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const all = await new Promise<{ privateKey: CryptoKey }[]>((res) => {
        const r = db.transaction("identities").objectStore("identities").getAll();
        r.onsuccess = () => res(r.result as { privateKey: CryptoKey }[]);
      });
      const k = all[0]!.privateKey;
      return { extractable: k.extractable, type: k.type, algorithm: (k.algorithm as EcKeyAlgorithm).namedCurve };
    });
    expect(key).toEqual({ extractable: false, type: "private", algorithm: "P-256" });

    // A used code is refused by the server: its code reaches the page, explained by that code's zh-TW
    // message, with the server's sentence below.
    const again = await newPage();
    await again.page.goto(`${agency.server.base}/`);
    await again.page.getByLabel("啟用碼").fill(code);
    await again.page.getByRole("button", { name: "註冊此裝置" }).click();
    const problem = again.page.getByTestId("problem");
    await expect.poll(() => problem.getAttribute("data-code"), T).toBe("enroll.code");
    expect(await again.page.getByTestId("problem-explained").innerText()).toBe(REFUSAL_MESSAGES["enroll.code"].zh);
    expect(await problem.innerText()).toContain("這組啟用碼無法使用");
    await again.page.screenshot({ path: "test-results/enroll-refused-375.png", fullPage: true });
    await again.context.close();
    await context.close();
  });

  it("the section chief's inbox from the demo data at 375 px, in zh-TW, and again after reloading offline", async () => {
    const { context, page } = await newPage(375);
    await enrollAs(page, "lin");
    expect(await page.getByTestId("who").innerText()).toContain("林科長");
    for (const label of ["待辦", "會辦", "承辦中", "已辦", "逾期"]) expect(await page.getByRole("tab", { name: new RegExp(label) }).count()).toBe(1);
    await expect.poll(() => count(page, "todo"), T).toBeGreaterThan(0);
    const todo = await count(page, "todo");
    expect(await page.getByTestId("inbox-row").count()).toBe(todo);
    const first = await page.getByTestId("inbox-row").first().innerText();
    expect(first).toMatch(/最速件|速件|普通件/);
    expect(first).toMatch(/限辦 1\d\d\/\d\d\/\d\d/); // ROC date
    expect(first).toMatch(/陳核中|會辦中|已退回|草稿/);
    expect(await page.getByTestId("sync-state").innerText()).toContain("已同步");
    // The page fits the phone: nothing scrolls sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: "test-results/inbox-375.png", fullPage: true });

    // Search by 文號 and the 速別 filter narrow the list, from the local index.
    await page.getByTestId("tab-overdue").click();
    expect(await count(page, "overdue")).toBeGreaterThan(0);
    await page.getByTestId("tab-todo").click();
    await page.getByTestId("search").fill("畢業典禮");
    const found = await page.getByTestId("inbox-row").count();
    expect(found).toBeLessThan(todo);
    await page.getByTestId("search").fill("");
    await page.getByTestId("filter-speed").selectOption("most-urgent");
    for (const text of await page.getByTestId("inbox-row").allInnerTexts()) expect(text).toContain("最速件");
    await page.getByTestId("filter-speed").selectOption("");

    // The keyboard reaches the tabs as one stop: arrows and Home/End move the selection and the focus
    // (roving tabindex), and the search box shows where the focus is.
    await page.getByTestId("tab-todo").focus();
    await page.keyboard.press("ArrowRight");
    expect(await page.getByTestId("tab-countersign").getAttribute("aria-selected")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("tab-countersign");
    expect(await page.locator('[role="tab"][tabindex="0"]').count()).toBe(1);
    await page.keyboard.press("End");
    expect(await page.getByTestId("tab-overdue").getAttribute("aria-selected")).toBe("true");
    await page.keyboard.press("ArrowRight");
    expect(await page.getByTestId("tab-todo").getAttribute("aria-selected")).toBe("true");
    expect(await page.getByTestId("tab-todo").getAttribute("aria-controls")).toBe("inbox-panel");
    await page.getByTestId("search").focus();
    expect(await page.getByTestId("search").evaluate((el) => getComputedStyle(el.parentElement!).outlineStyle)).toBe("solid");

    // Offline: the service worker starts the app, the inbox renders from IndexedDB, the header says 離線.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await context.setOffline(true);
    await page.reload();
    await expect.poll(() => page.getByTestId("tab-todo").getAttribute("data-count"), { timeout: 15_000 }).toBe(String(todo));
    expect(await page.getByTestId("inbox-row").count()).toBe(todo);
    await expect.poll(() => page.getByTestId("sync-state").innerText()).toContain("離線");
    expect(await page.getByTestId("sync-state").getAttribute("data-mode")).toBe("offline");
    await page.screenshot({ path: "test-results/inbox-offline-375.png", fullPage: true });

    // Back online, it syncs by itself.
    await context.setOffline(false);
    await synced(page);
    await context.close();
  });

  it("storage does not grow when a document is opened 50 times without edits", async () => {
    const { context, page } = await newPage(375);
    await enrollAs(page, "huang");
    const doc = "demo-005";
    const open = async () => {
      await page.goto(`${agency.server.base}/docs/${doc}`);
      await page.getByTestId("doc-status").waitFor({ timeout: 15_000 });
    };
    const measure = () =>
      page.evaluate(async (doc) => {
        // The person's one local database holds every document's rows (LocalDb.updates: { doc, update }).
        const name = (await indexedDB.databases()).map((d) => d.name ?? "").find((n) => n.startsWith("countersign:"));
        if (!name) throw new Error("no local database");
        const db = await new Promise<IDBDatabase>((res, rej) => {
          const r = indexedDB.open(name);
          r.onsuccess = () => res(r.result);
          r.onerror = () => rej(r.error);
        });
        const rows = await new Promise<Uint8Array[]>((res) => {
          const r = db.transaction("updates").objectStore("updates").index("doc").getAll(doc);
          r.onsuccess = () => res((r.result as { update: Uint8Array }[]).map((u) => u.update));
        });
        db.close();
        if (!rows.length) throw new Error(`no local copy of ${doc}`);
        return { rows: rows.length, bytes: rows.reduce((n, u) => n + u.byteLength, 0) };
      }, doc);

    await open();
    expect(await page.getByTestId("field-subject").inputValue()).not.toBe("");
    await page.screenshot({ path: "test-results/doc-375.png", fullPage: true });
    await synced(page);
    const before = await measure();
    expect(before.bytes).toBeGreaterThan(0);
    for (let i = 0; i < 50; i++) await open();
    await synced(page);
    const after = await measure();
    expect(after).toEqual(before);
    await context.close();
    expect(pageErrors).toEqual([]);
  }, 180_000); // 50 page loads: over a minute on a loaded 2-core machine
});
