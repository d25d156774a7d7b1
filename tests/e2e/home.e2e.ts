// Smoke test of the built app: serves build/ (run `npm run build` first; `npm run test:e2e` does)
// and drives Debian's Chromium through playwright-core. Playwright never downloads a browser here.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

async function waitForHttp(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let server: ChildProcess;
let browser: Browser;
let base: string;
let port: number;
const pageErrors: string[] = [];

async function open(url: string, width: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 800 } });
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(url);
  return page;
}

beforeAll(async () => {
  port = await freePort();
  base = `http://localhost:${port}/`;
  server = spawn(process.execPath, ["build"], { env: { ...process.env, PORT: String(port), HOST: "127.0.0.1" }, stdio: "inherit" });
  await waitForHttp(base, 15_000);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // lan.test stands for a LAN address reached over plain HTTP: it maps to loopback, so no
    // traffic leaves the machine, but it is not a secure context the way localhost is.
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--host-resolver-rules=MAP lan.test 127.0.0.1"],
  });
});

afterAll(async () => {
  await browser?.close();
  server?.kill();
});

describe("home page", () => {
  it("signs and verifies the sample document in the browser, at phone width", async () => {
    const page = await open(base, 375);
    await page.getByRole("button", { name: "產生範例公文並驗證" }).click();
    await expect.poll(() => page.getByTestId("status").getAttribute("data-status").catch(() => null), { timeout: 30_000 }).toBe("decided");
    expect(await page.getByTestId("status").innerText()).toContain("已決行");
    expect(await page.locator('[data-testid="entry-badge"][data-valid="true"]').count()).toBe(5);
    expect(await page.getByTestId("verdict").getAttribute("data-valid")).toBe("true");
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/home-375.png", fullPage: true });

    // A forged signature must be caught: the decision entry turns invalid and the status falls back.
    await page.getByRole("button", { name: "偽造決行簽章後重新驗證" }).click();
    await expect.poll(() => page.getByTestId("verdict").getAttribute("data-valid")).toBe("false");
    expect(await page.locator('[data-testid="entry-badge"][data-valid="false"]').count()).toBe(1);
    expect(await page.getByTestId("status").getAttribute("data-status")).not.toBe("decided");
    await page.close();
    expect(pageErrors).toEqual([]);
  });

  it("says in zh-TW that signing needs a secure connection when WebCrypto is unavailable", async () => {
    const page = await open(`http://lan.test:${port}/`, 375);
    await page.getByTestId("insecure").waitFor({ timeout: 10_000 });
    expect(await page.getByTestId("insecure").innerText()).toContain("簽章需要安全連線：請使用 HTTPS 或 localhost");
    expect(await page.getByRole("button", { name: "產生範例公文並驗證" }).count()).toBe(0);
    await page.close();
  });
});
