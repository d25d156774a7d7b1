/**
 * (a) The lifecycle on Automerge 3: the document layout, signing onto Automerge storage, and verify +
 * derive ported onto it, reusing the model's storage-independent code.
 */
import * as Automerge from "@automerge/automerge";
import {
  SECTIONS,
  TrustStore,
  VerifyCache,
  asDocId,
  canonicalContent,
  canonicalJson,
  fromBase64,
  heads,
  metadataSchema,
  parseRoutingPlan,
  randomId,
  sha256Hex,
  toBase64,
  utf8,
  verifyBytes,
  type CanonicalItem,
  type DocId,
  type EntryId,
  type EntryPayload,
  type Json,
  type Section,
  type Sha256Hex,
  type SignedContent,
  type SignedEntry,
} from "../../../packages/crdt-model/src/index.ts";
import type { SampleAgency } from "../../../packages/crdt-model/src/sample/agency.ts";
import { sampleMetadata } from "../../../packages/crdt-model/src/sample/document.ts";
// Storage-independent internals, reused so the Automerge port does exactly the model's checks.
import { checkPayload, entryText, payloadText } from "../../../packages/crdt-model/src/chain/types.ts";
import { asEntryId } from "../../../packages/crdt-model/src/ids.ts";
import { ancestorSets, topoOrder } from "../../../packages/crdt-model/src/chain/dag.ts";
import { canonicalBefore, replay, stateBefore } from "../../../packages/crdt-model/src/workflow/replay.ts";
import { check } from "../../../packages/crdt-model/src/workflow/rules.ts";
import type { ChainContext, EntryFacts } from "../../../packages/crdt-model/src/workflow/state.ts";
import { chainContext } from "../../../packages/crdt-model/src/workflow/verify.ts";
import {
  BODY,
  NOTE,
  S,
  SUBJECT,
  SUBJECT_EDITED,
  at,
  checkOutcome,
  lifecyclePlan,
  must,
  now,
  unwrap,
  type ItemTemplate,
  type Outcome,
  type PhaseTimes,
  type ReplicaCaches,
  type StepSpec,
} from "./common.ts";

// ---- (a) Automerge side --------------------------------------------------------------------------

type Scalar = Automerge.ImmutableString | null;

interface AmItem {
  id: string;
  /** Collaborative text, like the Y.Text of a body item. */
  text: string;
  children: AmItem[];
}

/**
 * The same layout as the Y.Doc: metadata fields and the plan as scalar (last-writer-wins) strings,
 * 主旨 and item texts as collaborative text, chain and versions as maps of immutable strings.
 */
export type AmDoc = {
  meta: { [key: string]: Scalar };
  subject: string;
  body: { explanation: AmItem[]; measures: AmItem[]; proposal: AmItem[] };
  attachments: { [sha256: string]: Automerge.ImmutableString };
  plan: Scalar;
  chain: { [id: string]: Automerge.ImmutableString };
  versions: { [hash: string]: Automerge.ImmutableString };
};

export function scalar(v: unknown): string | null | undefined {
  if (v === null) return null;
  if (typeof v === "string") return v;
  if (Automerge.isImmutableString(v)) return (v as Automerge.ImmutableString).val;
  return undefined;
}

function amItems(items: readonly ItemTemplate[]): AmItem[] {
  return items.map((t) => ({ id: randomId("i"), text: t.text, children: amItems(t.children ?? []) }));
}

export function amCanonicalItems(items: readonly AmItem[] | undefined, depth = 1): CanonicalItem[] {
  const out: CanonicalItem[] = [];
  for (const i of items ?? []) {
    if (typeof i.id !== "string" || typeof i.text !== "string") continue;
    out.push({ text: i.text, children: depth < 4 ? amCanonicalItems(i.children, depth + 1) : [] });
  }
  return out;
}

/** The content in the form signers sign, read with the same validation CountersignDocument applies. */
function amContent(doc: AmDoc): SignedContent {
  const raw: Record<string, unknown> = {};
  for (const k of Object.keys(metadataSchema.shape)) raw[k] = scalar(doc.meta[k]);
  const meta = metadataSchema.safeParse(raw);
  must(meta.success, "automerge: the metadata is invalid");
  const planText = scalar(doc.plan);
  const plan = typeof planText === "string" ? unwrap(parseRoutingPlan(JSON.parse(planText)), "automerge: plan") : null;
  const body = {} as Record<Section, CanonicalItem[]>;
  for (const s of SECTIONS) body[s] = amCanonicalItems(doc.body[s]);
  const attachments: SignedContent["attachments"] = [];
  for (const rawRef of Object.values(doc.attachments)) attachments.push(JSON.parse(rawRef.val) as SignedContent["attachments"][number]);
  return { v: 1, doc: asDocId(scalar(doc.meta["docId"]) ?? ""), metadata: meta.data, subject: doc.subject, body, attachments, plan };
}

function amCurrentVersion(doc: AmDoc): { hash: Sha256Hex; canonical: string; content: SignedContent } {
  const content = amContent(doc);
  const canonical = canonicalContent(content);
  return { hash: sha256Hex(canonical), canonical, content };
}

