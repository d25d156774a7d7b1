import * as pkijs from "pkijs";
import {
  algForCertificate,
  parsePersonId,
  certificateFingerprint,
  certificateToBase64,
  fail,
  ok,
  parseCertificate,
  signBytes,
  utf8,
  verifyBytes,
  type PersonId,
  type Code,
  type Result,
  type SigAlg,
} from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";
import { mayManagePeopleOf, type Actor } from "../directory/directory.ts";
import { registeredIssuers } from "./trust.ts";
import { SETTINGS } from "../storage/settings.ts";
import { copy } from "./sealed.ts";
import type { x509 } from "./x509.ts";
import { audit } from "../directory/audit.ts";

/**
 * Registers a certificate issued elsewhere (e.g. a Taiwan citizen certificate 自然人憑證, RSA) for a
 * person, from a PKCS #12 file and its password. Only the certificate is kept: the private key stays
 * with its owner. The password must open the file (the MAC verifies and the bags decrypt), and when
 * the file holds a private key we sign and verify a test message with it, so we register the
 * certificate that belongs to the key in the file, not just any certificate it carries.
 *
 * pkijs reads the modern PBES2 files (OpenSSL 3's default: PBKDF2-HMAC-SHA-256 + AES-256-CBC, SHA-256
 * MAC). Legacy files (RC2-40 / 3DES, `openssl pkcs12 -legacy`, old Windows exports) are refused with
 * a sentence saying how to re-export them: Node's OpenSSL 3 has no RC2 without the legacy provider.
 */
export interface Registered {
  serial: string;
  person: PersonId;
  certificatePem: string;
  fingerprint: string;
  subject: string;
  /** Whether the file carried the issuer's certificate (added to the trusted registered issuers). */
  issuerFromFile: boolean;
}

export const P12_REFUSALS = {
  parse: "The file is not a PKCS #12 file.",
  password: "The PKCS #12 file does not open with that password.",
  legacy:
    "The PKCS #12 file uses a legacy encryption (RC2 or 3DES) that is not supported; export it again with AES-256 (openssl pkcs12 -export without -legacy).",
  noCert: "The PKCS #12 file holds no certificate.",
  ambiguous: "The PKCS #12 file holds several certificates and no private key to tell which one is the person's.",
  keyMismatch: "The private key in the PKCS #12 file matches none of its certificates.",
  key: "The certificate's key must be ECDSA P-256 or RSA of 2048 to 4096 bits.",
  validity: "The certificate is not valid at this time.",
  duplicate: "That certificate is already registered.",
  serial: "A certificate with the same serial number is already recorded.",
} as const;

/** Each refusal's code (the catalogue's p12.* and cert.*). */
export const P12_CODES = {
  parse: "p12.parse",
  password: "p12.password",
  legacy: "p12.legacy",
  noCert: "p12.no-cert",
  ambiguous: "p12.ambiguous",
  keyMismatch: "p12.key-mismatch",
  key: "cert.key",
  validity: "cert.not-valid",
  duplicate: "cert.duplicate",
  serial: "cert.serial-taken",
} as const satisfies Record<keyof typeof P12_REFUSALS, Code>;

const refuse = (k: keyof typeof P12_REFUSALS) => fail<never>(P12_CODES[k], P12_REFUSALS[k]);

const OID_CERT_BAG = "1.2.840.113549.1.12.10.1.3";
const OID_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2";
const OID_KEY_BAG = "1.2.840.113549.1.12.10.1.1";
const OID_X509_CERT = "1.2.840.113549.1.9.22.1";
const OID_RSA = "1.2.840.113549.1.1.1";
const OID_EC = "1.2.840.10045.2.1";

interface Opened {
  certs: x509.X509Certificate[];
  keys: Uint8Array[]; // PKCS #8 DER
}

