import { describe, expect, it, vi } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { asDocId, asEntryId, toBase64, verifyReceipt, RECEIPT_CODES, RECEIPT_REFUSALS } from "@countersign/crdt-model";
import { initAgency, loadAgency, SETTINGS, WRONG_PASSPHRASE } from "./agency.ts";
import { signReceipt } from "./receipts.ts";
import { AGENCY, PASSPHRASE, tempStore } from "../../tests/support/identity-fixtures.ts";

function includes(hay: Buffer, needle: Uint8Array | string): boolean {
  return hay.indexOf(typeof needle === "string" ? Buffer.from(needle) : Buffer.from(needle)) !== -1;
}

describe("initAgency / loadAgency", () => {
  it("creates the CA and keys, and loads them back as non-extractable keys", async () => {
    const { store } = tempStore();
    const init = await initAgency(store, { code: AGENCY, name: "臺南市政府教育局", passphrase: PASSPHRASE });
    expect(init.ok).toBe(true);
    const loaded = await loadAgency(store, PASSPHRASE);
    if (!loaded.ok) throw new Error(loaded.reason);
    const a = loaded.value;
    expect(a.code).toBe(AGENCY);
    expect(a.ca.cert.subjectName.getField("O")).toEqual([AGENCY]);
    expect(a.ca.keys.privateKey.extractable).toBe(false);
    expect(a.receipt.privateKey.extractable).toBe(false);
    expect(a.tokenKey.extractable).toBe(false);
    expect(a.caPem).toBe(await store.getSetting(SETTINGS.caCert));
    const kdf = JSON.parse((await store.getSetting(SETTINGS.kdf))!) as { iterations: number };
    expect(kdf.iterations).toBeGreaterThanOrEqual(600_000);
    await store.close();
  });

  it(WRONG_PASSPHRASE, async () => {
    const { store } = tempStore();
    await initAgency(store, { code: AGENCY, name: "某機關", passphrase: PASSPHRASE });
    expect(await loadAgency(store, "not the passphrase at all")).toEqual({ ok: false, code: "passphrase.wrong", reason: WRONG_PASSPHRASE });
    await store.close();
  });

  it("The agency is already initialized; it cannot be initialized twice.", async () => {
    const { store } = tempStore();
    await initAgency(store, { code: AGENCY, name: "某機關", passphrase: PASSPHRASE });
    const caPem = await store.getSetting(SETTINGS.caCert);
    expect(await initAgency(store, { code: AGENCY, name: "某機關", passphrase: PASSPHRASE })).toEqual({
      ok: false,
      code: "agency.initialized",
      reason: "The agency is already initialized; it cannot be initialized twice.",
    });
    expect(await store.getSetting(SETTINGS.caCert)).toBe(caPem);
    await store.close();
  });

  it("The passphrase must be at least 12 characters long.", async () => {
    const { store } = tempStore();
    expect(await initAgency(store, { code: AGENCY, name: "某機關", passphrase: "short" })).toEqual({
      ok: false,
      code: "passphrase.short",
      reason: "The passphrase must be at least 12 characters long.",
    });
    await store.close();
  });

  it("the CA private key is not stored in clear: the database files hold neither its PKCS #8 DER nor its scalar", async () => {
    const { store, dir } = tempStore();
    // Catch the PKCS #8 bytes initAgency exports for sealing: the secrets we must not find on disk.
    // Copied as they pass, because initAgency zeroes its own buffers once sealed.
    const secrets: Uint8Array[] = [];
    const original = crypto.subtle.exportKey.bind(crypto.subtle) as (f: string, k: CryptoKey) => Promise<ArrayBuffer | JsonWebKey>;
    const exportKey = vi.spyOn(crypto.subtle, "exportKey").mockImplementation((async (format: string, key: CryptoKey) => {
      const out = await original(format, key);
      if (format === "pkcs8") secrets.push(new Uint8Array((out as ArrayBuffer).slice(0)));
      return out;
    }) as typeof crypto.subtle.exportKey);
    await initAgency(store, { code: AGENCY, name: "某機關", passphrase: PASSPHRASE });
    exportKey.mockRestore();
    expect(secrets).toHaveLength(2); // the CA key and the receipt key
    // The private scalar d alone, as JWK gives it (base64url) and as raw bytes.
    const jwk = await crypto.subtle.exportKey(
      "jwk",
      await crypto.subtle.importKey("pkcs8", new Uint8Array(secrets[0]!), { name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]),
    );
    const d = Buffer.from(jwk.d!, "base64url");
    await store.close();
    const files = readdirSync(dir).filter((f) => f.startsWith("countersign.db"));
    expect(files.length).toBeGreaterThan(0);
    const bytes = Buffer.concat(files.map((f) => readFileSync(join(dir, f))));
    expect(includes(bytes, "BEGIN CERTIFICATE")).toBe(true); // the file is readable: the check means something
    for (const der of secrets) {
      expect(includes(bytes, der)).toBe(false);
      expect(includes(bytes, toBase64(der))).toBe(false);
      expect(includes(bytes, Buffer.from(der).toString("hex"))).toBe(false);
    }
    expect(includes(bytes, d)).toBe(false);
    expect(includes(bytes, jwk.d!)).toBe(false);
  });
});

describe("receipts", () => {
  it("a receipt the server signs (node:crypto) verifies with the model's verifyReceipt (WebCrypto), with the key and its PEM; an altered one does not", async () => {
    const { store } = tempStore();
    await initAgency(store, { code: AGENCY, name: "某機關", passphrase: PASSPHRASE });
    const a = await loadAgency(store, PASSPHRASE);
    if (!a.ok) throw new Error(a.reason);
    const receipt = await signReceipt(a.value, { doc: asDocId("doc-1"), entry: asEntryId("e".repeat(64)), receivedAt: new Date("2026-01-02T03:04:05Z") });
    expect(receipt.receivedAt).toBe("2026-01-02T03:04:05.000Z");
    expect((await verifyReceipt(a.value.receipt.publicKey, receipt)).ok).toBe(true);
    expect((await verifyReceipt(a.value.receipt.publicKeyPem, receipt)).ok).toBe(true);
    expect(await store.getSetting(SETTINGS.receiptPublic)).toBe(a.value.receipt.publicKeyPem);
    expect(await verifyReceipt(a.value.receipt.publicKey, { ...receipt, receivedAt: "2026-01-01T00:00:00.000Z" })).toEqual({ ok: false, code: RECEIPT_CODES.signature, reason: RECEIPT_REFUSALS.signature });
    await store.close();
  });
});
