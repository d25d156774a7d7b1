import type { x509 } from "../identity/x509.ts";
import type { TrustStore } from "../identity/trust.ts";
import type { SignerProfile } from "../identity/profile.ts";
import { CountersignDocument } from "../schema/document.ts";
import { agencyCodeSchema } from "../schema/metadata.ts";
import { issueSentence } from "../schema/reason.ts";
import { verify, VerifyCache, type VerificationReport } from "../workflow/verify.ts";
import { bytesEqual, fromUtf8, sha256Hex, utf8 } from "../bytes.ts";
import type { AgencyCode, DocId, Sha256Hex } from "../ids.ts";
import { errorMessage, fail, ok, type Result } from "../result.ts";
import { verifyManifestSignature } from "./cms-signed.ts";
import { attachmentRefs, chainMatches, digestHex, parseChainPart } from "./docparts.ts";
import { REFUSE, REFUSE_CODES, refuse } from "./refusals.ts";
import type { Code } from "../refusal/codes.ts";
import { extract, readZip } from "./zip.ts";
import {
  DEFAULT_LIMITS,
  ENVELOPE_MIMETYPE,
  HEADER_PATH,
  MANIFEST_PATH,
  SIGNATURE_PATH,
  classifyPath,
  headerSchema,
  impliedPaths,
  manifestSchema,
  partPath,
  type EnvelopeDocV1,
  type EnvelopeHeader,
  type EnvelopeLimits,
  type Manifest,
  type UpdateMode,
} from "./types.ts";

export interface OpenEnvelopeOptions {
  /** Federation trust: the CA certificates of the agencies we accept (and their revocations). */
  trust: TrustStore;
  /** This agency: an envelope addressed to any other is refused. */
  recipient: AgencyCode;
  limits?: Partial<EnvelopeLimits>;
  /** The time the sender's certificate must be valid at; now unless a test says otherwise. */
  now?: Date;
  /** This agency's copy of a document, needed to check an envelope that carries only a delta. */
  base?: (doc: DocId) => CountersignDocument | undefined;
  cache?: VerifyCache;
}

export interface OpenedDocument {
  id: DocId;
  mode: UpdateMode;
  /** The update as carried: apply it to this agency's copy to import. */
  update: Uint8Array;
  /** What the copy will be after import (the update alone, or a clone of the copy plus the delta), verified. */
  doc: CountersignDocument;
  report: VerificationReport;
  attachments: Map<Sha256Hex, Uint8Array>;
  di: Uint8Array | null;
  sw: Uint8Array | null;
}

export interface OpenedEnvelope {
  header: EnvelopeHeader;
  manifest: Manifest;
  sender: {
    agency: AgencyCode;
    certificate: x509.X509Certificate;
    /** SHA-256 of the certificate's DER, lower-case hex. */
    fingerprint: Sha256Hex;
    /** The person the certificate names, or null when the agency CA itself signed. */
    profile: SignerProfile | null;
  };
  docs: OpenedDocument[];
}

type Sender = OpenedEnvelope["sender"];

// A manifest line is under 200 bytes, so 16 MiB covers far more parts than maxEntries allows; a
// signature with its certificate is a few kilobytes.
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
const MAX_SIGNATURE_BYTES = 256 * 1024;
const DOC_CONCURRENCY = 8;

type PartReader = (path: string) => Promise<Result<{ bytes: Uint8Array; sha256: Sha256Hex }>>;

/**
 * Opens an envelope: checks everything — container, manifest, signature, sender, recipient, every
 * part's hash, every document's update and chain — and only then returns anything. Changes nothing
 * (a delta is applied to a clone), never throws, and refuses with one sentence (see refusals.ts).
 */
export async function openEnvelope(bytes: Uint8Array, opts: OpenEnvelopeOptions): Promise<Result<OpenedEnvelope>> {
  try {
    return await open(bytes, opts);
  } catch (e) {
    return refuse("internal", `${errorMessage(e)}.`);
  }
}

function parseJson(bytes: Uint8Array, code: Code): Result<unknown> {
  try {
    return ok(JSON.parse(fromUtf8(bytes)));
  } catch {
    // A fragment: the caller wraps it in its own sentence and code.
    return fail(code, "it is not UTF-8 JSON.");
  }
}

