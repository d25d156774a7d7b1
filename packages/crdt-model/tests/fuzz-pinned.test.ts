import { describe, expect, it } from "vitest";
import { runScenario } from "./fuzz/scenario.ts";

// Seeds of the convergence fuzzer pinned with what they exercise: the scenario is deterministic
// (fixed keys, RFC 6979 signatures, fixed Yjs client ids), so each replays exactly. A seed that ever
// fails in the fuzzer is added here under a name saying what went wrong.
describe("pinned fuzzer seeds", () => {
  it("seed 39: a decision and a concurrent return — the decision stands on every replica", async () => {
    const r = await runScenario(39);
    expect(r.kinds).toContain("decide>return:conflict");
    expect(r.status).toBe("decided");
  });

  it("seed 88: two different decisions — one stands, the other is a conflict", async () => {
    const r = await runScenario(88);
    expect(r.kinds).toContain("decide>decide:conflict");
    expect(r.status).toBe("decided");
  });

  it("seed 112: the same decision signed twice is redundant, not a conflict", async () => {
    const r = await runScenario(112);
    expect(r.kinds).toContain("decide>decide:redundant");
  });

  it("seed 200: a return concurrent with a countersign wins, and the decision built on the countersign loses with it", async () => {
    const r = await runScenario(200);
    expect(r.kinds).toEqual(["return>countersign:conflict", "return>countersign:conflict", "return>decide:conflict"]);
    expect(r.resolved).toBe(3);
    expect(r.status).toBe("in-review");
  });

  it("seed 14: switching to paper wins over a concurrent resubmission", async () => {
    const r = await runScenario(14);
    expect(r.kinds).toContain("switch-to-paper>submit:conflict");
    expect(r.status).toBe("on-paper");
  });
});
