import { describe, expect, it } from "vitest";
import { asDocId, asEntryId, canonicalJson, receiptBytes, sha256Hex, signBytes, toBase64 } from "@countersign/crdt-model";
import { ReceiptVerifier, trustedTime } from "./receipts.ts";

const doc = asDocId("doc-1");
const entry = asEntryId(sha256Hex("entry"));
const receivedAt = "2026-12-05T01:02:03.000Z";

async function agencyKey(): Promise<{ keys: CryptoKeyPair; pem: string }> {
  const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const spki = toBase64(new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey)));
  return { keys, pem: `-----BEGIN PUBLIC KEY-----\n${spki}\n-----END PUBLIC KEY-----\n` };
}

async function kept(keys: CryptoKeyPair, at = receivedAt): Promise<string> {
  const signature = toBase64(await signBytes("ES256", keys.privateKey, receiptBytes({ doc, entry, receivedAt: at })));
  return canonicalJson({ doc, entry, receivedAt: at, signature });
}

describe("the app's receipt checks", () => {
  it("a kept receipt that verifies gives the agency's time; an altered one only its claim, marked", async () => {
    const { keys, pem } = await agencyKey();
    const good = await kept(keys);
    const altered = good.replace(receivedAt, "2026-12-01T00:00:00.000Z");
    const other = asEntryId(sha256Hex("other"));
    const checks = await new ReceiptVerifier(pem).check(doc, new Map<string, unknown>([[entry, good], [other, good]]));
    expect(checks.get(entry)).toEqual({ valid: true, at: new Date(receivedAt) });
    expect(trustedTime(checks.get(entry))).toEqual(new Date(receivedAt));
    expect(checks.get(other)).toMatchObject({ valid: false, code: "receipt.other-entry" });
    const bad = (await new ReceiptVerifier(pem).check(doc, new Map([[entry, altered]]))).get(entry);
    expect(bad).toMatchObject({ valid: false, code: "receipt.signature", claimed: new Date("2026-12-01T00:00:00.000Z") });
    expect(trustedTime(bad)).toBeNull();
  });

  it("without the agency's key (or with a wrong one) nothing is trusted", async () => {
    const { keys } = await agencyKey();
    const other = await agencyKey();
    const raw = new Map([[entry, await kept(keys)]]);
    expect((await new ReceiptVerifier(null).check(doc, raw)).get(entry)).toMatchObject({ valid: false, code: "receipt.key" });
    expect((await new ReceiptVerifier("not a key").check(doc, raw)).get(entry)).toMatchObject({ valid: false, code: "receipt.key" });
    expect((await new ReceiptVerifier(other.pem).check(doc, raw)).get(entry)).toMatchObject({ valid: false, code: "receipt.signature" });
  });
});
