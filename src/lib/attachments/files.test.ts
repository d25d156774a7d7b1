import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { MAX_ATTACHMENT_BYTES, attachmentName, checkFile, formatSize, mediaType, previewKind, sha256Of } from "./files.ts";

describe("attachment files", () => {
  it("an attachment is named by the SHA-256 of its bytes, as openssl or any tool computes it", async () => {
    const bytes = new TextEncoder().encode("公文附件 %PDF-1.4");
    expect(await sha256Of(bytes)).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(await sha256Of(new Uint8Array(0))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("sizes read in B, KB and MB with one decimal", () => {
    expect(formatSize(0)).toBe("0 B");
    expect(formatSize(1023)).toBe("1023 B");
    expect(formatSize(1536)).toBe("1.5 KB");
    expect(formatSize(5 * 1024 * 1024)).toBe("5.0 MB");
    expect(formatSize(-1)).toBe("—");
  });

  it("a file over the limit is refused with its size and the limit in zh-TW", () => {
    const r = checkFile({ name: "掃描.pdf", size: MAX_ATTACHMENT_BYTES + 1, type: "application/pdf" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe("「掃描.pdf」有 20.0 MB，超過單一附件上限 20.0 MB，無法附加；請降低掃描解析度或分割檔案後再附加。");
    expect(checkFile({ name: "a.pdf", size: MAX_ATTACHMENT_BYTES, type: "application/pdf" }).ok).toBe(true);
  });

  it("an empty file is refused: it cannot be a scan of anything", () => {
    const r = checkFile({ name: "空白.png", size: 0, type: "image/png" });
    expect(r.ok ? "" : r.reason).toContain("空白檔案");
  });

  it("a file without a media type gets one from its extension, else application/octet-stream", () => {
    expect(mediaType("IMG_0001.JPG", "")).toBe("image/jpeg");
    expect(mediaType("scan.pdf", "")).toBe("application/pdf");
    expect(mediaType("x.weird", "")).toBe("application/octet-stream");
    expect(mediaType("x.png", "Image/PNG")).toBe("image/png");
    expect(mediaType("x.png", "not a type")).toBe("image/png");
  });

  it("a long name is shortened to 255 characters keeping its extension; an empty one becomes 附件", () => {
    const long = "公".repeat(300) + ".pdf";
    const n = attachmentName(long);
    expect([...n].length).toBe(255);
    expect(n.endsWith(".pdf")).toBe(true);
    expect(attachmentName("  \u0007 ")).toBe("附件");
  });

  it("PDFs preview in a viewer, raster images inline, everything else (SVG included) is downloaded", () => {
    expect(previewKind("application/pdf")).toBe("pdf");
    expect(previewKind("image/png")).toBe("image");
    expect(previewKind("image/jpeg")).toBe("image");
    expect(previewKind("image/svg+xml")).toBe("download");
    expect(previewKind("application/zip")).toBe("download");
  });
});
