import { describe, expect, it } from "vitest";
import { decidersFor, reviewersFor } from "./pickers.ts";

const people = [
  { id: "chen", name: "陳承辦", unit: "U-STU", level: 1, active: true },
  { id: "li", name: "李登記", unit: "U-STU", level: 1, active: true },
  { id: "lin", name: "林科長", unit: "U-STU", level: 3, active: true },
  { id: "huang", name: "黃主任", unit: "U-PER", level: 3, active: true },
  { id: "wang", name: "王局長", unit: "U-HEAD", level: 5, active: true },
  { id: "hsu", name: "許稽催", unit: "U-SEC", level: 2, active: true },
  { id: "old", name: "退休科長", unit: "U-STU", level: 3, active: false },
];

describe("decidersFor (決行)", () => {
  it("lists only active people at the required level, the document's unit first", () => {
    expect(decidersFor(people, 3, "U-STU").map((p) => p.id)).toEqual(["lin", "huang", "wang"]);
    expect(decidersFor(people, 4, "U-STU").map((p) => p.id)).toEqual(["wang"]);
  });
});

describe("reviewersFor (核稿)", () => {
  it("lists higher offices than the drafter, the document's unit first; 顯示全部 adds the rest after them", () => {
    const drafter = { id: "chen", level: 1 };
    expect(reviewersFor(people, drafter, "U-STU").map((p) => p.id)).toEqual(["lin", "hsu", "huang", "wang"]);
    expect(reviewersFor(people, drafter, "U-STU", { taken: new Set(["lin"]) }).map((p) => p.id)).toEqual(["hsu", "huang", "wang"]);
    expect(reviewersFor(people, drafter, "U-STU", { all: true }).map((p) => p.id)).toEqual(["lin", "hsu", "huang", "wang", "li"]);
  });
});
