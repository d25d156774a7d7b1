// Documents: the inbox and participation listings, receipts, and batch sync (contract tag "docs").
import type { Session } from "../identity/login.ts";
import { access } from "../relay/authz.ts";
import type { ApiContext } from "./context.ts";
import { principalOf } from "./context.ts";
import { HttpError } from "./json.ts";
import type { Router } from "./router.ts";
import { batchSync } from "./batch.ts";

/**
 * How far back a cursor reaches before the listing it came from: an index row is stamped when it is
 * computed and may be written a little later (主旨 edits are written once typing pauses, a batch's
 * rows after its commit), so a row stamped just before a listing may land just after it. Rows seen
 * twice cost the client nothing (it skips rows that did not change).
 */
export const CURSOR_MARGIN_MS = 5 * 60_000;

/** The two listings' filters: who holds a document (the inbox) and who takes part (docs). */
function scopeKeys(who: Session) {
  return {
    holders: [`person:${who.person}`, `unit:${who.unit}`, `agency:${who.agency}`, ...who.roles.map((role) => `role:${role}`)],
    participants: [`person:${who.person}`, `unit:${who.unit}`, `agency:${who.agency}`],
  };
}

/**
 * One page of a listing, in document-id order: `?after=<doc id>` continues from the previous page's
 * `next`, `?limit=` asks for fewer rows than the server's page size. `next` is null on the last page,
 * so a client knows when it has read the whole listing (and only then may conclude that a document
 * it did not see has left its scope). Rows this person may not see are filtered out after the page
 * is cut, so a page may hold fewer rows than the limit and still not be the last.
 *
 * `?since=<cursor>` (a previous listing's `cursor`): only the rows indexed since then, and in
 * `removed` those of them that have left this person's scope (neither listing shows them now).
 */
async function listPage(ctx: ApiContext, q: { after?: string; limit?: number; since?: string }, who: Session, filter: { holders?: string[]; participants?: string[] }) {
  const cursor = new Date(Date.now() - CURSOR_MARGIN_MS).toISOString();
  const limit = Math.min(q.limit ?? ctx.limits.list, ctx.limits.list);
  if (q.since === undefined) {
    const rows = await ctx.store.queryIndex({ ...filter, after: q.after ?? "", limit });
    const next = rows.length === limit ? rows.at(-1)!.doc : null;
    return { docs: rows.filter((r) => access(principalOf(who), r) !== "none"), next, cursor };
  }
  const rows = await ctx.store.queryIndex({ changedSince: q.since, after: q.after ?? "", limit });
  const next = rows.length === limit ? rows.at(-1)!.doc : null;
  const keys = scopeKeys(who);
  const me = principalOf(who);
  const hits = (have: readonly string[], want: readonly string[] | undefined) => want !== undefined && have.some((k) => want.includes(k));
  const docs: typeof rows = [];
  const removed: string[] = [];
  for (const r of rows) {
    const visible = access(me, r) !== "none";
    if (visible && (hits(r.holders, filter.holders) || hits(r.participants, filter.participants))) docs.push(r);
    else if (!visible || !(hits(r.holders, keys.holders) || hits(r.participants, keys.participants))) removed.push(r.doc);
  }
  return { docs, next, cursor, removed };
}

export function registerDocRoutes(r: Router, ctx: ApiContext): void {
  r.add("inbox", async ({ session: who, query }) => listPage(ctx, query, who, { holders: scopeKeys(who).holders }));

  r.add("docs", async ({ session: who, query }) => listPage(ctx, query, who, { participants: scopeKeys(who).participants }));

  r.add("receipts", async ({ session, params: { id } }) => {
    if (access(principalOf(session), await ctx.store.getIndex(id)) === "none") throw new HttpError(404, "http.not-found", "There is no such document for you.");
    return { receipts: await ctx.store.receipts(id) };
  });

  r.add("sync", async ({ session, body }) => batchSync(ctx.rooms, ctx.store, principalOf(session), body));
}
