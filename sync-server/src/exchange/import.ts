import { createHash } from "node:crypto";
import * as Y from "yjs";
import { unzipSync } from "fflate";
import {
  type AgencyCode,
  asEntryId,
  canonicalJson,
  checkTransition,
  type Code,
  CountersignDocument,
  deriveFromReport,
  type DocId,
  type EntryId,
  ENVELOPE_REFUSALS,
  type EnvelopeHeader,
  errorMessage,
  fail,
  fromUtf8,
  type Json,
  ok,
  type OpenedDocument,
  type OpenedEnvelope,
  openEnvelope,
  type Refusal,
  type Result,
  type Sha256Hex,
  type TrustStore,
  unsealEnvelope,
  type VerifyCache,
  type WorkflowState,
  freshYDoc,
} from "@countersign/crdt-model";
import type { ExchangeRecord, Store } from "../storage/types.ts";
import type { HeldRoom } from "../relay/room.ts";
import { applyHeld } from "../relay/held.ts";
import type { Rooms } from "../relay/rooms.ts";
import type { ExchangeContext, ImportOutcome, ImportVia } from "./types.ts";
import { currentDoc } from "./docs.ts";
import { validateXml } from "./dtd.ts";
import { peekDocIds } from "./peek.ts";
import { exportEnvelope } from "./export.ts";
import { peerMayChange, peerMayTouch } from "./peer-rights.ts";

export const IMPORT_REFUSALS = {
  noDecryptKey: "This agency's key cannot decrypt envelopes in this process.",
  replay: (id: string, at: string) => `The envelope ${id} was already imported at ${at} with other contents; this one is refused as a replay.`,
  receiptDocs: "A receipt carries no documents.",
  clear: (doc: string) => `Document ${doc} is classified (密 or above) but arrived unencrypted; ask the sender to send it encrypted.`,
  transition: (doc: string, why: string) => `Document ${doc} cannot be imported: ${why}`,
  pending: (doc: string) => `The update of document ${doc} depends on changes this agency does not have.`,
  internal: (why: string) => `The envelope could not be imported: ${why}`,
} as const;

/** Each refusal's code: the class the app explains and a caller decides by (the sentence keeps the detail). */
export const IMPORT_CODES = {
  noDecryptKey: "exchange.no-key",
  replay: "envelope.replay",
  receiptDocs: "envelope.header",
  clear: "exchange.unencrypted",
  pending: "envelope.missing-base",
  internal: "envelope.internal",
} as const satisfies Record<Exclude<keyof typeof IMPORT_REFUSALS, "transition">, Code>;
// `transition` wraps the relay rules' refusal (checkTransition, the update's decoding) and keeps its
// code: the class is the inner one (update.decided, update.invalid-entry …), the sentence names the document.

const MANIFEST_PATH = "META-INF/manifest.json";

/**
 * The SHA-256 that identifies what arrived, in lower-case hex like crdt-model's sha256Hex, but
 * native: that one is portable JavaScript (it runs in the browser too), some 20 times slower on an
 * envelope of a thousand documents (100 MB: over a second per hash).
 */
const envelopeSha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
const duplicateDetail = (at: string) => `already imported at ${at}; nothing changed`;

/** What arrived, as the log identifies it before anything is known about it. */
interface Arrival {
  via: ImportVia;
  /** It came as CMS EnvelopedData for our CA. */
  encrypted: boolean;
  sha256: string;
  size: number;
  /** Known once the envelope opened: who sent it, why, which documents. */
  header?: EnvelopeHeader;
}

/**
 * Imports an envelope (see README.md for the algorithm): decrypt if need be, verify everything with
 * `openEnvelope`, check DI/SW against the DTDs and every document's transition against our copy,
 * then write all or nothing in one transaction and apply to the loaded rooms. Never throws: bad
 * input is a refusal with its sentence, logged; a failure of ours is caught here, at the trust
 * boundary, logged with its context, and reported as a refusal too.
 */
