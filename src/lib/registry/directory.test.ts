import { describe, expect, it } from "vitest";
import { readDirectory } from "./directory.ts";

describe("the directory as the registry desk reads it", () => {
  it("people and units of the expected shape are kept; anything else is skipped, never trusted", () => {
    const d = readDirectory(
      [
        { id: "chen", name: "陳承辦", unit: "U-STU", level: 1, roles: ["case-officer", 7], active: true },
        { id: "old", name: "離職者", unit: "U-STU", roles: [], active: false },
        { id: "", name: "無名", unit: "U-STU" },
        null,
        "chen",
      ],
      [{ id: "U-STU", name: "學務管理科", parent: "root" }, { id: 3 }],
    );
    expect(d.people).toEqual([
      { id: "chen", name: "陳承辦", unit: "U-STU", roles: ["case-officer"], active: true },
      { id: "old", name: "離職者", unit: "U-STU", roles: [], active: false },
    ]);
    expect(d.units).toEqual([{ id: "U-STU", name: "學務管理科" }]);
    expect(readDirectory({ people: [] }, "units")).toEqual({ people: [], units: [] });
  });
});
