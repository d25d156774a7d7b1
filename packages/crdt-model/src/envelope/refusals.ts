import type { Refusal } from "../result.ts";
import type { Code } from "../refusal/codes.ts";

/**
 * Every sentence `openEnvelope` refuses with, in one place: docs/envelope.md lists them and the tests
 * match on them, so a reason never drifts between the code, the documentation and the CLI.
 */
export const REFUSE = {
  // container
  tooLarge: (limit: number) => `The envelope is larger than ${limit} bytes.`,
  notZip: "The envelope is not a ZIP archive, or it is truncated.",
  zip64: "The envelope uses ZIP64 or spans several disks, which envelopes never do.",
  centralDirectory: "The envelope's ZIP central directory is damaged.",
  tooManyEntries: (limit: number) => `The envelope holds more than ${limit} entries.`,
  badName: (name: string) => `The entry name ${JSON.stringify(name)} is not allowed (absolute, "..", a backslash, a directory or an unusual character).`,
  duplicate: (name: string) => `The entry ${name} appears more than once.`,
  encrypted: (name: string) => `The entry ${name} is encrypted or uses an unsupported ZIP feature.`,
  method: (name: string) => `The entry ${name} uses a compression method other than stored or deflate.`,
  localHeader: (name: string) => `The entry ${name} has a local header that does not match the central directory.`,
  overlap: (name: string) => `The entry ${name} overlaps another entry or runs past the central directory.`,
  partTooLarge: (name: string, limit: number) => `The part ${name} declares more than ${limit} bytes.`,
  totalTooLarge: (limit: number) => `The envelope's parts declare more than ${limit} bytes in all.`,
  ratio: (name: string, limit: number) => `The part ${name} declares a compression ratio above ${limit}, as a ZIP bomb does.`,
  inflatesPast: (name: string) => `The part ${name} inflates to more than its declared size.`,
  inflateShort: (name: string) => `The part ${name} inflates to less than its declared size.`,
  corrupt: (name: string) => `The part ${name} is corrupt: it does not inflate.`,
  crc: (name: string) => `The part ${name} does not match its CRC-32.`,
  mimetypeFirst: "The envelope's first entry is not an uncompressed mimetype.",
  mimetype: "The envelope's mimetype is not application/vnd.countersign.envelope+zip.",
  // manifest and signature
  noManifest: "The envelope has no META-INF/manifest.json.",
  noSignature: "The envelope has no META-INF/signature.p7s.",
  manifest: (why: string) => `The manifest is malformed: ${why}`,
  signatureFormat: (why: string) => `The envelope's signature is not a CMS signature we accept: ${why}`,
  signatureDigest: "The envelope's signature was made over another manifest.",
  signature: "The envelope's signature does not verify against the sender's certificate.",
  untrusted: (why: string) => `The sender is not trusted: ${why}`,
  missingPart: (path: string) => `The manifest lists ${path}, which the envelope does not hold.`,
  extraPart: (path: string) => `The envelope holds ${path}, which the manifest does not list.`,
  unknownPart: (path: string) => `The manifest lists ${path}, which is not a part of an envelope.`,
  sizeMismatch: (path: string) => `The part ${path} does not have the size the manifest gives.`,
  hash: (path: string) => `The part ${path} does not match its hash in the manifest.`,
  // header
  header: (why: string) => `The header is malformed: ${why}`,
  headerId: "The header names another envelope than the manifest.",
  headerParts: "The manifest's parts are not the ones the header's documents call for.",
  tooManyDocs: (limit: number) => `The envelope carries more than ${limit} documents.`,
  sender: "The envelope's sender is not the agency that signed it.",
  recipient: "The envelope is addressed to another agency.",
  // documents
  update: (doc: string, why: string) => `The update of document ${doc} does not decode: ${why}`,
  updateDoc: (doc: string) => `The update of document ${doc} holds another document.`,
  noBase: (doc: string) => `The envelope carries only changes to document ${doc}, and this agency has no copy to apply them to.`,
  pending: (doc: string) => `The update of document ${doc} depends on changes this agency does not have.`,
  chainPart: (doc: string, why: string) => `The chain.json of document ${doc} is malformed: ${why}`,
  chainMismatch: (doc: string) => `The chain.json of document ${doc} does not match the chain its update holds.`,
  chain: (doc: string, why: string) => `The chain of document ${doc} does not verify: ${why}`,
  attachment: (doc: string, sha: string) => `The attachment ${sha} of document ${doc} is not one the document references, or has another size.`,
  attachmentHash: (doc: string, sha: string) => `The attachment ${sha} of document ${doc} does not hash to its name.`,
  internal: (why: string) => `The envelope could not be checked: ${why}`,
  // encryption (enveloped.ts): one sentence for every failure once decryption starts (no oracle)
  sealed: "The encrypted envelope cannot be decrypted with this agency's key: it is not encrypted for this agency, or it was damaged or changed on the way.",
} as const;