/** Opens the file with the password: the MAC first (a wrong password fails here), then every bag. */
async function openPkcs12(bytes: Uint8Array, password: string): Promise<Result<Opened>> {
  // An engine per call rather than pkijs' process-wide setEngine: no shared mutable state.
  const engine = new pkijs.CryptoEngine({ name: "webcrypto", crypto: globalThis.crypto });
  const pw = copy(utf8(password)).buffer;
  let pfx: pkijs.PFX;
  try {
    pfx = pkijs.PFX.fromBER(copy(bytes).buffer);
  } catch {
    return refuse("parse");
  }
  try {
    await pfx.parseInternalValues({ password: pw, checkIntegrity: true }, engine);
  } catch (e) {
    return refuse(/integrity/i.test(String(e)) ? "password" : "parse");
  }
  const safe = pfx.parsedValue?.authenticatedSafe;
  if (!safe) return refuse("parse");
  try {
    await safe.parseInternalValues({ safeContents: safe.safeContents.map(() => ({ password: pw })) }, engine);
  } catch (e) {
    return refuse(/Unknown "contentEncryptionAlgorithm"|algorithm/i.test(String(e)) ? "legacy" : "password");
  }
  const out: Opened = { certs: [], keys: [] };
  const contents = (safe.parsedValue as { safeContents?: { value: pkijs.SafeContents }[] }).safeContents ?? [];
  for (const sc of contents) {
    for (const bag of sc.value.safeBags) {
      if (bag.bagId === OID_CERT_BAG && bag.bagValue instanceof pkijs.CertBag && bag.bagValue.certId === OID_X509_CERT) {
        const der = (bag.bagValue.parsedValue as pkijs.Certificate).toSchema().toBER(false);
        const c = parseCertificate(new Uint8Array(der));
        if (c.ok) out.certs.push(c.value);
      } else if (bag.bagId === OID_SHROUDED_KEY_BAG && bag.bagValue instanceof pkijs.PKCS8ShroudedKeyBag) {
        try {
          const plain = await new pkijs.EncryptedData({
            encryptedContentInfo: new pkijs.EncryptedContentInfo({
              contentEncryptionAlgorithm: bag.bagValue.encryptionAlgorithm,
              encryptedContent: bag.bagValue.encryptedData,
            }),
          }).decrypt({ password: pw }, engine);
          out.keys.push(new Uint8Array(plain));
        } catch (e) {
          return refuse(/Unknown|algorithm/i.test(String(e)) ? "legacy" : "password");
        }
      } else if (bag.bagId === OID_KEY_BAG && bag.bagValue instanceof pkijs.PrivateKeyInfo) {
        out.keys.push(new Uint8Array(bag.bagValue.toSchema().toBER(false)));
      }
    }
  }
  return ok(out);
}

/** Imports a PKCS #8 key (RSA or P-256) just long enough to sign one test message. */
async function importTestKey(pkcs8: Uint8Array): Promise<{ key: CryptoKey; alg: SigAlg } | undefined> {
  try {
    const oid = pkijs.PrivateKeyInfo.fromBER(copy(pkcs8).buffer).privateKeyAlgorithm.algorithmId;
    if (oid === OID_RSA)
      return { alg: "RS256", key: await crypto.subtle.importKey("pkcs8", copy(pkcs8), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]) };
    if (oid === OID_EC) return { alg: "ES256", key: await crypto.subtle.importKey("pkcs8", copy(pkcs8), { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]) };
  } catch {
    return undefined;
  }
  return undefined;
}

