// Envelope exchange (公文交換) with other agencies: the server-to-server delivery endpoint and the
// app's exchange API (sync-server exchange/http-*.ts).
import { z } from "zod";
import { PURPOSES } from "@countersign/crdt-model";
import { agencyCode, docId, envelopeId, personId } from "../ids.ts";

export const purpose = z.enum(PURPOSES);

/** Media types of an envelope file: a plain (ZIP) envelope, or one encrypted for its recipient. */
export const ENVELOPE_MEDIA_TYPES = ["application/vnd.countersign.envelope+zip", "application/pkcs7-mime", "application/octet-stream"] as const;

/**
 * POST /api/exchange/envelopes, answered in JSON (a receipt is answered with the receipt's bytes
 * instead). Every answer carries `X-Countersign-Outcome`. The delivery contract, version 1.
 */
export const deliveryAnswer = z.union([
  z.object({ v: z.literal(1), status: z.literal("imported"), envelope: z.string(), docs: z.array(z.string()) }),
  z.object({ v: z.literal(1), status: z.literal("duplicate"), envelope: z.string(), firstAt: z.string() }),
]);

export const sendRequest = z
  .object({
    docs: z.array(docId).min(1, "name at least one document").max(1000),
    to: agencyCode,
    purpose,
    answers: envelopeId.nullable().optional(),
    encrypt: z.boolean().optional(),
  })
  .strict();
export const sent = z.object({
  envelope: z.string(),
  /** "queued": the outbox pushes it to the peer's server; "file": hand over the file yourself. */
  delivery: z.enum(["queued", "file"]),
  file: z.string(),
  size: z.number().int(),
});

export const envelopeParams = z.object({ id: envelopeId });

export const imported = z.union([
  z.object({
    status: z.literal("imported"),
    pushed: z.boolean(),
    envelope: z.string(),
    from: z.string(),
    purpose,
    docs: z.array(z.string()),
    receipt: z.union([
      z.object({ envelope: z.string(), file: z.string() }),
      z.object({ envelope: z.null(), file: z.null(), base64: z.string().nullable() }),
    ]),
  }),
  z.object({ status: z.literal("duplicate"), envelope: z.string(), firstAt: z.string() }),
]);

export const outboxItem = z.object({
  envelope: z.string(),
  peer: z.string(),
  peerName: z.string().nullable(),
  purpose: z.string().nullable(),
  docs: z.array(z.string()),
  size: z.number().int(),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  status: z.enum(["pending", "delivered", "failed"]),
  createdAt: z.string(),
  file: z.string(),
});
export const outbox = z.object({ items: z.array(outboxItem) });
export const outboxParams = z.object({ id: z.string().min(1) });
export const retried = z.object({ ok: z.literal(true) });

export const logQuery = z.object({
  doc: docId.optional(),
  peer: z.string().optional(),
  limit: z.string().optional(),
});
export const logRecord = z.object({
  seq: z.number().int().optional(),
  envelope: z.string().nullable(),
  direction: z.enum(["in", "out"]),
  peer: z.string().nullable(),
  purpose: z.string().nullable(),
  answers: z.string().nullable(),
  docs: z.array(z.string()),
  sha256: z.string(),
  size: z.number().int(),
  status: z.enum(["imported", "duplicate", "refused", "queued", "delivered", "failed", "exported"]),
  detail: z.string().nullable(),
  /** A refused envelope's refusal code (the detail is its sentence); absent on other and older lines. */
  code: z.string().nullable().optional(),
  at: z.string(),
  /** Where to download the envelope, when there is one to give out. */
  file: z.string().nullable(),
});
export const log = z.object({ records: z.array(logRecord) });

/** Public facts of the agencies we exchange with: what others' signatures are verified with. */
export const peer = z.object({
  code: agencyCode,
  name: z.string(),
  fingerprint: z.string(),
  url: z.string().nullable(),
  ca: z.string(),
  /** Its delegation table as JSON text, when it sent one (checked by whoever uses it). */
  delegation: z.string().nullable(),
});
export const peers = z.object({ agency: z.object({ code: agencyCode, name: z.string() }), peers: z.array(peer) });

export const assignRequest = z.object({ doc: docId, person: personId }).strict();
export const assignment = z.object({ doc: docId, person: personId, by: personId, at: z.string(), envelope: z.string().nullable() });
export const assigned = z.object({ assignment });

export const incomingDoc = z.object({
  doc: docId,
  /** Null for a classified document this person is not named in (the desk still sees that it came). */
  subject: z.string().nullable(),
  classified: z.boolean(),
  status: z.string().nullable(),
  from: z.string().nullable(),
  purpose: z.string().nullable(),
  envelope: z.string().nullable(),
  at: z.string(),
  assignment: assignment.nullable(),
});
export const incoming = z.object({ docs: z.array(incomingDoc) });
