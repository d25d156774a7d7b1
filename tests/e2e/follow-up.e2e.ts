// The follow-up desk (稽催管制) in Chromium against the demo agency served with mail on: a real SMTP
// server (smtp-server) is started in this file and `serve --smtp` points at it. 許稽催 sees the open
// overdue documents (names, never ids; 期前/逾期 in words), sends 學務管理科 its 稽催通知單 and the SMTP
// server receives it (recipients, subject, the documents listed); a report downloads as CSV (BOM,
// the page's columns) and as ODS (read back through content.xml); the header's notices badge counts
// what the notices page lists; axe finds nothing serious on the new pages. Screenshots at 1280 and
// 375 px go to test-results/.
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import AxeBuilder from "@axe-core/playwright";
import { strFromU8, unzipSync } from "fflate";
import type { Browser, Page } from "playwright-core";
import { launchChromium, startDemoServer, type DemoServer } from "./support.ts";
import { T, enrollDemoPerson, navigate, type Person } from "./demo-session.ts";
import { startSmtp, type TestSmtp } from "../integration/support/smtp.ts";

let smtp: TestSmtp;
let server: DemoServer;
let browser: Browser;
let hsu: Person;
const pageErrors: string[] = [];

// Making the demo agency (six months of history) takes over a minute on a loaded machine.
beforeAll(async () => {
  smtp = await startSmtp();
  [server, browser] = await Promise.all([startDemoServer({ smtp: smtp.url, history: "full" }), launchChromium()]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.stop();
});

// A failed step leaves a picture of where 許稽催's page was.
afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && hsu) await hsu.page.screenshot({ path: `test-results/follow-up-failed-${ctx.task.name.slice(0, 20)}.png`, fullPage: true }).catch(() => undefined);
});

/** The first screen of the page (a full page of 60 rows is too tall to look at). */
async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/follow-up-${name}.png` });
}

/** Serious and critical axe violations on the page as it is now. */
async function axe(page: Page): Promise<string[]> {
  const res = await new AxeBuilder({ page }).analyze();
  return res.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(" | ")}`);
}

/** Whether the page is wider than its viewport (something does not fit a phone). */
const overflows = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);

/** The first ROC date (115/11/30) in a text as YYYY-MM-DD ("" when none). */
function isoOf(text: string): string {
  const m = /(\d{3})\/(\d{2})\/(\d{2})/.exec(text);
  return m ? `${Number(m[1]) + 1911}-${m[2]}-${m[3]}` : "";
}

const taipeiToday = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