async function matchesKey(cert: x509.X509Certificate, key: { key: CryptoKey; alg: SigAlg }): Promise<boolean> {
  const certAlg = algForCertificate(cert);
  if (certAlg === undefined || (certAlg === "ES256") !== (key.alg === "ES256")) return false;
  const message = crypto.getRandomValues(new Uint8Array(32));
  const sig = await signBytes(key.alg, key.key, message);
  const params = key.alg === "ES256" ? { name: "ECDSA", namedCurve: "P-256" } : { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  const pub = await cert.publicKey.export(params, ["verify"]).catch(() => undefined);
  return pub !== undefined && (await verifyBytes(key.alg, pub, sig, message));
}

/** The person's certificate in the file: the one the key opens, or the only non-CA one. */
async function pickCertificate(opened: Opened): Promise<Result<x509.X509Certificate>> {
  if (opened.certs.length === 0) return refuse("noCert");
  if (opened.keys.length > 0) {
    for (const pkcs8 of opened.keys) {
      const key = await importTestKey(pkcs8);
      pkcs8.fill(0);
      if (!key) continue;
      for (const c of opened.certs) if (await matchesKey(c, key)) return ok(c);
    }
    return refuse("keyMismatch");
  }
  const leaves = opened.certs.filter((c) => !isCa(c));
  return leaves.length === 1 ? ok(leaves[0]!) : refuse("ambiguous");
}

function isCa(c: x509.X509Certificate): boolean {
  const bc = c.getExtension("2.5.29.19") as (x509.Extension & { ca?: boolean }) | null;
  return bc?.ca === true;
}

function acceptableKey(cert: x509.X509Certificate): boolean {
  const alg = cert.publicKey.algorithm as Algorithm & { namedCurve?: string; modulusLength?: number };
  if (alg.name === "ECDSA") return alg.namedCurve === "P-256";
  if (alg.name === "RSASSA-PKCS1-v1_5" || alg.name === "RSA-PSS") return (alg.modulusLength ?? 0) >= 2048 && (alg.modulusLength ?? 0) <= 4096;
  return false;
}

export async function registerPkcs12(
  store: Store,
  actor: Actor,
  input: { person: string; p12: Uint8Array; password: string },
  now: Date = new Date(),
): Promise<Result<Registered>> {
  const id = parsePersonId(input.person);
  const person = id.ok ? await store.person(id.value) : undefined;
  if (!person) return fail("directory.no-person", `The person ${input.person} does not exist.`);
  if (!mayManagePeopleOf(actor, person.unit)) return fail("directory.not-permitted", "The registry desk may register certificates for its own unit only.");
  const opened = await openPkcs12(input.p12, input.password);
  if (!opened.ok) return opened;
  const picked = await pickCertificate(opened.value);
  if (!picked.ok) return picked;
  const cert = picked.value;
  if (!acceptableKey(cert)) return refuse("key");
  if (now < cert.notBefore || now > cert.notAfter) return refuse("validity");

  const der = certificateToBase64(cert);
  const serial = cert.serialNumber.toLowerCase();
  const existing = await store.certificates();
  if (existing.some((r) => r.cert === der)) return refuse("duplicate");
  // Rows are addressed by serial (revocation); a foreign serial must not shadow one of ours.
  if (existing.some((r) => r.serial === serial)) return refuse("serial");

  // Keep the issuer the file carries (if it really signed the certificate) so that the TrustStore
  // can verify this person's signatures offline; a self-signed certificate is its own issuer.
  let issuerFromFile = false;
  for (const c of opened.value.certs) {
    if (c === cert || c.subject !== cert.issuer) continue;
    if (!(await cert.verify({ publicKey: c, signatureOnly: true }).catch(() => false))) continue;
    const known = await registeredIssuers(store);
    const issuerDer = certificateToBase64(c);
    if (!known.includes(issuerDer)) await store.setSetting(SETTINGS.registeredIssuers, JSON.stringify([...known, issuerDer]));
    issuerFromFile = true;
    break;
  }

  await store.putCertificate({ serial, person: person.id, cert: der, issuedAt: now.toISOString(), revokedAt: null, origin: "registered" });
  await audit(store, actor, "certificate.register", serial, null, { serial, person: person.id, subject: cert.subject }, now);
  return ok({
    serial,
    person: person.id,
    certificatePem: cert.toString("pem"),
    fingerprint: await certificateFingerprint(cert),
    subject: cert.subject,
    issuerFromFile,
  });
}
