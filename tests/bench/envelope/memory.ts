/**
 * Memory while importing envelopes one after another: after each import, a full GC, then the heap in
 * use and the memory outside the heap (ArrayBuffers: envelope bytes, attachments, SQLite buffers).
 * The slope per envelope (least squares, first envelope excluded as warm-up: JIT code, caches, the
 * store's prepared statements) says whether anything an import handled is still held afterwards.
 * The imported data itself is on disk, so the goal is a slope near zero.
 */
import { BenchFailure, round } from "../model/common.ts";

export interface MemorySample {
  envelope: number;
  heapUsedMB: number;
  externalMB: number;
  arrayBuffersMB: number;
  rssMB: number;
}

const MB = 1024 * 1024;

export function gcNow(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new BenchFailure("run with --expose-gc (npm run bench:envelope does): memory samples need a full GC first");
  // Twice: the first pass may only queue finalizers (WeakRefs, FinalizationRegistry) that free more.
  gc();
  gc();
}

export function sample(envelope: number): MemorySample {
  gcNow();
  const m = process.memoryUsage();
  return {
    envelope,
    heapUsedMB: round(m.heapUsed / MB, 2),
    externalMB: round(m.external / MB, 2),
    arrayBuffersMB: round(m.arrayBuffers / MB, 2),
    rssMB: round(m.rss / MB, 2),
  };
}

/** Least-squares slope of y over x. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export interface MemoryRun {
  envelopes: number;
  docsPerEnvelope: number;
  meanEnvelopeMB: number;
  baseline: MemorySample;
  samples: MemorySample[];
  heapSlopeKBPerEnvelope: number;
  /** Highest minus lowest heap after the first envelope: what the bounded caches swing by. */
  heapRangeMB: number;
  externalSlopeKBPerEnvelope: number;
  /** Heap + external growth per envelope as a share of an envelope's size. */
  growthShareOfEnvelope: number;
}

/**
 * Imports `envelopes` one at a time with `importOne` (which must drop everything it made once it
 * resolves, as a server request handler does) and samples memory after each.
 */
export async function memoryRun(
  envelopes: readonly Uint8Array[],
  docsPerEnvelope: number,
  importOne: (bytes: Uint8Array, i: number) => Promise<void>,
): Promise<MemoryRun> {
  const baseline = sample(0);
  const samples: MemorySample[] = [];
  for (const [i, bytes] of envelopes.entries()) {
    await importOne(bytes, i);
    samples.push(sample(i + 1));
  }
  const steady = samples.slice(1);
  const heap = slope(steady.map((s) => ({ x: s.envelope, y: s.heapUsedMB })));
  const external = slope(steady.map((s) => ({ x: s.envelope, y: s.externalMB })));
  const meanEnvelopeMB = envelopes.reduce((s, b) => s + b.length, 0) / envelopes.length / MB;
  return {
    envelopes: envelopes.length,
    docsPerEnvelope,
    meanEnvelopeMB: round(meanEnvelopeMB, 2),
    baseline,
    samples,
    heapSlopeKBPerEnvelope: round(heap * 1024, 1),
    heapRangeMB: round(Math.max(...steady.map((s) => s.heapUsedMB)) - Math.min(...steady.map((s) => s.heapUsedMB)), 2),
    externalSlopeKBPerEnvelope: round(external * 1024, 1),
    growthShareOfEnvelope: round((heap + external) / meanEnvelopeMB, 4),
  };
}
