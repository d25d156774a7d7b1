// Shared helpers of the app benchmark: logging (stderr, so stdout stays one JSON object), env
// parsing, statistics, and building the app when build/ is missing or older than its sources.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export function log(msg: string): void {
  process.stderr.write(`[bench:app ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

export function envInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, not "${raw}".`);
  return n;
}

export const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

export interface Stats {
  runs: number;
  medianMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
  samplesMs: number[];
}

/** Median and nearest-rank p95 of samples in milliseconds, with the raw samples in run order. */
export function stats(samples: readonly number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const n = s.length;
  const at = (q: number) => s[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
  const median = n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
  return { runs: n, medianMs: round(median), p95Ms: round(at(0.95)), minMs: round(s[0]!), maxMs: round(s[n - 1]!), samplesMs: samples.map((x) => round(x)) };
}

/** A goal as the issue states it, against the median measured. */
export function goal(goalMs: number, measured: Stats | null): { goalMs: number; measuredMs: number | null; p95Ms: number | null; met: boolean } {
  return { goalMs, measuredMs: measured?.medianMs ?? null, p95Ms: measured?.p95Ms ?? null, met: measured !== null && measured.medianMs <= goalMs };
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Runs `npm run build` when build/ is missing or older than the app's sources (src/, static/, the
 * model package, the vite and svelte configs): the benchmark measures the app as it is served.
 */
export function ensureBuild(): { built: boolean; reason: string } {
  // BENCH_BUILD=skip measures build/ as it is (e.g. while others keep editing src/); =always rebuilds.
  if (process.env.BENCH_BUILD === "skip") return { built: false, reason: "BENCH_BUILD=skip: build/ used as it is" };
  const out = join(ROOT, "build/handler.js");
  const sources = Math.max(
    newestMtime(join(ROOT, "src")),
    newestMtime(join(ROOT, "static")),
    newestMtime(join(ROOT, "packages/crdt-model/src")),
    ...["vite.config.ts", "svelte.config.js", "package-lock.json"].filter((f) => existsSync(join(ROOT, f))).map((f) => statSync(join(ROOT, f)).mtimeMs),
  );
  const reason = process.env.BENCH_BUILD === "always" ? "BENCH_BUILD=always" : !existsSync(out) ? "build/ is missing" : statSync(out).mtimeMs < sources ? "build/ is older than the sources" : "";
  if (!reason) return { built: false, reason: "build/ is up to date" };
  log(`${reason}: running npm run build`);
  try {
    execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: ["ignore", process.stderr, "inherit"] });
  } catch {
    // Another build in the same checkout (a test run, a colleague) shares .svelte-kit/: try once more.
    log("the build failed; trying once more");
    execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: ["ignore", process.stderr, "inherit"] });
  }
  return { built: true, reason };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
