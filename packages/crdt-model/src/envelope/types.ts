import { z } from "zod";
import {
  docIdSchema,
  envelopeIdSchema,
  isDocId,
  isSha256Hex,
  sha256HexSchema as sha256Schema,
  type AgencyCode,
  type DocId,
  type EnvelopeId,
  type Sha256Hex,
} from "../ids.ts";
import { agencyCodeSchema } from "../schema/metadata.ts";

/**
 * The envelope (信封) format, version 1: the shapes of what it holds. See docs/envelope.md.
 *
 * Every JSON part carries `format` and `v`, and every reader parses it with a strict schema, so a
 * version 2 is a new member of each union and never a reinterpretation of version 1 bytes.
 */

// Envelope ids are parsed with the other ids (../ids.ts); re-exported here where the envelope names them.
export { asEnvelopeId, isEnvelopeId, parseEnvelopeId, type EnvelopeId } from "../ids.ts";

export const ENVELOPE_MIMETYPE = "application/vnd.countersign.envelope+zip";
export const MANIFEST_PATH = "META-INF/manifest.json";
export const SIGNATURE_PATH = "META-INF/signature.p7s";
export const HEADER_PATH = "header.json";

export const PURPOSES = ["countersign-request", "countersign-reply", "review-request", "dispatch", "receipt"] as const;
export type Purpose = (typeof PURPOSES)[number];
export const PURPOSE_LABELS: Record<Purpose, string> = {
  "countersign-request": "會辦請求",
  "countersign-reply": "會辦回覆",
  "review-request": "陳核請求",
  dispatch: "發文",
  receipt: "回執",
};

// Ids that become path segments: no "/" or "\", never "." or "..", so a document id can never climb
// out of docs/<docId>/. That is the document id's own rule (../ids.ts), and the envelope id's.
export const isPathSegment = (s: string): boolean => isDocId(s);
const instant = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)), "must be an ISO 8601 instant");


/** How a document's state travels: all of it, or only what a recipient whose state vector is known lacks. */
export type UpdateMode = { kind: "full" } | { kind: "delta"; since: string /* base64 Yjs state vector */ };

export interface EnvelopeDocV1 {
  doc: DocId;
  update: UpdateMode;
  /** SHA-256 of each attachment carried, sorted, unique. */
  attachments: Sha256Hex[];
  /** Whether docs/<doc>/di.xml and docs/<doc>/sw.xml are present. */
  di: boolean;
  sw: boolean;
}

export interface EnvelopeHeaderV1 {
  format: "countersign-envelope";
  v: 1;
  id: EnvelopeId;
  from: AgencyCode;
  to: AgencyCode;
  purpose: Purpose;
  createdAt: string;
  /** The envelope this one answers (a reply, a receipt), or null. */
  answers: EnvelopeId | null;
  docs: EnvelopeDocV1[];
}
/** Every header version a reader knows; discriminated on `v`. */
export type EnvelopeHeader = EnvelopeHeaderV1;

export interface ManifestPartV1 {
  path: string;
  sha256: Sha256Hex;
  /** Uncompressed size in bytes. */
  size: number;
}
export interface ManifestV1 {
  format: "countersign-envelope-manifest";
  v: 1;
  /** The envelope id again, so the signature binds the parts to this envelope. */
  envelope: EnvelopeId;
  /** Every part except mimetype and META-INF/*, sorted by path, unique. */
  parts: ManifestPartV1[];
}
export type Manifest = ManifestV1;

/** docs/<doc>/chain.json: the chain for tools that do not speak Yjs. */
export interface ChainPartV1 {
  format: "countersign-chain";
  v: 1;
  doc: DocId;
  /** Entry id → the signed entry as stored (its canonical JSON parsed). */
  entries: Record<string, unknown>;
  /** Content hash → the canonical content some entry signed (簽核歷程). */
  versions: Record<string, string>;
}

/** What a part path means; `partPath` and `classifyPath` are inverses. */
export type PartRef =
  | { kind: "header" }
  | { kind: "update"; doc: DocId }
  | { kind: "chain"; doc: DocId }
  | { kind: "attachment"; doc: DocId; sha256: Sha256Hex }
  | { kind: "di"; doc: DocId }
  | { kind: "sw"; doc: DocId };

export function partPath(p: PartRef): string {
  switch (p.kind) {
    case "header":
      return HEADER_PATH;
    case "update":
      return `docs/${p.doc}/update.bin`;
    case "chain":
      return `docs/${p.doc}/chain.json`;
    case "attachment":
      return `docs/${p.doc}/attachments/${p.sha256}`;
    case "di":
      return `docs/${p.doc}/di.xml`;
    case "sw":
      return `docs/${p.doc}/sw.xml`;
  }
}

