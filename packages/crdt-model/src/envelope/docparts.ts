import type { CountersignDocument } from "../schema/document.ts";
import { parseSignedContent } from "../schema/content.ts";
import { canonicalJson, type Json } from "../canonical.ts";
import { fromUtf8, own, toHex, utf8 } from "../bytes.ts";
import { asSha256Hex, type DocId, type Sha256Hex } from "../ids.ts";
import { fail, ok, type Result } from "../result.ts";
import { chainPartSchema, type ChainPartV1 } from "./types.ts";
import type { VerifyCache } from "../workflow/verify.ts";

type NodeHash = { update(data: Uint8Array): NodeHash; digest(enc: "hex"): string };
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.("node:crypto") as
  | { createHash(alg: "sha256"): NodeHash }
  | undefined;

/**
 * SHA-256 through WebCrypto: native in browsers and Node, several times faster than hashing in
 * JavaScript, which matters when an envelope carries a hundred megabytes of attachments. In Node,
 * node:crypto's hash instead (reached without an import, as bytes.ts does): WebCrypto there copies
 * every input and runs a job per call, about half as much CPU again as hashing in place.
 */
export async function digestHex(bytes: Uint8Array): Promise<Sha256Hex> {
  if (nodeCrypto) return asSha256Hex(nodeCrypto.createHash("sha256").update(bytes).digest("hex"));
  const view = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : own(bytes);
  return asSha256Hex(toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", view))));
}

/**
 * docs/<doc>/chain.json, for tools that do not speak Yjs: every signed entry and every signed
 * content version the document holds, as canonical JSON. A reader of the envelope checks that it
 * says exactly what the Yjs update says, so the two can never tell different stories.
 */
export function encodeChainPart(doc: CountersignDocument): Uint8Array {
  const entries: Record<string, Json> = {};
  for (const [id, raw] of doc.rawEntries()) entries[id] = typeof raw === "string" ? parseOrString(raw) : null;
  const versions: Record<string, Json> = {};
  for (const [hash, text] of doc.rawVersions()) if (typeof text === "string") versions[hash] = text;
  return utf8(canonicalJson({ format: "countersign-chain", v: 1, doc: doc.id, entries, versions }));
}

// A stored value that is not JSON is kept as its text: verification reports it, and chain.json must
// still match the update byte for byte in meaning.
function parseOrString(raw: string): Json {
  try {
    return JSON.parse(raw) as Json;
  } catch {
    return raw;
  }
}

export function parseChainPart(bytes: Uint8Array, doc: DocId): Result<ChainPartV1> {
  let raw: unknown;
  try {
    raw = JSON.parse(fromUtf8(bytes));
  } catch {
    return fail("envelope.chain", "it is not UTF-8 JSON.");
  }
  const r = chainPartSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    return fail("envelope.chain", `${issue?.message ?? "it does not fit the schema"}${issue?.path.length ? ` (at ${issue.path.join(".")})` : ""}.`);
  }
  if (r.data.doc !== doc) return fail("envelope.chain", "it names another document.");
  return ok(r.data as ChainPartV1);
}

/**
 * Both sides in one form for comparison: canonical JSON, or the text itself when the stored value is
 * not JSON. Canonicalising the stored side too means an entry written with other whitespace or key
 * order (it is still valid: its id is the hash of its canonical payload) compares equal.
 */
function normal(v: unknown, fromPart: boolean): string | null {
  if (typeof v === "string" && fromPart) return v;
  try {
    return canonicalJson((typeof v === "string" ? JSON.parse(v) : v) as Json);
  } catch {
    return typeof v === "string" ? v : null;
  }
}

/**
 * Whether chain.json agrees with the document built from the update. A full update must hold
 * exactly what chain.json lists; after a delta the recipient's copy may hold more (what it signed
 * since), so there chain.json must only be contained in it.
 */
export function chainMatches(part: ChainPartV1, doc: CountersignDocument, exact: boolean): boolean {
  const entries = doc.rawEntries();
  const versions = doc.rawVersions();
  const partEntries = Object.entries(part.entries);
  const partVersions = Object.entries(part.versions);
  if (exact && (partEntries.length !== entries.size || partVersions.length !== versions.size)) return false;
  for (const [id, v] of partEntries) {
    const have = entries.get(id);
    if (typeof have !== "string") return false;
    const mine = normal(v, true);
    // Stored entries are canonical JSON already (signAction writes them so): when the part's entry
    // canonicalises to exactly the stored text, the stored side would canonicalise to it as well,
    // so parsing it again is skipped. Only for a parsed part value: a string stays a string.
    if (mine !== null && typeof v !== "string" && mine === have) continue;
    if (mine !== normal(have, false)) return false;
  }
  for (const [hash, text] of partVersions) if (versions.get(hash) !== text) return false;
  return true;
}

/**
 * The attachments a document references, with their sizes: the current ones and those of every
 * signed version, since a recipient may need the file an earlier signer saw (簽核歷程).
 */
export function attachmentRefs(doc: CountersignDocument, cache?: VerifyCache): Map<Sha256Hex, number> {
  const out = new Map<Sha256Hex, number>();
  for (const a of doc.attachments()) out.set(a.sha256, a.size);
  for (const [hash, text] of doc.rawVersions()) {
    if (typeof text !== "string") continue;
    // Verification has just parsed every signed version of the document into the cache: reuse
    // those parses (only a successful one of this very text, so the outcome is parseSignedContent's).
    const hit = cache?.contents.get(hash);
    const c = hit && hit.text === text && hit.result.ok ? hit.result : parseSignedContent(text);
    if (c.ok) for (const a of c.value.attachments) if (!out.has(a.sha256)) out.set(a.sha256, a.size);
  }
  return out;
}
