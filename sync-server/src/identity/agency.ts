import {
  createAgencyCa,
  fail,
  ok,
  parseAgencyCode,
  parseCertificate,
  toBase64,
  type AgencyCode,
  type CertificateAuthority,
  type Result,
} from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";
import { SETTINGS } from "../storage/settings.ts";
import { x509 } from "./x509.ts";
import { copy, deriveSealingKey, newKdfParams, parseKdfParams, seal, unseal } from "./sealed.ts";

/**
 * The agency's own keys, as the server holds them once the passphrase has opened them. Private keys
 * and the token secret are non-extractable CryptoKeys: nothing in the process can write them out.
 */
export interface Agency {
  code: AgencyCode;
  name: string;
  /** Signs person certificates at enrollment (ES256, P-256). */
  ca: CertificateAuthority;
  caPem: string;
  /**
   * The CA's private key imported for ECDH (non-extractable): opens envelopes other agencies
   * encrypted for our CA certificate (exchange/import.ts). Absent where an Agency is made by hand.
   */
  caDecrypt?: CryptoKey;
  /** Signs entry receipts ("this server first saw entry E at T"). */
  receipt: { alg: "ES256"; privateKey: CryptoKey; publicKey: CryptoKey; publicKeyPem: string };
  /** HMAC-SHA-256 key for login tokens. */
  tokenKey: CryptoKey;
}

/** Settings keys (storage/settings.ts). `agency.code` is written last and marks a completed init. */
export { SETTINGS };

const P256: EcKeyImportParams = { name: "ECDSA", namedCurve: "P-256" };

export const MIN_PASSPHRASE = 12;

export interface AgencyInit {
  code: string;
  name: string;
  passphrase: string;
  /**
   * When the CA's validity starts (default: a day ago). The demo backdates it so its six months of
   * history are signed under a CA valid at the time each entry claims.
   */
  caNotBefore?: Date;
}

/** What init made, for the caller to show: the CA certificate and its fingerprint. */
export interface AgencyCreated {
  code: AgencyCode;
  name: string;
  caPem: string;
}

/**
 * Creates the agency: its CA (P-256), a receipt-signing key pair and a token secret, the private
 * parts sealed under the passphrase (see sealed.ts). Refuses an agency that already exists.
 *
 * Not atomic across settings (the Store has no transaction for them): a crash midway leaves no
 * `agency.code`, so running init again starts over and overwrites the partial values.
 */
export async function initAgency(store: Store, opts: AgencyInit): Promise<Result<AgencyCreated>> {
  if (await store.getSetting(SETTINGS.code)) return fail("agency.initialized", "The agency is already initialized; it cannot be initialized twice.");
  const parsed = parseAgencyCode(opts.code);
  if (!parsed.ok) return parsed;
  const name = opts.name.trim();
  if (name.length === 0 || name.length > 100) return fail("agency.name", "The agency needs a name of 1 to 100 characters.");
  if (opts.passphrase.length < MIN_PASSPHRASE) return fail("passphrase.short", `The passphrase must be at least ${MIN_PASSPHRASE} characters long.`);

  const code = parsed.value;
  // extractable only so that the key can be sealed here; loadAgency imports it non-extractable.
  const ca = await createAgencyCa({ agency: code, name, alg: "ES256", extractable: true, ...(opts.caNotBefore ? { notBefore: opts.caNotBefore } : {}) });
  const receipt = (await crypto.subtle.generateKey(P256, true, ["sign", "verify"])) as CryptoKeyPair;
  const tokenSecret = crypto.getRandomValues(new Uint8Array(32));

  const kdf = newKdfParams();
  const key = await deriveSealingKey(opts.passphrase, kdf);
  const caPkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", ca.keys.privateKey));
  const receiptPkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", receipt.privateKey));
  const receiptSpki = await crypto.subtle.exportKey("spki", receipt.publicKey);
  const caPem = ca.cert.toString("pem");

  await store.setSetting(SETTINGS.kdf, JSON.stringify(kdf));
  await store.setSetting(SETTINGS.caCert, caPem);
  await store.setSetting(SETTINGS.caKey, await seal(key, SETTINGS.caKey, caPkcs8));
  await store.setSetting(SETTINGS.receiptKey, await seal(key, SETTINGS.receiptKey, receiptPkcs8));
  await store.setSetting(SETTINGS.receiptPublic, x509.PemConverter.encode(receiptSpki, "PUBLIC KEY"));
  await store.setSetting(SETTINGS.tokenSecret, await seal(key, SETTINGS.tokenSecret, tokenSecret));
  await store.setSetting(SETTINGS.name, name);
  await store.setSetting(SETTINGS.code, code);
  // Best effort: the plaintext copies are garbage now; zero what we own.
  caPkcs8.fill(0);
  receiptPkcs8.fill(0);
  tokenSecret.fill(0);
  return ok({ code, name, caPem });
}