async function open(bytes: Uint8Array, opts: OpenEnvelopeOptions): Promise<Result<OpenedEnvelope>> {
  // Only the limits actually given replace the defaults: an explicit undefined must not lift one.
  const limits: EnvelopeLimits = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(opts.limits ?? {})) if (typeof v === "number" && k in limits) limits[k as keyof EnvelopeLimits] = v;
  // 1. The container: structure and declared sizes, nothing inflated yet.
  const read = readZip(bytes, limits);
  if (!read.ok) return read;
  const zip = read.value;
  const first = zip.entries[0];
  if (!first || first.name !== "mimetype" || first.method !== 0 || first.localOffset !== 0 || first.localExtraLength !== 0)
    return refuse("mimetypeFirst");
  const mimetype = extract(zip, first);
  if (!mimetype.ok) return mimetype;
  if (!bytesEqual(mimetype.value, utf8(ENVELOPE_MIMETYPE))) return refuse("mimetype");

  // 2. The manifest and the signature over it, before any other part is inflated: an envelope from
  //    nobody we trust costs us a few kilobytes of work.
  const manifestEntry = zip.byName.get(MANIFEST_PATH);
  if (!manifestEntry) return refuse("noManifest");
  const signatureEntry = zip.byName.get(SIGNATURE_PATH);
  if (!signatureEntry) return refuse("noSignature");
  // These two are inflated before anyone is authenticated, so they get tight bounds of their own.
  if (manifestEntry.size > MAX_MANIFEST_BYTES) return refuse("partTooLarge", MANIFEST_PATH, MAX_MANIFEST_BYTES);
  if (signatureEntry.size > MAX_SIGNATURE_BYTES) return refuse("partTooLarge", SIGNATURE_PATH, MAX_SIGNATURE_BYTES);
  const manifestBytes = extract(zip, manifestEntry);
  if (!manifestBytes.ok) return manifestBytes;
  const manifestJson = parseJson(manifestBytes.value, REFUSE_CODES.manifest);
  if (!manifestJson.ok) return refuse("manifest", manifestJson.reason);
  const parsedManifest = manifestSchema.safeParse(manifestJson.value);
  if (!parsedManifest.success) return fail(REFUSE_CODES.manifest, issueSentence("The manifest", parsedManifest.error));
  const manifest = parsedManifest.data as Manifest;
  const p7s = extract(zip, signatureEntry);
  if (!p7s.ok) return p7s;
  // One cache for the whole envelope: its documents share signers, certificates and often versions.
  const cache = opts.cache ?? new VerifyCache();
  const cert = await verifyManifestSignature(p7s.value, manifestBytes.value, cache.certificates);
  if (!cert.ok) return cert;
  const sender = await trustedSender(cert.value, opts.trust, opts.now ?? new Date());
  if (!sender.ok) return sender;

  // 3. The manifest lists exactly the parts present, with the sizes the ZIP declares.
  const listed = new Map(manifest.parts.map((p) => [p.path, p]));
  for (const p of manifest.parts) {
    if (!classifyPath(p.path)) return refuse("unknownPart", p.path);
    const e = zip.byName.get(p.path);
    if (!e) return refuse("missingPart", p.path);
    if (e.size !== p.size) return refuse("sizeMismatch", p.path);
  }
  for (const e of zip.entries) {
    if (e.name === "mimetype" || e.name === MANIFEST_PATH || e.name === SIGNATURE_PATH) continue;
    if (!listed.has(e.name)) return refuse("extraPart", e.name);
  }
  const part: PartReader = async (path) => {
    const e = zip.byName.get(path);
    const m = listed.get(path);
    if (!e || !m) return refuse("missingPart", path);
    const b = extract(zip, e);
    if (!b.ok) return b;
    return (await digestHex(b.value)) === m.sha256 ? ok({ bytes: b.value, sha256: m.sha256 }) : refuse("hash", path);
  };

  // 4. The header: ours, from the signer's agency, and calling for exactly the parts listed.
  const headerBytes = await part(HEADER_PATH);
  if (!headerBytes.ok) return headerBytes;
  const headerJson = parseJson(headerBytes.value.bytes, REFUSE_CODES.header);
  if (!headerJson.ok) return refuse("header", headerJson.reason);
  const parsedHeader = headerSchema.safeParse(headerJson.value);
  if (!parsedHeader.success) return fail(REFUSE_CODES.header, issueSentence("The header", parsedHeader.error));
  const header = parsedHeader.data as EnvelopeHeader;
  if (header.id !== manifest.envelope) return refuse("headerId");
  if (header.from !== sender.value.agency) return refuse("sender");
  if (header.to !== opts.recipient) return refuse("recipient");
  if (header.docs.length > limits.maxDocs) return refuse("tooManyDocs", limits.maxDocs);
  const implied = impliedPaths(header);
  if (implied.length !== manifest.parts.length || implied.some((p, i) => p !== manifest.parts[i]!.path)) return refuse("headerParts");

  // 5. Every document: its parts' hashes, its update, its chain.
  // A few documents at a time: signature checks run on WebCrypto's worker threads where there are
  // any. The first failure in header order is still the one reported, as it would be one by one.
  const docs: OpenedDocument[] = [];
  for (let i = 0; i < header.docs.length; i += DOC_CONCURRENCY) {
    const batch = await Promise.all(header.docs.slice(i, i + DOC_CONCURRENCY).map((d) => openDocument(d, part, opts, cache)));
    for (const opened of batch) {
      if (!opened.ok) return opened;
      docs.push(opened.value);
    }
  }
  return ok({ header, manifest, sender: sender.value, docs });
}

