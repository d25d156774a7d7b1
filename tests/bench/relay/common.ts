// Shared helpers of the relay benchmark: env parsing, percentiles, /proc readers, child processes.
import { fork, type ChildProcess } from "node:child_process";
import { closeSync, fdatasyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer, type AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export function log(msg: string): void {
  process.stderr.write(`[bench:relay ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

export function envInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number ≥ ${min}, not "${raw}".`);
  return n;
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function until(cond: () => boolean, ms: number, what: string, step = 20): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(step);
  }
}

export interface Percentiles {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/** Nearest-rank percentiles of latency samples in milliseconds. */
export function percentiles(samples: ArrayLike<number>): Percentiles {
  const a = Float64Array.from(samples).sort();
  const n = a.length;
  if (!n) return { count: 0, p50Ms: NaN, p90Ms: NaN, p99Ms: NaN, maxMs: NaN, meanMs: NaN };
  const at = (q: number) => a[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
  let sum = 0;
  for (const x of a) sum += x;
  return { count: n, p50Ms: round(at(0.5), 3), p90Ms: round(at(0.9), 3), p99Ms: round(at(0.99), 3), maxMs: round(a[n - 1]!, 3), meanMs: round(sum / n, 3) };
}

export function median(xs: number[]): number {
  const a = [...xs].sort((x, y) => x - y);
  const m = Math.floor(a.length / 2);
  return a.length % 2 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
}

// ---- /proc ----------------------------------------------------------------------------------

let clkTck = 100; // getconf CLK_TCK on Linux; the kernel's USER_HZ is 100 on every mainstream arch

/** User + system CPU seconds of a process (all its threads), from /proc/<pid>/stat. */
export function procCpuSeconds(pid: number): number {
  const t = procCpuTimes(pid);
  return t.user + t.system;
}

export function procCpuTimes(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may contain spaces; the fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { user: Number(fields[11]) / clkTck, system: Number(fields[12]) / clkTck };
}

/** A process's I/O counters (/proc/<pid>/io): write syscalls and bytes that reached the block layer. */
export function procIo(pid: number): { syscw: number; writeBytes: number; syscr: number } {
  try {
    const io = readFileSync(`/proc/${pid}/io`, "utf8");
    const get = (k: string) => Number(new RegExp(`^${k}: (\\d+)`, "m").exec(io)?.[1] ?? NaN);
    return { syscw: get("syscw"), writeBytes: get("write_bytes"), syscr: get("syscr") };
  } catch {
    return { syscw: NaN, writeBytes: NaN, syscr: NaN };
  }
}

/** CPU seconds the whole machine spent busy (everything but idle and iowait), from /proc/stat. */
export function machineBusySeconds(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!; // "cpu  user nice system idle iowait irq softirq steal …"
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  return (user + nice + system + irq + softirq + steal) / clkTck;
}

export function setClockTicks(n: number): void {
  if (Number.isFinite(n) && n > 0) clkTck = n;
}

/** A /proc/<pid>/status memory field (VmRSS, VmHWM, …) in MiB. */
export function procMemMb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Samples a process's RSS every `everyMs` until stopped; returns the peak seen. */
export function rssSampler(pid: number, everyMs = 250): { stop: () => number } {
  let peak = 0;
  const sample = () => {
    try {
      peak = Math.max(peak, procMemMb(pid, "VmRSS"));
    } catch {
      /* the process is gone */
    }
  };
  sample();
  const t = setInterval(sample, everyMs);
  return {
    stop: () => {
      clearInterval(t);
      sample();
      return peak;
    },
  };
}

/** A thread's time on a CPU and waiting on a run queue for one (seconds), from /proc/<pid>/task/<tid>/schedstat. */
export function schedstat(pid: number, tid = pid): { running: number; waiting: number } {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").trim().split(" ").map(Number);
    return { running: (run ?? NaN) / 1e9, waiting: (wait ?? NaN) / 1e9 };
  } catch {
    return { running: NaN, waiting: NaN };
  }
}

/**
 * Samples the scheduler state of a process's main thread (R running, S sleeping, D waiting on I/O
 * such as fsync, …) every `everyMs`; returns the share of samples in each state.
 */
export function stateSampler(pid: number, everyMs = 5): { stop: () => Record<string, number> } {
  const counts: Record<string, number> = {};
  let n = 0;
  const t = setInterval(() => {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8");
      const st = stat[stat.lastIndexOf(")") + 2]!;
      counts[st] = (counts[st] ?? 0) + 1;
      n++;
    } catch {
      /* gone */
    }
  }, everyMs);
  return {
    stop: () => {
      clearInterval(t);
      return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, round(v / Math.max(1, n), 3)]));
    },
  };
}

