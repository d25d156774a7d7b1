import { beforeAll, describe, expect, it } from "vitest";
import { createSampleExchange, sampleOutgoing, type SampleExchange, type SampleOutgoing } from "../src/envelope/sample.ts";
import { verify, VerifyCache } from "../src/workflow/verify.ts";

let x: SampleExchange;
let one: SampleOutgoing;
let two: SampleOutgoing;

beforeAll(async () => {
  x = await createSampleExchange();
  [one, two] = [await sampleOutgoing(x), await sampleOutgoing(x)];
});

describe("VerifyCache bounds", () => {
  it("a cache within its bounds keeps what it learned from every document", async () => {
    const cache = new VerifyCache();
    await verify(one.doc, x.trustAtA, { cache });
    await verify(two.doc, x.trustAtA, { cache });
    expect(cache.entries.size).toBe(one.doc.rawEntries().size + two.doc.rawEntries().size);
    expect(cache.signatures.size).toBe(cache.entries.size);
  });

  it("a cache past its character bound starts over instead of growing, and verification gives the same answer", async () => {
    const bounded = new VerifyCache(50_000, 1_000);
    const first = await verify(one.doc, x.trustAtA, { cache: bounded });
    const second = await verify(two.doc, x.trustAtA, { cache: bounded });
    expect(bounded.entries.size).toBe(two.doc.rawEntries().size);
    expect(bounded.signatures.size).toBe(two.doc.rawEntries().size);
    const fresh = await verify(two.doc, x.trustAtA);
    expect(second.entries).toEqual(fresh.entries);
    expect(first.entries.every((e) => e.valid) && second.entries.every((e) => e.valid)).toBe(true);
  });
});
