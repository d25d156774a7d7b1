#!/usr/bin/env node
// The `countersign` command.
//
// It runs the compiled server — each workspace's dist/, made by `npm run build` — when that is up to
// date with the sources; otherwise the TypeScript sources through tsx, a devDependency, so only in a
// development checkout. A production install (`npm ci && npm run build && npm prune --omit=dev`) has
// dist/ and no tsx. COUNTERSIGN_RUN=dist or =src forces one.
//
// The workspaces' package.json `exports` name the sources by default (vite, vitest, tsx, tsc and
// depcruise all read them) and dist/ under the "countersign-dist" condition, which only this file
// turns on, with a resolve hook: compiled code never runs from a stale dist/ by accident.
//
// `serve` sets its own heap bound (--max-memory, else a share of the machine's memory:
// sync-server/src/cli/heap.ts). Node fixes that bound at start-up, so when it must change, serve runs
// in a child process started with --max-old-space-size; this process passes signals on to it and
// exits as it does, and the child stops if this process dies (even by SIGKILL).
import { spawn } from "node:child_process";
import { register } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, serverBuildState, serverBuilt } from "../scripts/build-state.mjs";

const args = process.argv.slice(2);
const launcher = process.env.COUNTERSIGN_LAUNCHER;
delete process.env.COUNTERSIGN_LAUNCHER;

const run = chooseRun();
if (run === "dist") {
  const hook = `export async function resolve(s, c, next) { return next(s, { ...c, conditions: [...c.conditions, "countersign-dist"] }); }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
} else {
  const { register: registerTsx } = await import("tsx/esm/api");
  registerTsx();
}
/** A module of sync-server, compiled or not. */
const serverModule = (path) => pathToFileURL(join(ROOT, "sync-server", run, `${path}.${run === "dist" ? "js" : "ts"}`)).href;

if (args[0] === "serve" && launcher === undefined) {
  const heap = await import(serverModule("cli/heap"));
  const plan = heap.planHeap(heap.maxMemoryArg(args.slice(1)), heap.nodeStateOf(), heap.machineOf());
  if (!plan.ok) {
    console.error(`countersign serve: ${plan.reason}`);
    process.exit(2);
  }
  if (plan.value.relaunch) {
    relaunch(plan.value.mb);
  } else {
    await runCli();
  }
} else {
  if (launcher !== undefined) stopWhenOrphaned(Number(launcher));
  await runCli();
}

async function runCli() {
  const { runCli } = await import("@countersign/sync-server");
  process.exitCode = await runCli(args);
}

/** "dist" when the compiled server is up to date (or there is no tsx to compile the sources), else "src". */
function chooseRun() {
  const forced = process.env.COUNTERSIGN_RUN;
  if (forced === "dist" || forced === "src") return forced;
  const state = serverBuildState();
  if (state.fresh) return "dist";
  let tsx = true;
  try {
    import.meta.resolve("tsx/esm/api");
  } catch {
    tsx = false;
  }
  if (tsx) return "src";
  if (serverBuilt()) {
    console.error(`countersign: ${state.reason}; running it as built (after an upgrade: npm ci && npm run build && npm prune --omit=dev)`);
    return "dist";
  }
  console.error(`countersign: ${state.reason}, and tsx is not installed to run the sources: run npm run build`);
  process.exit(1);
}

/** Runs this command again in a node with the heap bound, as its only child. */
function relaunch(mb) {
  const child = spawn(process.execPath, [...process.execArgv, `--max-old-space-size=${mb}`, process.argv[1], ...args], {
    stdio: "inherit",
    env: { ...process.env, COUNTERSIGN_LAUNCHER: String(process.pid), COUNTERSIGN_RUN: run },
  });
  // Ctrl-C reaches both processes (one process group) and the server stops once for both; a signal
  // sent to this process alone (kill, systemd, a test) is passed on.
  const signals = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
  const pass = (signal) => child.kill(signal);
  for (const s of signals) process.on(s, pass);
  child.on("exit", (code, signal) => {
    for (const s of signals) process.off(s, pass);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}

/** The child of relaunch(): stop gracefully, as on SIGTERM, when the launcher is gone. */
function stopWhenOrphaned(launcherPid) {
  const timer = setInterval(() => {
    if (process.ppid === launcherPid) return;
    clearInterval(timer);
    process.kill(process.pid, "SIGTERM");
  }, 1000);
  timer.unref();
}
