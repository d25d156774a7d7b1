import * as asn1js from "asn1js";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, Certificate, Name } from "@peculiar/asn1-x509";
import {
  CertificateChoices,
  CertificateSet,
  CMSVersion,
  ContentInfo,
  DigestAlgorithmIdentifier,
  DigestAlgorithmIdentifiers,
  EncapsulatedContentInfo,
  IssuerAndSerialNumber,
  SignatureAlgorithmIdentifier,
  SignedData,
  SignerIdentifier,
  SignerInfo,
  SignerInfos,
  id_data,
  id_signedData,
} from "@peculiar/asn1-cms";
import { ECDSASigValue, ecdsaWithSHA256, id_ecPublicKey } from "@peculiar/asn1-ecc";
import { RSAPublicKey, RsaSaPssParams, id_RSASSA_PSS, id_mgf1, id_rsaEncryption, id_sha256, rsaEncryption, sha256 } from "@peculiar/asn1-rsa";
import { errorMessage, fail, ok, type Result } from "../result.ts";
import { fromBase64, toBase64 } from "../bytes.ts";
import { PSS_SALT_LENGTH } from "../identity/crypto.ts";
import type { SigAlg, SignedEntry } from "./types.ts";

/**
 * Detached CMS (RFC 5652) export of a chain entry, so anyone can check a signature with stock tools
 * (`openssl cms -verify -binary -inform DER -in ID.p7s -content ID.bin -CAfile ca.pem`) without
 * our code. The signature is the one in the chain, repackaged: there are no signed attributes, so
 * the CMS signature is computed over the content itself — exactly the bytes the signer signed.
 */

const P256_SIG_BYTES = 64;

/** Leading zero bytes removed, keeping at least one. */
function stripLeadingZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/**
 * The content octets of a DER INTEGER for an unsigned big-endian number: minimal, plus one 0x00
 * when the high bit is set so it stays positive. asn1-schema's ArrayBuffer INTEGER converter writes
 * the bytes it is given as they are, so this has to be done before handing them over.
 */
function derUnsignedInteger(b: Uint8Array): ArrayBuffer {
  const m = stripLeadingZeros(b);
  const pad = m[0]! & 0x80 ? 1 : 0;
  const out = new Uint8Array(m.length + pad);
  out.set(m, pad);
  return out.buffer;
}

function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(b.length);
  new Uint8Array(out).set(b);
  return out;
}

/**
 * WebCrypto gives ECDSA signatures as r‖s (IEEE P1363); CMS and X.509 want
 * `SEQUENCE { INTEGER r, INTEGER s }`. OpenSSL re-encodes what it parses and rejects the signature
 * unless the encoding is exactly DER, so both INTEGERs must be minimal and positive.
 */
export function ecdsaP1363ToDer(sig: Uint8Array): Result<Uint8Array> {
  if (sig.length === 0 || sig.length % 2 !== 0)
    return fail("chain.signature", `An ECDSA signature in r‖s form has an even, non-zero length; this one has ${sig.length} bytes.`);
  const half = sig.length / 2;
  const r = sig.subarray(0, half);
  const s = sig.subarray(half);
  if (r.every((x) => x === 0) || s.every((x) => x === 0))
    return fail("chain.signature", "The ECDSA signature has r or s equal to zero, which no valid signature has.");
  const value = new ECDSASigValue({ r: derUnsignedInteger(r), s: derUnsignedInteger(s) });
  return ok(new Uint8Array(AsnConvert.serialize(value)));
}

/**
 * Makes a parsed value serialize as the exact bytes it was parsed from. asn1-schema uses an object's
 * own `toASN` when it has one; without this the certificate would be re-encoded from its parsed
 * form, and any difference (a non-DER quirk in a citizen card's certificate, say) would break the
 * CA's signature on it and change the issuer name the signer is identified by.
 */
function verbatim<T extends object>(value: T, der: ArrayBuffer): T {
  return Object.assign(value, {
    toASN: () => asn1js.fromBER(der).result,
    fromASN: () => value,
  });
}

interface ParsedCert {
  cert: Certificate;
  issuerDer: ArrayBuffer;
}

function parseSignerCertificate(b64: string): Result<ParsedCert> {
  let der: ArrayBuffer;
  try {
    der = toArrayBuffer(fromBase64(b64));
  } catch {
    return fail("chain.certificate", "The entry's certificate is not valid base64.");
  }
  try {
    // One whole DER object and nothing after it: trailing bytes would be dropped silently below.
    const outer = asn1js.fromBER(der);
    if (outer.offset !== der.byteLength) return fail("chain.certificate", "The entry's certificate does not parse: it is not a single DER object.");
    const cert = AsnConvert.parse(der, Certificate);
    // The issuer as encoded in the certificate, taken from the signed TBSCertificate, whose fields
    // are version [0] (optional), serialNumber, signature, issuer, ...
    const tbs = asn1js.fromBER(cert.tbsCertificateRaw ?? new ArrayBuffer(0)).result;
    if (!(tbs instanceof asn1js.Sequence)) return fail("chain.certificate", "The entry's certificate does not parse: it has no TBSCertificate.");
    const fields = tbs.valueBlock.value;
    const issuerIndex = fields[0]?.idBlock.tagClass === 3 ? 3 : 2;
    const issuer = fields[issuerIndex];
    if (!issuer) return fail("chain.certificate", "The entry's certificate does not parse: it has no issuer.");
    return ok({ cert: verbatim(cert, der), issuerDer: toArrayBuffer(new Uint8Array(issuer.valueBeforeDecodeView)) });
  } catch (e) {
    return fail("chain.certificate", `The entry's certificate does not parse: ${errorMessage(e)}.`);
  }
}

