import { describe, expect, it } from "vitest";
import { createSampleAgency } from "../src/sample/agency.ts";
import { buildDecidedSample } from "../src/sample/document.ts";
import { derive } from "../src/index.ts";

describe("sample flow", () => {
  it("a memo routed through review, a parallel countersign and a decision ends decided with every entry valid", async () => {
    const a = await createSampleAgency();
    const { doc, trust } = await buildDecidedSample(a);
    const s = await derive(doc, trust);
    for (const e of s.report.entries) expect(e.reason).toBeNull();
    expect(s.status).toBe("decided");
    expect(s.valid).toBe(true);
    expect(s.timeline.map((t) => t.action)).toEqual(["submit", "approve", "countersign", "countersign", "decide"]);
  });
});
