import type { DocId, EntryId, Sha256Hex } from "../ids.ts";
import type { CountersignDocument } from "../schema/document.ts";
import { parseSignedContent, type SignedContent } from "../schema/content.ts";
import { parseEntryText, type ActionKind, type SigAlg, type SignedEntry } from "../chain/types.ts";
import type { Result } from "../result.ts";
import type { X509Certificate } from "@peculiar/x509";
import { ancestorSets, topoOrder } from "../chain/dag.ts";
import { CertificateCache } from "../identity/cert-cache.ts";
import { verifyBytes } from "../identity/crypto.ts";
import type { TrustStore } from "../identity/trust.ts";
import type { SignerProfile } from "../identity/profile.ts";
import { extensionPolicyOf, requiredLevel } from "../routing/delegation.ts";
import { officeCalendar } from "../deadline/calendar.ts";
import { dueDateFor } from "../deadline/days.ts";
import { taipeiDay } from "../deadline/iso-day.ts";
import { actsFor, type DeputyTable } from "../routing/deputies.ts";
import { fromBase64, sha256Hex, utf8 } from "../bytes.ts";
import { apply, check } from "./rules.ts";
import { canonicalBefore, stateBefore } from "./replay.ts";
import { cloneState, type ChainContext, type EntryFacts, type WorkState } from "./state.ts";

export interface EntryReport {
  id: string;
  valid: boolean;
  /** Why the entry is not valid, as a sentence; null when valid. */
  reason: string | null;
  action: ActionKind | null;
  step: string | null;
  opinion: string;
  at: string | null;
  signer: SignerProfile | null;
  parents: string[];
}

export interface VerificationReport {
  doc: DocId;
  /** Every stored entry: valid ones in canonical order, then the rest. */
  entries: EntryReport[];
  valid: EntryFacts[];
  ctx: ChainContext | null;
  /** The document's agency's deputy table, as the trust store holds it (for who may reach it). */
  deputies: DeputyTable | undefined;
}

/**
 * Memoises what verification learns about immutable inputs, across verifications of the same
 * documents: a stored entry string always parses the same, an entry id fixes its signed bytes (so
 * (id, signature) → valid never changes), and a content hash fixes its text. Owned by the caller (an
 * app session, a server room); verification without one uses a fresh cache per call.
 *
 * Certificates and their imported keys live in `certificates` (identity/cert-cache.ts), which this
 * cache does not start over with: pass one shared CertificateCache to every VerifyCache of a replica
 * (a server's per-import caches, say) and each signer's key is imported once for the replica's
 * lifetime. Without one, the VerifyCache makes its own.
 *
 * Bounded: it starts over past `limit` items or past about `maxChars` characters of cached text,
 * whichever comes first. Items alone were no bound on memory: an entry with its certificate is a
 * few kilobytes, so 50,000 of them held over a hundred megabytes in a server that imports envelope
 * after envelope through one cache. The character count is an estimate (each text and what was
 * parsed from it; ~1.7 bytes of heap per character counted, measured). The default, 32 M characters
 * (~55 MB), holds what verifying a 1,000-document envelope learns (~30 K characters a document), so
 * an importer that checks the same documents again right after (as the server's import does)
 * still finds them: at 8 M it re-verified most of them, and importing took several times longer.
 */
export class VerifyCache {
  /** Parsed entries by id and stored text, each with its payload's canonical text (the signed bytes). */
  readonly entries = new Map<string, ReturnType<typeof parseEntryText>>();
  readonly signatures = new Map<string, boolean>();
  readonly contents = new Map<string, { text: string; result: Result<SignedContent> }>();
  private chars = 0;
  constructor(
    private readonly limit = 50_000,
    private readonly maxChars = 32_000_000,
    readonly certificates: CertificateCache = new CertificateCache(),
  ) {}

  /** Drops everything but the certificates once the maps pass either bound; callers simply recompute. */
  trim(): void {
    if (this.chars > this.maxChars || this.entries.size + this.signatures.size + this.contents.size > this.limit) {
      this.entries.clear();
      this.signatures.clear();
      this.contents.clear();
      this.chars = 0;
    }
  }

  cert(b64: string): Result<X509Certificate> {
    return this.certificates.fromText(b64).cert;
  }

  key(b64: string, alg: SigAlg): Promise<Result<CryptoKey>> {
    return this.certificates.fromText(b64).key(alg);
  }

  content(hash: string, text: string): Result<SignedContent> {
    const hit = this.contents.get(hash);
    if (hit && hit.text === text) return hit.result;
    const result: Result<SignedContent> =
      sha256Hex(text) !== hash ? { ok: false, code: "chain.content-hash", reason: "The content hash does not match the stored version." } : parseSignedContent(text);
    this.contents.set(hash, { text, result });
    this.chars += 2 * text.length;
    return result;
  }

