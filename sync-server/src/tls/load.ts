// The certificate and key `countersign serve --tls-cert --tls-key` serves with, checked before
// anything else starts: a server that cannot do TLS must refuse to start, not start and then fail
// every handshake (or serve a certificate every browser rejects).
//
// What must stay true: every refusal is one sentence naming the file and what is wrong with it
// (unreadable, not a certificate / key, the key not the certificate's, expired or not yet valid),
// and nothing is listening when one is returned.
import { readFile } from "node:fs/promises";
import { X509Certificate, createPrivateKey, type KeyObject } from "node:crypto";
import { fail, ok, type Result } from "@countersign/crdt-model";

export interface TlsMaterial {
  /** The PEM file as read (a chain: the server's certificate first, then intermediates). */
  cert: Buffer;
  key: Buffer;
  /** The server's own certificate (the first of the file), for the start line and checks. */
  leaf: X509Certificate;
  validTo: Date;
}

async function read(file: string, what: string): Promise<Result<Buffer>> {
  try {
    return ok(await readFile(file));
  } catch (e) {
    return fail("tls.unreadable", `The TLS ${what} file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}).`);
  }
}

/** Reads and checks the pair: both readable, parseable, matching, and the certificate valid at `now`. */
export async function loadTlsMaterial(certFile: string, keyFile: string, now: Date = new Date()): Promise<Result<TlsMaterial>> {
  const cert = await read(certFile, "certificate");
  if (!cert.ok) return cert;
  const key = await read(keyFile, "key");
  if (!key.ok) return key;
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert.value);
  } catch {
    return fail("tls.cert-parse", `The TLS certificate file ${certFile} holds no certificate (PEM or DER).`);
  }
  let priv: KeyObject;
  try {
    priv = createPrivateKey(key.value);
  } catch (e) {
    // An encrypted key would need a passphrase at every start: the server takes only a plain one.
    const encrypted = /passphrase|encrypted|bad decrypt/i.test((e as Error).message) || key.value.includes("ENCRYPTED");
    return fail("tls.key-parse", encrypted ? `The TLS key file ${keyFile} is encrypted; give the server an unencrypted key (mode 0600).` : `The TLS key file ${keyFile} holds no private key (PEM or DER).`);
  }
  if (!leaf.checkPrivateKey(priv)) return fail("tls.key-mismatch", `The TLS key ${keyFile} is not the key of the certificate ${certFile} (${leaf.subject.replace(/\n/g, ", ")}).`);
  const validFrom = new Date(leaf.validFrom);
  const validTo = new Date(leaf.validTo);
  if (now < validFrom) return fail("tls.cert-not-yet-valid", `The TLS certificate ${certFile} is not valid before ${validFrom.toISOString()} (check this machine's clock).`);
  if (now > validTo) return fail("tls.cert-expired", `The TLS certificate ${certFile} expired on ${validTo.toISOString()}; issue a new one (countersign tls issue) or renew it.`);
  return ok({ cert: cert.value, key: key.value, leaf, validTo });
}