/** The trust check's finer classes that an envelope's sender is refused with (the rest: envelope.untrusted). */
const SENDER_CODE: Partial<Record<Code, Code>> = { "trust.revoked": "envelope.revoked", "trust.expired": "envelope.expired" };

async function trustedSender(cert: x509.X509Certificate, trust: TrustStore, now: Date): Promise<Result<Sender>> {
  if (now < cert.notBefore || now > cert.notAfter) return fail("envelope.expired", REFUSE.untrusted("its certificate is not valid now."));
  const fingerprint = sha256Hex(new Uint8Array(cert.rawData));
  // The agency CA may sign envelopes itself; it names its agency in O (see createAgencyCa). To stop
  // trusting it, an agency removes it from the trust list.
  const asCa = trust.caCertificates().find((ca) => sha256Hex(new Uint8Array(ca.rawData)) === fingerprint);
  if (asCa) {
    const agency = agencyCodeSchema.safeParse(asCa.subjectName.getField("O")[0]);
    if (!agency.success) return refuse("untrusted", "the signing authority's certificate names no agency.");
    return ok({ agency: agency.data, certificate: cert, fingerprint, profile: null });
  }
  const checked = await trust.checkCertificate(cert, now);
  if (!checked.ok) return fail(SENDER_CODE[checked.code] ?? "envelope.untrusted", REFUSE.untrusted(checked.reason), checked);
  return ok({ agency: checked.profile.agency, certificate: cert, fingerprint, profile: checked.profile });
}

function hasPending(doc: CountersignDocument): boolean {
  return doc.ydoc.store.pendingStructs !== null || doc.ydoc.store.pendingDs !== null;
}

async function openDocument(
  d: EnvelopeDocV1,
  part: PartReader,
  opts: OpenEnvelopeOptions,
  cache: VerifyCache,
): Promise<Result<OpenedDocument>> {
  const id = d.doc;
  const update = await part(partPath({ kind: "update", doc: id }));
  if (!update.ok) return update;
  const chainBytes = await part(partPath({ kind: "chain", doc: id }));
  if (!chainBytes.ok) return chainBytes;
  const attachments = new Map<Sha256Hex, Uint8Array>();
  for (const sha of d.attachments) {
    const b = await part(partPath({ kind: "attachment", doc: id, sha256: sha }));
    if (!b.ok) return b;
    // The bytes hash to the manifest's value; that value must be the name.
    if (b.value.sha256 !== sha) return refuse("attachmentHash", id, sha);
    attachments.set(sha, b.value.bytes);
  }
  const di = d.di ? await part(partPath({ kind: "di", doc: id })) : null;
  if (di && !di.ok) return di;
  const sw = d.sw ? await part(partPath({ kind: "sw", doc: id })) : null;
  if (sw && !sw.ok) return sw;

  let doc: CountersignDocument;
  if (d.update.kind === "full") {
    const built = CountersignDocument.fromUpdate(update.value.bytes);
    if (!built.ok) return fail(REFUSE_CODES.update, REFUSE.update(id, built.reason), built);
    doc = built.value;
  } else {
    const base = opts.base?.(id);
    if (!base) return refuse("noBase", id);
    // A clone: opening must change nothing, and the caller imports only after we say yes.
    const clone = CountersignDocument.fromUpdate(base.encodeState());
    if (!clone.ok) return fail(REFUSE_CODES.update, REFUSE.update(id, clone.reason), clone);
    doc = clone.value;
    const applied = doc.applyUpdate(update.value.bytes);
    if (!applied.ok) return fail(REFUSE_CODES.update, REFUSE.update(id, applied.reason), applied);
  }
  if (doc.id !== id) return refuse("updateDoc", id);
  if (hasPending(doc)) return refuse("pending", id);

  const chain = parseChainPart(chainBytes.value.bytes, id);
  if (!chain.ok) return refuse("chainPart", id, chain.reason);
  if (!chainMatches(chain.value, doc, d.update.kind === "full")) return refuse("chainMismatch", id);
  const report = await verify(doc, opts.trust, { cache });
  const bad = report.entries.find((e) => !e.valid);
  if (bad) {
    const why = bad.reason ?? "an entry is invalid.";
    return fail(REFUSE_CODES.chain, REFUSE.chain(id, why), { ok: false, code: "entry.invalid", reason: why });
  }

  const refs = attachmentRefs(doc, cache);
  for (const [sha, b] of attachments) if (refs.get(sha) !== b.length) return refuse("attachment", id, sha);
  return ok({ id, mode: d.update, update: update.value.bytes, doc, report, attachments, di: di?.value.bytes ?? null, sw: sw?.value.bytes ?? null });
}
