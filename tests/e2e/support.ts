// A real agency server for browser tests: `countersign demo` into a temporary directory, then
// `countersign serve` on a free port, serving the built app (run `npm run build` first; `npm run
// test:e2e` does). Chromium is Debian's, driven by playwright-core, which never downloads a browser.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { inject } from "vitest";
import { SHORT_HISTORY_DAYS } from "./global-setup.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function freePort(): Promise<number> {
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

export interface DemoServer {
  port: number;
  base: string;
  dir: string;
  stop(): Promise<void>;
}

/**
 * A fresh data directory holding the demo agency: a copy of the run's template (global-setup.ts),
 * or, outside a vitest run that made one, `countersign demo` itself.
 */
/** Which demo: four weeks of history (the default), or the full six months for history's own pages. */
export type DemoHistory = "short" | "full";

export function demoDataDir(prefix: string, history: DemoHistory = "short"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const template = inject(history === "full" ? "demoTemplateFull" : "demoTemplate");
  if (template) cpSync(template, dir, { recursive: true });
  else execFileSync(process.execPath, ["bin/countersign.js", "demo", "--data", dir, ...(history === "full" ? [] : ["--history-days", String(SHORT_HISTORY_DAYS)])], { stdio: "ignore" });
  return dir;
}

/** How to serve the demo agency: `smtp` (smtp://user:pass@host:port) turns mail on (`serve --smtp`). */
export interface DemoServerOptions {
  smtp?: string;
  history?: DemoHistory;
}

/** The demo agency (36 documents, a person in each role) served with the built app. */
export async function startDemoServer(opts: DemoServerOptions = {}): Promise<DemoServer> {
  const dir = demoDataDir("countersign-e2e-", opts.history);
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ["bin/countersign.js", "serve", "--data", dir, "--port", String(port), "--host", "127.0.0.1", ...(opts.smtp ? ["--smtp", opts.smtp] : [])], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://localhost:${port}`;
  // Up to a minute: serve derives missing time facts at start (the demo's six months of history) on a loaded machine.
  await waitForHttp(`${base}/healthz`, 60_000);
  return {
    port,
    base,
    dir,
    stop: async () => {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // lan.test stands for a LAN address reached over plain HTTP: it maps to loopback, so no
    // traffic leaves the machine, but it is not a secure context the way localhost is.
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--host-resolver-rules=MAP lan.test 127.0.0.1"],
  });
}