export function amCreate(a: SampleAgency, id: DocId): Automerge.Doc<AmDoc> {
  const meta = metadataSchema.safeParse(sampleMetadata(a));
  must(meta.success, "automerge: the metadata is invalid");
  const plan = unwrap(parseRoutingPlan(lifecyclePlan(a)), "automerge: plan");
  const m: { [key: string]: Scalar } = { docId: new Automerge.ImmutableString(id) };
  // The sample is a 簽: no recipients, every field a string or null.
  for (const [k, v] of Object.entries(meta.data)) if (typeof v === "string" || v === null) m[k] = v === null ? null : new Automerge.ImmutableString(v);
  let doc = Automerge.from<AmDoc>({
    meta: m,
    subject: SUBJECT,
    body: { explanation: [], measures: [], proposal: [] },
    attachments: {},
    plan: new Automerge.ImmutableString(canonicalJson(JSON.parse(JSON.stringify(plan)) as Json)),
    chain: {},
    versions: {},
  });
  doc = Automerge.change(doc, (d) => {
    for (const s of SECTIONS) for (const item of amItems(BODY[s])) d.body[s].push(item);
  });
  return doc;
}

/** signAction, on Automerge storage: the same payload, bytes, signature and round-trip check. */
/** Signs as signAction does: one canonical text, checked as a verifier parses it, taught to the replica's cache. */
async function amSign(
  doc: Automerge.Doc<AmDoc>,
  cache: VerifyCache,
  a: SampleAgency,
  spec: StepSpec,
  parents: readonly EntryId[],
): Promise<{ doc: Automerge.Doc<AmDoc>; id: EntryId }> {
  const version = amCurrentVersion(doc);
  const signer = spec.signer(a);
  const payload: EntryPayload = {
    v: 1,
    doc: asDocId(scalar(doc.meta["docId"]) ?? ""),
    parents: [...new Set(parents)].sort(),
    content: version.hash,
    step: spec.step,
    action: spec.action,
    opinion: spec.opinion,
    cert: toBase64(signer.certDer),
    alg: signer.alg,
    at: at(spec.minute).toISOString(),
  };
  const text = payloadText(payload);
  const checked = unwrap(checkPayload(JSON.parse(text)), "automerge: signed entry");
  must(checked.text === text, "automerge: the payload does not read back as signed");
  const id = asEntryId(sha256Hex(text));
  const sig = toBase64(await signer.sign(utf8(text)));
  const entry: SignedEntry = { payload: checked.payload, sig };
  const stored = entryText(text, sig);
  const next = Automerge.change(doc, (d) => {
    if (!(payload.content in d.versions)) d.versions[payload.content] = new Automerge.ImmutableString(version.canonical);
    if (!(id in d.chain)) d.chain[id] = new Automerge.ImmutableString(stored);
  });
  cache.learnSigned(id, stored, { id, entry, text }, version);
  return { doc: next, id };
}

interface AmCandidate {
  id: EntryId;
  entry: SignedEntry;
  text: string;
  parents: readonly EntryId[];
  facts?: EntryFacts;
  reason: string | null;
}

/**
 * verify + derive, ported onto Automerge storage: every per-entry check verify.ts makes, with the
 * model's own VerifyCache (the session's, as on the crdt-model side), then the same
 * ordering, per-entry rule check and replay.
 */
