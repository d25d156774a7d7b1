// Documents: the inbox and participation listings, receipts, and batch sync (contract tag "docs").
import type { Session } from "../identity/login.ts";
import { access } from "../relay/authz.ts";
import type { ApiContext } from "./context.ts";
import { principalOf } from "./context.ts";
import { HttpError } from "./json.ts";
import type { Router } from "./router.ts";
import { batchSync } from "./batch.ts";

/**
 * One page of a listing, in document-id order: `?after=<doc id>` continues from the previous page's
 * `next`, `?limit=` asks for fewer rows than the server's page size. `next` is null on the last page,
 * so a client knows when it has read the whole listing (and only then may conclude that a document
 * it did not see has left its scope). Rows this person may not see are filtered out after the page
 * is cut, so a page may hold fewer rows than the limit and still not be the last.
 */
async function listPage(ctx: ApiContext, q: { after?: string; limit?: number }, who: Session, filter: { holders?: string[]; participants?: string[] }) {
  const limit = Math.min(q.limit ?? ctx.limits.list, ctx.limits.list);
  const rows = await ctx.store.queryIndex({ ...filter, after: q.after ?? "", limit });
  const next = rows.length === limit ? rows.at(-1)!.doc : null;
  return { docs: rows.filter((r) => access(principalOf(who), r) !== "none"), next };
}

export function registerDocRoutes(r: Router, ctx: ApiContext): void {
  r.add("inbox", async ({ session: who, query }) => {
    const holders = [`person:${who.person}`, `unit:${who.unit}`, `agency:${who.agency}`, ...who.roles.map((role) => `role:${role}`)];
    return listPage(ctx, query, who, { holders });
  });

  r.add("docs", async ({ session: who, query }) =>
    listPage(ctx, query, who, { participants: [`person:${who.person}`, `unit:${who.unit}`, `agency:${who.agency}`] }),
  );

  r.add("receipts", async ({ session, params: { id } }) => {
    if (access(principalOf(session), await ctx.store.getIndex(id)) === "none") throw new HttpError(404, "http.not-found", "There is no such document for you.");
    return { receipts: await ctx.store.receipts(id) };
  });

  r.add("sync", async ({ session, body }) => batchSync(ctx.rooms, ctx.store, principalOf(session), body));
}
