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

/**
 * Node's own one-shot verify where the model runs in Node (the relay, envelope import, the CLI):
 * WebCrypto's verify in Node is the same OpenSSL call behind a promise, a copy of both buffers and a
 * hop through the thread pool, which cost an import of 10,000 signatures about a third of its CPU.
 * Reached without an import (as bytes.ts reaches node:crypto) so a browser bundle never asks for it.
 * The result is the same: a WebCrypto ECDSA signature is r‖s (IEEE P1363), PSS salts with 32 bytes.
 */
type NodeKey = object;
type NodeVerify = {
  verify(alg: string | null, data: Uint8Array, key: { key: NodeKey; dsaEncoding?: string; padding?: number; saltLength?: number }, sig: Uint8Array): boolean;
  KeyObject: { from(key: CryptoKey): NodeKey };
  constants: { RSA_PKCS1_PADDING: number; RSA_PKCS1_PSS_PADDING: number };
};
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.("node:crypto") as NodeVerify | undefined;
/** The KeyObject of each verifying CryptoKey, made once (keys are cached per certificate upstream). */
const nodeKeys = new WeakMap<CryptoKey, NodeKey>();

function verifyInNode(node: NodeVerify, alg: SigAlg, key: CryptoKey, sig: Uint8Array, data: Uint8Array): boolean {
  let k = nodeKeys.get(key);
  if (!k) {
    k = node.KeyObject.from(key);
    nodeKeys.set(key, k);
  }
  switch (alg) {
    case "ES256":
      return node.verify("sha256", data, { key: k, dsaEncoding: "ieee-p1363" }, sig);
    case "RS256":
      return node.verify("sha256", data, { key: k, padding: node.constants.RSA_PKCS1_PADDING }, sig);
    case "PS256":
      return node.verify("sha256", data, { key: k, padding: node.constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT_LENGTH }, sig);
  }
}

export async function verifyBytes(alg: SigAlg, key: CryptoKey, sig: Uint8Array, data: Uint8Array): Promise<boolean> {
  try {
    // A key WebCrypto would refuse for verifying (wrong use or algorithm) is refused here too.
    if (nodeCrypto && key.type === "public" && key.usages.includes("verify") && key.algorithm.name === signParams(alg).name)
      return verifyInNode(nodeCrypto, alg, key, sig, data);
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