async function amDerive(doc: Automerge.Doc<AmDoc>, trust: TrustStore, cache: VerifyCache): Promise<Outcome> {
  const docId = scalar(doc.meta["docId"]);
  const candidates: AmCandidate[] = [];
  let malformed = 0;
  for (const [key, raw] of Object.entries(doc.chain)) {
    const parsed = cache.entry(key, scalar(raw));
    if (!parsed.ok) {
      malformed++;
      continue;
    }
    candidates.push({ id: parsed.value.id, entry: parsed.value.entry, text: parsed.value.text, parents: parsed.value.entry.payload.parents, reason: null });
  }
  await Promise.all(
    candidates.map(async (c) => {
      const p = c.entry.payload;
      if (p.doc !== docId) return void (c.reason = "another document");
      const cert = cache.cert(p.cert);
      if (!cert.ok) return void (c.reason = cert.reason);
      const when = new Date(p.at);
      const trusted = await trust.checkCertificate(cert.value, when);
      if (!trusted.ok) return void (c.reason = trusted.reason);
      const sigKey = `${c.id}:${c.entry.sig}:${p.cert.length}`;
      let good = cache.signatures.get(sigKey);
      if (good === undefined) {
        const key = await cache.key(p.cert, p.alg);
        let sig: Uint8Array | undefined;
        try {
          sig = fromBase64(c.entry.sig);
        } catch {
          sig = undefined;
        }
        good = key.ok && sig !== undefined && (await verifyBytes(p.alg, key.value, sig, utf8(c.text)));
        cache.signatures.set(sigKey, good);
      }
      if (!good) return void (c.reason = "bad signature");
      const text = scalar(doc.versions[p.content]);
      if (typeof text !== "string") return void (c.reason = "missing version");
      const content = cache.content(p.content, text);
      if (!content.ok) return void (c.reason = content.reason);
      if (content.value.doc !== docId) return void (c.reason = "content of another document");
      c.facts = { id: c.id, parents: p.parents, payload: p, profile: trusted.profile, at: when, content: content.value, ancestors: new Set() };
    }),
  );

  const byId = new Map(candidates.map((c) => [c.id, c]));
  const order = topoOrder(
    candidates.filter((c) => c.facts).map((c) => ({ id: c.id, parents: c.parents, facts: c.facts! })),
    (x, y) => canonicalBefore(x.facts, y.facts),
  );
  const ancestors = ancestorSets(order);
  const first = order[0]?.facts.content;
  const ctx: ChainContext | null = first ? chainContext(first, trust) : null;
  const valid = new Map<EntryId, EntryFacts>();
  const validOrder: EntryFacts[] = [];
  for (const node of order) {
    const c = byId.get(node.id)!;
    const facts = c.facts!;
    facts.ancestors = ancestors.get(node.id)!;
    const missing = c.parents.find((p) => !byId.has(p));
    const badParent = c.parents.find((p) => !valid.has(p));
    if (missing) c.reason = `missing parent ${missing}`;
    else if (badParent) c.reason = `invalid parent ${badParent}`;
    else c.reason = check(stateBefore(facts, valid, ctx!), facts, ctx!);
    if (c.reason === null) {
      valid.set(c.id, facts);
      validOrder.push(facts);
    }
  }

  const { state, conflicts } = ctx ? replay(validOrder, ctx) : { state: null, conflicts: [] };
  const current = amCurrentVersion(doc);
  const findings = state?.decision && current.hash !== state.decision.content ? 1 : 0;
  return {
    status: state?.status ?? "draft",
    valid: malformed === 0 && candidates.every((c) => c.reason === null) && findings === 0 && conflicts.length === 0,
    applied: state?.applied.length ?? 0,
    entries: candidates.length + malformed,
    decisionContent: state?.decision?.content ?? null,
    contentHash: current.hash,
    heads: heads(validOrder.map((f) => ({ id: f.id, parents: f.payload.parents }))),
    subject: doc.subject,
    proposal: doc.body.proposal[0]?.text ?? "",
  };
}

export async function automergeLifecycle(a: SampleAgency, trust: TrustStore, caches: ReplicaCaches, t: PhaseTimes): Promise<void> {
  let t0 = now();
  let A = amCreate(a, asDocId(randomId("d")));
  t.create += now() - t0;

  t0 = now();
  let r = await amSign(A, caches[0], a, S.submit, []);
  const submit = r.id;
  r = await amSign(r.doc, caches[0], a, S.registry, [submit]);
  const registry = r.id;
  r = await amSign(r.doc, caches[0], a, S.clerk, [registry]);
  const clerk = r.id;
  A = Automerge.change(r.doc, (d) => Automerge.splice(d, ["subject"], 0, d.subject.length, SUBJECT_EDITED));
  r = await amSign(A, caches[0], a, S.chief, [clerk]);
  const chief = r.id;
  A = r.doc;
  t.steps += now() - t0;

  // Replica B receives the whole document, then both diverge.
  t0 = now();
  let B = Automerge.load<AmDoc>(Automerge.save(A));
  const synced = Automerge.getHeads(A);
  t.sync += now() - t0;

  t0 = now();
  r = await amSign(A, caches[0], a, S.personnel, [chief]);
  const personnel = r.id;
  r = await amSign(r.doc, caches[0], a, S.accounting, [chief]);
  const accounting = r.id;
  A = r.doc;
  B = Automerge.change(B, (d) => Automerge.splice(d, ["body", "proposal", 0, "text"], d.body.proposal[0]!.text.length, 0, NOTE));
  r = await amSign(B, caches[1], a, S.secretariat, [chief]);
  const secretariat = r.id;
  r = await amSign(r.doc, caches[1], a, S.archives, [chief]);
  const archives = r.id;
  B = r.doc;
  t.steps += now() - t0;

  // Merge both ways: each side sends the changes made since the heads both last had.
  t0 = now();
  const toB = Automerge.saveSince(A, synced);
  const toA = Automerge.saveSince(B, synced);
  A = Automerge.loadIncremental(A, toA);
  B = Automerge.loadIncremental(B, toB);
  t.sync += now() - t0;

  t0 = now();
  r = await amSign(A, caches[0], a, S.deputy, [personnel, accounting, secretariat, archives]);
  r = await amSign(r.doc, caches[0], a, S.decide, [r.id]);
  const decide = r.id;
  A = r.doc;
  t.steps += now() - t0;

  t0 = now();
  B = Automerge.loadIncremental(B, Automerge.saveSince(A, Automerge.getHeads(B)));
  t.sync += now() - t0;

  t0 = now();
  const oA = await amDerive(A, trust, caches[0]);
  const oB = await amDerive(B, trust, caches[1]);
  t.derive += now() - t0;

  checkOutcome("automerge", oA, oB, decide);
  Automerge.free(A);
  Automerge.free(B);
}
