import { z } from "zod";
import { CountersignDocument } from "../schema/document.ts";
import { fromBase64, toBase64 } from "../bytes.ts";
import { fail, ok, type Result } from "../result.ts";
import { issueSentence } from "../schema/reason.ts";

/**
 * The document file (`*.countersign.json`): one document's whole Yjs state, so it can be carried,
 * verified and merged anywhere. Version 1:
 *   { "format": "countersign-document", "v": 1, "doc": "<document id>",
 *     "update": "<base64 of Y.encodeStateAsUpdate>", "ca": ["<PEM>", …] }
 * `ca` is optional and is a convenience only: certificates carried in the file are not trusted unless
 * the verifier chooses to (the CLI says so when it falls back to them).
 */
export interface DocumentFile {
  format: "countersign-document";
  v: 1;
  doc: string;
  update: string;
  ca?: string[];
}

const MAX_FILE_BYTES = 64 * 1024 * 1024;

const fileSchema = z
  .object({
    format: z.literal("countersign-document"),
    v: z.literal(1),
    doc: z.string().min(1).max(128),
    update: z.string().min(1),
    ca: z.array(z.string().max(20000)).max(32).optional(),
  })
  .strict();

export function encodeDocumentFile(doc: CountersignDocument, caPems: string[] = []): string {
  const file: DocumentFile = { format: "countersign-document", v: 1, doc: doc.id, update: toBase64(doc.encodeState()) };
  if (caPems.length) file.ca = caPems;
  return JSON.stringify(file, null, 2) + "\n";
}

/** Reads a document file; every way it can be wrong is a sentence, and nothing half-loads. */
export function decodeDocumentFile(text: string): Result<{ doc: CountersignDocument; ca: string[] }> {
  if (text.length > MAX_FILE_BYTES) return fail("file.too-large", "The document file is larger than 64 MiB.");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail("file.malformed", "The document file is not valid JSON.");
  }
  const r = fileSchema.safeParse(raw);
  if (!r.success) {
    return fail("file.malformed", issueSentence("The document file", r.error));
  }
  let update: Uint8Array;
  try {
    update = fromBase64(r.data.update);
  } catch {
    return fail("file.malformed", "The document file's update is not base64.");
  }
  const doc = CountersignDocument.fromUpdate(update);
  if (!doc.ok) return doc;
  if (doc.value.id !== r.data.doc) return fail("file.other-document", "The document file names another document than its update holds.");
  return ok({ doc: doc.value, ca: r.data.ca ?? [] });
}