export async function importEnvelope(ctx: ExchangeContext, bytes: Uint8Array, via: ImportVia): Promise<Result<ImportOutcome>> {
  const arrival: Arrival = { via, encrypted: bytes[0] === 0x30, sha256: envelopeSha256(bytes), size: bytes.length };
  try {
    return await importChecked(ctx, bytes, arrival);
  } catch (e) {
    ctx.log.error({ err: errorMessage(e), stack: (e as Error)?.stack, via, sha256: arrival.sha256, envelope: arrival.header?.id }, "envelope import failed");
    const internal = fail<never>(IMPORT_CODES.internal, IMPORT_REFUSALS.internal(`${errorMessage(e)}.`)) as Refusal;
    return refuse(ctx, arrival, internal).catch(() => internal);
  }
}

/**
 * Decrypts when the bytes are CMS (DER begins with SEQUENCE; a ZIP begins with "PK") and verifies
 * the envelope inside with openEnvelope. No oracle (issue 12, finding 8): once decryption starts,
 * every failure — of the decryption, and of openEnvelope on what it gave — is the one sentence
 * ENVELOPE_REFUSALS.sealed, with the same HTTP answer; openEnvelope's own reason goes to this
 * server's log only. The version-1 format (AES-CBC, not authenticated: a padding oracle's target)
 * is read only from a file, never from the unauthenticated HTTP endpoint. What comes after a
 * verified envelope (replay, classification, DTDs, what the peer may change) is about a message
 * its trusted sender signed, and keeps its own sentences.
 */
export async function openArrival(
  ctx: ExchangeContext,
  bytes: Uint8Array,
  via: ImportVia,
  trust: TrustStore,
): Promise<Result<{ plain: Uint8Array; env: OpenedEnvelope }>> {
  const open = (plain: Uint8Array) => openForUs({ ...ctx, recipient: ctx.agency.code, now: ctx.now() }, plain, trust);
  if (bytes[0] !== 0x30) {
    const opened = await open(bytes);
    return opened.ok ? ok({ plain: bytes, env: opened.value }) : opened;
  }
  const key = ctx.agency.caDecrypt;
  if (!key) return fail(IMPORT_CODES.noDecryptKey, IMPORT_REFUSALS.noDecryptKey);
  const unsealed = await unsealEnvelope(bytes, key, ctx.agency.ca.cert, { allowCbc: via === "file" });
  if (!unsealed.ok) return unsealed;
  const opened = await open(unsealed.value.plain);
  if (opened.ok) return ok({ plain: unsealed.value.plain, env: opened.value });
  ctx.log.warn({ via, cipher: unsealed.value.kind, reason: opened.reason }, "an encrypted envelope did not verify; answered with the one sentence for encrypted envelopes");
  return fail("envelope.sealed", ENVELOPE_REFUSALS.sealed);
}

/**
 * Opens (verifies) an envelope addressed to us, with our copies of its documents as delta bases.
 * Needs no key: the CLI's `envelope verify` calls it with the store alone.
 */
export async function openForUs(
  o: { store: Store; rooms?: Rooms; recipient: AgencyCode; cache?: VerifyCache; now: Date },
  plain: Uint8Array,
  trust: TrustStore,
): Promise<Result<OpenedEnvelope>> {
  const bases = new Map<string, CountersignDocument>();
  for (const id of peekDocIds(plain, 10_000)) {
    const d = await currentDoc(o.store, o.rooms, id);
    if (d) bases.set(id, d);
  }
  return openEnvelope(plain, { trust, recipient: o.recipient, base: (id) => bases.get(id), cache: o.cache, now: o.now });
}

