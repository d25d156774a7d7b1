// Issue 16, HTTPS where the school is: the demo agency served over HTTPS with a certificate from
// `countersign tls issue` for a name that is not localhost (countersign.school.test, mapped to
// loopback in Chromium), the way a school's LAN box is reached. Chromium trusts the agency CA the
// way a school PC does once /ca's steps are done: the CA is in the NSS database Chromium on Linux
// reads ($HOME/.pki/nssdb, made with certutil in a temporary HOME). No certificate error is ignored,
// so the certificate's name, key usage and chain are checked by the browser itself; the page is a
// secure context, WebCrypto is there, and a demo person enrolls and syncs over HTTPS and WSS.
// Also: the plain-HTTP redirect port, and /ca at phone and desktop width (screenshots).
import { X509Certificate } from "node:crypto";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { get } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { CHROMIUM, demoDataDir, freePort } from "./support.ts";
import { enrollDemoPerson, T } from "./demo-session.ts";

const HOST = "countersign.school.test";
const cli = (...args: string[]) => execFileSync(process.execPath, ["bin/countersign.js", ...args], { encoding: "utf8" });

let dir: string;
let home: string;
let caPem: string;
let port: number;
let redirectPort: number;
let child: ChildProcess | undefined;
let browser: Browser | undefined;
let base: string;

/** GET over HTTPS to 127.0.0.1 with the certificate checked for HOST against `ca` (or, without it, not checked: the start-up wait only). */
function httpsGet(path: string, ca: string | undefined): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: "127.0.0.1", port, path, servername: HOST, headers: { host: HOST }, ...(ca ? { ca } : { rejectUnauthorized: false }) }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
  });
}

/** Waits until the HTTPS server answers /healthz (serve derives time facts at start: slow on a loaded machine). */
async function waitForHttps(ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if ((await httpsGet("/healthz", undefined).catch(() => ({ status: 0 }))).status === 200) return;
    if (Date.now() > until) throw new Error(`https://${HOST}:${port} did not answer within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  dir = demoDataDir("countersign-https-");
  const certDir = mkdtempSync(join(tmpdir(), "countersign-https-cert-"));
  const cert = join(certDir, "server.crt");
  const key = join(certDir, "server.key");
  cli("tls", "issue", "--data", dir, "--host", HOST, "--ip", "127.0.0.1", "--cert", cert, "--key", key);

  port = await freePort();
  redirectPort = await freePort();
  child = spawn(
    process.execPath,
    ["bin/countersign.js", "serve", "--data", dir, "--port", String(port), "--host", "127.0.0.1", "--tls-cert", cert, "--tls-key", key, "--http-redirect-port", String(redirectPort)],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  base = `https://${HOST}:${port}`;
  await waitForHttps(150_000);
  // The agency CA as a device gets it (GET /ca.crt, DER); from here on the certificate is checked against it.
  const der = await httpsGet("/ca.crt", undefined);
  caPem = new X509Certificate(der.body).toString();
  expect((await httpsGet("/healthz", caPem)).status).toBe(200);
  const caFile = join(certDir, "ca.pem");
  writeFileSync(caFile, caPem);

  // A HOME of its own whose NSS database trusts the agency CA for websites (what /ca's steps do on a PC).
  home = mkdtempSync(join(tmpdir(), "countersign-https-home-"));
  const nssdb = join(home, ".pki", "nssdb");
  mkdirSync(nssdb, { recursive: true });
  execFileSync("certutil", ["-d", `sql:${nssdb}`, "-N", "--empty-password"]);
  execFileSync("certutil", ["-d", `sql:${nssdb}`, "-A", "-t", "C,,", "-n", "Countersign agency CA", "-i", caFile]);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    env: { ...process.env, HOME: home },
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", `--host-resolver-rules=MAP ${HOST} 127.0.0.1`],
  });
  mkdirSync("test-results", { recursive: true });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
  for (const d of [dir, home]) if (d) rmSync(d, { recursive: true, force: true });
});

describe("the demo agency over HTTPS on a LAN name", () => {
  it("is a secure context with WebCrypto, with no certificate error, and a demo person enrolls and syncs", async () => {
    const errors: string[] = [];
    const context = await browser!.newContext({ viewport: { width: 375, height: 900 } });
    const page = await context.newPage();
    page.on("pageerror", (e) => errors.push(e.message));
    const res = await page.goto(`${base}/`);
    expect(res?.status()).toBe(200);
    expect(await page.evaluate(() => ({ secure: window.isSecureContext, subtle: typeof crypto.subtle?.generateKey, origin: location.origin }))).toEqual({
      secure: true,
      subtle: "function",
      origin: base,
    });
    // The home page offers enrollment, not the "needs a secure connection" notice.
    await page.getByTestId("demo-people").waitFor(T);
    expect(await page.getByTestId("insecure").count()).toBe(0);
    await context.close();

    // Enrollment (WebCrypto key, certificate request, certificate) and the first sync over WSS.
    const chen = await enrollDemoPerson(browser!, base, "chen", { errors });
    expect(chen.page.url()).toBe(`${base}/inbox`);
    await chen.page.screenshot({ path: "test-results/https-inbox-375.png" });
    await chen.context.close();
    expect(errors).toEqual([]);
  });

  it("redirects the plain-HTTP port to HTTPS, same host, path and query", async () => {
    const page = await browser!.newPage();
    await page.goto(`http://${HOST}:${redirectPort}/ca?from=http`);
    expect(page.url()).toBe(`${base}/ca?from=http`);
    await page.getByTestId("ca-fingerprint").waitFor(T);
    await page.close();
  });
});

describe("/ca: the agency CA for devices", () => {
  for (const width of [375, 1280]) {
    it(`shows the CA's fingerprint, the download and zh-TW steps for four systems, at ${width} px`, async () => {
      const errors: string[] = [];
      const page = await browser!.newPage({ viewport: { width, height: 900 }, userAgent: width === 375 ? "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36" : undefined });
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${base}/ca`);
      const fingerprint = execFileSync("openssl", ["x509", "-noout", "-fingerprint", "-sha256"], { input: caPem, encoding: "utf8" }).trim().split("=")[1];
      await expect.poll(() => page.getByTestId("ca-fingerprint").innerText().catch(() => ""), T).toBe(fingerprint);
      expect(await page.getByTestId("ca-secure").count()).toBe(1);
      expect(await page.locator("h2").innerText()).toContain("信任本機關憑證");
      const platforms = page.getByTestId("ca-platform");
      expect(await platforms.evaluateAll((els) => els.map((e) => e.getAttribute("data-platform")))).toEqual(["windows", "mac", "android", "ios"]);
      // textContent: the steps of the systems other than this device's sit in closed <details>.
      const text = (await page.getByTestId("ca-page").textContent()) ?? "";
      for (const words of ["受信任的根憑證授權單位", "永遠信任", "CA 憑證", "憑證信任設定"]) expect(text).toContain(words);
      // The download is the CA itself, DER.
      const href = await page.getByTestId("ca-download").getAttribute("href");
      expect(href).toBe("/ca.crt");
      // Touch targets and no sideways scrolling on a phone.
      const box = await page.getByTestId("ca-download").boundingBox();
      expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      if (width === 375) expect(await page.locator('[data-platform="android"]').getAttribute("open")).not.toBeNull();
      await page.screenshot({ path: `test-results/ca-${width}.png`, fullPage: true });
      // English second.
      await page.getByRole("button", { name: "Switch to English" }).click();
      await expect.poll(() => page.locator("h2").innerText()).toContain("Trust the agency's certificate");
      await page.close();
      expect(errors).toEqual([]);
    });
  }
});
