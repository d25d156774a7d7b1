// The app's exchange API (公文交換), every route with a login token. Who may do what:
// - sending (exporting) a document, or downloading an envelope that carries it, follows document
//   access (relay/authz.ts `access`): an envelope is the whole document, so only someone the relay
//   lets open it may send it — its case officer (承辦人), the officer an incoming document was
//   assigned to (so the officer of the other agency can send the reply), or a desk role with access
//   (the registry desk of its unit). The mail room (收發文) may also send a decided document waiting
//   for it (發文: held by role:mail-room in the derived state), and nothing else; the administrator,
//   who sees metadata only, sends nothing;
// - the "desk" roles — registry (登記桌), mail-room (收發文) and admin — upload (import) envelope
//   files and see the whole outbox and log; only the registry desk assigns (分文); anyone else sees
//   the log of documents they handle and the incoming documents assigned to them;
// - the peers list (code, name, fingerprint, address, CA certificate, delegation table: public
//   facts) is for everyone logged in; the app verifies other agencies' signatures with it.
import { z } from "zod";
import { asAgencyCode, asDocId, asEnvelopeId, asPersonId, derive, PURPOSES, type AgencyCode, type DocId, type EnvelopeId } from "@countersign/crdt-model";
import type { Session } from "../identity/login.ts";
import { HttpError, parseBody, readJson } from "../http/json.ts";
import { DOC_ID } from "../relay/ws.ts";
import { access } from "../relay/authz.ts";
import { envelopeMediaType, json, readBytes, type ExchangeCtx, type ExchangeRoute } from "./http-support.ts";
import { envelopeFile } from "./http-files.ts";
import { currentDoc } from "./docs.ts";

export const SEND_DENIED =
  "Only someone who may open these documents — their case officer, the officer they were assigned to or the registry desk of their unit — or the mail room for a decided document waiting to be dispatched may send them to another agency.";

const DESK = ["registry", "mail-room", "admin"] as const;
const ASSIGNERS = ["registry"] as const;
const isDesk = (s: Session) => s.roles.some((r) => (DESK as readonly string[]).includes(r));

const segment = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, "must be 1 to 128 letters, digits or . _ -");
const docIdSchema = z.string().regex(DOC_ID, "is not a valid document id");
const sendSchema = z
  .object({
    docs: z.array(docIdSchema).min(1, "name at least one document").max(1000),
    to: z.string().min(1).max(64),
    purpose: z.enum(PURPOSES),
    answers: segment.nullable().optional(),
    encrypt: z.boolean().optional(),
  })
  .strict();
const assignSchema = z.object({ doc: docIdSchema, person: segment }).strict();

/** May this person act for the exchange on this document (case officer, or assigned officer)? */
async function ownsDoc(ctx: ExchangeCtx, s: Session, doc: DocId): Promise<boolean> {
  const row = await ctx.store.getIndex(doc);
  if (row?.caseOfficer === s.person) return true;
  return (await ctx.store.assignment(doc))?.person === s.person;
}

/**
 * May this person send these documents to another agency, or download an envelope carrying them?
 * An envelope with no documents (a receipt) is the desk's.
 */
async function mayHandle(ctx: ExchangeCtx, s: Session, docs: readonly DocId[]): Promise<boolean> {
  if (docs.length === 0) return isDesk(s);
  for (const d of docs) if (!(await maySend(ctx, s, d))) return false;
  return true;
}

async function maySend(ctx: ExchangeCtx, s: Session, doc: DocId): Promise<boolean> {
  const row = await ctx.store.getIndex(doc);
  if (!row) return false;
  const opens = access({ person: s.person, unit: s.unit, agency: s.agency, roles: s.roles }, row) === "edit";
  if (opens && (isDesk(s) || (await ownsDoc(ctx, s, doc)))) return true;
  return s.roles.includes("mail-room") && row.secrecy === "none" && (await waitsForMailRoom(ctx, doc));
}

/** 發文: the document is decided and, in its derived state, held by this agency's mail room. */
async function waitsForMailRoom(ctx: ExchangeCtx, id: DocId): Promise<boolean> {
  const doc = await currentDoc(ctx.store, ctx.rooms, id);
  if (!doc) return false;
  const state = await derive(doc, await ctx.trust.get());
  return !!state.decision && state.holders.some((h) => h.kind === "role" && h.role === "mail-room" && h.agency === ctx.agency.code);
}

async function latestRequest(ctx: ExchangeCtx, from: AgencyCode, docs: readonly DocId[]): Promise<EnvelopeId | null> {
  const lines = await ctx.store.exchanges({ doc: docs[0], peer: from, direction: "in", limit: 200 });
  const hit = lines.find((r) => r.status === "imported" && r.envelope && (r.purpose === "countersign-request" || r.purpose === "review-request"));
  return hit?.envelope ? asEnvelopeId(hit.envelope) : null;
}

