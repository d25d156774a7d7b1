import { x509 } from "./x509.ts";
import type { SigAlg } from "../chain/types.ts";
import type { AgencyCode } from "../ids.ts";
import { errorMessage, fail, ok, type Result } from "../result.ts";
import { fromBase64, own, toBase64 } from "../bytes.ts";
import { generateSigningKey, importParams, keyGenParams, signBytes } from "./crypto.ts";
import { profileFromFields, profileSubject, type SignerProfile } from "./profile.ts";

export interface CertificateAuthority {
  agency: AgencyCode;
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
  alg: SigAlg;
}

/**
 * A person able to sign: their certificate, the profile it carries, and a signing function over the
 * private key (a non-extractable WebCrypto key in practice; anything that yields the same signature
 * format — P1363 for ECDSA — will do, e.g. a deterministic signer in the fuzzer).
 */
export interface Signer {
  profile: SignerProfile;
  cert: x509.X509Certificate;
  certDer: Uint8Array;
  alg: SigAlg;
  sign: (data: Uint8Array) => Promise<Uint8Array>;
}

export function signerFromKey(cert: x509.X509Certificate, profile: SignerProfile, alg: SigAlg, privateKey: CryptoKey): Signer {
  return { profile, cert, certDer: new Uint8Array(cert.rawData), alg, sign: (data) => signBytes(alg, privateKey, data) };
}

const DAY = 24 * 3600 * 1000;

function randomSerial(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[0] = b[0]! & 0x7f; // positive INTEGER
  if (b[0] === 0) b[0] = 1;
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

function certSigningAlgorithm(alg: SigAlg): Algorithm | EcdsaParams | RsaPssParams {
  switch (alg) {
    case "ES256":
      return { name: "ECDSA", hash: "SHA-256" } as EcdsaParams;
    case "RS256":
      return { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as Algorithm;
    case "PS256":
      return { name: "RSA-PSS", hash: "SHA-256", saltLength: 32 } as Algorithm;
  }
}

/** An agency's certificate authority (self-signed root). */
export async function createAgencyCa(opts: {
  agency: AgencyCode;
  name: string;
  alg?: SigAlg;
  notBefore?: Date;
  validDays?: number;
  extractable?: boolean;
}): Promise<CertificateAuthority> {
  const alg = opts.alg ?? "ES256";
  const keys = await crypto.subtle.generateKey(keyGenParams(alg), opts.extractable ?? false, ["sign", "verify"]);
  const notBefore = opts.notBefore ?? new Date(Date.now() - DAY);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [`${opts.name} 憑證管理中心`] }, { O: [opts.agency] }],
    notBefore,
    notAfter: new Date(notBefore.getTime() + (opts.validDays ?? 3650) * DAY),
    keys,
    signingAlgorithm: certSigningAlgorithm(alg),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { agency: opts.agency, cert, keys, alg };
}

/** Issues a signing certificate for a person's public key (from enrollment or generated here). */
export async function issueCertificate(
  ca: CertificateAuthority,
  publicKey: CryptoKey,
  profile: SignerProfile,
  validity: { notBefore?: Date; notAfter?: Date } = {},
): Promise<x509.X509Certificate> {
  const notBefore = validity.notBefore ?? new Date(Date.now() - DAY);
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: profileSubject(profile),
    issuer: ca.cert.subjectName,
    notBefore,
    notAfter: validity.notAfter ?? new Date(notBefore.getTime() + 2 * 365 * DAY),
    publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: certSigningAlgorithm(ca.alg),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ],
  });
}

/** Creates a key pair for a person and a certificate for it in one go (tests, samples, demo). */
export async function createSigner(
  ca: CertificateAuthority,
  profile: SignerProfile,
  opts: { alg?: SigAlg; notBefore?: Date; notAfter?: Date } = {},
): Promise<Signer> {
  const alg = opts.alg ?? "ES256";
  const keys = await generateSigningKey(alg);
  const cert = await issueCertificate(ca, keys.publicKey, profile, opts);
  return signerFromKey(cert, profile, alg, keys.privateKey);
}

/** Parses a certificate from DER, base64 DER or PEM, with a reason when it does not parse. */
export function parseCertificate(input: Uint8Array | string): Result<x509.X509Certificate> {
  try {
    if (typeof input === "string") {
      const t = input.trim();
      if (t.startsWith("-----BEGIN")) return ok(new x509.X509Certificate(t));
      return ok(new x509.X509Certificate(own(fromBase64(t))));
    }
    return ok(new x509.X509Certificate(own(input)));
  } catch (e) {
    return fail("cert.parse", `The certificate does not parse: ${errorMessage(e)}.`);
  }
}

export function certificateToBase64(cert: x509.X509Certificate): string {
  return toBase64(new Uint8Array(cert.rawData));
}

export function profileFromCertificate(cert: x509.X509Certificate): Result<SignerProfile> {
  return profileFromFields((oid) => cert.subjectName.getField(oid));
}

export async function importCertificateKey(cert: x509.X509Certificate, alg: SigAlg): Promise<Result<CryptoKey>> {
  try {
    return ok(await cert.publicKey.export(importParams(alg), ["verify"]));
  } catch (e) {
    return fail("cert.key", `The certificate's key cannot be used for ${alg}: ${errorMessage(e)}.`);
  }
}

export async function certificateFingerprint(cert: x509.X509Certificate): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", cert.rawData));
  return [...d].map((x) => x.toString(16).padStart(2, "0").toUpperCase()).join(":");
}
