// Pure rules about attachment files: what may be attached (with a zh-TW reason when not), how a
// size reads, how a file is previewed, and its content address (SHA-256 through WebCrypto).
import { asSha256Hex, fail, ok, type Result, type Sha256Hex } from "@countersign/crdt-model";

/**
 * The largest file one attachment may be. Scans of a few dozen pages fit; the whole document file
 * (with every attachment) still travels between agencies in one envelope, and a phone keeps the bytes.
 */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;
/** The model keeps names up to 255 characters and media types up to 127. */
const MAX_NAME = 255;
const MAX_MIME = 127;

/** Lower-case hex SHA-256 of the bytes: the only name an attachment's bytes have. */
export async function sha256Of(bytes: Uint8Array): Promise<Sha256Hex> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  let hex = "";
  for (const b of digest) hex += b.toString(16).padStart(2, "0");
  return asSha256Hex(hex);
}

/** "512 B", "12.3 KB", "4.0 MB" (1 KB = 1,024 bytes, as file managers show them). */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "—";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const BY_EXTENSION: Record<string, string> = {
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  txt: "text/plain",
  odt: "application/vnd.oasis.opendocument.text",
  ods: "application/vnd.oasis.opendocument.spreadsheet",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  zip: "application/zip",
};

/** The media type the browser gave, or one guessed from the extension (phones often give none). */
export function mediaType(name: string, given: string): string {
  const clean = given.trim().toLowerCase();
  if (/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(clean) && clean.length <= MAX_MIME) return clean;
  const ext = name.toLowerCase().split(".").pop() ?? "";
  return BY_EXTENSION[ext] ?? "application/octet-stream";
}

/** A name the model accepts: at most 255 characters, the extension kept, never empty. */
export function attachmentName(name: string): string {
  const trimmed = name.replace(/[\u0000-\u001f\u007f]/g, "").trim() || "附件";
  const chars = [...trimmed];
  if (chars.length <= MAX_NAME) return trimmed;
  const dot = trimmed.lastIndexOf(".");
  const ext = dot > 0 && trimmed.length - dot <= 10 ? trimmed.slice(dot) : "";
  return chars.slice(0, MAX_NAME - [...ext].length).join("") + ext;
}

export interface FileFacts {
  name: string;
  size: number;
  type: string;
}

export interface Acceptable {
  name: string;
  mime: string;
  size: number;
}

/** Whether a file may be attached; the reason (zh-TW, one sentence) when not. */
export function checkFile(f: FileFacts, limit = MAX_ATTACHMENT_BYTES): Result<Acceptable> {
  const name = attachmentName(f.name);
  if (f.size === 0) return fail("attach.empty", `「${name}」是空白檔案（0 位元組），無法附加。`);
  if (f.size > limit)
    return fail("attach.too-large", `「${name}」有 ${formatSize(f.size)}，超過單一附件上限 ${formatSize(limit)}，無法附加；請降低掃描解析度或分割檔案後再附加。`);
  return ok({ name, mime: mediaType(f.name, f.type), size: f.size });
}

export type PreviewKind = "pdf" | "image" | "download";

/** PDFs in an embedded viewer, raster images inline; anything else (SVG, office files) is downloaded. */
export function previewKind(mime: string): PreviewKind {
  if (mime === "application/pdf") return "pdf";
  if (["image/png", "image/jpeg", "image/gif", "image/webp"].includes(mime)) return "image";
  return "download";
}
