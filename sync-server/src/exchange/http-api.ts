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
import { derive, parseEnvelopeId, type AgencyCode, type DocId, type EnvelopeId } from "@countersign/crdt-model";
import type { Session } from "../identity/login.ts";
import { HttpError } from "../http/json.ts";
import type { Router } from "../http/router.ts";
import { principalOf } from "../http/context.ts";
import { access } from "../relay/authz.ts";
import { envelopeMediaType, readBytes, type ExchangeCtx } from "./http-support.ts";
import { envelopeFile } from "./http-files.ts";
import { currentDoc } from "./docs.ts";

export const SEND_DENIED =
  "Only someone who may open these documents — their case officer, the officer they were assigned to or the registry desk of their unit — or the mail room for a decided document waiting to be dispatched may send them to another agency.";

const DESK = ["registry", "mail-room", "admin"] as const;
const ASSIGNERS = ["registry"] as const;
const isDesk = (s: Session) => s.roles.some((r) => (DESK as readonly string[]).includes(r));

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
  const opens = access(principalOf(s), row) === "edit";
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
  const id = hit?.envelope ? parseEnvelopeId(hit.envelope) : null;
  return id?.ok ? id.value : null;
}

const fileUrl = (id: string) => `/api/exchange/envelopes/${encodeURIComponent(id)}/file`;

function requireRole(s: Session, roles: readonly string[], what: string): void {
  if (!s.roles.some((r) => roles.includes(r))) throw new HttpError(403, "http.forbidden", `Only ${roles.join(", ")} may ${what}.`);
}

