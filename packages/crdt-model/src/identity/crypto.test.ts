// verifyBytes takes node:crypto's one-shot verify in Node: it must agree with WebCrypto's verify on
// every algorithm, on good and bad signatures, and refuse what WebCrypto refuses.
import { describe, expect, it } from "vitest";
import type { SigAlg } from "../chain/types.ts";
import { generateSigningKey, signBytes, verifyBytes } from "./crypto.ts";

const data = new TextEncoder().encode("本案擬准予備查，陳請核示。");
const subtleParams: Record<SigAlg, EcdsaParams | RsaPssParams | Algorithm> = {
  ES256: { name: "ECDSA", hash: "SHA-256" },
  RS256: { name: "RSASSA-PKCS1-v1_5" },
  PS256: { name: "RSA-PSS", saltLength: 32 },
};

describe("verifyBytes agrees with WebCrypto", () => {
  for (const alg of ["ES256", "RS256", "PS256"] as const) {
    it(`${alg}: a good signature verifies, a changed byte of the data or the signature does not`, async () => {
      const keys = await generateSigningKey(alg);
      const sig = await signBytes(alg, keys.privateKey, data);
      expect(await verifyBytes(alg, keys.publicKey, sig, data)).toBe(true);
      expect(await crypto.subtle.verify(subtleParams[alg], keys.publicKey, new Uint8Array(sig), new Uint8Array(data))).toBe(true);
      const badData = data.slice();
      badData[3]! ^= 1;
      const badSig = sig.slice();
      badSig[10]! ^= 1;
      expect(await verifyBytes(alg, keys.publicKey, sig, badData)).toBe(false);
      expect(await verifyBytes(alg, keys.publicKey, badSig, data)).toBe(false);
      expect(await crypto.subtle.verify(subtleParams[alg], keys.publicKey, new Uint8Array(badSig), new Uint8Array(data))).toBe(false);
    });
  }

  it("a truncated or empty signature is false, not an exception", async () => {
    const keys = await generateSigningKey("ES256");
    const sig = await signBytes("ES256", keys.privateKey, data);
    expect(await verifyBytes("ES256", keys.publicKey, sig.slice(0, 40), data)).toBe(false);
    expect(await verifyBytes("ES256", keys.publicKey, new Uint8Array(), data)).toBe(false);
  });

  it("a key of another algorithm, or a private key, does not verify (as WebCrypto refuses it)", async () => {
    const ec = await generateSigningKey("ES256");
    const rsa = await generateSigningKey("RS256");
    const sig = await signBytes("ES256", ec.privateKey, data);
    expect(await verifyBytes("RS256", ec.publicKey, sig, data)).toBe(false);
    expect(await verifyBytes("ES256", rsa.publicKey, sig, data)).toBe(false);
    expect(await verifyBytes("ES256", ec.privateKey, sig, data)).toBe(false);
  });
});