async function importChecked(ctx: ExchangeContext, bytes: Uint8Array, arrival: Arrival): Promise<Result<ImportOutcome>> {
  const trust = await ctx.trust.get();
  const opened = await openArrival(ctx, bytes, arrival.via, trust);
  if (!opened.ok) return refuse(ctx, arrival, opened);
  const env = opened.value.env;
  const plain = { value: opened.value.plain };
  const header = env.header;
  arrival.header = header;
  const plainSha = plain.value === bytes ? arrival.sha256 : envelopeSha256(plain.value);

  const first = await ctx.store.importedEnvelope(header.id);
  if (first) return repeated(ctx, arrival, first, env, plainSha, plain.value.length);
  if (header.purpose === "receipt" && header.docs.length > 0) return refuse(ctx, arrival, coded(IMPORT_CODES.receiptDocs, IMPORT_REFUSALS.receiptDocs));
  for (const d of env.docs) {
    // buildEnvelope never sends one in the clear; an envelope that does came from a careless or
    // broken sender, and importing it would make us party to the leak.
    const meta = d.doc.metadata();
    if (!arrival.encrypted && meta.ok && meta.value.secrecy !== "none") return refuse(ctx, arrival, coded(IMPORT_CODES.clear, IMPORT_REFUSALS.clear(d.id)));
    if (d.di) {
      const v = validateXml("DI", d.di, d.id);
      if (!v.ok) return refuse(ctx, arrival, v);
    }
    if (d.sw) {
      const v = validateXml("SW", d.sw, d.id);
      if (!v.ok) return refuse(ctx, arrival, v);
    }
  }

  // Hold every room of the envelope, in sorted order, from the check until the rooms have applied
  // what was stored: nothing a connected officer sends can interleave.
  const ids = env.docs.map((d) => d.id).sort();
  const held: HeldRoom[] = [];
  try {
    for (const id of ids) held.push(await holdRoom(ctx, id));
    const byId = new Map(ids.map((id, i) => [id, held[i]!]));
    const planned: { doc: DocId; update: Uint8Array; added: EntryId[]; state: WorkflowState; room: HeldRoom }[] = [];
    for (const d of env.docs) {
      const room = byId.get(d.id)!;
      const checked = await transition(room.doc, d, header, trust, ctx);
      if (!checked.ok) return await refuse(ctx, arrival, checked);
      planned.push({ doc: d.id, room, ...checked.value });
    }
    const blobs = new Map<Sha256Hex, Uint8Array>();
    for (const d of env.docs) for (const [sha, data] of d.attachments) blobs.set(sha, data);
    const at = ctx.now().toISOString();
    const record: ExchangeRecord = {
      ...recordOf(arrival, plainSha, plain.value.length),
      status: "imported",
      detail: await importDetail(ctx, header, arrival.via),
      at,
    };
    const written = await ctx.store.importEnvelope({
      record,
      updates: planned.map((p) => ({ doc: p.doc, update: p.update })),
      blobs: [...blobs].map(([sha256, data]) => ({ sha256, data })),
      envelope: plain.value,
    });
    if (!written.imported) return await repeated(ctx, arrival, written.first, env, plainSha, plain.value.length);
    // Stored: from here on the import has happened. A room failing to apply it is our problem, not
    // the sender's; the room reloads from the store when next loaded. The rooms' receipts and index
    // rows are written together, in a few transactions for the whole envelope (relay/held.ts).
    for (const f of await applyHeld(ctx.store, planned)) {
      ctx.log.error({ err: errorMessage(f.error), doc: f.doc, envelope: header.id }, "imported update not applied to its room");
    }
  } finally {
    for (const h of held) h.release();
  }

  ctx.log.info({ envelope: header.id, from: header.from, purpose: header.purpose, docs: ids.length, via: arrival.via }, "envelope imported");
  if (header.purpose === "receipt") {
    ctx.log.info({ envelope: header.answers, by: header.from }, "envelope acknowledged");
    return ok({ status: "imported", envelope: header.id, from: header.from, purpose: header.purpose, docs: [], receipt: null });
  }
  // The import has happened whatever becomes of the receipt: a failure here must not be reported
  // (or logged) as a refusal.
  const receipt = await exportEnvelope(ctx, { docs: [], to: header.from, purpose: "receipt", answers: header.id }).catch((e: unknown) => fail<never>("server.internal", errorMessage(e)));
  if (!receipt.ok) ctx.log.error({ envelope: header.id, to: header.from, reason: receipt.reason }, "receipt not built");
  return ok({ status: "imported", envelope: header.id, from: header.from, purpose: header.purpose, docs: ids, receipt: receipt.ok ? receipt.value.bytes : null });
}