const FILES: Record<string, "update" | "chain" | "di" | "sw"> = { "update.bin": "update", "chain.json": "chain", "di.xml": "di", "sw.xml": "sw" };

export function classifyPath(path: string): PartRef | null {
  if (path === HEADER_PATH) return { kind: "header" };
  const s = path.split("/");
  const doc = s[1];
  if (s[0] !== "docs" || !isDocId(doc)) return null;
  if (s.length === 3) {
    const kind = FILES[s[2]!];
    return kind ? { kind, doc } : null;
  }
  const hash = s[3];
  if (s.length === 4 && s[2] === "attachments" && isSha256Hex(hash)) return { kind: "attachment", doc, sha256: hash };
  return null;
}

/** The parts a header implies, in manifest order: what must be present, and nothing else. */
export function impliedPaths(h: EnvelopeHeader): string[] {
  const out = [HEADER_PATH];
  for (const d of h.docs) {
    out.push(partPath({ kind: "update", doc: d.doc }), partPath({ kind: "chain", doc: d.doc }));
    for (const a of d.attachments) out.push(partPath({ kind: "attachment", doc: d.doc, sha256: a }));
    if (d.di) out.push(partPath({ kind: "di", doc: d.doc }));
    if (d.sw) out.push(partPath({ kind: "sw", doc: d.doc }));
  }
  return out.sort();
}

const sortedUnique = <T extends string>(a: readonly T[]) => a.every((x, i) => i === 0 || a[i - 1]! < x);

const updateModeSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("full") }).strict(),
  z.object({ kind: z.literal("delta"), since: z.string().min(1).max(1_000_000) }).strict(),
]);

export const headerSchema = z.discriminatedUnion("v", [
  z
    .object({
      format: z.literal("countersign-envelope"),
      v: z.literal(1),
      id: envelopeIdSchema,
      from: agencyCodeSchema,
      to: agencyCodeSchema,
      purpose: z.enum(PURPOSES),
      createdAt: instant,
      answers: envelopeIdSchema.nullable(),
      docs: z
        .array(
          z
            .object({
              doc: docIdSchema,
              update: updateModeSchema,
              attachments: z.array(sha256Schema).refine(sortedUnique, "attachments must be sorted and unique"),
              di: z.boolean(),
              sw: z.boolean(),
            })
            .strict(),
        )
        .refine((d) => new Set(d.map((x) => x.doc)).size === d.length, "a document may appear only once"),
    })
    .strict(),
]);

export const manifestSchema = z.discriminatedUnion("v", [
  z
    .object({
      format: z.literal("countersign-envelope-manifest"),
      v: z.literal(1),
      envelope: envelopeIdSchema,
      parts: z
        .array(z.object({ path: z.string().min(1).max(512), sha256: sha256Schema, size: z.number().int().min(0) }).strict())
        .refine((p) => sortedUnique(p.map((x) => x.path)), "parts must be sorted by path and unique"),
    })
    .strict(),
]);

export const chainPartSchema = z.discriminatedUnion("v", [
  z
    .object({
      format: z.literal("countersign-chain"),
      v: z.literal(1),
      doc: docIdSchema,
      entries: z.record(z.string(), z.unknown()),
      versions: z.record(z.string(), z.string()),
    })
    .strict(),
]);

/** Bounds on what an envelope may make us read, inflate and keep. */
export interface EnvelopeLimits {
  /** Size of the envelope file itself. */
  maxEnvelopeBytes: number;
  /** ZIP entries, all kinds. */
  maxEntries: number;
  /** Sum of the uncompressed sizes the central directory declares. */
  maxTotalBytes: number;
  /** Uncompressed size of any one part. */
  maxPartBytes: number;
  /** Largest uncompressed/compressed ratio for a part larger than `ratioFloorBytes`. */
  maxRatio: number;
  ratioFloorBytes: number;
  maxDocs: number;
}

/** Generous enough for the benchmark's 1,000 documents with a 100 KB attachment each. */
export const DEFAULT_LIMITS: EnvelopeLimits = {
  maxEnvelopeBytes: 1024 * 1024 * 1024,
  maxEntries: 50_000,
  maxTotalBytes: 1024 * 1024 * 1024,
  maxPartBytes: 256 * 1024 * 1024,
  maxRatio: 100,
  ratioFloorBytes: 1024 * 1024,
  maxDocs: 10_000,
};