  entry(key: string, raw: unknown): ReturnType<typeof parseEntryText> {
    if (typeof raw !== "string") return parseEntryText(raw, key);
    const k = `${key}\n${raw}`;
    let e = this.entries.get(k);
    if (!e) {
      e = parseEntryText(raw, key);
      this.entries.set(k, e);
      this.chars += 2 * k.length;
    }
    return e;
  }

  /**
   * What this replica's own signAction built and checked: the entry it stored (`stored`, under `id`)
   * as parsing that text gives it, and the content version it signed, as read from the document. Only
   * the parses are kept — the signature is still checked on verification like any other — and only
   * under the exact stored texts, so a different value under the same id or hash (from another
   * replica) is parsed and checked in full.
   */
  learnSigned(
    id: EntryId,
    stored: string,
    parsed: { id: EntryId; entry: SignedEntry; text: string },
    version: { hash: Sha256Hex; canonical: string; content: SignedContent },
  ): void {
    const k = `${id}\n${stored}`;
    if (!this.entries.has(k)) {
      this.entries.set(k, { ok: true, value: parsed });
      this.chars += 2 * k.length;
    }
    if (this.contents.get(version.hash)?.text !== version.canonical) {
      this.contents.set(version.hash, { text: version.canonical, result: { ok: true, value: version.content } });
      this.chars += 2 * version.canonical.length;
    }
  }

  signature(key: string): boolean | undefined {
    return this.signatures.get(key);
  }

  setSignature(key: string, valid: boolean): void {
    if (!this.signatures.has(key)) this.chars += key.length;
    this.signatures.set(key, valid);
  }
}

interface Candidate {
  id: EntryId;
  entry: SignedEntry;
  /** The payload's canonical text: what the signature covers. */
  text: string;
  parents: readonly EntryId[];
  facts?: EntryFacts;
  reason: string | null;
}

/**
 * Verifies every entry of a document's chain against a trust store, offline. Per entry: structure and
 * id, certificate (trusted, not revoked, valid at the claimed time), signature, the signed content
 * version, parents, and the workflow rules applied to the history the signer saw. Never throws.
 */
export async function verify(doc: CountersignDocument, trust: TrustStore, opts: { cache?: VerifyCache } = {}): Promise<VerificationReport> {
  const reports = new Map<string, EntryReport>();
  const candidates: Candidate[] = [];
  const cache = opts.cache ?? new VerifyCache();
  cache.trim();

  for (const [key, raw] of doc.rawEntries()) {
    const parsed = cache.entry(key, raw);
    if (!parsed.ok) {
      reports.set(key, blankReport(key, parsed.reason));
      continue;
    }
    candidates.push({ id: parsed.value.id, entry: parsed.value.entry, text: parsed.value.text, parents: parsed.value.entry.payload.parents, reason: null });
  }

  await Promise.all(candidates.map((c) => checkAlone(c, doc, trust, cache)));

  const sound = candidates.filter((c) => c.facts);
  const byId = new Map(candidates.map((c) => [c.id, c]));
  const order = topoOrder(
    sound.map((c) => ({ id: c.id, parents: c.parents, facts: c.facts! })),
    (a, b) => canonicalBefore(a.facts, b.facts),
  );
  const ancestors = ancestorSets(order);
  const ctx = order.length ? chainContext(order[0]!.facts.content, trust, order[0]!.facts.at) : null;
  const valid = new Map<EntryId, EntryFacts>();
  const validOrder: EntryFacts[] = [];
  // The state after each valid entry. An entry with one parent p saw exactly p's history plus p, and
  // p comes last in that history's canonical order, so its state is p's state — no replay needed.
  const after = new Map<EntryId, WorkState>();

  for (const node of order) {
    const c = byId.get(node.id)!;
    const facts = c.facts!;
    facts.ancestors = ancestors.get(node.id)!;
    const missing = c.parents.find((p) => !byId.has(p));
    const badParent = c.parents.find((p) => !valid.has(p));
    if (missing) c.reason = `A parent entry is missing: ${missing}.`;
    else if (badParent) c.reason = `A parent entry is invalid: ${badParent}.`;
    else {
      const single = c.parents.length === 1 ? after.get(c.parents[0]!) : undefined;
      const before = single ? cloneState(single) : stateBefore(facts, valid, ctx!);
      c.reason = c.parents.length === 0 ? rootCheck(facts, ctx!) : null;
      c.reason ??= check(before, facts, ctx!);
      if (c.reason === null) {
        apply(before, facts);
        after.set(c.id, before);
      }
    }
    if (c.reason === null) {
      valid.set(c.id, facts);
      validOrder.push(facts);
    }
  }
  for (const c of candidates) {
    if (c.facts && c.reason === null && !valid.has(c.id)) c.reason = "The entry is part of a cycle.";
  }

  const entries: EntryReport[] = [];
  const ordered = new Set<EntryId>();
  for (const node of order) {
    entries.push(report(byId.get(node.id)!));
    ordered.add(node.id);
  }
  for (const c of candidates) if (!ordered.has(c.id)) entries.push(report(c));
  entries.push(...reports.values());
  const meta = ctx ? null : doc.metadata();
  const agency = ctx ? ctx.agency : meta?.ok ? meta.value.agency : undefined;
  return { doc: doc.id, entries, valid: validOrder, ctx, deputies: agency ? trust.deputyTable(agency) : undefined };
}