/**
 * Loads and holds a document's room. A room being unloaded (an idle sweep under memory pressure can
 * pick one the moment it is returned) is loaded afresh; once held it counts as busy and stays.
 */
async function holdRoom(ctx: ExchangeContext, id: DocId): Promise<HeldRoom> {
  for (;;) {
    const room = await ctx.rooms.get(id);
    // Checked and held in the same turn: the sweep cannot close it in between.
    if (!room.closed) return room.hold();
  }
}

/**
 * The relay's rules (checkTransition) for our copy → our copy + the update, with one difference:
 * receipts the sender's server wrote into the document arrive with it. They are another agency's
 * statements about when it saw its entries, so they may be added (never changed) here; the check
 * runs against a `before` that already holds them, so "only the agency server writes receipts"
 * still catches a receipt that alters ours.
 *
 * A document we do not hold at all needs no second pass: openEnvelope decoded its full update on
 * its own and found every entry valid, which is all checkTransition asks of a new document (no
 * entry, version, receipt or plan of ours to alter), so its report gives the state.
 */
async function transition(
  ours: CountersignDocument,
  opened: OpenedDocument,
  header: EnvelopeHeader,
  trust: TrustStore,
  ctx: ExchangeContext,
): Promise<Result<{ update: Uint8Array; added: EntryId[]; state: WorkflowState }>> {
  const { id, update } = opened;
  if (ours.id === "" && opened.mode.kind === "full" && ours.rawEntries().size === 0) {
    // openEnvelope verified every entry, so each key is its entry's hash.
    const added = [...opened.doc.rawEntries().keys()].map((k) => asEntryId(k));
    const state = deriveFromReport(opened.doc, opened.report);
    const may = await peerMayChange(ctx.agency.code, id, { header, ours: undefined, after: opened.doc, state, added });
    if (!may.ok) return may;
    return ok({ update, added, state });
  }
  const after = clone(ours);
  const applied = after.applyUpdateTracked(update);
  if (!applied.ok) return fail(applied.code, IMPORT_REFUSALS.transition(id, applied.reason));
  const store = after.ydoc.store as unknown as { pendingStructs: unknown; pendingDs: unknown };
  if (store.pendingStructs !== null || store.pendingDs !== null) return fail(IMPORT_CODES.pending, IMPORT_REFUSALS.pending(id));
  // Authentic is not entitled: what this peer may change in this document (peer-rights.ts).
  if (ours.id !== "") {
    const touch = await peerMayTouch(ctx.store, ctx.agency.code, id, { header, ours, touched: applied.value });
    if (!touch.ok) return touch;
  }
  const before = clone(ours);
  const theirs = after.rawReceipts();
  const mine = before.rawReceipts();
  const incoming = [...theirs].filter(([k]) => !mine.has(k));
  if (incoming.length) before.ydoc.transact(() => incoming.forEach(([k, v]) => before.ydoc.getMap("receipts").set(k, v)));
  const checked = await checkTransition(before, after, trust, { cache: ctx.cache });
  if (!checked.ok) return fail(checked.code, IMPORT_REFUSALS.transition(id, checked.reason));
  const may = await peerMayChange(ctx.agency.code, id, { header, ours: ours.id === "" ? undefined : ours, after, state: checked.value.state, added: checked.value.added });
  if (!may.ok) return may;
  // Only what we lack is stored (and relayed); the rest we hold already.
  return ok({ update: Y.diffUpdate(update, ours.stateVector()), added: checked.value.added, state: checked.value.state });
}

