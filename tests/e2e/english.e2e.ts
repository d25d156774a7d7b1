// English mode and accessibility, page by page: the demo people switch to English and visit every
// page of the app (home, inbox, a document, /new, /registry, /exchange, /dispatch, /archives,
// /admin, the print view, a 404). No Chinese may show outside user content (elements marked
// data-user-content: subjects, items, names of people, units and agencies, the official print
// sheet), in text or in labels (aria-label, title, placeholder, alt). Axe runs on every page, in
// English and in zh-TW, at 1280 and 375 px, and finds no serious or critical violation. The header at 375 px is one line.
import { appendFileSync, writeFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";
import { T, enrollDemoPerson, useDemoAgency, type Person } from "./demo-session.ts";

const agency = useDemoAgency();

/** Each demo person enrolled once (a code works once), kept for the file's later tests. */
const people = new Map<string, Person>();
async function person(who: string): Promise<Person> {
  let p = people.get(who);
  if (!p) {
    // The demo list comes from /api/demo after the page loads; on a busy machine it may come late.
    const probe = await agency.browser.newContext();
    const page = await probe.newPage();
    for (let i = 0; i < 3; i++) {
      await page.goto(`${agency.server.base}/`);
      if (await page.getByTestId("demo-people").waitFor(T).then(() => true, () => false)) break;
    }
    await probe.close();
    people.set(who, (p = await enrollDemoPerson(agency.browser, agency.server.base, who, { width: 1280 })));
  }
  return p;
}

// Everything found, page by page, for the record.
const REPORT = "test-results/english-a11y-report.txt";
beforeAll(() => writeFileSync(REPORT, ""));
const report = (lines: string[]) => lines.length && appendFileSync(REPORT, lines.join("\n") + "\n");

/** A page to visit: its address and what shows it has loaded. */
interface Visit {
  name: string;
  path: string;
  ready: (page: Page) => Promise<unknown>;
  /** Text the page shows in zh-TW (the 404 page was English in both modes). */
  zh?: string;
}

const main = (page: Page) => page.locator("main :is(h2, h3, [data-testid])").first().waitFor(T);
const settle = (page: Page) => page.waitForTimeout(600);

const DOC = "demo-007";
/** One section of /admin (its tabs), opened by its tab: every section is swept, not only the first. */
const adminTab = (section: string): Visit => ({
  name: `admin-${section}`,
  path: "/admin",
  ready: async (p) => {
    await main(p);
    await p.getByTestId(`adm-tab-${section}`).click();
    await p.getByTestId(`adm-panel-${section}`).waitFor(T);
  },
});
const PAGES: Record<string, Visit[]> = {
  chen: [
    { name: "inbox", path: "/inbox", ready: (p) => p.getByTestId("inbox-row").first().waitFor(T) },
    { name: "doc", path: `/docs/${DOC}`, ready: (p) => p.getByTestId("doc-status").waitFor(T) },
    { name: "new", path: "/new", ready: (p) => p.getByTestId("new-kind-memo").waitFor(T) },
    { name: "exchange", path: "/exchange", ready: main },
    { name: "print", path: `/docs/${DOC}/print`, ready: (p) => p.getByTestId("print-record-row").first().waitFor(T) },
    { name: "404", path: "/no-such-page", ready: (p) => p.getByTestId("error-page").waitFor(T), zh: "找不到這個頁面" },
  ],
  li: [
    { name: "registry", path: "/registry", ready: main },
    { name: "admin-registry", path: "/admin", ready: main },
  ],
  chou: [{ name: "dispatch", path: "/dispatch", ready: (p) => p.getByTestId("dispatched-row").first().waitFor(T) }],
  tsai: [{ name: "archives", path: "/archives", ready: (p) => p.getByTestId("archive-queue-row").first().waitFor(T) }],
  admin: ["units", "people", "deputies", "delegation", "trust", "audit"].map(adminTab),
};

/** Text outside user content that contains Chinese: each with the element it sits in. */
async function chineseOutsideUserContent(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const HAN = /\p{Script=Han}/u;
    const found: string[] = [];
    const where = (el: Element) => {
      const id = el.closest("[data-testid]")?.getAttribute("data-testid");
      return `<${el.tagName.toLowerCase()}${id ? ` in ${id}` : ""}>`;
    };
    // User content, or words marked as Chinese on purpose (the switch to 中文, the official print sheet).
    const isUser = (el: Element | null) => !!el?.closest("[data-user-content]") || /^zh/.test(el?.closest("body [lang]")?.getAttribute("lang") ?? "");
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || isUser(el) || el.closest("script, style, template")) continue;
      const text = n.textContent ?? "";
      if (HAN.test(text) && el.checkVisibility({ visibilityProperty: true })) found.push(`${where(el)} ${text.trim().slice(0, 80)}`);
    }
    for (const el of document.body.querySelectorAll("[aria-label], [title], [placeholder], img[alt]")) {
      if (isUser(el)) continue;
      for (const a of ["aria-label", "title", "placeholder", "alt"]) {
        const v = el.getAttribute(a);
        if (v && HAN.test(v)) found.push(`${where(el)} @${a}=${v.slice(0, 80)}`);
      }
    }
    return found;
  });
}

