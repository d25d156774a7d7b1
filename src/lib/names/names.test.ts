import { describe, expect, it } from "vitest";
import { agencyName, nameBook, personName, signerPlace } from "./names.ts";

const book = nameBook(
  {
    people: [{ id: "lin", name: "林組長", unit: "U-STU", level: 2, roles: [], active: true }],
    units: [{ id: "U-STU", name: "學生事務科", parent: null }],
    agencies: [
      { code: "B-KH-EDU", name: "高雄市政府教育局" },
      { code: "C-NONAME", name: "C-NONAME" },
    ],
  },
  { "U-PER": "人事室" },
  { code: "A-DEMO-EDU", name: "示範市政府教育局" },
);

describe("nameBook", () => {
  it("names people, units (directory and synced) and agencies (ours and the trust list's)", () => {
    expect(personName(book, "lin", "?")).toBe("林組長");
    expect(personName(book, "nobody", "某人")).toBe("某人");
    expect(book.units).toEqual({ "U-STU": "學生事務科", "U-PER": "人事室" });
    expect(agencyName(book, "A-DEMO-EDU", "?")).toBe("示範市政府教育局");
    expect(agencyName(book, "B-KH-EDU", "?")).toBe("高雄市政府教育局");
    expect(agencyName(book, "C-NONAME", "其他機關")).toBe("其他機關");
  });

  it("a signer of another agency is placed by agency, never by our unit of the same id", () => {
    expect(signerPlace(book, { agency: "A-DEMO-EDU", unit: "U-STU" }, "A-DEMO-EDU")).toBe("學生事務科");
    expect(signerPlace(book, { agency: "B-KH-EDU", unit: "U-STU" }, "A-DEMO-EDU")).toBe("高雄市政府教育局");
    expect(signerPlace(book, { agency: "B-KH-EDU", unit: "U-TRAIN" }, "A-DEMO-EDU")).toBe("高雄市政府教育局");
    expect(signerPlace(book, { agency: "D-X", unit: "U-TRAIN" }, "A-DEMO-EDU")).toBe("");
  });
});