function clone(doc: CountersignDocument): CountersignDocument {
  const ydoc = freshYDoc({ gc: true });
  Y.applyUpdate(ydoc, doc.encodeState());
  return CountersignDocument.wrap(ydoc);
}

/** A second arrival of an id already imported: the same bytes are a duplicate, others a replay. */
async function repeated(
  ctx: ExchangeContext,
  arrival: Arrival,
  first: ExchangeRecord,
  env: OpenedEnvelope,
  plainSha: string,
  plainSize: number,
): Promise<Result<ImportOutcome>> {
  const header = arrival.header!;
  if (first.sha256 !== plainSha && !(await sameManifest(ctx, header.id, env))) return refuse(ctx, arrival, coded(IMPORT_CODES.replay, IMPORT_REFUSALS.replay(header.id, first.at)));
  const detail = duplicateDetail(first.at);
  await ctx.store.logExchange({ ...recordOf(arrival, plainSha, plainSize), status: "duplicate", detail, at: ctx.now().toISOString() });
  ctx.log.info({ envelope: header.id, from: header.from, firstAt: first.at, via: arrival.via }, "envelope already imported; nothing changed");
  return ok({ status: "duplicate", envelope: header.id, firstAt: first.at });
}

/**
 * The same envelope in other ZIP bytes (a re-zipped copy, a changed entry time — nothing the
 * signature covers): the signed manifest, which names every part's SHA-256, is what identifies its
 * content. The kept copy was verified when it was imported, so fflate may read it.
 */
async function sameManifest(ctx: ExchangeContext, id: string, env: OpenedEnvelope): Promise<boolean> {
  const kept = await ctx.store.envelopeBytes(id);
  if (!kept) return false;
  try {
    const bytes = unzipSync(kept, { filter: (f) => f.name === MANIFEST_PATH })[MANIFEST_PATH];
    return !!bytes && canonicalJson(JSON.parse(fromUtf8(bytes)) as Json) === canonicalJson(env.manifest as unknown as Json);
  } catch {
    return false;
  }
}

const coded = (code: Code, reason: string): Refusal => ({ ok: false, code, reason });

/** Logs and records a refusal (the log and the exchange record keep the sentence) and returns it, code and all. */
async function refuse(ctx: ExchangeContext, arrival: Arrival, refusal: Refusal): Promise<Refusal> {
  const reason = refusal.reason;
  await ctx.store.logExchange({ ...recordOf(arrival, arrival.sha256, arrival.size), status: "refused", detail: reason, code: refusal.code, at: ctx.now().toISOString() });
  ctx.log.warn({ envelope: arrival.header?.id ?? null, from: arrival.header?.from ?? null, via: arrival.via, sha256: arrival.sha256, code: refusal.code, reason }, "envelope refused");
  return refusal;
}

function recordOf(arrival: Arrival, sha256: string, size: number): Omit<ExchangeRecord, "status" | "detail" | "at"> {
  const h = arrival.header;
  return {
    envelope: h?.id ?? null,
    direction: "in",
    peer: h?.from ?? null,
    purpose: h?.purpose ?? null,
    answers: h?.answers ?? null,
    docs: h ? h.docs.map((d) => d.doc) : [],
    sha256,
    size,
  };
}

/** The detail of an "imported" line: how it came, and for a receipt what it acknowledges. */
async function importDetail(ctx: ExchangeContext, header: EnvelopeHeader, via: ImportVia): Promise<string> {
  if (header.purpose !== "receipt" || !header.answers) return `via ${via}`;
  const sent = (await ctx.store.exchanges({ peer: header.from, direction: "out", limit: 1000 })).some((r) => r.envelope === header.answers);
  return sent ? `via ${via}; acknowledges ${header.answers}` : `via ${via}; acknowledges ${header.answers}, which this agency did not send`;
}
