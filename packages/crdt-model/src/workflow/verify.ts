import type { DocId, EntryId } from "../ids.ts";
import type { CountersignDocument } from "../schema/document.ts";
import { parseSignedContent, type SignedContent } from "../schema/content.ts";
import { parseEntry, signedBytes, type ActionKind, type SignedEntry } from "../chain/types.ts";
import { ancestorSets, topoOrder } from "../chain/dag.ts";
import { parseCertificate, importCertificateKey } from "../identity/certs.ts";
import { verifyBytes } from "../identity/crypto.ts";
import type { TrustStore } from "../identity/trust.ts";
import type { SignerProfile } from "../identity/profile.ts";
import { requiredLevel } from "../routing/delegation.ts";
import { fromBase64, sha256Hex } from "../bytes.ts";
import { check } from "./rules.ts";
import { canonicalBefore, stateBefore } from "./replay.ts";
import type { ChainContext, EntryFacts } from "./state.ts";

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
}

/**
 * Memoises signature checks across verifications of the same document: an entry's id fixes its signed
 * bytes, so (id, signature) → valid can never change. Owned by the caller (app session, server room).
 */
export class SignatureCache {
  private readonly seen = new Map<string, boolean>();
  get(key: string): boolean | undefined {
    return this.seen.get(key);
  }
  set(key: string, valid: boolean): void {
    if (this.seen.size > 100_000) this.seen.clear();
    this.seen.set(key, valid);
  }
}

interface Candidate {
  id: EntryId;
  entry: SignedEntry;
  parents: readonly EntryId[];
  facts?: EntryFacts;
  reason: string | null;
}

/**
 * Verifies every entry of a document's chain against a trust store, offline. Per entry: structure and
 * id, certificate (trusted, not revoked, valid at the claimed time), signature, the signed content
 * version, parents, and the workflow rules applied to the history the signer saw. Never throws.
 */
export async function verify(doc: CountersignDocument, trust: TrustStore, opts: { cache?: SignatureCache } = {}): Promise<VerificationReport> {
  const reports = new Map<string, EntryReport>();
  const candidates: Candidate[] = [];
  const contentCache = new Map<string, { ok: true; value: SignedContent } | { ok: false; reason: string }>();

  for (const [key, raw] of doc.rawEntries()) {
    const parsed = parseEntry(raw, key);
    if (!parsed.ok) {
      reports.set(key, blankReport(key, parsed.reason));
      continue;
    }
    candidates.push({ id: parsed.value.id, entry: parsed.value.entry, parents: parsed.value.entry.payload.parents, reason: null });
  }

  await Promise.all(candidates.map((c) => checkAlone(c, doc, trust, contentCache, opts.cache)));

  const sound = candidates.filter((c) => c.facts);
  const byId = new Map(candidates.map((c) => [c.id, c]));
  const order = topoOrder(
    sound.map((c) => ({ id: c.id, parents: c.parents, facts: c.facts! })),
    (a, b) => canonicalBefore(a.facts, b.facts),
  );
  const ancestors = ancestorSets(order);
  const ctx = order.length ? contextFrom(order[0]!.facts.content, trust) : null;
  const valid = new Map<EntryId, EntryFacts>();
  const validOrder: EntryFacts[] = [];

  for (const node of order) {
    const c = byId.get(node.id)!;
    const facts = c.facts!;
    facts.ancestors = ancestors.get(node.id)!;
    const missing = c.parents.find((p) => !byId.has(p));
    const badParent = c.parents.find((p) => !valid.has(p));
    if (missing) c.reason = `A parent entry is missing: ${missing}.`;
    else if (badParent) c.reason = `A parent entry is invalid: ${badParent}.`;
    else c.reason = check(stateBefore(facts, valid, ctx!), facts, ctx!);
    if (c.reason === null) {
      valid.set(c.id, facts);
      validOrder.push(facts);
    }
  }
  for (const c of candidates) {
    if (c.facts && c.reason === null && !valid.has(c.id)) c.reason = "The entry is part of a cycle.";
  }

  const entries: EntryReport[] = [];
  for (const node of order) entries.push(report(byId.get(node.id)!));
  for (const c of candidates) if (!order.some((n) => n.id === c.id)) entries.push(report(c));
  entries.push(...reports.values());
  return { doc: doc.id, entries, valid: validOrder, ctx };
}

async function checkAlone(
  c: Candidate,
  doc: CountersignDocument,
  trust: TrustStore,
  contents: Map<string, { ok: true; value: SignedContent } | { ok: false; reason: string }>,
  cache: SignatureCache | undefined,
): Promise<void> {
  const p = c.entry.payload;
  if (p.doc !== doc.id) return void (c.reason = "The entry belongs to another document.");
  const cert = parseCertificate(p.cert);
  if (!cert.ok) return void (c.reason = `The signer's certificate does not parse: ${cert.reason}`);
  const at = new Date(p.at);
  const trusted = await trust.checkCertificate(cert.value, at);
  if (!trusted.ok) return void (c.reason = trusted.reason);
  const cacheKey = `${c.id}:${c.entry.sig}:${p.cert.length}`;
  let good = cache?.get(cacheKey);
  if (good === undefined) {
    const key = await importCertificateKey(cert.value, p.alg);
    let sig: Uint8Array | undefined;
    try {
      sig = fromBase64(c.entry.sig);
    } catch {
      sig = undefined;
    }
    good = key.ok && sig !== undefined && (await verifyBytes(p.alg, key.value, sig, signedBytes(p)));
    cache?.set(cacheKey, good);
  }
  if (!good) return void (c.reason = "The signature does not verify against the signer's certificate.");
  const text = doc.version(p.content);
  if (text === undefined) return void (c.reason = "The signed version of the content is missing.");
  let content = contents.get(p.content);
  if (!content) {
    content = sha256Hex(text) !== p.content ? { ok: false, reason: "The content hash does not match the stored version." } : parseSignedContent(text);
    contents.set(p.content, content);
  }
  if (!content.ok) return void (c.reason = content.reason);
  if (content.value.doc !== doc.id) return void (c.reason = "The signed content belongs to another document.");
  c.facts = { id: c.id, parents: p.parents, payload: p, profile: trusted.profile, at, content: content.value, ancestors: new Set() };
}

/** The chain's fixed facts come from the content its first entry signed. */
function contextFrom(first: SignedContent, trust: TrustStore): ChainContext {
  const agency = first.metadata.agency;
  return {
    agency,
    unit: first.metadata.unit,
    caseOfficer: first.metadata.caseOfficer,
    requiredLevel: (content, plan) => {
      const table = trust.delegationTable(agency);
      return Math.max(plan.decisionLevel, table ? requiredLevel(table, content.metadata.category) : 0);
    },
  };
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
