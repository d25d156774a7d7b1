import { fromBase64, toBase64, utf8 } from "@countersign/crdt-model";

/**
 * Secrets at rest (the CA key, the receipt key, the token secret): AES-256-GCM under a key derived
 * from the agency passphrase with PBKDF2-SHA-256. One salt and one derivation serve all of an
 * agency's secrets, so loading the agency pays the (deliberately slow) derivation once; every
 * secret has its own random IV, and its settings key is the GCM additional data, so a sealed
 * value copied under another key does not open.
 */
export interface KdfParams {
  v: 1;
  kdf: "PBKDF2-SHA-256";
  /** OWASP's 2023 figure for PBKDF2-HMAC-SHA-256. */
  iterations: number;
  salt: string;
}

export interface SealedValue {
  v: 1;
  alg: "AES-256-GCM";
  iv: string;
  ciphertext: string;
}

export const MIN_ITERATIONS = 600_000;

export function newKdfParams(): KdfParams {
  return { v: 1, kdf: "PBKDF2-SHA-256", iterations: MIN_ITERATIONS, salt: toBase64(crypto.getRandomValues(new Uint8Array(16))) };
}

export function parseKdfParams(text: string): KdfParams | undefined {
  try {
    const j = JSON.parse(text) as Partial<KdfParams>;
    if (j.v !== 1 || j.kdf !== "PBKDF2-SHA-256" || typeof j.salt !== "string") return undefined;
    // A lower count than ours can only come from someone editing the database: refuse it.
    if (typeof j.iterations !== "number" || !Number.isSafeInteger(j.iterations) || j.iterations < MIN_ITERATIONS) return undefined;
    fromBase64(j.salt);
    return j as KdfParams;
  } catch {
    return undefined;
  }
}

export async function deriveSealingKey(passphrase: string, params: KdfParams): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey("raw", copy(utf8(passphrase.normalize("NFC"))), "PBKDF2", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", iterations: params.iterations, salt: copy(fromBase64(params.salt)) },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

export async function seal(key: CryptoKey, label: string, plain: Uint8Array): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: copy(utf8(label)) }, key, copy(plain));
  const sealed: SealedValue = { v: 1, alg: "AES-256-GCM", iv: toBase64(iv), ciphertext: toBase64(new Uint8Array(ct)) };
  return JSON.stringify(sealed);
}

/** The plaintext, or undefined when the key is wrong or the value was altered (GCM cannot tell which). */
export async function unseal(key: CryptoKey, label: string, text: string): Promise<Uint8Array | undefined> {
  try {
    const s = JSON.parse(text) as Partial<SealedValue>;
    if (s.v !== 1 || s.alg !== "AES-256-GCM" || typeof s.iv !== "string" || typeof s.ciphertext !== "string") return undefined;
    const pt = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: copy(fromBase64(s.iv)), additionalData: copy(utf8(label)) },
      key,
      copy(fromBase64(s.ciphertext)),
    );
    return new Uint8Array(pt);
  } catch {
    return undefined;
  }
}

/** A copy backed by its own ArrayBuffer, as WebCrypto's BufferSource typing wants. */
export function copy(b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(b.length));
  out.set(b);
  return out;
}