const fileUrl = (id: string) => `/api/exchange/envelopes/${encodeURIComponent(id)}/file`;

function requireRole(s: Session, roles: readonly string[], what: string): void {
  if (!s.roles.some((r) => roles.includes(r))) throw new HttpError(403, `Only ${roles.join(", ")} may ${what}.`);
}

export const APP_ROUTES: readonly ExchangeRoute[] = [
  {
    method: "POST",
    path: /^\/api\/exchange\/send$/,
    auth: true,
    handle: async (ctx, req, s) => {
      const body = parseBody(sendSchema, await readJson(req, ctx.limits.json));
      const docs = body.docs.map(asDocId);
      if (!(await mayHandle(ctx, s!, docs))) throw new HttpError(403, SEND_DENIED);
      const to = asAgencyCode(body.to);
      const peer = await ctx.store.peer(to);
      if (!peer || peer.removedAt) throw new HttpError(400, `${body.to} is not an agency in the federation trust list.`);
      // A reply answers the request it replies to: when the sender does not name it, the latest
      // request for these documents that agency sent us.
      const answers = body.answers ? asEnvelopeId(body.answers) : body.purpose === "countersign-reply" ? await latestRequest(ctx, to, docs) : null;
      const made = await ctx.delivery.exchange.exportEnvelope({ docs, to, purpose: body.purpose, answers, encrypt: body.encrypt ?? false });
      if (!made.ok) throw new HttpError(400, made.reason);
      const { id, bytes } = made.value;
      if (peer.url) {
        await ctx.delivery.outbox.enqueue({ envelope: id, peer: to, bytes, purpose: body.purpose, answers, docs, encrypted: envelopeMediaType(bytes) !== "application/vnd.countersign.envelope+zip" });
        return json({ envelope: id, delivery: "queued", file: fileUrl(id), size: bytes.byteLength });
      }
      return json({ envelope: id, delivery: "file", file: fileUrl(id), size: bytes.byteLength });
    },
  },
  {
    method: "GET",
    path: /^\/api\/exchange\/envelopes\/([^/]+)\/file$/,
    auth: true,
    handle: async (ctx, _req, s, [id]) => {
      if (!id || !segment.safeParse(id).success) throw new HttpError(400, "The envelope id is not valid.");
      return envelopeFile(ctx, id, (docs) => mayHandle(ctx, s!, docs));
    },
  },
  {
    method: "POST",
    path: /^\/api\/exchange\/import$/,
    auth: true,
    handle: async (ctx, req, s) => {
      requireRole(s!, DESK, "import an envelope file");
      const g = ctx.delivery.gate.options;
      const bytes = await readBytes(req, ctx.delivery.limits.envelopeBytes, ctx.delivery.limits.bodyMs, { minBytesPerSecond: g.minBytesPerSecond, graceMs: g.rateGraceMs });
      const r = await ctx.delivery.exchange.importEnvelope(bytes, "file");
      if (!r.ok) return json({ status: "refused", reason: r.reason, error: r.reason }, 400);
      const o = r.value;
      if (o.status === "duplicate") return json({ status: "duplicate", envelope: o.envelope, firstAt: o.firstAt });
      // The receipt travels back the way the envelope came — a file the desk hands over — and, when
      // the sender's server has an address (reachable from here though it could not reach us), it
      // is also pushed; a receipt arriving twice is a duplicate there.
      const receipt = (await ctx.store.exchanges({ peer: o.from, direction: "out", limit: 200 })).find((x) => x.answers === o.envelope && x.purpose === "receipt" && x.envelope);
      const sender = await ctx.store.peer(o.from);
      const pushed = !!(receipt?.envelope && o.receipt && sender?.url && !sender.removedAt);
      if (pushed) await ctx.delivery.outbox.enqueue({ envelope: receipt!.envelope!, peer: o.from, bytes: o.receipt!, purpose: "receipt", answers: o.envelope, docs: [], encrypted: false });
      return json({
        pushed,
        status: "imported",
        envelope: o.envelope,
        from: o.from,
        purpose: o.purpose,
        docs: o.docs,
        receipt: receipt?.envelope
          ? { envelope: receipt.envelope, file: fileUrl(receipt.envelope) }
          : { envelope: null, file: null, base64: o.receipt ? Buffer.from(o.receipt).toString("base64") : null },
      });
    },
  },
  {
    method: "GET",
    path: /^\/api\/exchange\/outbox$/,
    auth: true,
    handle: async (ctx, _req, s) => {
      requireRole(s!, DESK, "see the outbox");
      const [items, peers, log] = await Promise.all([ctx.store.outbox({ limit: 500 }), ctx.store.peers(), ctx.store.exchanges({ direction: "out", limit: 2000 })]);
      const names = new Map(peers.map((p) => [p.code, p.name]));
      return json({
        items: items.map((i) => {
          const first = log.find((r) => r.envelope === i.envelope && r.purpose);
          return {
            envelope: i.envelope,
            peer: i.peer,
            peerName: names.get(i.peer) ?? null,
            purpose: first?.purpose ?? null,
            docs: first?.docs ?? [],
            size: i.data.byteLength,
            attempts: i.attempts,
            nextAttemptAt: i.status === "pending" ? i.nextAttemptAt : null,
            lastError: i.lastError,
            status: i.status,
            createdAt: i.createdAt,
            file: fileUrl(i.envelope),
          };
        }),
      });
    },
  },
  {
    method: "POST",
    path: /^\/api\/exchange\/outbox\/([^/]+)\/retry$/,
    auth: true,
    handle: async (ctx, _req, s, [id]) => {
      requireRole(s!, DESK, "retry a delivery");
      if (!id || !(await ctx.delivery.outbox.retryNow(id))) throw new HttpError(404, "There is no undelivered envelope with this id in the outbox.");
      return json({ ok: true });
    },
  },
  {
    method: "GET",
    path: /^\/api\/exchange\/log$/,
    auth: true,
    handle: async (ctx, req, s) => {
      const q = new URL(req.url ?? "/", "http://localhost").searchParams;
      const doc = q.get("doc");
      const peer = q.get("peer");
      if (doc !== null && !DOC_ID.test(doc)) throw new HttpError(400, "The document id is not valid.");
      if (!isDesk(s!) && (doc === null || !(await ownsDoc(ctx, s!, asDocId(doc)))))
        throw new HttpError(403, "Only the registry desk, the mail room and the administrator see the whole exchange log; others see it per document they handle.");
      const records = await ctx.store.exchanges({ doc: doc ? asDocId(doc) : undefined, peer: peer ?? undefined, limit: Math.min(Number(q.get("limit") ?? 200) || 200, 1000) });
      return json({ records: records.map((r) => ({ ...r, file: r.envelope && ["imported", "queued", "exported", "delivered"].includes(r.status) ? fileUrl(r.envelope) : null })) });
    },
  },
  {
    method: "GET",
    path: /^\/api\/exchange\/peers$/,
    auth: true,
    handle: async (ctx) => {
      const peers = (await ctx.store.peers()).filter((p) => !p.removedAt);
      // Public facts: a CA certificate and a delegation table are what others verify signatures with.
      return json({
        agency: { code: ctx.agency.code, name: ctx.agency.name },
        peers: peers.map((p) => ({ code: p.code, name: p.name, fingerprint: p.fingerprint, url: p.url, ca: p.caPem, delegation: p.delegation })),
      });
    },
  },
  {
    method: "POST",
    path: /^\/api\/exchange\/assign$/,
    auth: true,
    handle: async (ctx, req, s) => {
      requireRole(s!, ASSIGNERS, "assign (分文) incoming documents");
      const body = parseBody(assignSchema, await readJson(req, ctx.limits.json));
      const r = await ctx.delivery.exchange.assign(asDocId(body.doc), asPersonId(body.person), s!.person);
      if (!r.ok) throw new HttpError(400, r.reason);
      return json({ assignment: r.value });
    },
  },
  {
    method: "GET",
    path: /^\/api\/exchange\/incoming$/,
    auth: true,
    handle: async (ctx, _req, s) => {
      const records = (await ctx.store.exchanges({ direction: "in", limit: 2000 })).filter(
        (r) => r.status === "imported" && (r.purpose === "countersign-request" || r.purpose === "review-request" || r.purpose === "dispatch"),
      );
      const seen = new Set<string>();
      const out = [];
      for (const r of records) {
        for (const d of r.docs) {
          if (seen.has(d)) continue; // newest envelope per document
          seen.add(d);
          const assignment = (await ctx.store.assignment(d)) ?? null;
          if (!isDesk(s!) && assignment?.person !== s!.person) continue;
          const row = await ctx.store.getIndex(d);
          // A classified document's subject is for those named in it only (relay/authz.ts): the desk
          // still sees that it came, so it can assign it (分文), but not what it is about.
          const hidden = !!row && row.secrecy !== "none" && access({ person: s!.person, unit: s!.unit, agency: s!.agency, roles: s!.roles }, row) !== "edit";
          out.push({ doc: d, subject: hidden ? null : (row?.subject ?? null), classified: hidden, status: row?.status ?? null, from: r.peer, purpose: r.purpose, envelope: r.envelope, at: r.at, assignment });
        }
      }
      return json({ docs: out });
    },
  },
];
