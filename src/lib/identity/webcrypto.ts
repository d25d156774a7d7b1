// The browser's WebCrypto: whether it is there, the device key, the certificate request and the
// login signature. Private keys are made non-extractable: the browser can sign with them but no
// script (ours included) can ever read them out, and IndexedDB stores them as opaque CryptoKeys.
import { toBase64 } from "@countersign/crdt-model";

/** Why signing is unavailable: not a secure context (plain HTTP on a LAN address), or a browser without WebCrypto. */
export type CryptoSupport = { ok: true } | { ok: false; reason: "insecure" | "unsupported" };

type PrefixedCrypto = Crypto & { webkitSubtle?: SubtleCrypto };

/**
 * Checks for WebCrypto, loading webcrypto-shim first when only an old prefixed implementation
 * (Safari's webkitSubtle, IE's msCrypto) is there. Browsers hide crypto.subtle outside secure
 * contexts, which is the usual reason it is missing; the shim cannot help with that.
 */
export async function checkWebCrypto(): Promise<CryptoSupport> {
  const c = globalThis.crypto as PrefixedCrypto | undefined;
  if (!c?.subtle && c?.webkitSubtle) {
    try {
      await import("webcrypto-shim");
    } catch {
      // the shim failed to load: fall through to "unsupported"
    }
  }
  if (typeof globalThis.crypto?.subtle?.sign === "function") return { ok: true };
  return { ok: false, reason: globalThis.isSecureContext === false ? "insecure" : "unsupported" };
}

/** A fresh ECDSA P-256 device key; the private half can sign but never be exported. */
export async function generateDeviceKey(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
}

/** A PKCS #10 request for the key. The server ignores its subject and takes the profile from its directory. */
export async function certificateRequest(keys: CryptoKeyPair, person: string): Promise<string> {
  // Loaded on demand: X.509 and its ASN.1 schema are only needed at enrollment.
  const { x509 } = await import("./x509.ts");
  const safe = person.replace(/[^A-Za-z0-9._-]/g, "") || "device";
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${safe}`,
    keys,
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
  });
  return csr.toString("pem");
}

/** The PEM body as base64 DER (what /api/login expects as `certificate`). */
export function pemToBase64(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
}

export const LOGIN_PREFIX = "countersign-login:";

/** The login proof: ECDSA over UTF-8 "countersign-login:<nonce>", IEEE P1363 (r‖s), base64. */
export async function signLoginChallenge(privateKey: CryptoKey, nonce: string): Promise<string> {
  const data = new TextEncoder().encode(LOGIN_PREFIX + nonce);
  const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, data);
  return toBase64(new Uint8Array(sig));
}

/** A typed enrollment code in canonical form, as the server normalizes it; undefined if it cannot be one. */
export function normalizeCode(typed: string): string | undefined {
  const s = typed.toUpperCase().replace(/[\s-]/g, "").replace(/0/g, "O").replace(/1/g, "I").replace(/8/g, "B");
  return /^[A-Z2-7]{16}$/.test(s) ? s.match(/.{4}/g)!.join("-") : undefined;
}
