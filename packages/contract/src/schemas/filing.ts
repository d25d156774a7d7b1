// 發文 and 歸檔: the mail room's and the archives' routes (sync-server dispatch/routes.ts, archive/routes.ts).
import { z } from "zod";
import { docId, personId, unitId } from "../ids.ts";
import { indexRow } from "./docs.ts";

/** POST /api/dispatch/numbers: the document to number. */
export const reserveDispatchNumberRequest = z.object({ doc: docId }).strict();
/** 發文字號 (代字字第 + ROC year + 7-digit serial + 號), 發文日期 (YYYY-MM-DD, Taipei), and its parts. */
export const dispatchNumber = z.object({ number: z.string(), date: z.string(), year: z.number().int(), serial: z.number().int() });

/** 待發文, 待歸檔 and search results: index rows. */
export const filedDocs = z.object({ docs: z.array(indexRow) });

/** 檔案查詢: every field optional, all given ones must match. */
export const archiveSearchQuery = z.object({
  /** The 檔號, or its beginning (115-0101 finds every file of that class and year). */
  fileNumber: z.string().max(64).optional(),
  /** 年度: the ROC year the document was archived in, or the 年度號 of its 檔號. */
  year: z.coerce.number().int().min(1).max(999).optional(),
  /** A piece of the 主旨. */
  subject: z.string().max(200).optional(),
  /** The 文號 / 發文字號, or a piece of it. */
  docNumber: z.string().max(64).optional(),
  unit: unitId.optional(),
});

/** POST /api/archive/docs/:id/views: the 調閱 is recorded at `at`. */
export const viewRecorded = z.object({ ok: z.literal(true), at: z.string() });
/** One 調閱: who opened which archived document, when. */
export const archiveView = z.object({ doc: docId, person: personId, at: z.string() });
export const archiveViews = z.object({ views: z.array(archiveView) });
