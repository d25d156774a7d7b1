// Attachment bytes on this device (the local store's `blobs` table) and their way to and from the
// agency server. Bytes are kept before the reference goes into the document, so an attachment made
// offline is never a dangling reference here; it is uploaded when the server answers, and only the
// bytes the server lacks are sent. What comes down is checked against its hash before it is kept.
import { fail, ok, type AttachmentRef, type Result } from "@countersign/crdt-model";
import type { LocalDb, BlobRow } from "$lib/local/db.ts";
import { checkFile, sha256Of } from "./files.ts";

/** The agency server's blob routes, as the app calls them (see transport.ts). */
export interface BlobTransport {
  /** Which of these hashes the server does not hold. */
  missing(sha256: readonly string[]): Promise<string[]>;
  put(sha256: string, bytes: Uint8Array): Promise<void>;
  /** The bytes, or null when the server does not hold them (yet). */
  get(sha256: string, mime: string): Promise<Uint8Array | null>;
}

/** Keeps bytes attached on this device, to be uploaded. Bytes already here keep their state. */
export async function keepAttached(db: LocalDb, sha256: string, data: Uint8Array, mime: string): Promise<void> {
  await db.transaction("rw", db.blobs, async () => {
    const old = await db.blobs.get(sha256);
    if (old) return;
    await db.blobs.put({ sha256, data, mime, size: data.byteLength, state: "pending", at: new Date().toISOString() });
  });
}

/**
 * Checks a file, hashes it and keeps its bytes here: the reference to put into a document, or the
 * reason (zh-TW) it may not be attached.
 */
export async function keepFile(db: LocalDb, file: File): Promise<Result<AttachmentRef>> {
  const c = checkFile({ name: file.name, size: file.size, type: file.type });
  if (!c.ok) return c;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await file.arrayBuffer());
  } catch {
    return fail("attach.unreadable", `無法讀取「${c.value.name}」：檔案可能已被移動或刪除。`);
  }
  const sha256 = await sha256Of(bytes);
  await keepAttached(db, sha256, bytes, c.value.mime);
  return ok({ sha256, name: c.value.name, size: bytes.byteLength, mime: c.value.mime });
}

export async function localBytes(db: LocalDb, sha256: string): Promise<BlobRow | undefined> {
  return db.blobs.get(sha256);
}

/** Hashes per "which do you lack" question (the server takes up to 10,000). */
export const MISSING_BATCH = 500;

export interface UploadReport {
  uploaded: number;
  /** Already on the server (sent by someone else, or by an earlier run cut short). */
  present: number;
}

/**
 * Uploads every pending attachment the server lacks, asking it first. Throws Unreachable/ApiError
 * as the transport does; what was done before a failure stays done (each row is marked on its own).
 */
export async function uploadPending(db: LocalDb, api: BlobTransport): Promise<UploadReport> {
  const report: UploadReport = { uploaded: 0, present: 0 };
  const hashes = (await db.blobs.where("state").equals("pending").primaryKeys()) as string[];
  // Asked about in batches well inside the server's limit per question; bytes read one at a time.
  for (let i = 0; i < hashes.length; i += MISSING_BATCH) {
    const batch = hashes.slice(i, i + MISSING_BATCH);
    const missing = new Set(await api.missing(batch));
    for (const sha256 of batch) {
      const row = await db.blobs.get(sha256);
      if (!row || row.state !== "pending") continue;
      if (missing.has(sha256)) {
        await api.put(sha256, row.data);
        report.uploaded++;
      } else report.present++;
      await db.blobs.update(sha256, { state: "uploaded" });
    }
  }
  return report;
}

export type Fetched = { kind: "bytes"; row: BlobRow } | { kind: "not-on-server" } | { kind: "refused"; reason: string };

/**
 * The bytes of an attachment: from this device, else downloaded, checked against the hash and kept.
 * Throws Unreachable when the server cannot be asked.
 */
export async function fetchAttachment(db: LocalDb, api: BlobTransport, ref: { sha256: string; mime: string }): Promise<Fetched> {
  const here = await db.blobs.get(ref.sha256);
  if (here) return { kind: "bytes", row: here };
  const data = await api.get(ref.sha256, ref.mime);
  if (data === null) return { kind: "not-on-server" };
  if ((await sha256Of(data)) !== ref.sha256) return { kind: "refused", reason: "伺服器傳回的內容與附件的雜湊值不符，已拒收。" };
  const row: BlobRow = { sha256: ref.sha256, data, mime: ref.mime, size: data.byteLength, state: "cached", at: new Date().toISOString() };
  await db.blobs.put(row);
  return { kind: "bytes", row };
}