/** How long this machine's disk takes to make a small write durable (write + fdatasync), in ms. */
export function fsyncProbe(times = 200): { p50Ms: number; p99Ms: number; maxMs: number } {
  const dir = mkdtempSync(join(tmpdir(), "bench-fsync-"));
  const fd = openSync(join(dir, "probe"), "w");
  const ms: number[] = [];
  const buf = Buffer.alloc(256, 1);
  try {
    for (let i = 0; i < times; i++) {
      const t0 = performance.now();
      writeSync(fd, buf);
      fdatasyncSync(fd);
      ms.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
  const p = percentiles(ms);
  return { p50Ms: p.p50Ms, p99Ms: p.p99Ms, maxMs: p.maxMs };
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => res(port));
    });
  });
}

// ---- child processes ------------------------------------------------------------------------

/**
 * Node options for the server children: BENCH_SERVER_ARGS (split on spaces, e.g. "--trace-gc"), and
 * `--cpu-prof` into BENCH_PROF/<name>-<time>/ when BENCH_PROF is set (written when the child exits).
 */
export function profArgs(name: string): string[] {
  const extra = (process.env.BENCH_SERVER_ARGS ?? "").split(" ").filter(Boolean);
  const dir = process.env.BENCH_PROF;
  if (!dir) return extra;
  // One folder per child: every thread (the main one and tsx's module-hooks worker) writes a profile.
  return [...extra, "--cpu-prof", `--cpu-prof-dir=${join(resolve(dir), `${name}-${Date.now()}`)}`];
}

/** Forks a script with an IPC channel; its stdout goes to our stderr so our stdout stays one JSON object. */
export function forkChild(script: string, opts: { tsx: boolean; env?: Record<string, string>; execArgv?: string[] }): ChildProcess {
  const loader = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
  const child = fork(script, [], {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    execArgv: [...(opts.tsx ? ["--import", loader] : []), ...(opts.execArgv ?? [])],
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  child.stdout?.on("data", (d: Buffer) => process.stderr.write(`  [${child.pid}] ${d.toString()}`));
  return child;
}

export function nextMessage<T>(child: ChildProcess, type: string, ms = 120_000): Promise<T> {
  return new Promise<T>((res, rej) => {
    const timer = setTimeout(() => done(new Error(`timed out waiting for "${type}" from child ${child.pid}`)), ms);
    const onMsg = (m: unknown) => {
      if (m && typeof m === "object" && (m as { type?: string }).type === type) done(undefined, m as T);
    };
    const onExit = (code: number | null) => done(new Error(`child ${child.pid} exited (${code}) before sending "${type}"`));
    function done(err?: Error, v?: T) {
      clearTimeout(timer);
      child.off("message", onMsg);
      child.off("exit", onExit);
      if (err) rej(err);
      else res(v as T);
    }
    child.on("message", onMsg);
    child.on("exit", onExit);
  });
}

/** Stops a child we started: asks over IPC ("stop"), then SIGTERM, then SIGKILL — only this child. */
export async function stopChild(child: ChildProcess, ms = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  if (child.connected) child.send({ type: "stop" });
  else child.kill("SIGTERM");
  const t = setTimeout(() => child.kill("SIGTERM"), ms / 2);
  const k = setTimeout(() => child.kill("SIGKILL"), ms);
  await exited;
  clearTimeout(t);
  clearTimeout(k);
}
