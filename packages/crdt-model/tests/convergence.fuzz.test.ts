import { describe, expect, it } from "vitest";
import { runScenario } from "./fuzz/scenario.ts";

// The seeded convergence fuzzer. FUZZ_RUNS raises the number of runs (default 2,000), FUZZ_SEED
// starts elsewhere; a failure names its seed, and failing seeds are pinned below as regressions.
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const START = Number(process.env.FUZZ_SEED ?? 1);

describe("convergence fuzzer", () => {
  it(`${RUNS} seeded scenarios converge to identical content and derived state on every replica`, async () => {
    let entries = 0;
    let conflicts = 0;
    for (let seed = START; seed < START + RUNS; seed++) {
      try {
        const r = await runScenario(seed);
        entries += r.entries;
        conflicts += r.conflicts;
      } catch (e) {
        console.error(`convergence fuzzer failed with seed ${seed} (rerun: FUZZ_SEED=${seed} FUZZ_RUNS=1)`);
        throw e;
      }
    }
    // The fuzzer must exercise real signing and real conflicts, or it proves nothing.
    expect(entries).toBeGreaterThan(RUNS * 2);
    expect(conflicts).toBeGreaterThan(0);
  }, 600_000);
});