export const WRONG_PASSPHRASE = "The passphrase does not open this agency's keys.";

/** Opens the agency's keys with the passphrase. */
export async function loadAgency(store: Store, passphrase: string): Promise<Result<Agency>> {
  const stored = await store.getSetting(SETTINGS.code);
  if (!stored) return fail("agency.not-initialized", "The agency has not been initialized (run countersign init).");
  const parsed = parseAgencyCode(stored);
  if (!parsed.ok) return fail("agency.damaged", `The agency's stored code is damaged: ${parsed.reason}`, parsed);
  const code = parsed.value;
  const [name, caPem, kdfText, caKey, receiptKey, receiptPublic, tokenSecret] = await Promise.all([
    store.getSetting(SETTINGS.name),
    store.getSetting(SETTINGS.caCert),
    store.getSetting(SETTINGS.kdf),
    store.getSetting(SETTINGS.caKey),
    store.getSetting(SETTINGS.receiptKey),
    store.getSetting(SETTINGS.receiptPublic),
    store.getSetting(SETTINGS.tokenSecret),
  ]);
  if (!name || !caPem || !kdfText || !caKey || !receiptKey || !receiptPublic || !tokenSecret)
    return fail("agency.damaged", "The agency's settings are incomplete; the database may be damaged.");
  const kdf = parseKdfParams(kdfText);
  if (!kdf) return fail("agency.damaged", "The agency's key derivation settings are malformed.");
  const cert = parseCertificate(caPem);
  if (!cert.ok) return fail("agency.damaged", `The agency's CA certificate is damaged: ${cert.reason}`, cert);

  const key = await deriveSealingKey(passphrase, kdf);
  const caPkcs8 = await unseal(key, SETTINGS.caKey, caKey);
  // GCM authenticates: the first secret failing to open means a wrong passphrase (or tampering).
  if (!caPkcs8) return fail("passphrase.wrong", WRONG_PASSPHRASE);
  const receiptPkcs8 = await unseal(key, SETTINGS.receiptKey, receiptKey);
  const secret = await unseal(key, SETTINGS.tokenSecret, tokenSecret);
  if (!receiptPkcs8 || !secret) return fail("agency.damaged", "The agency's sealed keys are damaged.");

  try {
    const caPrivate = await crypto.subtle.importKey("pkcs8", copy(caPkcs8), P256, false, ["sign"]);
    const caPublic = await cert.value.publicKey.export(P256, ["verify"]);
    const caDecrypt = await crypto.subtle.importKey("pkcs8", copy(caPkcs8), { name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
    const receiptPrivate = await crypto.subtle.importKey("pkcs8", copy(receiptPkcs8), P256, false, ["sign"]);
    const receiptPublicKey = await crypto.subtle.importKey("spki", copy(pemBody(receiptPublic)), P256, true, ["verify"]);
    const tokenKey = await crypto.subtle.importKey("raw", copy(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    return ok({
      code,
      name,
      ca: { agency: code, cert: cert.value, keys: { privateKey: caPrivate, publicKey: caPublic }, alg: "ES256" },
      caPem,
      caDecrypt,
      receipt: { alg: "ES256", privateKey: receiptPrivate, publicKey: receiptPublicKey, publicKeyPem: receiptPublic },
      tokenKey,
    });
  } catch (e) {
    return fail("agency.damaged", `The agency's keys do not import: ${e instanceof Error ? e.message : String(e)}.`);
  } finally {
    caPkcs8.fill(0);
    receiptPkcs8.fill(0);
    secret.fill(0);
  }
}

/** The CA certificate PEM without opening any key (for `countersign agency ca`, trust building). */
export async function agencyCaPem(store: Store): Promise<Result<string>> {
  const pem = await store.getSetting(SETTINGS.caCert);
  return pem && (await store.getSetting(SETTINGS.code)) ? ok(pem) : fail("agency.not-initialized", "The agency has not been initialized (run countersign init).");
}

export function pemBody(pem: string): Uint8Array {
  return new Uint8Array(x509.PemConverter.decodeFirst(pem));
}

/** Base64 DER of a PEM block (the form CertificateRow stores). */
export function pemToBase64(pem: string): string {
  return toBase64(pemBody(pem));
}
