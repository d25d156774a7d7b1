import { describe, expect, it } from "vitest";
import { dispositionName, searchQuery } from "./filing.ts";

describe("檔案查詢's query string", () => {
  it("sends the fields filled in, trimmed, and leaves the empty ones out", () => {
    expect(searchQuery({})).toBe("");
    expect(searchQuery({ fileNumber: " 115-0101-000001-001-00001 ", year: "", subject: "研習", docNumber: undefined, unit: "U-STU" })).toBe(
      "?fileNumber=115-0101-000001-001-00001&subject=%E7%A0%94%E7%BF%92&unit=U-STU",
    );
    expect(searchQuery({ year: "115" })).toBe("?year=115");
  });
});

describe("the paper dispatch files' name", () => {
  it("reads RFC 6266's filename* first, then the plain filename", () => {
    expect(dispositionName(`attachment; filename="a.zip"; filename*=UTF-8''%E7%99%BC%E6%96%87.zip`)).toBe("發文.zip");
    expect(dispositionName('attachment; filename="doc-1-dispatch.zip"')).toBe("doc-1-dispatch.zip");
    expect(dispositionName(null)).toBeNull();
    expect(dispositionName("attachment")).toBeNull();
  });
});