export function registerExchangeApi(r: Router, ctx: ExchangeCtx): void {
  r.add("send", async ({ session: s, body }) => {
    const docs = body.docs;
    if (!(await mayHandle(ctx, s, docs))) throw new HttpError(403, "http.forbidden", SEND_DENIED);
    const to = body.to;
    const peer = await ctx.store.peer(to);
    if (!peer || peer.removedAt) throw new HttpError(400, "http.unknown-peer", `${body.to} is not an agency in the federation trust list.`);
    // A reply answers the request it replies to: when the sender does not name it, the latest
    // request for these documents that agency sent us.
    const answers = body.answers ? body.answers : body.purpose === "countersign-reply" ? await latestRequest(ctx, to, docs) : null;
    const made = await ctx.delivery.exchange.exportEnvelope({ docs, to, purpose: body.purpose, answers, encrypt: body.encrypt ?? false });
    if (!made.ok) throw HttpError.of(400, made);
    const { id, bytes } = made.value;
    if (peer.url) {
      await ctx.delivery.outbox.enqueue({ envelope: id, peer: to, bytes, purpose: body.purpose, answers, docs, encrypted: envelopeMediaType(bytes) !== "application/vnd.countersign.envelope+zip" });
      return { envelope: id, delivery: "queued" as const, file: fileUrl(id), size: bytes.byteLength };
    }
    return { envelope: id, delivery: "file" as const, file: fileUrl(id), size: bytes.byteLength };
  });

  r.add("envelopeFile", async ({ session: s, params: { id } }) => envelopeFile(ctx, id, (docs) => mayHandle(ctx, s, docs)));

  r.add("importEnvelope", async ({ req, session: s, limit }) => {
    requireRole(s, DESK, "import an envelope file");
    const g = ctx.delivery.gate.options;
    const bytes = await readBytes(req, limit, ctx.delivery.limits.bodyMs, { minBytesPerSecond: g.minBytesPerSecond, graceMs: g.rateGraceMs });
    const r = await ctx.delivery.exchange.importEnvelope(bytes, "file");
    if (!r.ok) throw new HttpError(400, r.code, r.reason, {}, { status: "refused" });
    const o = r.value;
    if (o.status === "duplicate") return { status: "duplicate" as const, envelope: o.envelope, firstAt: o.firstAt };
    // The receipt travels back the way the envelope came — a file the desk hands over — and, when
    // the sender's server has an address (reachable from here though it could not reach us), it
    // is also pushed; a receipt arriving twice is a duplicate there.
    const receipt = (await ctx.store.exchanges({ peer: o.from, direction: "out", limit: 200 })).find((x) => x.answers === o.envelope && x.purpose === "receipt" && x.envelope);
    const sender = await ctx.store.peer(o.from);
    const pushed = !!(receipt?.envelope && o.receipt && sender?.url && !sender.removedAt);
    if (pushed) await ctx.delivery.outbox.enqueue({ envelope: receipt!.envelope!, peer: o.from, bytes: o.receipt!, purpose: "receipt", answers: o.envelope, docs: [], encrypted: false });
    return {
      pushed,
      status: "imported" as const,
      envelope: o.envelope,
      from: o.from,
      purpose: o.purpose,
      docs: o.docs,
      receipt: receipt?.envelope
        ? { envelope: receipt.envelope, file: fileUrl(receipt.envelope) }
        : { envelope: null, file: null, base64: o.receipt ? Buffer.from(o.receipt).toString("base64") : null },
    };
  });

  r.add("outbox", async ({ session: s }) => {
    requireRole(s, DESK, "see the outbox");
    const [items, peers, log] = await Promise.all([ctx.store.outbox({ limit: 500 }), ctx.store.peers(), ctx.store.exchanges({ direction: "out", limit: 2000 })]);
    const names = new Map(peers.map((p) => [p.code, p.name]));
    return {
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
    };
  });

  r.add("retryDelivery", async ({ session: s, params: { id } }) => {
    requireRole(s, DESK, "retry a delivery");
    if (!(await ctx.delivery.outbox.retryNow(id))) throw new HttpError(404, "http.not-found", "There is no undelivered envelope with this id in the outbox.");
    return { ok: true as const };
  });

  r.add("exchangeLog", async ({ session: s, query }) => {
    const doc = query.doc;
    if (!isDesk(s) && (doc === undefined || !(await ownsDoc(ctx, s, doc))))
      throw new HttpError(403, "http.forbidden", "Only the registry desk, the mail room and the administrator see the whole exchange log; others see it per document they handle.");
    const records = await ctx.store.exchanges({ doc, peer: query.peer, limit: Math.min(Number(query.limit ?? 200) || 200, 1000) });
    return { records: records.map((r) => ({ ...r, file: r.envelope && ["imported", "queued", "exported", "delivered"].includes(r.status) ? fileUrl(r.envelope) : null })) };
  });

  r.add("peers", async () => {
    const peers = (await ctx.store.peers()).filter((p) => !p.removedAt);
    // Public facts: a CA certificate and a delegation table are what others verify signatures with.
    return {
      agency: { code: ctx.agency.code, name: ctx.agency.name },
      peers: peers.map((p) => ({ code: p.code, name: p.name, fingerprint: p.fingerprint, url: p.url, ca: p.caPem, delegation: p.delegation })),
    };
  });

  r.add("assign", async ({ session: s, body }) => {
    requireRole(s, ASSIGNERS, "assign (分文) incoming documents");
    const assigned = await ctx.delivery.exchange.assign(body.doc, body.person, s.person);
    if (!assigned.ok) throw HttpError.of(400, assigned);
    return { assignment: assigned.value };
  });

  r.add("incoming", async ({ session: s }) => {
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
        if (!isDesk(s) && assignment?.person !== s.person) continue;
        const row = await ctx.store.getIndex(d);
        // A classified document's subject is for those named in it only (relay/authz.ts): the desk
        // still sees that it came, so it can assign it (分文), but not what it is about.
        const hidden = !!row && row.secrecy !== "none" && access(principalOf(s), row) !== "edit";
        out.push({ doc: d, subject: hidden ? null : (row?.subject ?? null), classified: hidden, status: row?.status ?? null, from: r.peer, purpose: r.purpose, envelope: r.envelope, at: r.at, assignment });
      }
    }
    return { docs: out };
  });
}
