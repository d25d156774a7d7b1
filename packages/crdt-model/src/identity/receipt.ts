// Entry receipts: the agency server's signed statement "I first saw entry E of document D at T".
// The format and its verification live here, once, so the server (which signs), the integration
// tests and the app (which shows a receipt's time as trusted only when it verifies) agree on it.
// Signing stays on the server (node:crypto, sync-server/src/identity/receipts.ts).
import { z } from "zod";
import { canonicalJson } from "../canonical.ts";
import { fromBase64, own, utf8 } from "../bytes.ts";
import { docIdSchema, entryIdSchema, type DocId, type EntryId } from "../ids.ts";
import { fail, ok, type Result } from "../result.ts";
import type { Code } from "../refusal/codes.ts";
import { verifyBytes } from "./crypto.ts";

/** The `type` in the signed bytes: keeps a receipt signature from ever passing for any other signed message. */
export const RECEIPT_TYPE = "countersign-receipt";
/** The receipt format's version, in the signed bytes. A new version gets a new number; v1 always reads the same. */
export const RECEIPT_VERSION = 1;

/**
 * A receipt as stored (the server's receipts table), answered (`GET /api/docs/:id/receipts`) and
 * written into the document (`receipts` map, canonical JSON, keyed by entry id). Version 1: the
 * signature (ES256, IEEE P1363 r‖s, base64) covers `receiptBytes` of the other three fields.
 */
export interface Receipt {
  doc: DocId;
  entry: EntryId;
  /** When the server first saw the entry (ISO 8601): the trusted time, once the signature verifies. */
  receivedAt: string;
  signature: string;
}

/**
 * The signed bytes: the canonical JSON of
 *   { "type": "countersign-receipt", "v": 1, "doc": D, "entry": E, "receivedAt": T }
 * What must stay true: these bytes never change for v1 — every receipt already stored depends on them.
 */
export function receiptBytes(r: { doc: DocId | string; entry: EntryId | string; receivedAt: string }): Uint8Array {
  return utf8(canonicalJson({ type: RECEIPT_TYPE, v: RECEIPT_VERSION, doc: r.doc, entry: r.entry, receivedAt: r.receivedAt }));
}

export const RECEIPT_REFUSALS = {
  signature: "The receipt's signature does not verify.",
  key: "The receipt public key does not parse as a P-256 public key.",
  malformed: "The receipt is not a receipt: it is not JSON with a document, an entry, a time and a signature.",
  otherEntry: "The receipt is for another document or another entry than the one it is kept for.",
} as const;

/** Each receipt refusal's code (the catalogue's receipt.*). */
export const RECEIPT_CODES = {
  signature: "receipt.signature",
  key: "receipt.key",
  malformed: "receipt.malformed",
  otherEntry: "receipt.other-entry",
} as const satisfies Record<keyof typeof RECEIPT_REFUSALS, Code>;

const receiptSchema = z.object({
  doc: docIdSchema,
  entry: entryIdSchema,
  receivedAt: z.iso.datetime({ offset: true }),
  signature: z.string().min(1).max(200),
});

/** A receipt from outside (the document's JSON text, an API answer), parsed once. */
export function parseReceipt(input: unknown): Result<Receipt> {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch {
      return fail(RECEIPT_CODES.malformed, RECEIPT_REFUSALS.malformed);
    }
  }
  const r = receiptSchema.safeParse(value);
  return r.success ? ok({ doc: r.data.doc, entry: r.data.entry, receivedAt: r.data.receivedAt, signature: r.data.signature }) : fail(RECEIPT_CODES.malformed, RECEIPT_REFUSALS.malformed);
}

const P256 = { name: "ECDSA", namedCurve: "P-256" } as const;

/** The agency's receipt public key (SPKI PEM, `GET /api/agency`'s `receiptKey`), ready to verify with. */
export async function importReceiptKey(pem: string): Promise<Result<CryptoKey>> {
  const m = /-----BEGIN PUBLIC KEY-----([\s\S]*?)-----END PUBLIC KEY-----/.exec(pem);
  if (!m) return fail(RECEIPT_CODES.key, RECEIPT_REFUSALS.key);
  try {
    const spki = fromBase64(m[1]!.replace(/\s+/g, ""));
    return ok(await crypto.subtle.importKey("spki", own(spki), P256, false, ["verify"]));
  } catch {
    return fail(RECEIPT_CODES.key, RECEIPT_REFUSALS.key);
  }
}

/**
 * Checks a receipt's signature against the agency's receipt key (a CryptoKey, or its SPKI PEM).
 * Works in browsers and Node (WebCrypto). A receipt that does not verify proves nothing: its time
 * must not be shown as the agency's.
 */
export async function verifyReceipt(publicKey: CryptoKey | string, receipt: Receipt): Promise<Result<Receipt>> {
  let key: CryptoKey;
  if (typeof publicKey === "string") {
    const k = await importReceiptKey(publicKey);
    if (!k.ok) return k;
    key = k.value;
  } else {
    key = publicKey;
  }
  let sig: Uint8Array;
  try {
    sig = fromBase64(receipt.signature);
  } catch {
    return fail(RECEIPT_CODES.signature, RECEIPT_REFUSALS.signature);
  }
  const valid = await verifyBytes("ES256", key, sig, receiptBytes(receipt));
  return valid ? ok(receipt) : fail(RECEIPT_CODES.signature, RECEIPT_REFUSALS.signature);
}

/**
 * The receipt a document keeps for one of its entries (raw: the `receipts` map's JSON text), checked
 * completely: it parses, it is about that very document and entry (a receipt copied under another
 * entry's key verifies but says nothing about it), and its signature verifies.
 */
export async function verifyKeptReceipt(publicKey: CryptoKey | string, doc: DocId | string, entry: EntryId | string, raw: unknown): Promise<Result<Receipt>> {
  const r = parseReceipt(raw);
  if (!r.ok) return r;
  if (r.value.doc !== doc || r.value.entry !== entry) return fail(RECEIPT_CODES.otherEntry, RECEIPT_REFUSALS.otherEntry);
  return verifyReceipt(publicKey, r.value);
}
