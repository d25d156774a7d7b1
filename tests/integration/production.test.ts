// The production install of the README's "Production" section, in a fresh clone of this repository's
// committed HEAD: `npm ci && npm run build && npm prune --omit=dev`, then `npx countersign serve`
// serves the app, the API and the relay with no devDependency present — compiled JavaScript only
// (each workspace's dist/), no tsx, no TypeScript, no vite.
//
// One clone serves every step, in order (the tests of this file depend on each other). `npm ci` runs
// with --ignore-scripts and takes better-sqlite3's native binary from this checkout's node_modules
// (the same version, checked, for the same Node): compiling SQLite from source would add minutes on
// CI's two cores and tests nothing of ours. The npm cache is warm (CI has just run npm ci), hence
// --prefer-offline.
//
// `npm run build` runs in the clone unless this checkout has just built this very commit: `npm test`
// builds first (CI's checkout is itself a fresh clone), so the clone then takes copies of build/ and
// each dist/ instead of building the same sources a second time (vite alone is a minute and more of
// CI's two cores). A checkout with uncommitted changes, or a build older than its sources, is never
// reused: the clone builds itself.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { appBuildState, serverBuildState } from "../../scripts/build-state.mjs";

const ROOT = join(import.meta.dirname, "../..");
const MINUTE = 60_000;

let work: string;
let clone: string;
let server: ChildProcess | undefined;

/** The environment of a person at a shell: none of vitest's or npm's (NODE_ENV=test would make vite build a development app). */
function shellEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|VITEST|NODE_ENV$|NODE_OPTIONS$|TEST$|INIT_CWD$|COUNTERSIGN_)/i.test(k)) continue;
    env[k] = v;
  }
  return env;
}

function run(command: string, args: string[]): string {
  const r = spawnSync(command, args, { cwd: clone, env: shellEnv(), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${r.status}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r.stdout;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`still running after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Why this checkout's own build cannot stand for the clone's, or null when it can (see the header). */
function whyBuildInClone(): string | null {
  const dirty = spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: ROOT, encoding: "utf8" });
  if (dirty.status !== 0 || dirty.stdout.trim() !== "") return "the checkout has uncommitted changes";
  for (const state of [appBuildState(ROOT), serverBuildState(ROOT)]) if (!state.fresh) return state.reason;
  return null;
}

const BUILT = ["build", "packages/crdt-model/dist", "packages/contract/dist", "sync-server/dist"];

const version = (dir: string, pkg: string) => (JSON.parse(readFileSync(join(dir, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "countersign-production-"));
  clone = join(work, "countersign");
  const r = spawnSync("git", ["clone", "--quiet", ROOT, clone], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git clone: ${r.stderr}`);
});

afterAll(async () => {
  // A failed test leaves the server's group running: stop it.
  if (server?.pid !== undefined && groupAlive(server.pid)) {
    process.kill(-server.pid, "SIGTERM");
    await until(() => !groupAlive(server!.pid!), 30_000).catch(() => process.kill(-server!.pid!, "SIGKILL"));
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the production install in a fresh clone", () => {
  it("npm ci, npm run build, npm prune --omit=dev: dist/ and build/ are there, the development tools are not", { timeout: 20 * MINUTE }, () => {
    run("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"]);
    expect(version(clone, "better-sqlite3")).toBe(version(ROOT, "better-sqlite3"));
    const native = join("node_modules/better-sqlite3/build/Release/better_sqlite3.node");
    mkdirSync(join(clone, native, ".."), { recursive: true });
    copyFileSync(join(ROOT, native), join(clone, native));

    const why = whyBuildInClone();
    if (why === null) {
      // Copied, not linked, with new times: newer than the clone's sources, as a build made there would be.
      for (const dir of BUILT) cpSync(join(ROOT, dir), join(clone, dir), { recursive: true });
    } else {
      console.log(`production test: npm run build in the clone (${why})`);
      run("npm", ["run", "build"]);
    }
    for (const built of ["build/handler.js", "packages/crdt-model/dist/index.js", "packages/contract/dist/index.js", "sync-server/dist/index.js", "sync-server/dist/exchange/dtd/104_2_utf8.dtd"]) {
      expect(existsSync(join(clone, built)), built).toBe(true);
    }
    run("npm", ["prune", "--omit=dev", "--no-audit", "--no-fund"]);
    for (const dev of ["tsx", "vitest", "typescript", "vite", "@sveltejs/kit", "svelte", "eslint", "playwright-core"]) {
      expect(existsSync(join(clone, "node_modules", dev)), `node_modules/${dev}`).toBe(false);
    }
    // What the server needs at run time stayed.
    for (const dep of ["better-sqlite3", "pino", "ws", "yjs", "zod", "@countersign/sync-server"]) expect(existsSync(join(clone, "node_modules", dep)), dep).toBe(true);
  });

  it("npx countersign demo, then serve --max-memory: /healthz answers, / serves the app, the API and the relay answer", { timeout: 5 * MINUTE }, async () => {
    const data = join(work, "data");
    run("npx", ["countersign", "demo", "--data", data, "--history-days", "0"]);
    // --max-memory below the machine's share: serve starts again in a node with that heap bound
    // (bin/countersign.js), which is what a production box runs.
    // Its own process group, stopped as a whole as systemd or Ctrl-C stop it: npx runs the command
    // through sh, which does not pass a signal on.
    const child = spawn("npx", ["countersign", "serve", "--data", data, "--port", "0", "--host", "127.0.0.1", "--max-memory", "256M"], {
      cwd: clone,
      env: shellEnv(),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    server = child;
    let out = "";
    let err = "";
    child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout!.on("data", (b: Buffer) => {
        out += b.toString();
        const m = /^Countersign .* on http:\/\/localhost:\d+.*$/m.exec(out);
        if (m) resolve(m[0]);
      });
      child.once("exit", (code) => reject(new Error(`serve exited with ${code}:\n${err}`)));
    });
    expect(line).toContain("heap bound 256 MiB (--max-memory 256M)");
    const origin = `http://127.0.0.1:${/localhost:(\d+)/.exec(line)![1]}`;

    const health = await fetch(`${origin}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, agency: "A-DEMO-EDU" });

    const home = await fetch(`${origin}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await home.text()).toMatch(/_app\/immutable\/entry\/start\.[\w-]+\.js/);

    const api = await fetch(`${origin}/api/openapi.json`);
    expect(api.status).toBe(200);

    // The relay takes the WebSocket upgrade (what it then asks of the client is the relay's own tests').
    const ws = new WebSocket(`${origin.replace("http", "ws")}/sync/demo-001`);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("unexpected-response", (_req, res) => reject(new Error(`relay: HTTP ${res.statusCode}`)));
      ws.once("error", reject);
    });
    ws.close();

    // SIGTERM to the group: the server gets it from the kernel and again from its launcher, and
    // stops once, gracefully; nothing of the group is left.
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    process.kill(-child.pid!, "SIGTERM");
    await exited;
    await until(() => !groupAlive(child.pid!), 30_000);
    expect(out.match(/"msg":"shutting down"/g), err).toHaveLength(1);
  });
});