async function checkAlone(c: Candidate, doc: CountersignDocument, trust: TrustStore, cache: VerifyCache): Promise<void> {
  const p = c.entry.payload;
  if (p.doc !== doc.id) return void (c.reason = "The entry belongs to another document.");
  const cert = cache.cert(p.cert);
  if (!cert.ok) return void (c.reason = `The signer's certificate does not parse: ${cert.reason}`);
  const at = new Date(p.at);
  const trusted = await trust.checkCertificate(cert.value, at);
  if (!trusted.ok) return void (c.reason = trusted.reason);
  const sigKey = `${c.id}:${c.entry.sig}:${p.cert.length}`;
  let good = cache.signature(sigKey);
  if (good === undefined) {
    const key = await cache.key(p.cert, p.alg);
    let sig: Uint8Array | undefined;
    try {
      sig = fromBase64(c.entry.sig);
    } catch {
      sig = undefined;
    }
    good = key.ok && sig !== undefined && (await verifyBytes(p.alg, key.value, sig, utf8(c.text)));
    cache.setSignature(sigKey, good);
  }
  if (!good) return void (c.reason = "The signature does not verify against the signer's certificate.");
  const text = doc.version(p.content);
  if (text === undefined) return void (c.reason = "The signed version of the content is missing.");
  const content = cache.content(p.content, text);
  if (!content.ok) return void (c.reason = content.reason);
  if (content.value.doc !== doc.id) return void (c.reason = "The signed content belongs to another document.");
  c.facts = { id: c.id, parents: p.parents, payload: p, profile: trusted.profile, at, content: content.value, ancestors: new Set() };
}

/** Weekends and the fixed-date holidays only: what every replica knows without an import (for `firstDue`). */
const CODE_CALENDAR = officeCalendar([]);

/**
 * The chain's fixed facts come from the content its first entry signed: the document's creation
 * (agency, unit, case officer, secrecy), as its first signer saw it, and `firstAt`, the first entry's
 * claimed time (for `firstDue`: see ChainContext; every caller that verifies 展期 must pass it — the
 * default, 1970, exists only for older callers that verify no 展期). Deputies, levels and the 展期 policy come from the
 * trust store's tables, never from the document.
 */
export function chainContext(first: SignedContent, trust: TrustStore, firstAt: Date = new Date(0)): ChainContext {
  const agency = first.metadata.agency;
  const tableLevel = (content: SignedContent) => {
    const table = trust.delegationTable(agency);
    return table ? requiredLevel(table, content.metadata.category) : 0;
  };
  return {
    agency,
    unit: first.metadata.unit,
    caseOfficer: first.metadata.caseOfficer,
    secrecy: first.metadata.secrecy,
    requiredLevel: (content, plan) => Math.max(plan.decisionLevel, tableLevel(content)),
    tableLevel,
    actsFor: (a, principal, deputy, at) => actsFor(trust.deputyTable(a), principal, deputy, at),
    extensionPolicy: extensionPolicyOf(trust.delegationTable(agency)),
    firstDue: first.metadata.dueDate ?? dueDateFor(CODE_CALENDAR, first.metadata.speed, taipeiDay(firstAt)),
  };
}

/**
 * Every entry that starts the chain (no parents) must have signed the same creation as the chain's
 * first entry: two roots that disagree on who may see or route the document cannot both stand.
 */
function rootCheck(e: EntryFacts, ctx: ChainContext): string | null {
  const m = e.content.metadata;
  if (m.agency !== ctx.agency || m.unit !== ctx.unit || m.caseOfficer !== ctx.caseOfficer || m.secrecy !== ctx.secrecy)
    return "The entry signs another creation (agency, unit, case officer or secrecy) than the document's first signed entry.";
  return null;
}

function blankReport(id: string, reason: string): EntryReport {
  return { id, valid: false, reason, action: null, step: null, opinion: "", at: null, signer: null, parents: [] };
}

function report(c: Candidate): EntryReport {
  const p = c.entry.payload;
  return {
    id: c.id,
    valid: c.reason === null,
    reason: c.reason,
    action: p.action.kind,
    step: p.step,
    opinion: p.opinion,
    at: p.at,
    signer: c.facts?.profile ?? null,
    parents: [...p.parents],
  };
}
