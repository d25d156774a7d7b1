import { z } from "zod";
import { canonicalJson, type Json } from "../canonical.ts";
import { sha256Hex } from "../bytes.ts";
import { docIdSchema, sha256HexSchema, type DocId, type Sha256Hex } from "../ids.ts";
import { metadataSchema, type Metadata } from "./metadata.ts";
import { parseRoutingPlan, type RoutingPlan } from "../routing/plan.ts";
import { fail, ok, type Result } from "../result.ts";
import { SECTIONS, type Section } from "./body.ts";
import { issueSentence } from "./reason.ts";

export interface AttachmentRef {
  sha256: Sha256Hex;
  name: string;
  size: number;
  mime: string;
}

export const attachmentSchema = z.object({
  sha256: sha256HexSchema,
  name: z.string().min(1).max(255),
  size: z.number().int().min(0),
  mime: z.string().min(1).max(127),
});

/**
 * Who added an attachment (workflow/attachments.ts): the person and the role they added it in. Kept
 * beside the reference in the attachments map, never in the signed content.
 */
export interface AttachmentAdder {
  person: string;
  role: string;
}

export const attachmentAdderSchema = z.object({ person: z.string().min(1).max(64), role: z.string().min(1).max(32) }).strict();

/** An attachment as stored: its reference and who added it (null: stored before adders were recorded). */
export interface AttachmentEntry extends AttachmentRef {
  addedBy: AttachmentAdder | null;
}

export interface CanonicalItem {
  text: string;
  children: CanonicalItem[];
}

/**
 * Exactly what a signer signs: metadata, 主旨, body, attachment hashes and routing plan. Item ids,
 * Yjs client ids and edit history are left out, so equal content hashes equally on every replica.
 */
export interface SignedContent {
  v: 1;
  doc: DocId;
  metadata: Metadata;
  subject: string;
  body: Record<Section, CanonicalItem[]>;
  attachments: AttachmentRef[];
  plan: RoutingPlan | null;
}

export function contentToJson(c: SignedContent): Json {
  const body: { [k: string]: Json } = {};
  for (const s of SECTIONS) body[s] = c.body[s] as unknown as Json;
  return {
    v: c.v,
    doc: c.doc,
    metadata: c.metadata as unknown as Json,
    subject: c.subject,
    body,
    attachments: [...c.attachments]
      .sort((a, b) => (a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0))
      .map((a) => ({ sha256: a.sha256, name: a.name, size: a.size, mime: a.mime })),
    plan: c.plan === null ? null : (JSON.parse(JSON.stringify(c.plan)) as Json),
  };
}

export function canonicalContent(c: SignedContent): string {
  return canonicalJson(contentToJson(c));
}

export function contentHash(c: SignedContent): Sha256Hex {
  return sha256Hex(canonicalContent(c));
}

const itemSchema: z.ZodType<CanonicalItem> = z.lazy(() =>
  z.object({ text: z.string(), children: z.array(itemSchema).max(1000) }).strict(),
);

/** Parses a stored signed version; the plan is checked by the routing rules separately. */
export const signedContentSchema = z
  .object({
    v: z.literal(1),
    doc: docIdSchema,
    metadata: metadataSchema,
    subject: z.string(),
    body: z.object({ explanation: z.array(itemSchema), measures: z.array(itemSchema), proposal: z.array(itemSchema) }).strict(),
    attachments: z.array(attachmentSchema),
    plan: z.unknown(),
  })
  .strict();

export function parseSignedContent(text: string): Result<SignedContent> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail("schema.content", "The signed content is not valid JSON.");
  }
  const r = signedContentSchema.safeParse(raw);
  if (!r.success) return fail("schema.content", issueSentence("The signed content", r.error));
  let plan: RoutingPlan | null = null;
  if (r.data.plan !== null) {
    const p = parseRoutingPlan(r.data.plan);
    if (!p.ok) return fail("schema.content", `The signed content is malformed: ${p.reason}`, p);
    plan = p.value;
  }
  return ok({ ...r.data, plan });
}
