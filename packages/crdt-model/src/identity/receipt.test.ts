import { describe, expect, it } from "vitest";
import { asDocId, asEntryId } from "../ids.ts";
import { canonicalJson } from "../canonical.ts";
import { fromUtf8, sha256Hex, toBase64 } from "../bytes.ts";
import { signBytes } from "./crypto.ts";
import { RECEIPT_CODES, RECEIPT_REFUSALS, importReceiptKey, parseReceipt, receiptBytes, verifyKeptReceipt, verifyReceipt, type Receipt } from "./receipt.ts";

const P256 = { name: "ECDSA", namedCurve: "P-256" } as const;

async function keyPair(): Promise<{ keys: CryptoKeyPair; pem: string }> {
  const keys = (await crypto.subtle.generateKey(P256, true, ["sign", "verify"])) as CryptoKeyPair;
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
  const body = toBase64(spki).replace(/(.{64})/g, "$1\n");
  return { keys, pem: `-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----\n` };
}

const doc = asDocId("doc-1");
const entry = asEntryId(sha256Hex("an entry"));

async function signed(keys: CryptoKeyPair, receivedAt = "2026-12-05T01:02:03.000Z"): Promise<Receipt> {
  const sig = await signBytes("ES256", keys.privateKey, receiptBytes({ doc, entry, receivedAt }));
  return { doc, entry, receivedAt, signature: toBase64(sig) };
}

describe("receipts", () => {
  it("signs the versioned canonical JSON, type first", () => {
    expect(fromUtf8(receiptBytes({ doc, entry, receivedAt: "2026-12-05T01:02:03.000Z" }))).toBe(
      canonicalJson({ type: "countersign-receipt", v: 1, doc, entry, receivedAt: "2026-12-05T01:02:03.000Z" }),
    );
  });

  it("a receipt verifies against the agency's key, as a CryptoKey or as its PEM", async () => {
    const { keys, pem } = await keyPair();
    const r = await signed(keys);
    expect(await verifyReceipt(keys.publicKey, r)).toEqual({ ok: true, value: r });
    expect(await verifyReceipt(pem, r)).toEqual({ ok: true, value: r });
    const imported = await importReceiptKey(pem);
    expect(imported.ok && (await verifyReceipt(imported.value, r)).ok).toBe(true);
  });

  it("a receipt whose time was changed does not verify", async () => {
    const { keys, pem } = await keyPair();
    const r = await signed(keys);
    const refused = { ok: false, code: RECEIPT_CODES.signature, reason: RECEIPT_REFUSALS.signature };
    expect(await verifyReceipt(pem, { ...r, receivedAt: "2026-12-01T00:00:00.000Z" })).toEqual(refused);
    expect(await verifyReceipt(pem, { ...r, entry: asEntryId(sha256Hex("another entry")) })).toEqual(refused);
    expect(await verifyReceipt(pem, { ...r, signature: "not base64!" })).toEqual(refused);
  });

  it("a receipt signed by another key does not verify", async () => {
    const { keys } = await keyPair();
    const other = await keyPair();
    expect(await verifyReceipt(other.pem, await signed(keys))).toMatchObject({ ok: false, code: "receipt.signature" });
  });

  it("a key that is no P-256 public key is refused as such, not as a bad signature", async () => {
    const { keys } = await keyPair();
    const r = await signed(keys);
    const refused = { ok: false, code: RECEIPT_CODES.key, reason: RECEIPT_REFUSALS.key };
    expect(await verifyReceipt("", r)).toEqual(refused);
    expect(await verifyReceipt("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", r)).toEqual(refused);
    expect(await verifyReceipt("-----BEGIN PUBLIC KEY-----\n@@@\n-----END PUBLIC KEY-----", r)).toEqual(refused);
    const rsa = (await crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const rsaPem = `-----BEGIN PUBLIC KEY-----\n${toBase64(new Uint8Array(await crypto.subtle.exportKey("spki", rsa.publicKey)))}\n-----END PUBLIC KEY-----`;
    expect(await verifyReceipt(rsaPem, r)).toEqual(refused);
  });

  it("a kept receipt parses, names its own document and entry, and verifies", async () => {
    const { keys, pem } = await keyPair();
    const r = await signed(keys);
    expect((await verifyKeptReceipt(pem, doc, entry, canonicalJson({ ...r }))).ok).toBe(true);
    expect(await verifyKeptReceipt(pem, doc, asEntryId(sha256Hex("another entry")), canonicalJson({ ...r }))).toMatchObject({ ok: false, code: "receipt.other-entry" });
    expect(await verifyKeptReceipt(pem, asDocId("doc-2"), entry, canonicalJson({ ...r }))).toMatchObject({ ok: false, code: "receipt.other-entry" });
    expect(await verifyKeptReceipt(pem, doc, entry, "{not json")).toMatchObject({ ok: false, code: "receipt.malformed" });
    expect(parseReceipt({ ...r, receivedAt: "yesterday" })).toMatchObject({ ok: false, code: "receipt.malformed" });
  });
});
