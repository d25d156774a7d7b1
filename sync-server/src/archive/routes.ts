// The archives' routes (檔案室), contract tag "archive":
//   GET  /api/archive/queue            待歸檔: dispatched, filed (存查) and recorded paper documents held by role:archives
//   GET  /api/archive/search           檔案查詢: archived documents by 檔號, 年度, 主旨, 文號, unit
//   POST /api/archive/docs/:id/views   records a 調閱 (views.ts): the archives person may then read it
//   GET  /api/archive/views            調閱紀錄, newest first (archives and administrators)
// Only the archives role calls them (`archive.forbidden` otherwise); the 調閱 record also the
// administrators. A classified (密) archived document is never opened through 調閱 (relay/authz.ts):
// to anyone not named in it, search does not list it and its 調閱 answers 404, as if it did not exist.
import { awaitsArchive } from "@countersign/crdt-model";
import type { Session } from "../identity/session.ts";
import type { ApiContext } from "../http/context.ts";
import { principalOf } from "../http/context.ts";
import { HttpError } from "../http/json.ts";
import type { Router } from "../http/router.ts";
import { access } from "../relay/authz.ts";
import type { IndexSearch } from "../storage/types.ts";
import { recordView } from "./views.ts";

/**
 * 檔號 from its beginning, 年度 the ROC year it was archived in or the 年度號 of its 檔號, 主旨 and 文號
 * anywhere in them, the unit exactly (the store's searchIndex); blank fields are left out.
 */
function trimmed(q: Omit<IndexSearch, "status" | "limit">): Omit<IndexSearch, "status" | "limit"> {
  const text = (s: string | undefined) => (s?.trim() ? s.trim() : undefined);
  return { fileNumber: text(q.fileNumber), year: q.year, subject: text(q.subject), docNumber: text(q.docNumber), unit: q.unit };
}

/** The most rows a queue or a search reads from the index (then filtered here). */
const READ_LIMIT = 20_000;
/** The most rows a search or the 調閱 record answers. */
const ANSWER_LIMIT = 500;

function archivesOnly(s: Session, alsoAdmin = false): Session {
  if (!s.roles.includes("archives") && !(alsoAdmin && s.roles.includes("admin")))
    throw new HttpError(403, "archive.forbidden", alsoAdmin ? "Only the archives (檔案室) and administrators may do this." : "Only the archives (檔案室) may do this.");
  return s;
}

export function registerArchiveRoutes(r: Router, ctx: ApiContext): void {
  r.add("archiveQueue", async ({ session }) => {
    const s = archivesOnly(session);
    const rows = await ctx.store.queryIndex({ holders: ["role:archives"], limit: READ_LIMIT });
    return { docs: rows.filter((row) => awaitsArchive(row) && access(principalOf(s), row) === "edit") };
  });

  r.add("archiveSearch", async ({ session, query }) => {
    const s = archivesOnly(session);
    const who = principalOf(s);
    const rows = await ctx.store.searchIndex({ status: ["archived"], ...trimmed(query), limit: READ_LIMIT });
    const found = rows.filter((row) => {
      const a = access(who, row);
      return a === "read" || a === "edit";
    });
    return { docs: found.slice(0, ANSWER_LIMIT) };
  });

  r.add("recordArchiveView", async ({ session, params: { id } }) => {
    const s = archivesOnly(session);
    const row = await ctx.store.getIndex(id);
    const a = access(principalOf(s), row);
    // A classified document is "none" to whoever is not named in it: as if it did not exist.
    if (!row || a === "none" || a === "create") throw new HttpError(404, "http.not-found", "There is no such document for you.");
    if (row.status !== "archived") throw new HttpError(409, "archive.not-archived", `Document ${id} is not archived; 調閱 is for archived documents.`);
    const v = await recordView(ctx.store, id, s.person, new Date());
    return { ok: true as const, at: v.at };
  });

  r.add("archiveViews", async ({ session }) => {
    archivesOnly(session, true);
    const views = await ctx.store.views({ limit: ANSWER_LIMIT });
    return { views: views.map((v) => ({ doc: v.doc, person: v.person, at: v.at })) };
  });
}
