// The app's side of the mail room's and the archives' routes (sync-server/src/dispatch/ and
// sync-server/src/archive/): 待發文, the paper dispatch files, 待歸檔, 檔案查詢 and 調閱. JSON calls go
// through the identity's token-refreshing `api` (callApi parses each answer with its route's schema
// from the contract); the ZIP of paper dispatch files comes down as raw bytes.
import type { Answer } from "@countersign/contract";
import { Unreachable, apiErrorOf, routePath, type AuthedCall } from "$lib/api/client.ts";
import type { ServerIndexRow } from "$lib/api/types.ts";

/**
 * An index row as the contract gives it once a document is decided and filed: 發文字號 / 文號, 檔號,
 * 保存年限 and the dates, each optional (an older server's row still reads).
 */
export type FiledRow = ServerIndexRow;

/** One 調閱: who opened which archived document, when. */
export type ViewRecord = Answer<"archiveViews">["views"][number];

/** 檔案查詢's fields; empty ones are left out of the query. */
export interface ArchiveQuery {
  fileNumber?: string;
  year?: string;
  subject?: string;
  docNumber?: string;
  unit?: string;
}

const FIELDS = ["fileNumber", "year", "subject", "docNumber", "unit"] as const;

/** The search's query fields, trimmed, without the empty ones. */
export function searchFields(q: ArchiveQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of FIELDS) {
    const v = q[k]?.trim();
    if (v) out[k] = v;
  }
  return out;
}

/** Every row of GET /api/docs (the documents I take part in), page by page; throws if a page fails. */
async function allDocs(call: AuthedCall): Promise<FiledRow[]> {
  const out: FiledRow[] = [];
  const seen = new Set<string>();
  let after: string | null = "";
  while (after !== null) {
    const page: Answer<"docs"> = await call<Answer<"docs">>(routePath("docs", { query: { after: after || undefined } }));
    out.push(...page.docs);
    const next: string | null = page.next;
    if (next !== null && seen.has(next)) throw new Error("The server's listing /api/docs repeated a page.");
    if (next !== null) seen.add(next);
    after = next;
  }
  return out;
}

export const filingApi = {
  /** The documents I take part in, with their 發文字號 and dates (the 已發文 list reads it). */
  allDocs,
  /** 待發文 (mail room only). */
  dispatchQueue: (call: AuthedCall) => call<Answer<"dispatchQueue">>(routePath("dispatchQueue")),
  /** 待歸檔 (archives only). */
  archiveQueue: (call: AuthedCall) => call<Answer<"archiveQueue">>(routePath("archiveQueue")),
  /** 檔案查詢: archived documents (archives only). */
  archiveSearch: (call: AuthedCall, q: ArchiveQuery) => call<Answer<"archiveSearch">>(routePath("archiveSearch", { query: searchFields(q) })),
  /** Records a 調閱 before the document is opened (archives only); the relay then lets me read it. */
  recordView: (call: AuthedCall, doc: string) => call<Answer<"recordArchiveView">>(routePath("recordArchiveView", { params: { id: doc } }), { method: "POST" }),
  /** 調閱紀錄 (archives and admin). */
  views: (call: AuthedCall) => call<Answer<"archiveViews">>(routePath("archiveViews")),
};

/** The file name a Content-Disposition header gives (RFC 6266 `filename*` first), else null. */
export function dispositionName(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // a malformed escape: fall back to the plain name
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header);
  return plain?.[1]?.trim() || null;
}

/**
 * The ZIP of DI + SW files for dispatching a document on paper (GET /api/dispatch/:id/files, mail
 * room only), with the name the server gives it. A refusal is an ApiError with its code.
 */
export async function fetchDispatchFiles(token: string, doc: string): Promise<{ blob: Blob; name: string }> {
  let res: Response;
  try {
    res = await fetch(routePath("dispatchFiles", { params: { id: doc } }), { headers: { authorization: `Bearer ${token}` }, cache: "no-store", signal: AbortSignal.timeout(120_000) });
  } catch {
    throw new Unreachable();
  }
  if (!res.ok) {
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      // not JSON: the status says enough
    }
    throw apiErrorOf(res.status, body);
  }
  try {
    return { blob: await res.blob(), name: dispositionName(res.headers.get("content-disposition")) ?? `${doc}-dispatch.zip` };
  } catch {
    throw new Unreachable("The download was cut off.");
  }
}

