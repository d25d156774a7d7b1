// The server's heap bound (`countersign serve --max-memory SIZE`, issue 16). Node fixes V8's heap
// size when it starts, so bin/countersign.js asks planHeap before it loads the server and, when the
// bound must change, runs `serve` again in a child process started with --max-old-space-size; serve
// asks planHeap again for its start line, which then finds the flag in place.
//
// What must stay true: with no --max-memory and no --max-old-space-size the bound comes from the
// machine (half of a container's memory limit, else a quarter of the memory, between MIN_HEAP_MB and
// MACHINE_CAP_MB); a process already within 10 % of that bound (Node's own default is a quarter of
// the memory, up to 4 GiB) runs as it is, so a plain `node bin/countersign.js serve` on an ordinary
// machine is one process, whose pid is the server's.
import { totalmem } from "node:os";
import { getHeapStatistics } from "node:v8";
// Types only: bin/countersign.js loads this module before the server, and the model would cost it ~0.3 s.
import type { Result } from "@countersign/crdt-model";

/** Below this the server's own working set (the room cache, a 10 MiB upload, SQLite's pages) does not fit. */
export const MIN_HEAP_MB = 128;
/** The machine-derived bound stops here (Node's own cap on 64-bit machines); --max-memory may go above. */
export const MACHINE_CAP_MB = 4096;

export interface Machine {
  /** os.totalmem() */
  totalBytes: number;
  /** The cgroup (container) memory limit, when there is one below the machine's memory. */
  limitBytes?: number;
}

/** What this process runs with: its Node flags and V8's current heap limit. */
export interface NodeState {
  execArgv: readonly string[];
  nodeOptions: string | undefined;
  heapLimitMb: number;
}

export interface HeapPlan {
  /** The bound, in MiB (V8's old space: --max-old-space-size). */
  mb: number;
  /** Where it comes from, for the start line. */
  why: string;
  /** True when this process does not run with that bound and serve must start again with it. */
  relaunch: boolean;
}

export function machineOf(): Machine {
  const totalBytes = totalmem();
  // libuv's reading of the cgroup limit; without one it is 0, or 2^64 on Node 20.
  const limit = process.constrainedMemory?.() ?? 0;
  return limit > 0 && limit < totalBytes ? { totalBytes, limitBytes: limit } : { totalBytes };
}

export function nodeStateOf(): NodeState {
  return { execArgv: process.execArgv, nodeOptions: process.env.NODE_OPTIONS, heapLimitMb: getHeapStatistics().heap_size_limit / MiB };
}

const MiB = 1024 * 1024;
const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const refuse = (reason: string): Result<never> => ({ ok: false, code: "server.max-memory", reason });
const gib = (bytes: number) => `${(bytes / 1024 / MiB).toFixed(1)} GiB`;

/** The machine's share: half of a container's limit (the container is the server's), else a quarter of the memory. */
export function machineHeap(m: Machine): { mb: number; why: string } {
  const share = m.limitBytes !== undefined ? m.limitBytes / 2 : m.totalBytes / 4;
  const mb = Math.min(MACHINE_CAP_MB, Math.max(MIN_HEAP_MB, Math.floor(share / MiB)));
  const of = m.limitBytes !== undefined ? `half of the container's ${gib(m.limitBytes)} memory limit` : `a quarter of this machine's ${gib(m.totalBytes)}`;
  return { mb, why: mb === MACHINE_CAP_MB && share / MiB > MACHINE_CAP_MB ? `${of}, at most ${MACHINE_CAP_MB} MiB` : of };
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(M|MB|MiB|G|GB|GiB)$/i;

/** `--max-memory` as MiB: a number with M or G (binary units: 512M is 512 MiB), from MIN_HEAP_MB up to the machine's memory. */
export function parseMaxMemory(text: string, m: Machine): Result<number> {
  const match = SIZE.exec(text.trim());
  if (!match) return refuse(`--max-memory takes a size such as 512M or 2G, not "${text.slice(0, 40)}".`);
  const mb = Math.floor(Number(match[1]) * (match[2]!.toUpperCase().startsWith("G") ? 1024 : 1));
  if (mb < MIN_HEAP_MB) return refuse(`--max-memory ${text} is below the ${MIN_HEAP_MB} MiB the server needs.`);
  const memory = m.limitBytes ?? m.totalBytes;
  if (mb * MiB > memory) return refuse(`--max-memory ${text} is more than the ${gib(memory)} of memory ${m.limitBytes !== undefined ? "the container may use" : "this machine has"}.`);
  return ok(mb);
}

/** The --max-old-space-size this process was started with (its flags, else NODE_OPTIONS). */
export function oldSpaceFlag(node: Pick<NodeState, "execArgv" | "nodeOptions">): number | undefined {
  let found: number | undefined;
  for (const arg of [...(node.nodeOptions ?? "").split(/\s+/), ...node.execArgv]) {
    const m = /^--max[-_]old[-_]space[-_]size=(\d+)$/.exec(arg);
    if (m) found = Number(m[1]); // the last one wins, as in Node; the command line comes after NODE_OPTIONS
  }
  return found;
}

/** The value of --max-memory among serve's arguments (`--max-memory 1G` or `--max-memory=1G`), if given. */
export function maxMemoryArg(argv: readonly string[]): string | undefined {
  let value: string | undefined;
  argv.forEach((arg, i) => {
    if (arg === "--max-memory") value = argv[i + 1] ?? "";
    else if (arg.startsWith("--max-memory=")) value = arg.slice("--max-memory=".length);
  });
  return value;
}

/** The heap bound serve runs with, and whether this process must be started again to get it. */
export function planHeap(maxMemory: string | undefined, node: NodeState, m: Machine): Result<HeapPlan> {
  const flag = oldSpaceFlag(node);
  if (maxMemory !== undefined) {
    const mb = parseMaxMemory(maxMemory, m);
    if (!mb.ok) return mb;
    return ok({ mb: mb.value, why: `--max-memory ${maxMemory}`, relaunch: flag !== mb.value });
  }
  const { mb, why } = machineHeap(m);
  // Started with the flag: by bin/countersign.js with the machine's share, or by whoever chose another
  // bound (a test, a service unit's own flags), which stands.
  if (flag !== undefined) return ok({ mb: flag, why: flag === mb ? why : "node --max-old-space-size", relaunch: false });
  // V8's limit counts the young generation too (tens of MiB) beside the old space.
  const close = Math.abs(node.heapLimitMb - mb) <= mb * 0.1;
  return ok({ mb: close ? Math.round(node.heapLimitMb) : mb, why: close ? `${why}; Node's default bound` : why, relaunch: !close });
}