/**
 * The code of each REFUSE sentence: the class the app explains and the person acts on (several
 * sentences share one; see refusal/codes-model.ts). A new REFUSE entry must get a code here — the
 * type makes it so. `untrusted` is the default only: openEnvelope answers a revoked or expired
 * signer with envelope.revoked / envelope.expired (the trust check's code decides).
 */
export const REFUSE_CODES: { readonly [K in keyof typeof REFUSE]: Code } = {
  tooLarge: "envelope.too-large",
  notZip: "envelope.damaged",
  zip64: "envelope.damaged",
  centralDirectory: "envelope.damaged",
  tooManyEntries: "envelope.zip-bomb",
  badName: "envelope.bad-name",
  duplicate: "envelope.bad-name",
  encrypted: "envelope.damaged",
  method: "envelope.damaged",
  localHeader: "envelope.damaged",
  overlap: "envelope.damaged",
  partTooLarge: "envelope.zip-bomb",
  totalTooLarge: "envelope.zip-bomb",
  ratio: "envelope.zip-bomb",
  inflatesPast: "envelope.damaged",
  inflateShort: "envelope.damaged",
  corrupt: "envelope.damaged",
  crc: "envelope.damaged",
  mimetypeFirst: "envelope.not-envelope",
  mimetype: "envelope.not-envelope",
  noManifest: "envelope.tampered",
  noSignature: "envelope.tampered",
  manifest: "envelope.tampered",
  signatureFormat: "envelope.signature",
  signatureDigest: "envelope.signature",
  signature: "envelope.signature",
  untrusted: "envelope.untrusted",
  missingPart: "envelope.tampered",
  extraPart: "envelope.tampered",
  unknownPart: "envelope.tampered",
  sizeMismatch: "envelope.tampered",
  hash: "envelope.tampered",
  header: "envelope.header",
  headerId: "envelope.header",
  headerParts: "envelope.header",
  tooManyDocs: "envelope.header",
  sender: "envelope.wrong-sender",
  recipient: "envelope.wrong-recipient",
  update: "envelope.bad-update",
  updateDoc: "envelope.bad-update",
  noBase: "envelope.missing-base",
  pending: "envelope.missing-base",
  chainPart: "envelope.chain",
  chainMismatch: "envelope.chain",
  chain: "envelope.chain",
  attachment: "envelope.attachment",
  attachmentHash: "envelope.attachment",
  internal: "envelope.internal",
  sealed: "envelope.sealed",
};

type RefuseArgs<K extends keyof typeof REFUSE> = (typeof REFUSE)[K] extends (...a: infer A) => string ? A : [];

/** The refusal for one REFUSE entry, with its code: `refuse("crc", name)`. */
export function refuse<K extends keyof typeof REFUSE>(key: K, ...args: RefuseArgs<K>): Refusal {
  const entry = REFUSE[key] as string | ((...a: RefuseArgs<K>) => string);
  return { ok: false, code: REFUSE_CODES[key], reason: typeof entry === "string" ? entry : entry(...args) };
}
