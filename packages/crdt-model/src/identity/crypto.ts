import { x509 } from "./x509.ts";
import type { SigAlg } from "../chain/types.ts";
import { own } from "../bytes.ts";

export const ECDSA_P256: EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" };
export const RSA_2048_PKCS1: RsaHashedKeyGenParams = {
  name: "RSASSA-PKCS1-v1_5",
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: "SHA-256",
};
export const RSA_2048_PSS: RsaHashedKeyGenParams = { ...RSA_2048_PKCS1, name: "RSA-PSS" };

/** PSS salt length: the hash length, as CMS/OpenSSL expect by default for SHA-256. */
export const PSS_SALT_LENGTH = 32;

export function keyGenParams(alg: SigAlg): EcKeyGenParams | RsaHashedKeyGenParams {
  switch (alg) {
    case "ES256":
      return ECDSA_P256;
    case "RS256":
      return RSA_2048_PKCS1;
    case "PS256":
      return RSA_2048_PSS;
  }
}

export function importParams(alg: SigAlg): EcKeyImportParams | RsaHashedImportParams {
  switch (alg) {
    case "ES256":
      return { name: "ECDSA", namedCurve: "P-256" };
    case "RS256":
      return { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    case "PS256":
      return { name: "RSA-PSS", hash: "SHA-256" };
  }
}

function signParams(alg: SigAlg): EcdsaParams | RsaPssParams | Algorithm {
  switch (alg) {
    case "ES256":
      return { name: "ECDSA", hash: "SHA-256" };
    case "RS256":
      return { name: "RSASSA-PKCS1-v1_5" };
    case "PS256":
      return { name: "RSA-PSS", saltLength: PSS_SALT_LENGTH };
  }
}

/**
 * A signing key pair. Private keys are made non-extractable unless the caller must store them
 * (a CA key encrypted at rest on the server); in the browser they live in IndexedDB as CryptoKeys.
 */
export async function generateSigningKey(alg: SigAlg, extractable = false): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(keyGenParams(alg), extractable, ["sign", "verify"]);
}

export async function signBytes(alg: SigAlg, key: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign(signParams(alg), key, own(data)));
}

export async function verifyBytes(alg: SigAlg, key: CryptoKey, sig: Uint8Array, data: Uint8Array): Promise<boolean> {
  try {
    return await crypto.subtle.verify(signParams(alg), key, own(sig), own(data));
  } catch {
    return false;
  }
}

/** The signature algorithm a certificate's key supports, judged from its SubjectPublicKeyInfo. */
export function algForCertificate(cert: x509.X509Certificate, preferPss = false): SigAlg | undefined {
  const name = cert.publicKey.algorithm.name;
  if (name === "ECDSA") return (cert.publicKey.algorithm as EcKeyAlgorithm).namedCurve === "P-256" ? "ES256" : undefined;
  if (name === "RSASSA-PKCS1-v1_5" || name === "RSA-PSS") return preferPss || name === "RSA-PSS" ? "PS256" : "RS256";
  return undefined;
}
