/**
 * (a) The lifecycle's parts timed alone: the real entries of one document captured once, then their
 * crypto replayed without storage, and their storage replayed (on both sides) without crypto.
 */
import * as Automerge from "@automerge/automerge";
import {
  CountersignDocument,
  SECTIONS,
  TrustStore,
  asDocId,
  fromBase64,
  parseEntry,
  randomId,
  serializeEntry,
  signedBytes,
  verify,
  verifyBytes,
  type EntryId,
  type ItemId,
  type SignedEntry,
  type Signer,
} from "../../../packages/crdt-model/src/index.ts";
import type { SampleAgency } from "../../../packages/crdt-model/src/sample/agency.ts";
import { sampleMetadata } from "../../../packages/crdt-model/src/sample/document.ts";
// Storage-independent internals, reused so the crypto pass imports keys exactly as verify does.
import { importCertificateKey } from "../../../packages/crdt-model/src/identity/certs.ts";
import { BODY, ENTRIES_PER_DOC, LC, LIFECYCLE_STEPS, NOTE, SUBJECT, SUBJECT_EDITED, lifecyclePlan, must, newPhases, newReplicaCaches, now, unwrap } from "./common.ts";
import { addModelItems, modelLifecycle } from "./crdt-model-side.ts";
import { amCanonicalItems, amCreate, scalar, type AmDoc } from "./automerge-side.ts";

// ---- (a) crypto alone ------------------------------------------------------------------------------

export interface CryptoOp {
  signer: Signer;
  bytes: Uint8Array;
  sig: Uint8Array;
}

export interface StoredEntry {
  id: EntryId;
  entry: SignedEntry;
  canonical: string;
}

/**
 * The real entries of one lifecycle document (in canonical order: submit, three reviews, the four
 * countersigns, the deputy's review, the decision), to replay their crypto and their storage alone.
 */
export async function captureLifecycle(a: SampleAgency, trust: TrustStore): Promise<{ ops: CryptoOp[]; stored: StoredEntry[] }> {
  const doc = await modelLifecycle(a, trust, newReplicaCaches(), newPhases());
  const report = await verify(doc, trust);
  const bySigner = new Map(LIFECYCLE_STEPS.map((s) => [s.signer(a).profile.person as string, s.signer(a)]));
  const ops: CryptoOp[] = [];
  const stored: StoredEntry[] = [];
  for (const f of report.valid) {
    const entry = unwrap(parseEntry(doc.rawEntries().get(f.id), f.id), "captured entry").entry;
    const canonical = doc.version(f.payload.content);
    must(canonical !== undefined, "captured entry: its signed version is missing");
    ops.push({ signer: bySigner.get(f.profile.person)!, bytes: signedBytes(f.payload), sig: fromBase64(entry.sig) });
    stored.push({ id: f.id, entry, canonical });
  }
  must(ops.length === ENTRIES_PER_DOC, `captured ${ops.length} entries, expected ${ENTRIES_PER_DOC}`);
  const steps = stored.map((e) => e.entry.payload.step);
  const expected = [null, LC.registry, LC.clerk, LC.chief];
  must(
    expected.every((x, i) => steps[i] === x) && steps[8] === LC.deputy && steps[9] === LC.decide,
    `captured entries are not in lifecycle order: ${steps.join(", ")}`,
  );
  return { ops, stored };
}

/** The public key of each signer of `ops`, imported once (a replica's CertificateCache holds them). */
export async function importKeys(ops: readonly CryptoOp[]): Promise<Map<Signer, CryptoKey>> {
  const keys = new Map<Signer, CryptoKey>();
  for (const op of ops) if (!keys.has(op.signer)) keys.set(op.signer, unwrap(await importCertificateKey(op.signer.cert, op.signer.alg), "import key"));
  return keys;
}

/**
 * The floor, per document: the sign and verify work the lifecycle cannot do without — 10 signatures,
 * and on each of the two replicas the 10 verifications (concurrently, as verify runs them) — with
 * every key already imported (`keys`), as a replica that knows its signers has them.
 */
export async function cryptoPass(ops: readonly CryptoOp[], keys: ReadonlyMap<Signer, CryptoKey>, docs: number): Promise<{ signMs: number; verifyMs: number }> {
  let signMs = 0;
  let verifyMs = 0;
  for (let i = 0; i < docs; i++) {
    let t0 = now();
    for (const op of ops) await op.signer.sign(op.bytes);
    signMs += now() - t0;
    t0 = now();
    for (let replica = 0; replica < 2; replica++) {
      const results = await Promise.all(ops.map((op) => verifyBytes(op.signer.alg, keys.get(op.signer)!, op.sig, op.bytes)));
      must(results.every(Boolean), "crypto pass: a signature does not verify");
    }
    verifyMs += now() - t0;
  }
  return { signMs, verifyMs };
}

/** What importing the keys costs where a replica does not keep them: one import per distinct certificate. */
export async function keyImportPass(ops: readonly CryptoOp[]): Promise<number> {
  const t0 = now();
  await importKeys(ops);
  return now() - t0;
}

// ---- (a) storage alone -----------------------------------------------------------------------------

