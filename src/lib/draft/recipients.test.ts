import { describe, expect, it } from "vitest";
import { blankRow, toRecipients } from "./recipients.ts";

describe("toRecipients", () => {
  it("drops blank rows, trims, and puts 正本 before 副本", () => {
    expect(
      toRecipients([
        { ...blankRow("copy"), name: " 本局學務管理科 ", agencyCode: "A-DEMO-EDU", kind: "unit", unitCode: "U-STU" },
        blankRow(),
        { ...blankRow(), name: "示範市立示範國民中學", agencyCode: " A-DEMO-JHS " },
        { ...blankRow("copy"), kind: "person", name: "王大明", agencyCode: "A-DEMO-EDU" },
      ]),
    ).toEqual([
      { delivery: "original", kind: "agency", name: "示範市立示範國民中學", agencyCode: "A-DEMO-JHS" },
      { delivery: "copy", kind: "unit", name: "本局學務管理科", agencyCode: "A-DEMO-EDU", unitCode: "U-STU" },
      { delivery: "copy", kind: "person", name: "王大明", agencyCode: "A-DEMO-EDU" },
    ]);
  });

  it("keeps a half-filled row, for the model to refuse with its reason", () => {
    expect(toRecipients([{ ...blankRow(), name: "某機關" }])).toEqual([{ delivery: "original", kind: "agency", name: "某機關", agencyCode: "" }]);
  });
});
