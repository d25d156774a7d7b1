// The home page's demo people with what each can try, the sample demonstration (/sample) and the
// insecure-context explanation, on the built app served by a real agency server.
import { mkdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { useDemoAgency } from "./demo-session.ts";

const agency = useDemoAgency();
const pageErrors: string[] = [];

async function open(url: string, width: number): Promise<Page> {
  const page = await agency.browser.newPage({ viewport: { width, height: 800 } });
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(url);
  return page;
}

describe("demo people", () => {
  it("says in one line what each demo person can try, in zh-TW and in English, at phone width", async () => {
    const page = await open(`${agency.server.base}/`, 375);
    await page.getByTestId("demo-people").waitFor({ timeout: 15_000 });
    const hint = (person: string) => page.locator(`[data-testid="demo-person"][data-person="${person}"] [data-testid="demo-hint"]`).innerText();
    expect(await hint("chen")).toBe("起草簽或函並陳核；已決行的簽存查、紙本公文線上補登；逾期或將到期的公文申請展期、填寫逾期原因");
    expect(await hint("li")).toContain("收文登記、分文與改分");
    expect(await hint("lin")).toBe("核稿或決行學務公文");
    expect(await hint("wang")).toBe("決行；核定承辦人的展期申請");
    expect(await hint("chou")).toBe("在待發文清單發文");
    expect(await hint("tsai")).toBe("在待歸檔清單歸檔、調閱已歸檔公文");
    expect(await hint("hsu")).toContain("逾期");
    // Every listed person has a line (the administrator too).
    const people = await page.getByTestId("demo-person").count();
    expect(people).toBeGreaterThanOrEqual(10);
    expect(await page.locator('[data-testid="demo-person"] [data-testid="demo-hint"]').count()).toBe(people);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/home-demo-375.png", fullPage: true });

    // English mode: the same lines in English.
    await page.getByRole("button", { name: "Switch to English" }).click();
    await expect.poll(() => hint("chou")).toBe("Dispatch decided letters from the to-dispatch list");
    expect(await hint("tsai")).toContain("Archive from the to-archive list");
    await page.close();
    expect(pageErrors).toEqual([]);
  });
});

describe("sample demonstration", () => {
  it("signs and verifies the sample document in the browser, at phone width", async () => {
    const page = await open(`${agency.server.base}/sample`, 375);
    await page.getByRole("button", { name: "產生範例公文並驗證" }).click();
    await expect.poll(() => page.getByTestId("status").getAttribute("data-status").catch(() => null), { timeout: 30_000 }).toBe("decided");
    expect(await page.getByTestId("status").innerText()).toContain("已決行");
    expect(await page.locator('[data-testid="entry-badge"][data-valid="true"]').count()).toBe(5);
    expect(await page.getByTestId("verdict").getAttribute("data-valid")).toBe("true");
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/sample-375.png", fullPage: true });

    // A forged signature must be caught: the decision entry turns invalid and the status falls back.
    await page.getByRole("button", { name: "偽造決行簽章後重新驗證" }).click();
    await expect.poll(() => page.getByTestId("verdict").getAttribute("data-valid")).toBe("false");
    expect(await page.locator('[data-testid="entry-badge"][data-valid="false"]').count()).toBe(1);
    expect(await page.getByTestId("status").getAttribute("data-status")).not.toBe("decided");
    await page.close();
    expect(pageErrors).toEqual([]);
  });
});

describe("insecure context", () => {
  it("says in zh-TW that signing needs a secure connection, and what to do, instead of offering enrollment", async () => {
    const page = await open(`http://lan.test:${agency.server.port}/`, 375);
    await page.getByTestId("insecure").waitFor({ timeout: 10_000 });
    const text = await page.getByTestId("insecure").innerText();
    expect(text).toContain("簽章需要安全連線：請使用 HTTPS 或 localhost");
    expect(text).toContain("https://");
    expect(await page.getByTestId("enroll-form").count()).toBe(0);
    await page.screenshot({ path: "test-results/insecure-375.png", fullPage: true });
    // The sample page says the same rather than failing obscurely.
    await page.goto(`http://lan.test:${agency.server.port}/sample`);
    await page.getByTestId("insecure").waitFor({ timeout: 10_000 });
    expect(await page.getByRole("button", { name: "產生範例公文並驗證" }).count()).toBe(0);
    await page.close();
    expect(pageErrors).toEqual([]);
  });
});
