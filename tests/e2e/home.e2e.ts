// The sample demonstration (/sample) and the insecure-context explanation, on the built app served
// by a real agency server.
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
