import { describe, expect, it } from "vitest";
import { routePath } from "./client.ts";
import { dispositionName, searchFields } from "./filing.ts";

describe("檔案查詢's query string", () => {
  const path = (q: Parameters<typeof searchFields>[0]) => routePath("archiveSearch", { query: searchFields(q) });
  it("sends the fields filled in, trimmed, and leaves the empty ones out", () => {
    expect(path({})).toBe("/api/archive/search");
    expect(path({ fileNumber: " 115-0101-000001-001-00001 ", year: "", subject: "研習", docNumber: undefined, unit: "U-STU" })).toBe(
      "/api/archive/search?fileNumber=115-0101-000001-001-00001&subject=%E7%A0%94%E7%BF%92&unit=U-STU",
    );
    expect(path({ year: "115" })).toBe("/api/archive/search?year=115");
  });

  it("fills a route's :id with the document id, escaped", () => {
    expect(routePath("recordArchiveView", { params: { id: "doc-1" } })).toBe("/api/archive/docs/doc-1/views");
    expect(routePath("dispatchFiles", { params: { id: "a b" } })).toBe("/api/dispatch/a%20b/files");
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
