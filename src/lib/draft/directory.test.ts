// Reading the directory's lists defensively: entries of an unexpected shape are skipped, and the
// exchange peers are read whatever list shape that endpoint settles on.
import { describe, expect, it } from "vitest";
import { readAgencies, readDeputies, readPeople, readUnits } from "./directory.ts";

describe("reading the directory", () => {
  it("keeps well-formed people, with active defaulting to true, and skips the rest", () => {
    const people = readPeople([
      { id: "lin", name: "林科長", unit: "U-STU", level: 3, roles: ["supervisor"] },
      { id: "gone", name: "舊同仁", unit: "U-STU", level: 1, roles: [], active: false },
      { id: "x", name: "無層級", unit: "U-STU" },
      null,
    ]);
    expect(people).toEqual([
      { id: "lin", name: "林科長", unit: "U-STU", level: 3, roles: ["supervisor"], active: true },
      { id: "gone", name: "舊同仁", unit: "U-STU", level: 1, roles: [], active: false },
    ]);
    expect(readPeople({ people: [] })).toEqual([]);
  });

  it("reads units and deputies, skipping malformed ones", () => {
    expect(readUnits([{ id: "U-PER", name: "人事室", parent: "root" }, { id: "U-X" }])).toEqual([{ id: "U-PER", name: "人事室", parent: "root" }]);
    expect(readDeputies([{ principal: "wang", deputy: "lin", from: "2026-11-20", until: "2026-11-30" }, { principal: "wang" }])).toEqual([
      { principal: "wang", deputy: "lin", from: "2026-11-20", until: "2026-11-30" },
    ]);
  });

  it("reads exchange peers as a bare list or wrapped in an object, by code or agency, once each", () => {
    expect(readAgencies([{ code: "A-1", name: "甲機關" }, { agency: "A-2" }, { code: "A-1" }])).toEqual([
      { code: "A-1", name: "甲機關" },
      { code: "A-2", name: "A-2" },
    ]);
    const served = { agency: { code: "A-DEMO-EDU", name: "示範市政府教育局" }, peers: [{ code: "A-3", name: "丙機關", fingerprint: "ab", url: "https://x" }] };
    expect(readAgencies(served)).toEqual([{ code: "A-3", name: "丙機關" }]);
    expect(readAgencies("nonsense")).toEqual([]);
  });
});
