// Security headers and the WebSocket ticket in the real app (issue 12, finding 11): every page
// carries a Content-Security-Policy that allows no inline script and no framing, the app still
// enrolls, syncs and opens a live document under it, and no login token appears in a WebSocket URL.
import { describe, expect, it } from "vitest";
import { useDemoAgency, enrollDemoPerson, openDoc, T } from "./demo-session.ts";

const agency = useDemoAgency();

function directives(csp: string | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of (csp ?? "").split(";")) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name, values);
  }
  return out;
}

describe("security headers", () => {
  it("every page carries a CSP with frame-ancestors 'none' and no inline script", async () => {
    for (const path of ["/", "/inbox", "/docs/demo-009", "/new", "/registry", "/sample"]) {
      const res = await fetch(`${agency.server.base}${path}`);
      expect(res.status, path).toBe(200);
      const csp = directives(res.headers.get("content-security-policy"));
      expect(csp.get("frame-ancestors"), path).toEqual(["'none'"]);
      const scripts = csp.get("script-src") ?? [];
      expect(scripts, path).toContain("'self'");
      expect(scripts.some((s) => s === "'unsafe-inline'" || s === "'unsafe-eval'"), path).toBe(false);
      // SvelteKit's one inline start-up script is allowed by its hash, and only it.
      expect(scripts.filter((s) => s.startsWith("'sha256-")).length, path).toBeGreaterThan(0);
      expect(csp.get("object-src"), path).toEqual(["blob:"]);
      expect(csp.get("base-uri"), path).toEqual(["'none'"]);
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), path).toBe("no-referrer");
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(res.headers.get("strict-transport-security"), path).toBeNull(); // plain HTTP: no HSTS
    }
  });

  it("a page revalidated with 304 carries no policy, so the browser keeps the page's full one (a baseline on the 304 replaced it)", async () => {
    for (const path of ["/", "/inbox", "/docs/demo-009"]) {
      const first = await fetch(`${agency.server.base}${path}`);
      const etag = first.headers.get("etag");
      expect(etag, path).toBeTruthy();
      const again = await fetch(`${agency.server.base}${path}`, { headers: { "if-none-match": etag! } });
      expect(again.status, path).toBe(304);
      expect(again.headers.get("content-security-policy"), path).toBeNull();
      // The rest of the baseline is harmless on a 304 and stays.
      expect(again.headers.get("x-frame-options"), path).toBe("DENY");
    }
  });

  it("the API, /healthz and static files carry nosniff, no-referrer and frame-ancestors 'none' too", async () => {
    for (const path of ["/api/agency", "/healthz", "/api/me", "/favicon.svg"]) {
      const res = await fetch(`${agency.server.base}${path}`);
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), path).toBe("no-referrer");
      expect(directives(res.headers.get("content-security-policy")).get("frame-ancestors"), path).toEqual(["'none'"]);
    }
    expect(directives((await fetch(`${agency.server.base}/api/agency`)).headers.get("content-security-policy")).get("default-src")).toEqual(["'none'"]);
  });

  it("the signing page cannot be framed by another page", async () => {
    const context = await agency.browser.newContext();
    const page = await context.newPage();
    await page.setContent(`<iframe id="f" src="${agency.server.base}/docs/demo-009" width="600" height="400"></iframe>`);
    await expect.poll(() => page.frames().length, T).toBe(2);
    const frame = page.frames()[1]!;
    await expect.poll(async () => frame.url(), T).toMatch(/^chrome-error:/);
    await context.close();
  });
});

describe("the app under its CSP, with WebSocket tickets", () => {
  it("the app enrolls, syncs and opens a live document under the CSP, and the WebSocket URL carries no login token", async () => {
    const violations: string[] = [];
    const errors: string[] = [];
    const chen = await enrollDemoPerson(agency.browser, agency.server.base, "chen", { width: 1024, errors });
    const page = chen.page;
    page.on("console", (m) => {
      if (/Content[- ]Security[- ]Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    const sockets: string[] = [];
    page.on("websocket", (ws) => sockets.push(ws.url()));
    const token = await page.evaluate(() => {
      for (let i = 0; i < sessionStorage.length; i++) {
        const k = sessionStorage.key(i)!;
        if (k.startsWith("countersign:token:")) return (JSON.parse(sessionStorage.getItem(k)!) as { token: string }).token;
      }
      return null;
    });
    expect(token).not.toBeNull();

    await openDoc(page, agency.server.base, "demo-009", { live: true });
    await page.getByTestId("field-subject").waitFor(T);
    await page.screenshot({ path: "test-results/csp-doc-1024.png", fullPage: true });
    expect(sockets.length).toBeGreaterThan(0);
    for (const url of sockets) {
      const u = new URL(url);
      expect(u.pathname).toBe("/sync/demo-009");
      expect(u.searchParams.has("token")).toBe(false);
      expect(u.searchParams.get("ticket")).toMatch(/^t1\./);
      expect(url).not.toContain(token!);
    }

    // Reloading reconnects with a new ticket: each is single-use.
    await page.reload();
    await page.locator('[data-testid="doc-connection"][data-connection="connected"]').waitFor(T);
    expect(new Set(sockets).size).toBe(sockets.length);
    await page.goto(`${agency.server.base}/inbox`);
    await page.getByTestId("sync-state").waitFor(T);
    await page.screenshot({ path: "test-results/csp-inbox-1024.png" });
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
    await chen.context.close();
  });
});