/** Full-width punctuation (：（）、「」／) outside user content: reported, not failed on (yet). */
async function fullWidthOutsideUserContent(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const FW = /[\u3000-\u303f\uff01-\uff0f\uff1a-\uff1f]/u;
    const found = new Set<string>();
    const walker = document.createTreeWalker(document.querySelector("main") ?? document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest("[data-user-content], [lang^='zh'], script, style")) continue;
      const text = (n.textContent ?? "").trim();
      if (FW.test(text) && el.checkVisibility()) found.add(`<${el.tagName.toLowerCase()} in ${el.closest("[data-testid]")?.getAttribute("data-testid") ?? "?"}> ${text.slice(0, 60)}`);
    }
    return [...found];
  });
}

/** Serious and critical axe violations, each as "rule: where" (every violation is in the report). */
async function axeViolations(page: Page, name: string): Promise<string[]> {
  const res = await new AxeBuilder({ page }).analyze();
  report([`AXE-ALL ${name}: ${res.passes.length} rules pass; ${res.violations.map((v) => `${v.id} (${v.impact})`).join(", ") || "no violation"}`]);
  return res.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).slice(0, 4).join(" | ")}`);
}

async function toEnglish(page: Page): Promise<void> {
  if ((await page.evaluate(() => document.documentElement.lang)) !== "en") await page.locator("button.lang").click();
  // waitForFunction, not expect.poll: the people's sweeps run concurrently, where only a test's own expect may poll.
  await page.waitForFunction(() => document.documentElement.lang === "en", null, T);
}

async function toChinese(page: Page): Promise<void> {
  if ((await page.evaluate(() => document.documentElement.lang)) === "en") await page.locator("button.lang").click();
  await page.waitForFunction(() => document.documentElement.lang === "zh-Hant-TW", null, T);
}

/** Visits the pages in English and then in zh-TW; returns what is wrong, page by page. */
async function sweep(who: Person, visits: Visit[]): Promise<{ cjk: string[]; axe: string[] }> {
  const { page } = who;
  const cjk: string[] = [];
  const axe: string[] = [];
  for (const v of visits) {
    await page.goto(`${agency.server.base}${v.path}`);
    await v.ready(page);
    await toEnglish(page);
    await settle(page);
    for (const c of await chineseOutsideUserContent(page)) cjk.push(`CJK ${v.name}: ${c}`);
    report((await fullWidthOutsideUserContent(page)).map((f) => `PUNCTUATION ${v.name}: ${f}`));
    for (const a of await axeViolations(page, `${v.name} [en]`)) axe.push(`AXE ${v.name} [en]: ${a}`);
    await page.screenshot({ path: `test-results/english-${v.name}-1280.png`, fullPage: true });
    // At phone width too: axe in both locales (the header collapses there), and a picture.
    await page.setViewportSize({ width: 375, height: 900 });
    await settle(page);
    for (const a of await axeViolations(page, `${v.name} [en 375]`)) axe.push(`AXE ${v.name} [en 375]: ${a}`);
    await page.screenshot({ path: `test-results/english-${v.name}-375.png`, fullPage: true });
    await toChinese(page);
    await settle(page);
    if (v.zh) expect(await page.locator("main").innerText()).toContain(v.zh);
    for (const a of await axeViolations(page, `${v.name} [zh-TW 375]`)) axe.push(`AXE ${v.name} [zh-TW 375]: ${a}`);
    await page.setViewportSize({ width: 1280, height: 900 });
    await settle(page);
    for (const a of await axeViolations(page, `${v.name} [zh-TW]`)) axe.push(`AXE ${v.name} [zh-TW]: ${a}`);
  }
  report([...cjk, ...axe]);
  return { cjk, axe };
}

describe("English mode and accessibility on every page", () => {
  it("the home page before enrollment: English without Chinese outside user content, no serious axe violation", async () => {
    const context = await agency.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${agency.server.base}/`);
    await page.getByTestId("demo-people").waitFor(T);
    const { cjk, axe } = await sweep({ context, page }, [
      { name: "home", path: "/", ready: (p) => p.getByTestId("demo-people").waitFor(T) },
      // The in-browser sample: signed and verified, then swept with its signing history shown.
      { name: "sample", path: "/sample", ready: async (p) => (await p.locator("main button").first().click(), p.getByTestId("verdict").waitFor(T)) },
    ]);
    await context.close();
    expect({ cjk, axe }).toEqual({ cjk: [], axe: [] });
  }, 120_000);

  // The people's sweeps run side by side, each in its own browser context: most of a visit is
  // waiting (the page settling, axe's pass in the renderer, a screenshot), and one after another they
  // were the longest file of the browser tests. Everyone is enrolled first, one after another:
  // enrolling polls through the shared expect, which concurrent tests may not.
  it("the people whose pages are swept enroll and sync, one after another", async () => {
    for (const who of Object.keys(PAGES)) {
      const { page } = await person(who);
      expect(await page.getByTestId("sync-state").getAttribute("data-mode"), who).toBe("synced");
    }
  }, 60_000 * Object.keys(PAGES).length);

  for (const [who, visits] of Object.entries(PAGES)) {
    it.concurrent(`${who}: ${visits.map((v) => v.name).join(", ")}`, async () => {
      const { cjk, axe } = await sweep(await person(who), visits);
      expect({ cjk, axe }).toEqual({ cjk: [], axe: [] });
    }, 60_000 + 60_000 * visits.length);
  }

  it("the header at 375 px is one line: brand, sync badge, language and a menu button that opens every link", async () => {
    const { page } = await person("li");
    await page.setViewportSize({ width: 375, height: 900 });
    await page.goto(`${agency.server.base}/inbox`);
    await toChinese(page);
    const top = page.locator("header.top");
    const h = (await top.boundingBox())!.height;
    expect(h).toBeGreaterThanOrEqual(44);
    expect(h).toBeLessThanOrEqual(64);
    const menu = page.getByTestId("nav-menu");
    const box = (await menu.boundingBox())!;
    expect(box.width).toBeGreaterThanOrEqual(44);
    expect(box.height).toBeGreaterThanOrEqual(44);
    expect(await menu.getAttribute("aria-expanded")).toBe("false");
    expect(await page.getByTestId("nav-registry").isVisible()).toBe(false);
    await page.screenshot({ path: "test-results/header-375.png" });
    await menu.click();
    expect(await menu.getAttribute("aria-expanded")).toBe("true");
    for (const id of ["nav-exchange", "nav-registry", "nav-admin"]) expect(await page.getByTestId(id).isVisible(), id).toBe(true);
    await page.screenshot({ path: "test-results/header-375-open.png" });
    // Escape closes it and gives the focus back to the button; opened again for the next step.
    await page.keyboard.press("Escape");
    expect(await menu.getAttribute("aria-expanded")).toBe("false");
    expect(await menu.evaluate((el) => el === document.activeElement)).toBe(true);
    await menu.click();
    // Going to a page closes the menu.
    await page.getByTestId("nav-registry").click();
    await page.waitForURL(/\/registry$/);
    expect(await menu.getAttribute("aria-expanded")).toBe("false");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await toEnglish(page);
    expect((await top.boundingBox())!.height).toBeLessThanOrEqual(64);
    await page.screenshot({ path: "test-results/header-375-en.png" });
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(await menu.isVisible()).toBe(false);
    expect(await page.getByTestId("nav-registry").isVisible()).toBe(true);
    await page.screenshot({ path: "test-results/header-1280.png" });
  });
});