/**
 * The CRDT work of the lifecycle with the crypto and the validation taken out: the same creation,
 * edits, fork, diff exchange and final sync, with the 10 captured entries (and their signed versions)
 * written where the lifecycle signs them, the content read before each write (as signing does), and
 * at the end every entry and version read back on both replicas (as verification does).
 */
/** The captured entries by their place in the lifecycle. */
function named(stored: readonly StoredEntry[]) {
  const e = (i: number): StoredEntry => stored[i]!;
  return { submit: e(0), registry: e(1), clerk: e(2), chief: e(3), cs1: e(4), cs2: e(5), cs3: e(6), cs4: e(7), deputy: e(8), decide: e(9) };
}

export function modelStorage(a: SampleAgency, stored: readonly StoredEntry[]): void {
  const A = unwrap(
    CountersignDocument.create({ id: asDocId(randomId("d")), metadata: sampleMetadata(a), subject: SUBJECT, plan: lifecyclePlan(a) }),
    "storage: create",
  );
  let proposal: ItemId | undefined;
  A.transact(() => {
    addModelItems(A, "explanation", null, BODY.explanation);
    proposal = addModelItems(A, "proposal", null, BODY.proposal)[0];
  });
  must(proposal, "storage: no 擬辦 item");
  const write = (doc: CountersignDocument, e: StoredEntry) => {
    doc.subject();
    for (const s of SECTIONS) doc.body(s);
    doc.addEntry(e.id, e.entry, e.canonical);
  };
  const { submit, registry, clerk, chief, cs1, cs2, cs3, cs4, deputy, decide } = named(stored);
  write(A, submit);
  write(A, registry);
  write(A, clerk);
  A.setSubject(SUBJECT_EDITED);
  write(A, chief);
  const B = unwrap(CountersignDocument.fromUpdate(A.encodeState()), "storage: fork");
  write(A, cs1);
  write(A, cs2);
  unwrap(B.insertItemText("proposal", proposal, B.body("proposal")[0]!.text.length, NOTE), "storage: edit");
  write(B, cs3);
  write(B, cs4);
  const svA = A.stateVector();
  const svB = B.stateVector();
  const toB = A.encodeState(svB);
  const toA = B.encodeState(svA);
  unwrap(A.applyUpdate(toA), "storage: merge into A");
  unwrap(B.applyUpdate(toB), "storage: merge into B");
  write(A, deputy);
  write(A, decide);
  unwrap(B.applyUpdate(A.encodeState(B.stateVector())), "storage: final sync");
  for (const doc of [A, B]) {
    const raw = doc.rawEntries();
    must(raw.size === ENTRIES_PER_DOC, "storage: an entry is missing");
    for (const e of stored) must(doc.version(e.entry.payload.content) !== undefined, "storage: a version is missing");
    must(doc.subject() === SUBJECT_EDITED && doc.body("proposal")[0]?.text.endsWith(NOTE), "storage: an edit was lost");
  }
}

export function automergeStorage(a: SampleAgency, stored: readonly StoredEntry[]): void {
  let A = amCreate(a, asDocId(randomId("d")));
  const write = (doc: Automerge.Doc<AmDoc>, e: StoredEntry): Automerge.Doc<AmDoc> => {
    void doc.subject;
    for (const s of SECTIONS) amCanonicalItems(doc.body[s]);
    const text = serializeEntry(e.entry);
    return Automerge.change(doc, (d) => {
      if (!(e.entry.payload.content in d.versions)) d.versions[e.entry.payload.content] = new Automerge.ImmutableString(e.canonical);
      if (!(e.id in d.chain)) d.chain[e.id] = new Automerge.ImmutableString(text);
    });
  };
  const { submit, registry, clerk, chief, cs1, cs2, cs3, cs4, deputy, decide } = named(stored);
  A = write(A, submit);
  A = write(A, registry);
  A = write(A, clerk);
  A = Automerge.change(A, (d) => Automerge.splice(d, ["subject"], 0, d.subject.length, SUBJECT_EDITED));
  A = write(A, chief);
  let B = Automerge.load<AmDoc>(Automerge.save(A));
  const synced = Automerge.getHeads(A);
  A = write(A, cs1);
  A = write(A, cs2);
  B = Automerge.change(B, (d) => Automerge.splice(d, ["body", "proposal", 0, "text"], d.body.proposal[0]!.text.length, 0, NOTE));
  B = write(B, cs3);
  B = write(B, cs4);
  const toB = Automerge.saveSince(A, synced);
  const toA = Automerge.saveSince(B, synced);
  A = Automerge.loadIncremental(A, toA);
  B = Automerge.loadIncremental(B, toB);
  A = write(A, deputy);
  A = write(A, decide);
  B = Automerge.loadIncremental(B, Automerge.saveSince(A, Automerge.getHeads(B)));
  for (const doc of [A, B]) {
    const raw = new Map(Object.entries(doc.chain).map(([k, v]) => [k, scalar(v)]));
    must(raw.size === ENTRIES_PER_DOC, "storage: an entry is missing");
    for (const e of stored) must(typeof scalar(doc.versions[e.entry.payload.content]) === "string", "storage: a version is missing");
    must(doc.subject === SUBJECT_EDITED && (doc.body.proposal[0]?.text ?? "").endsWith(NOTE), "storage: an edit was lost");
  }
  Automerge.free(A);
  Automerge.free(B);
}
