import { describe, expect, it } from "vitest";
import { asAgencyCode, asPersonId, asUnitId } from "@countersign/crdt-model";
import { describeHolder } from "./actions.ts";

// What a person may do is the model's availableActions, tested there (packages/crdt-model/src/workflow/offers.test.ts
// and tests/offers.property.test.ts against the rules); here only how holders read.
const names = { chen: "陳承辦" };
const units = { "U-PER": "人事室" };

describe("describeHolder", () => {
  it("names a person seen signing, else shows the id", () => {
    expect(describeHolder({ kind: "person", person: asPersonId("chen") }, names, units)).toBe("陳承辦");
    expect(describeHolder({ kind: "person", person: asPersonId("lin") }, names, units)).toBe("lin");
  });

  it("names a unit, an agency's unit, an agency and a role (收發文, 檔案管理)", () => {
    expect(describeHolder({ kind: "unit", unit: asUnitId("U-PER") }, names, units)).toBe("人事室");
    expect(describeHolder({ kind: "agency", agency: asAgencyCode("A-OTHER"), unit: asUnitId("U-PER") }, names, units)).toBe("人事室");
    expect(describeHolder({ kind: "agency", agency: asAgencyCode("A-OTHER") }, names, units)).toBe("A-OTHER");
    expect(describeHolder({ kind: "agency", agency: asAgencyCode("A-OTHER") }, names, { ...units, "A-OTHER": "他市教育局" })).toBe("他市教育局");
    expect(describeHolder({ kind: "role", role: "mail-room", agency: asAgencyCode("A-DEMO-EDU") }, names, units)).toBe("收發文");
    expect(describeHolder({ kind: "role", role: "archives", agency: asAgencyCode("A-DEMO-EDU") }, names, units)).toBe("檔案管理");
  });
});