describe("the follow-up desk", () => {
  it("the administrator gives 林科長 and 陳承辦 e-mail addresses (the 稽催通知單 goes to the unit head and the officers concerned)", async () => {
    const admin = await enrollDemoPerson(browser, server.base, "admin", { width: 1280 });
    await navigate(admin.page, "nav-admin");
    await admin.page.getByTestId("adm-tab-people").click();
    for (const [who, email] of [
      ["lin", "lin@demo.example.gov.tw"],
      ["chen", "chen@demo.example.gov.tw"],
    ] as const) {
      const row = admin.page.locator(`[data-testid="adm-person"][data-person="${who}"]`);
      await row.getByTestId("adm-edit").click();
      await row.getByTestId("adm-edit-email").fill(email);
      await row.getByTestId("adm-edit-save").click();
      await expect.poll(() => row.innerText(), T).toContain(email);
    }
    // The administration page carries the KPIs too.
    await admin.page.getByTestId("admin-kpis").getByTestId("kpi-cards").waitFor(T);
    await admin.page.getByTestId("admin-kpis").screenshot({ path: "test-results/follow-up-admin-kpis-1280.png" });
    await admin.context.close();
  });

  it("許稽催 sees the open overdue documents by due date, by name and in words, filtered by unit", async () => {
    hsu = await enrollDemoPerson(browser, server.base, "hsu", { width: 1280, errors: pageErrors, acceptDownloads: true });
    const page = hsu.page;
    await navigate(page, "nav-follow-up");
    await page.waitForURL(/\/follow-up$/);
    await page.getByTestId("fu-list").waitFor(T);
    const overdue = page.locator('[data-testid="fu-row"][data-flag="overdue"]');
    await expect.poll(() => overdue.count(), T).toBeGreaterThan(0);
    const count = page.getByTestId("fu-count");
    expect(Number(await count.getAttribute("data-overdue"))).toBe(await overdue.count());
    // 逾期 in words beside the colour, and every overdue due date is before today.
    expect(await overdue.first().getByTestId("flag").innerText()).toContain("逾期");
    const today = taipeiToday();
    for (const cell of await overdue.getByTestId("fu-due").allInnerTexts()) expect(isoOf(cell) < today, cell).toBe(true);
    // Names, never ids: no unit or person id of the demo directory shows in the list.
    const text = await page.getByTestId("fu-list").innerText();
    for (const id of ["U-STU", "U-PER", "U-ACC", "U-SEC", "U-HEAD", "chen", "lin", "huang", "wang"]) expect(text).not.toContain(id);
    expect(text).toContain("學務管理科");
    // Sorted by due date: the ROC dates in the due column never go back.
    const dueCells = await page.getByTestId("fu-due").allInnerTexts();
    const days = dueCells.map(isoOf);
    expect([...days].sort()).toEqual(days);
    await shot(page, "desk-1280");
    // Filter by unit: only 學務管理科's rows remain.
    await page.getByTestId("fu-filter-unit").selectOption("U-STU");
    const units = await page.getByTestId("fu-unit").allInnerTexts();
    expect(units.length).toBeGreaterThan(0);
    for (const u of units) expect(u).toContain("學務管理科");
    await page.getByTestId("fu-clear").click();
    // The overdue-per-unit chart and the KPI trend are drawn, each with its data table.
    await page.getByTestId("chart-overdue").locator("canvas").waitFor(T);
    await page.getByTestId("chart-overdue").screenshot({ path: "test-results/follow-up-chart-overdue-1280.png" });
    await page.getByTestId("fu-notice-unit").first().screenshot({ path: "test-results/follow-up-notice-units-1280.png" });
    await page.getByTestId("kpi-cards").waitFor(T);
    await page.getByTestId("kpi-panel").screenshot({ path: "test-results/follow-up-kpis-1280.png" });
    expect(await axe(page)).toEqual([]);
  });

  it("sends 學務管理科 its 稽催通知單, which the test's SMTP server receives", async () => {
    const page = hsu.page;
    const unit = page.locator('[data-testid="fu-notice-unit"][data-unit="U-STU"]');
    await unit.waitFor(T);
    const before = smtp.received.length;
    await unit.getByTestId("fu-notice-send").click();
    const result = unit.getByTestId("fu-notice-result");
    await result.waitFor(T);
    expect(await result.innerText()).toContain("林科長");
    const [mail] = (await smtp.waitFor(before + 1, 20_000)).slice(before);
    expect(mail!.to).toContain("lin@demo.example.gov.tw");
    expect(mail!.subject).toMatch(/^稽催通知單：學務管理科 \d{3}\/\d{2}\/\d{2} 未辦結公文 \d+ 件（逾期 \d+ 件）$/);
    // The mail lists the documents the printable notice lists.
    await page.goto(`${server.base}/follow-up/notice/U-STU`);
    await page.getByTestId("fu-notice-row").first().waitFor(T);
    const subjects = await page.locator('[data-testid="fu-notice-row"] td:nth-child(2)').allInnerTexts();
    for (const s of subjects) expect(mail!.text).toContain(s.trim());
    await shot(page, "notice-sheet-1280");
    expect(await axe(page)).toEqual([]);
  });

  it("downloads a report as CSV and as ODS and reads both back", async () => {
    const page = hsu.page;
    await page.goto(`${server.base}/follow-up/reports`);
    await page.locator('[data-testid="report-link"]').nth(7).waitFor(T);
    expect(await page.locator('[data-testid="report-link"]').allInnerTexts()).toContain("（三）公文時效統計表");
    await page.locator('[data-testid="report-link"][data-report="3"]').click();
    await page.getByTestId("report-table").waitFor(T);
    const headers = (await page.locator('[data-testid="report-table"] thead th').allInnerTexts()).map((h) => h.trim());
    const rows = await page.locator('[data-testid="report-row"]').count();
    await page.getByTestId("report-chart").locator("canvas").waitFor(T);
    await shot(page, "report-1280");
    expect(await axe(page)).toEqual([]);

    const [csvDl] = await Promise.all([page.waitForEvent("download", T), page.getByTestId("report-csv").click()]);
    const csv = readFileSync((await csvDl.path())!, "utf8");
    expect(csv.charCodeAt(0)).toBe(0xfeff); // the BOM Excel needs
    expect(csvDl.suggestedFilename()).toMatch(/\.csv$/);
    const lines = csv.slice(1).split("\r\n").filter((l) => l !== "");
    for (const h of headers) expect(lines[0]).toContain(h.replace(/\s*\(%\)$/, ""));
    expect(lines.length).toBeGreaterThanOrEqual(rows + 1);

    const [odsDl] = await Promise.all([page.waitForEvent("download", T), page.getByTestId("report-ods").click()]);
    expect(odsDl.suggestedFilename()).toMatch(/\.ods$/);
    const files = unzipSync(new Uint8Array(readFileSync((await odsDl.path())!)));
    expect(strFromU8(files.mimetype!)).toBe("application/vnd.oasis.opendocument.spreadsheet");
    const content = strFromU8(files["content.xml"]!);
    expect(content).toContain("公文時效統計表");
    for (const h of headers) expect(content).toContain(h.replace(/\s*\(%\)$/, ""));
    expect((content.match(/<table:table-row/g) ?? []).length).toBeGreaterThanOrEqual(rows + 1);
  });

  it("the header's notices badge counts what the notices page lists", async () => {
    const page = hsu.page;
    await page.goto(`${server.base}/follow-up/notices`);
    const badge = page.getByTestId("notices-badge");
    await expect.poll(async () => Number(await badge.getAttribute("data-overdue")), T).toBeGreaterThan(0);
    const listed = await page.locator('[data-testid="nt-row"]').count();
    expect(listed).toBe(Number(await badge.getAttribute("data-overdue")) + Number(await badge.getAttribute("data-soon")));
    expect(await axe(page)).toEqual([]);
    await page.setViewportSize({ width: 375, height: 900 });
    await shot(page, "notices-375");
  });

  it("the desk and a report work at 375 px", async () => {
    const page = hsu.page;
    await page.setViewportSize({ width: 375, height: 900 });
    await page.goto(`${server.base}/follow-up`);
    await page.locator('[data-testid="fu-row"]').first().waitFor(T);
    expect(await overflows(page)).toBe(false);
    // Each row is a card at least a touch target tall.
    const box = await page.locator('[data-testid="fu-row"]').first().boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44);
    await shot(page, "desk-375");
    expect(await axe(page)).toEqual([]);
    // English mode: the desk's words through the messages and the glossary (data stays as written).
    await page.locator("button.lang").click();
    await expect.poll(() => page.locator("h2.title").innerText(), T).toBe("Follow-up desk");
    expect(await page.locator('[data-testid="fu-row"][data-flag="overdue"]').first().getByTestId("flag").innerText()).toContain("Overdue");
    await shot(page, "desk-375-en");
    await page.locator("button.lang").click();
    await page.goto(`${server.base}/follow-up/reports/3`);
    await page.getByTestId("report-table").waitFor(T);
    expect(await overflows(page)).toBe(false);
    await shot(page, "report-375");
    expect(pageErrors).toEqual([]);
  });
});
