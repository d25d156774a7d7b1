// The mail room's routes (收發文), contract tag "dispatch":
//   POST /api/dispatch/numbers      reserves the 發文字號 of a letter waiting for dispatch (numbers.ts)
//   GET  /api/dispatch/queue        待發文: decided letters held by role:mail-room
//   GET  /api/dispatch/:id/files    the DI + SW files of a letter, addressed to its recipients, as a ZIP
// Only people with the mail-room role call them (`dispatch.forbidden` otherwise), and only for
// documents the relay would let them open (relay/authz.ts): what waits on the mail room, and what
// its people dispatched.
import { zipSync } from "fflate";
import { awaitsDispatch, derive, exportDiContent, exportSw, type DocId, type Recipient } from "@countersign/crdt-model";
import type { Session } from "../identity/session.ts";
import type { ApiContext } from "../http/context.ts";
import { principalOf } from "../http/context.ts";
import { HttpError } from "../http/json.ts";
import { Reply, type Router } from "../http/router.ts";
import { access } from "../relay/authz.ts";
import { currentDoc } from "../exchange/docs.ts";
import { taipeiDate } from "../http/taipei.ts";
import { validateXml } from "../exchange/dtd.ts";
import { dispatchPrefix, reserveDispatchNumber, reservedFor } from "./numbers.ts";

/** The most rows a queue answers (the index is read by holder, then filtered). */
const QUEUE_LIMIT = 20_000;

function mailRoomOnly(s: Session): Session {
  if (!s.roles.includes("mail-room")) throw new HttpError(403, "dispatch.forbidden", "Only the mail room (收發文) may do this.");
  return s;
}

/** The document's row, for someone who may open it; 404 (as if it did not exist) for anyone else. */
async function openable(ctx: ApiContext, s: Session, doc: DocId) {
  const row = await ctx.store.getIndex(doc);
  if (!row || access(principalOf(s), row) !== "edit") throw new HttpError(404, "http.not-found", "There is no such document for you.");
  return row;
}

export function registerDispatchRoutes(r: Router, ctx: ApiContext): void {
  r.add("reserveDispatchNumber", async ({ session, body }) => {
    const s = mailRoomOnly(session);
    const row = await openable(ctx, s, body.doc);
    if (!awaitsDispatch(row) || !row.holders.includes("role:mail-room"))
      throw new HttpError(409, "dispatch.not-waiting", `Document ${body.doc} is not a decided letter waiting for the mail room; only such a letter gets a 發文字號.`);
    const reserved = await reserveDispatchNumber(ctx.store, { prefix: await dispatchPrefix(ctx.store), doc: body.doc, now: new Date() });
    if (!reserved.ok) throw HttpError.of(409, reserved);
    const { number, date, year, serial } = reserved.value;
    return { number, date, year, serial };
  });

  r.add("dispatchQueue", async ({ session }) => {
    const s = mailRoomOnly(session);
    const rows = await ctx.store.queryIndex({ holders: ["role:mail-room"], status: ["decided"], limit: QUEUE_LIMIT });
    return { docs: rows.filter((row) => awaitsDispatch(row) && access(principalOf(s), row) === "edit") };
  });

  r.add("dispatchFiles", async ({ session, params: { id } }) => {
    const s = mailRoomOnly(session);
    const row = await openable(ctx, s, id);
    if (!awaitsDispatch(row) && row.status !== "dispatched")
      throw new HttpError(409, "dispatch.not-waiting", `Document ${id} is neither a decided letter waiting for dispatch nor dispatched; it has no dispatch files.`);
    const files = await dispatchFiles(ctx, id);
    return Reply.file(files, "application/zip", { name: `${id}-dispatch.zip` });
  });
}

/**
 * The DI and SW of a letter for paper dispatch, in one ZIP: the DI carries the 發文字號 and 發文日期 of
 * its 發文 entry (or, before it, the number reserved for it and today's date), and is addressed to
 * the recipients its signed metadata names; both are checked against the official DTDs first.
 */
async function dispatchFiles(ctx: ApiContext, id: DocId): Promise<Uint8Array> {
  const doc = await currentDoc(ctx.store, ctx.rooms, id);
  if (!doc) throw new HttpError(404, "http.not-found", "There is no such document for you.");
  const content = doc.content();
  if (!content.ok) throw HttpError.of(409, content);
  const recipients: Recipient[] = content.value.metadata.recipients ?? [];
  if (recipients.length === 0) throw new HttpError(409, "dispatch.no-recipients", `Document ${id} names no recipients (受文者, 正本, 副本); its dispatch files cannot be addressed.`);
  const state = await derive(doc, await ctx.trust.get());
  const reserved = state.dispatch ? undefined : await reservedFor(ctx.store, id);
  const number = state.dispatch?.number ?? reserved?.number ?? content.value.metadata.docNumber;
  const date = state.dispatch?.date ?? taipeiDate(new Date());
  const numbered = { ...content.value, metadata: { ...content.value.metadata, docNumber: number } };
  const di = exportDiContent(numbered, { agencyName: ctx.agency.name, recipients, date });
  if (!di.ok) throw HttpError.of(409, di);
  const sw = exportSw(recipients);
  if (!sw.ok) throw HttpError.of(409, sw);
  const diBytes = new TextEncoder().encode(di.value.xml);
  const swBytes = new TextEncoder().encode(sw.value.xml);
  for (const [kind, bytes] of [["DI", diBytes], ["SW", swBytes]] as const) {
    const checked = validateXml(kind, bytes, id);
    if (!checked.ok) throw HttpError.of(409, checked);
  }
  const base = (number ?? id).replace(/[^\p{L}\p{N}_-]/gu, "_");
  const files: Record<string, Uint8Array> = { [`${base}.di`]: diBytes };
  files[di.value.rosterFile ?? `${base}.sw`] = swBytes;
  return zipSync(files, { level: 6 });
}
