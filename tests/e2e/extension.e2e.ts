// 時效管制 in the app, against a real demo agency: 陳承辦 drafts a 簽 routed to 王局長 and asks for a
// 展期 (new date + reason, a signed entry); 王局長 sees the request with its date and reason and
// approves it (a signed 展期核定); the new due date then shows in both inboxes and on the document.
// Then a 簽 drafted with a due date already past: it is flagged 逾期, its case officer may give a
// 逾期原因 at any time, and closing it (存查) after 王局長's 決行 asks for the reason and signs it with
// the closing. And /admin: the office calendar import (a wrong file refused whole, the 116 fixture
// imported with its summary) and the 展期 policy. Screenshots at 375 and 1280 px go to test-results/.
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { useDemoAgency, T, enrollDemoPerson, synced, openDoc, docStatus, act, navigate } from "./demo-session.ts";

// `countersign demo` writes six months of history: on a loaded machine that takes over a minute.
vi.setConfig({ hookTimeout: 240_000 });
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

/** Calendar days from today in Taiwan, YYYY-MM-DD. */
function taipeiDay(offsetDays: number): string {
  return new Date(Date.now() + 8 * 3600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

/** Every button, select and input of the action panel is a 44 px touch target. */
async function touchTargets(page: Page): Promise<void> {
  const heights = await page.evaluate(() =>
    [...document.querySelectorAll('[data-testid="actions"] button, [data-testid="actions"] select, [data-testid="actions"] input:not([type="file"]):not([type="checkbox"]):not([type="radio"])')].map(
      (el) => [el.getAttribute("data-testid") ?? el.tagName, el.getBoundingClientRect().height] as const,
    ),
  );
  for (const [id, h] of heights) expect({ id, tall: h >= 44 }).toEqual({ id, tall: true });
}

/** 陳承辦 drafts a 簽 (category 學務, decided by 王局長), optionally with a due date of his own, routes it to 王局長 and submits it. */
async function draftToWang(chen: Page, subject: string, due?: string): Promise<string> {
  await chen.getByTestId("new-doc-link").click();
  await chen.getByTestId("new-doc").waitFor(T);
  await chen.getByTestId("new-kind-memo").check();
  await chen.getByTestId("new-category").selectOption("學務");
  if (due) {
    // A due date already past, as a document registered late would carry (the form offers today onwards).
    await chen.getByTestId("new-due").evaluate((el) => el.removeAttribute("min"));
    await chen.getByTestId("new-due").fill(due);
  }
  await chen.getByTestId("new-subject").fill(subject);
  await chen.locator('[data-testid="new-item"][data-section="explanation"]').first().fill("依規定辦理。");
  await chen.getByTestId("new-create").click();
  await chen.waitForURL(/\/docs\/doc-[0-9a-f]+$/, T);
  const doc = decodeURIComponent(new URL(chen.url()).pathname.split("/").pop()!);
  await chen.getByTestId("doc-status").waitFor(T);
  const plan = chen.getByTestId("plan-editor");
  await expect.poll(() => plan.locator('[data-testid="plan-decider"] option[value="wang"]').count(), T).toBe(1);
  await plan.getByTestId("plan-decider").selectOption("wang");
  await expect.poll(() => plan.getByTestId("plan-state").getAttribute("data-saved"), T).toBe("true");
  await act(chen, "submit", "陳請核示。");
  await expect.poll(() => docStatus(chen), T).toBe("in-review");
  return doc;
}

/** The due date an inbox row shows for `doc` (the tab named first), once synced. */
async function rowDue(page: Page, tab: string, doc: string): Promise<string | null> {
  await page.getByTestId(`tab-${tab}`).click();
  const row = page.locator(`[data-testid="inbox-row"][data-doc="${doc}"] [data-testid="due-badge"]`);
  await row.waitFor(T);
  return row.getAttribute("data-due");
}

describe("展期 and 逾期原因", () => {
  it("陳承辦 asks for a 展期, 王局長 approves it, and the new due date shows in both inboxes", async () => {
    const chen = await person("chen");
    const doc = await draftToWang(chen, "有關本局辦理學生輔導知能研習一案，簽請核示。");
    const firstDue = await chen.getByTestId("fact-due").getAttribute("data-due");
    expect(firstDue).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const until = taipeiDay(30);

    // The case officer asks: a new date (shown in ROC) and a reason; both are required.
    await expect.poll(() => chen.getByTestId("offer-extend-request").count(), T).toBe(1);
    await chen.getByTestId("offer-extend-request").click();
    await chen.getByTestId("sign").click();
    await chen.getByTestId("sign-failed").waitFor(T);
    await chen.getByTestId("extend-until").fill(until);
    await expect.poll(() => chen.getByTestId("extend-until-roc").innerText(), T).toMatch(/^新限辦日期：中華民國\d+年\d+月\d+日$/);
    await chen.getByTestId("opinion").fill("需會同各校調查，請准予展期。");
    await touchTargets(chen);
    await chen.screenshot({ path: "test-results/extension-request-375.png", fullPage: true });
    await chen.getByTestId("sign").click();
    await chen.getByTestId("sign-done").waitFor(T);
    await expect.poll(() => chen.getByTestId("fact-extension-pending").getAttribute("data-until"), T).toBe(until);

    // 王局長 holds the 簽: he sees the request's date and reason and approves it.
    const wang = await person("wang");
    expect(await rowDue(wang, "todo", doc)).toBe(firstDue);
    await open(wang, doc);
    await expect.poll(() => wang.getByTestId("offer-extend-decide").count(), { timeout: 30_000 }).toBe(1);
    await wang.getByTestId("offer-extend-decide").click();
    const request = wang.getByTestId("extend-request-shown");
    await request.waitFor(T);
    expect(await request.innerText()).toContain("需會同各校調查，請准予展期。");
    expect(await request.getAttribute("data-until")).toBe(until);
    await wang.getByTestId("extend-approve").check();
    await wang.getByTestId("opinion").fill("准予展期。");
    await touchTargets(wang);
    await wang.screenshot({ path: "test-results/extension-decide-375.png", fullPage: true });
    await wang.getByTestId("sign").click();
    await wang.getByTestId("sign-done").waitFor(T);
    await expect.poll(() => wang.getByTestId("fact-due").getAttribute("data-due"), T).toBe(until);
    expect(await wang.getByTestId("fact-base-due").getAttribute("data-due")).toBe(firstDue);
    await wang.setViewportSize({ width: 1280, height: 900 });
    await wang.screenshot({ path: "test-results/extension-approved-1280.png", fullPage: true });

    // Both inboxes show the due date in force once synced.
    await wang.goto(`${agency.server.base}/inbox`);
    await synced(wang);
    await expect.poll(() => rowDue(wang, "todo", doc), { timeout: 30_000 }).toBe(until);
    await wang.screenshot({ path: "test-results/extension-inbox-wang-1280.png", fullPage: true });
    const chenAgain = await person("chen");
    await expect.poll(() => rowDue(chenAgain, "mine", doc), { timeout: 30_000 }).toBe(until);
    await chenAgain.screenshot({ path: "test-results/extension-inbox-chen-375.png", fullPage: true });
    await open(chenAgain, doc);
    await expect.poll(() => chenAgain.getByTestId("fact-due").getAttribute("data-due"), T).toBe(until);
    expect(await chenAgain.locator('[data-testid="history"]').innerText()).toContain("展期核定");
    expect(await chenAgain.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it("a 簽 past its due date is flagged 逾期; closing it (存查) asks for the reason and signs it with the closing", async () => {
    const chen = await person("chen");
    const due = taipeiDay(-10);
    const doc = await draftToWang(chen, "有關本局校園安全檢查結果一案，簽請核示。", due);
    await expect.poll(() => chen.getByTestId("fact-due-flag").getAttribute("data-flag"), T).toBe("overdue");
    // An open overdue document may be given its reason at any time.
    await expect.poll(() => chen.getByTestId("offer-late-reason").count(), T).toBe(1);

    const wang = await person("wang");
    await open(wang, doc);
    await expect.poll(() => wang.getByTestId("offer-decide").count(), { timeout: 30_000 }).toBe(1);
    await act(wang, "decide", "如擬。");
    await expect.poll(() => docStatus(wang), T).toBe("decided");

    const chenAgain = await person("chen");
    await open(chenAgain, doc);
    await expect.poll(() => docStatus(chenAgain), { timeout: 30_000 }).toBe("decided");
    await expect.poll(() => chenAgain.getByTestId("offer-close").count(), T).toBe(1);
    await chenAgain.getByTestId("offer-close").click();
    await chenAgain.getByTestId("late-hint").waitFor(T);
    await chenAgain.getByTestId("opinion").fill("本案不需發文，存查。");
    await chenAgain.getByTestId("sign").click();
    await chenAgain.getByTestId("sign-failed").waitFor(T);
    await chenAgain.getByTestId("late-reason").fill("各校資料延遲送達。");
    await touchTargets(chenAgain);
    await chenAgain.screenshot({ path: "test-results/extension-late-close-375.png", fullPage: true });
    await chenAgain.getByTestId("sign").click();
    await chenAgain.getByTestId("sign-done").waitFor(T);
    await expect.poll(() => docStatus(chenAgain), T).toBe("closed");
    await expect.poll(() => chenAgain.getByTestId("fact-late-reason").innerText(), T).toBe("各校資料延遲送達。");
    await chenAgain.setViewportSize({ width: 1280, height: 900 });
    await chenAgain.screenshot({ path: "test-results/extension-late-closed-1280.png", fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it("/admin imports the office calendar (a wrong file changes nothing) and sets the 展期 policy", async () => {
    const admin = await person("admin");
    await navigate(admin, "nav-admin");
    const imported = admin.getByTestId("calendar-imported");
    await expect.poll(() => imported.getAttribute("data-years"), T).toBe("115"); // the demo imported 115
    await admin.getByTestId("calendar-file").setInputFiles([{ name: "wrong.csv", mimeType: "text/csv", buffer: Buffer.from("日期,放假\n20270101,2\n", "utf8") }]);
    await admin.getByTestId("calendar-submit").click();
    const refused = admin.getByTestId("calendar-refused");
    await refused.waitFor(T);
    expect(await refused.getAttribute("data-code")).toBe("calendar.header");
    expect(await imported.getAttribute("data-years")).toBe("115");
    const csv = readFileSync(new URL("../../packages/crdt-model/tests/fixtures/calendar-116.csv", import.meta.url));
    await admin.getByTestId("calendar-file").setInputFiles([{ name: "calendar-116.csv", mimeType: "text/csv", buffer: csv }]);
    await admin.getByTestId("calendar-submit").click();
    const done = admin.locator('[data-testid="calendar-done"][data-year="116"]');
    await done.waitFor(T);
    expect(await done.innerText()).toContain("已匯入 116 年辦公日曆");
    await expect.poll(() => imported.getAttribute("data-years"), T).toBe("115,116");
    await done.scrollIntoViewIfNeeded();
    await admin.screenshot({ path: "test-results/extension-admin-calendar-375.png", fullPage: true });

    // The 展期 policy: the approving level by the delegation table's titles, and the limits.
    const policy = admin.getByTestId("extension-policy");
    await policy.getByTestId("policy-approver").waitFor(T);
    expect(await policy.getByTestId("policy-approver").locator("option").count()).toBeGreaterThan(1);
    await policy.getByTestId("policy-max-count").fill("3");
    await policy.getByTestId("policy-max-days").fill("45");
    await policy.getByTestId("policy-save").click();
    await policy.getByTestId("policy-saved").waitFor(T);
    await admin.setViewportSize({ width: 1280, height: 900 });
    await admin.reload();
    await expect.poll(() => admin.getByTestId("policy-max-count").inputValue(), T).toBe("3");
    expect(await admin.getByTestId("policy-max-days").inputValue()).toBe("45");
    await admin.getByTestId("deadline-admin").scrollIntoViewIfNeeded();
    await admin.screenshot({ path: "test-results/extension-admin-1280.png", fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
