// Profiles of the measured window only, taken inside a server child through node:inspector (the
// bench tells the child when the window starts and ends over IPC): a CPU profile (.cpuprofile) and a
// sampled allocation profile (.heapprofile) that also counts objects already collected, so the
// allocation sites behind the garbage collector's time show. Open either in Chrome DevTools.
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join, resolve } from "node:path";

export interface WindowProfiler {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A profiler writing into `dir` (nothing at all when `dir` is empty). */
export function windowProfiler(dir: string | undefined, name: string): WindowProfiler {
  if (!dir) return { start: async () => {}, stop: async () => {} };
  const session = new Session();
  session.connect();
  let running = false;
  return {
    async start() {
      if (running) return;
      running = true;
      await session.post("Profiler.enable");
      await session.post("Profiler.setSamplingInterval", { interval: 500 });
      await session.post("Profiler.start");
      await session.post("HeapProfiler.enable");
      await session.post("HeapProfiler.startSampling", {
        samplingInterval: 16384,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      } as never);
    },
    async stop() {
      if (!running) return;
      running = false;
      const out = resolve(dir);
      mkdirSync(out, { recursive: true });
      const stamp = Date.now();
      const { profile } = await session.post("Profiler.stop");
      writeFileSync(join(out, `${name}-${stamp}.cpuprofile`), JSON.stringify(profile));
      const heap = await session.post("HeapProfiler.stopSampling");
      writeFileSync(join(out, `${name}-${stamp}.heapprofile`), JSON.stringify(heap.profile));
    },
  };
}