/** Bytes of an RSA modulus, which is also the length every signature made with the key has. */
function rsaModulusBytes(cert: Certificate): number {
  const key = AsnConvert.parse(cert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey, RSAPublicKey);
  return stripLeadingZeros(new Uint8Array(key.modulus)).length;
}

/** The CMS signatureAlgorithm for the entry's algorithm, and the signature in the form CMS wants. */
function signerAlgorithm(alg: SigAlg, cert: Certificate, sig: Uint8Array): Result<{ algorithm: SignatureAlgorithmIdentifier; signature: Uint8Array }> {
  const keyAlg = cert.tbsCertificate.subjectPublicKeyInfo.algorithm.algorithm;
  if (alg === "ES256") {
    if (keyAlg !== id_ecPublicKey) return fail("chain.certificate", "The entry says ES256 but its certificate does not hold an EC key.");
    if (sig.length !== P256_SIG_BYTES) return fail("chain.signature", `An ES256 signature is ${P256_SIG_BYTES} bytes; this one is ${sig.length}.`);
    const der = ecdsaP1363ToDer(sig);
    if (!der.ok) return der;
    return ok({ algorithm: new SignatureAlgorithmIdentifier(ecdsaWithSHA256), signature: der.value });
  }
  if (keyAlg !== id_rsaEncryption && keyAlg !== id_RSASSA_PSS) return fail("chain.certificate", `The entry says ${alg} but its certificate does not hold an RSA key.`);
  let modulusBytes: number;
  try {
    modulusBytes = rsaModulusBytes(cert);
  } catch (e) {
    return fail("chain.certificate", `The certificate's RSA key does not parse: ${errorMessage(e)}.`);
  }
  if (sig.length !== modulusBytes) return fail("chain.signature", `An ${alg} signature with this key is ${modulusBytes} bytes; this one is ${sig.length}.`);
  if (alg === "RS256") {
    // rsaEncryption, not sha256WithRSAEncryption: RFC 3370 names it for CMS and OpenSSL writes it.
    return ok({ algorithm: new SignatureAlgorithmIdentifier(rsaEncryption), signature: sig });
  }
  // PSS parameters spelled out: their defaults (SHA-1, salt 20) are not what WebCrypto used.
  const params = new RsaSaPssParams({
    hashAlgorithm: sha256,
    maskGenAlgorithm: new AlgorithmIdentifier({ algorithm: id_mgf1, parameters: AsnConvert.serialize(sha256) }),
    saltLength: PSS_SALT_LENGTH,
    trailerField: 1,
  });
  const algorithm = new SignatureAlgorithmIdentifier({ algorithm: id_RSASSA_PSS, parameters: AsnConvert.serialize(params) });
  return ok({ algorithm, signature: sig });
}

/**
 * The entry as DER of a detached CMS SignedData: the signer's certificate, one SignerInfo naming it
 * by issuer and serial number, and the entry's own signature. The content (`signedBytes(payload)`)
 * is not inside; a verifier supplies it. Never signs anything and never throws.
 */
export function exportEntryCms(entry: SignedEntry): Result<Uint8Array> {
  const parsed = parseSignerCertificate(entry.payload.cert);
  if (!parsed.ok) return parsed;
  const { cert, issuerDer } = parsed.value;
  let sig: Uint8Array;
  try {
    sig = fromBase64(entry.sig);
  } catch {
    return fail("chain.signature", "The entry's signature is not valid base64.");
  }
  const signer = signerAlgorithm(entry.payload.alg, cert, sig);
  if (!signer.ok) return signer;
  try {
    const signerInfo = new SignerInfo({
      version: CMSVersion.v1,
      sid: new SignerIdentifier({
        issuerAndSerialNumber: new IssuerAndSerialNumber({
          issuer: verbatim(new Name(), issuerDer),
          serialNumber: cert.tbsCertificate.serialNumber,
        }),
      }),
      // sha256 with parameters absent, as RFC 5754 asks for digest algorithms.
      digestAlgorithm: new DigestAlgorithmIdentifier({ algorithm: id_sha256 }),
      signatureAlgorithm: signer.value.algorithm,
      signature: new OctetString(toArrayBuffer(signer.value.signature)),
    });
    const signedData = new SignedData({
      version: CMSVersion.v1,
      digestAlgorithms: new DigestAlgorithmIdentifiers([new DigestAlgorithmIdentifier({ algorithm: id_sha256 })]),
      encapContentInfo: new EncapsulatedContentInfo({ eContentType: id_data }), // no eContent: detached
      certificates: new CertificateSet([new CertificateChoices({ certificate: cert })]),
      signerInfos: new SignerInfos([signerInfo]),
    });
    const info = new ContentInfo({ contentType: id_signedData, content: AsnConvert.serialize(signedData) });
    return ok(new Uint8Array(AsnConvert.serialize(info)));
  } catch (e) {
    return fail("chain.encode", `The CMS signature could not be encoded: ${errorMessage(e)}.`);
  }
}

/** PEM text of a DER certificate, 64 base64 characters a line as RFC 7468 asks. */
export function pemCertificate(der: Uint8Array): string {
  const lines = toBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}
