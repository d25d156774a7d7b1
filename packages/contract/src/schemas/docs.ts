// Documents: the index listings, receipts and batch sync (sync-server http/docs-routes.ts, http/batch.ts).
import { z } from "zod";
import { docId, entryId, sha256Hex } from "../ids.ts";

/** One document as the server indexes it (crdt-model's IndexRow, sync-server's DocIndexRow). */
export const indexRow = z.object({
  doc: docId,
  kind: z.string(),
  subject: z.string(),
  status: z.string(),
  secrecy: z.string(),
  unit: z.string().nullable(),
  caseOfficer: z.string().nullable(),
  dueDate: z.string().nullable(),
  /** "person:ID", "unit:ID", "agency:CODE" named anywhere in the plan or chain. */
  participants: z.array(z.string()),
  /** Whom the document waits on now: "person:ID", "unit:ID", "agency:CODE", "role:ROLE". */
  holders: z.array(z.string()),
  updatedAt: z.string(),
  attachments: z.array(sha256Hex).optional(),
  /** 文號: the 發文字號 of its 發文, else the metadata's (issue 9; absent from older servers). */
  docNumber: z.string().nullable().optional(),
  /** 收文號. */
  receiptNumber: z.string().nullable().optional(),
  /** 檔號, once archived. */
  fileNumber: z.string().nullable().optional(),
  /** 保存年限: years, or "permanent" (永久). */
  retention: z.union([z.number().int(), z.literal("permanent")]).nullable().optional(),
  /** When the deciding, dispatching and archiving entries say they were signed (ISO 8601). */
  decidedAt: z.string().nullable().optional(),
  dispatchedAt: z.string().nullable().optional(),
  archivedAt: z.string().nullable().optional(),
});

/**
 * One page of a listing in document-id order: `?after=` continues from the previous page's `next`;
 * `?limit=` asks for fewer rows than the server's page size.
 */
export const pageQuery = z.object({
  after: z.string().max(128).optional(),
  /** A previous listing's `cursor`: only the rows changed since then, and `removed`. */
  since: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).optional(),
});
export const indexPage = z.object({
  docs: z.array(indexRow),
  /** Null on the last page: only then has the client read the whole listing. */
  next: z.string().nullable(),
  /**
   * What to send as `?since=` next time for only what changed after this listing (on every page; a
   * client keeps the first page's). Absent from servers before incremental listings.
   */
  cursor: z.string().optional(),
  /**
   * With `?since=`: documents changed since the cursor that have left this person's scope (the client
   * drops them). A listing without `since` lists the whole scope and says nothing of removals.
   */
  removed: z.array(docId).optional(),
});

export const docParams = z.object({ id: docId });

/** When this server first saw each chain entry, signed by the agency's receipt key. */
export const entryReceipt = z.object({ doc: docId, entry: entryId, receivedAt: z.string(), signature: z.string() });
export const receipts = z.object({ receipts: z.array(entryReceipt) });

/** The most documents one batch may push, and ask about. */
export const MAX_BATCH_DOCS = 2000;
const b64 = z
  .string()
  .max(16 * 1024 * 1024)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64");

/**
 * POST /api/sync, version 1: a device that was offline sends the state vectors of the documents it
 * holds and its pending updates for many documents at once, and gets back what it lacks.
 */
export const batchRequest = z
  .object({
    v: z.literal(1),
    push: z.array(z.object({ doc: docId, update: b64 }).strict()).max(MAX_BATCH_DOCS).default([]),
    /**
     * `seq`: the server's seq (an earlier answer's) up to which the device holds everything of the
     * document; when nothing newer is stored, the server answers nothing about it without reading
     * it. A state vector alone cannot say so: deletions leave it unchanged.
     */
    have: z
      .array(z.object({ doc: docId, sv: b64, seq: z.number().int().nonnegative().optional() }).strict())
      .max(MAX_BATCH_DOCS)
      .default([]),
  })
  .strict();

/** One pushed document's outcome: each is all or nothing; a refusal carries its code. */
export const batchPushed = z.union([
  z.object({ doc: docId, ok: z.literal(true) }),
  z.object({ doc: docId, ok: z.literal(false), code: z.string(), reason: z.string() }),
]);
export const batchResponse = z.object({
  v: z.literal(1),
  pushed: z.array(batchPushed),
  /**
   * What the client lacks, per document, as one Yjs update (base64), and the seq of the newest stored
   * update it brings the client up to (sent back as `have[].seq` once applied).
   */
  docs: z.array(z.object({ doc: docId, update: z.string(), seq: z.number().int().nonnegative().optional() })),
  /** Documents this person may not read or write (answered nothing else about). */
  denied: z.array(docId),
});
