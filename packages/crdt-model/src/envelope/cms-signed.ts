import * as asn1js from "asn1js";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import {
  Attribute,
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
import { ECDSASigValue, id_ecdsaWithSHA256 } from "@peculiar/asn1-ecc";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { RsaSaPssParams, id_RSASSA_PSS, id_mgf1, id_rsaEncryption, id_sha256, id_sha256WithRSAEncryption, sha256 as sha256Alg } from "@peculiar/asn1-rsa";
import { sha256 } from "@noble/hashes/sha2.js";
import { x509 } from "../identity/x509.ts";
import type { Signer } from "../identity/certs.ts";
import { CertificateCache } from "../identity/cert-cache.ts";
import { PSS_SALT_LENGTH, verifyBytes } from "../identity/crypto.ts";
import { ecdsaP1363ToDer } from "../chain/cms.ts";
import type { SigAlg } from "../chain/types.ts";
import { bytesEqual } from "../bytes.ts";
import { errorMessage, fail, ok, type Result } from "../result.ts";
import { refuse } from "./refusals.ts";

/**
 * The envelope's signature: a detached CMS SignedData over the manifest's exact bytes, by the sending
 * agency's key. Unlike a chain entry's export this is a fresh signature, so it carries the usual
 * signed attributes (contentType, signingTime, messageDigest) — what `openssl cms -sign` itself
 * makes, and so what `openssl cms -verify -binary -content manifest.json` checks without options.
 */

const ID_CONTENT_TYPE = "1.2.840.113549.1.9.3";
const ID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4";
const ID_SIGNING_TIME = "1.2.840.113549.1.9.5";
const MAX_CERTIFICATES = 8;

export function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(b.length);
  new Uint8Array(out).set(b);
  return out;
}

const ber = (v: asn1js.BaseBlock): ArrayBuffer => v.toBER(false);

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** DER length octets. */
function derLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let x = n; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

function sigAlgorithm(alg: SigAlg): SignatureAlgorithmIdentifier {
  if (alg === "ES256") return new SignatureAlgorithmIdentifier({ algorithm: id_ecdsaWithSHA256 });
  if (alg === "RS256") return new SignatureAlgorithmIdentifier({ algorithm: id_rsaEncryption, parameters: null });
  const params = new RsaSaPssParams({
    hashAlgorithm: sha256Alg,
    maskGenAlgorithm: new AlgorithmIdentifier({ algorithm: id_mgf1, parameters: AsnConvert.serialize(sha256Alg) }),
    saltLength: PSS_SALT_LENGTH,
    trailerField: 1,
  });
  return new SignatureAlgorithmIdentifier({ algorithm: id_RSASSA_PSS, parameters: AsnConvert.serialize(params) });
}

/** Signs the manifest bytes as the agency; the result is the DER of META-INF/signature.p7s. */
export async function signManifest(manifest: Uint8Array, signer: Signer, at: Date): Promise<Result<Uint8Array>> {
  try {
    const cert = AsnConvert.parse(toArrayBuffer(signer.certDer), Certificate);
    const attr = (type: string, value: asn1js.BaseBlock) => new Attribute({ attrType: type, attrValues: [ber(value)] });
    // DER sorts a SET OF by the encodings of its elements; the signature covers that exact SET.
    const attrs = [
      attr(ID_CONTENT_TYPE, new asn1js.ObjectIdentifier({ value: id_data })),
      attr(ID_SIGNING_TIME, new asn1js.UTCTime({ valueDate: at })),
      attr(ID_MESSAGE_DIGEST, new asn1js.OctetString({ valueHex: toArrayBuffer(sha256(manifest)) })),
    ]
      .map((a) => ({ a, der: new Uint8Array(AsnConvert.serialize(a)) }))
      .sort((x, y) => compareBytes(x.der, y.der));
    const body = attrs.reduce((n, x) => n + x.der.length, 0);
    const signedBytes = new Uint8Array([0x31, ...derLength(body), ...attrs.flatMap((x) => [...x.der])]);

    let signature = await signer.sign(signedBytes);
    if (signer.alg === "ES256") {
      const der = ecdsaP1363ToDer(signature);
      if (!der.ok) return der;
      signature = der.value;
    }
    const signerInfo = new SignerInfo({
      version: CMSVersion.v1,
      sid: new SignerIdentifier({
        issuerAndSerialNumber: new IssuerAndSerialNumber({ issuer: cert.tbsCertificate.issuer, serialNumber: cert.tbsCertificate.serialNumber }),
      }),
      digestAlgorithm: new DigestAlgorithmIdentifier({ algorithm: id_sha256 }),
      signedAttrs: attrs.map((x) => x.a),
      signatureAlgorithm: sigAlgorithm(signer.alg),
      signature: new OctetString(toArrayBuffer(signature)),
    });
    const signedData = new SignedData({
      version: CMSVersion.v1,
      digestAlgorithms: new DigestAlgorithmIdentifiers([new DigestAlgorithmIdentifier({ algorithm: id_sha256 })]),
      encapContentInfo: new EncapsulatedContentInfo({ eContentType: id_data }), // detached
      certificates: new CertificateSet([new CertificateChoices({ certificate: cert })]),
      signerInfos: new SignerInfos([signerInfo]),
    });
    const out = new Uint8Array(AsnConvert.serialize(new ContentInfo({ contentType: id_signedData, content: AsnConvert.serialize(signedData) })));
    // The encoder must have written the attributes exactly as signed; check rather than trust it.
    const written = rawParts(out);
    if (!written.ok || !bytesEqual(written.value.signedAttrs, signedBytes)) return fail("envelope.build-failed", "The envelope signature could not be encoded faithfully.");
    return ok(out);
  } catch (e) {
    return fail("envelope.build-failed", `The envelope could not be signed: ${errorMessage(e)}.`);
  }
}

interface RawParts {
  /** The signed attributes as the signature covers them: the [0] IMPLICIT tag replaced by SET. */
  signedAttrs: Uint8Array;
  /** Each certificate's DER as it was sent (never re-encoded, so its CA signature still holds). */
  certificates: Uint8Array[];
}

const isContext = (b: asn1js.AsnType | undefined, n: number): boolean => !!b && b.idBlock.tagClass === 3 && b.idBlock.tagNumber === n;
const childrenOf = (b: asn1js.AsnType | undefined): asn1js.AsnType[] => {
  const v = (b as asn1js.BaseBlock & { valueBlock: { value?: unknown } } | undefined)?.valueBlock.value;
  return Array.isArray(v) ? (v as asn1js.AsnType[]) : [];
};

/** Takes from the DER what re-encoding a parsed object could change. */
function rawParts(der: Uint8Array): Result<RawParts> {
  const root = asn1js.fromBER(toArrayBuffer(der));
  if (root.offset === -1 || root.offset !== der.length) return fail("envelope.signature", "it is not a single DER object.");
  const content = childrenOf(root.result)[1];
  const signedData = childrenOf(content)[0];
  const sd = childrenOf(signedData);
  const signerInfos = childrenOf(sd[sd.length - 1]);
  if (signerInfos.length !== 1) return fail("envelope.signature", "it must hold exactly one signer.");
  const attrs = childrenOf(signerInfos[0])[3];
  if (!isContext(attrs, 0)) return fail("envelope.signature", "it has no signed attributes.");
  const signedAttrs = new Uint8Array(attrs!.valueBeforeDecodeView);
  signedAttrs[0] = 0x31;
  const certSet = sd.find((x) => isContext(x, 0));
  const certificates = childrenOf(certSet).map((c) => new Uint8Array(c.valueBeforeDecodeView));
  return ok({ signedAttrs, certificates });
}

function attributeValue(attrs: Attribute[], type: string): Result<ArrayBuffer> {
  const found = attrs.filter((a) => a.attrType === type);
  if (found.length !== 1 || found[0]!.attrValues.length !== 1) return fail("envelope.signature", `the signed attribute ${type} must appear once with one value.`);
  return ok(found[0]!.attrValues[0]!);
}

/** r‖s from a DER ECDSA-Sig-Value, each half 32 bytes for P-256. */
function ecdsaDerToP1363(der: Uint8Array): Uint8Array | null {
  try {
    const v = AsnConvert.parse(toArrayBuffer(der), ECDSASigValue);
    const out = new Uint8Array(64);
    for (const [i, part] of [new Uint8Array(v.r), new Uint8Array(v.s)].entries()) {
      let k = 0;
      while (k < part.length - 1 && part[k] === 0) k++;
      const m = part.subarray(k);
      if (m.length > 32) return null;
      out.set(m, i * 32 + 32 - m.length);
    }
    return out;
  } catch {
    return null;
  }
}

function algOf(si: SignerInfo): Result<SigAlg> {
  const oid = si.signatureAlgorithm.algorithm;
  if (oid === id_ecdsaWithSHA256) return ok("ES256");
  if (oid === id_rsaEncryption || oid === id_sha256WithRSAEncryption) return ok("RS256");
  if (oid === id_RSASSA_PSS) {
    const raw = si.signatureAlgorithm.parameters;
    if (!raw) return fail("envelope.signature", "RSA-PSS without parameters.");
    const p = AsnConvert.parse(raw, RsaSaPssParams);
    if (p.hashAlgorithm.algorithm !== id_sha256 || p.saltLength !== PSS_SALT_LENGTH) return fail("envelope.signature", "RSA-PSS other than SHA-256 with a 32-byte salt.");
    return ok("PS256");
  }
  return fail("envelope.signature", `the signature algorithm ${oid} is not one we accept.`);
}

/**
 * Checks the CMS structure and the signature over the manifest, and returns the signer's
 * certificate. Whether that certificate is trusted is the caller's next question.
 */
export async function verifyManifestSignature(
  p7s: Uint8Array,
  manifest: Uint8Array,
  // Parsing a certificate and importing its key cost more than the signature check itself, and the
  // same few agency certificates sign every envelope: a replica passes its own lifetime cache.
  certs: CertificateCache = new CertificateCache(MAX_CERTIFICATES),
): Promise<Result<x509.X509Certificate>> {
  const format = (why: string) => refuse("signatureFormat", why);
  let raw: RawParts;
  let si: SignerInfo;
  let alg: SigAlg;
  try {
    const parts = rawParts(p7s);
    if (!parts.ok) return format(parts.reason);
    raw = parts.value;
    const info = AsnConvert.parse(toArrayBuffer(p7s), ContentInfo);
    if (info.contentType !== id_signedData) return format("it is not SignedData.");
    const sd = AsnConvert.parse(info.content, SignedData);
    if (sd.encapContentInfo.eContentType !== id_data) return format("it signs something other than data.");
    if (sd.encapContentInfo.eContent) return format("it is not detached.");
    if (sd.signerInfos.length !== 1) return format("it must hold exactly one signer.");
    si = sd.signerInfos[0]!;
    if (si.digestAlgorithm.algorithm !== id_sha256) return format("its digest algorithm is not SHA-256.");
    const a = algOf(si);
    if (!a.ok) return format(a.reason);
    alg = a.value;
    const attrs = si.signedAttrs ?? [];
    const type = attributeValue(attrs, ID_CONTENT_TYPE);
    if (!type.ok) return format(type.reason);
    const ct = asn1js.fromBER(type.value).result;
    if (!(ct instanceof asn1js.ObjectIdentifier) || ct.valueBlock.toString() !== id_data) return format("its content type attribute is not data.");
    const digest = attributeValue(attrs, ID_MESSAGE_DIGEST);
    if (!digest.ok) return format(digest.reason);
    const md = asn1js.fromBER(digest.value).result;
    if (!(md instanceof asn1js.OctetString)) return format("its message digest attribute is not an octet string.");
    if (!bytesEqual(new Uint8Array(md.valueBlock.valueHexView), sha256(manifest))) return refuse("signatureDigest");
  } catch (e) {
    return format(`${errorMessage(e)}.`);
  }
  if (raw.certificates.length === 0 || raw.certificates.length > MAX_CERTIFICATES) return format("it must carry the signer's certificate.");
  const der = findSignerCertificate(raw.certificates, si);
  if (!der) return format("it does not carry the certificate of its signer.");
  const signer = certs.fromDer(der);
  if (!signer.cert.ok) return format(`its signer's certificate does not parse: ${signer.cert.reason.replace(/^The certificate does not parse: /, "")}`);
  const key = await signer.key(alg);
  if (!key.ok) return refuse("signature");
  let sig: Uint8Array = new Uint8Array(si.signature.buffer);
  if (alg === "ES256") {
    const p1363 = ecdsaDerToP1363(sig);
    if (!p1363) return refuse("signature");
    sig = p1363;
  }
  return (await verifyBytes(alg, key.value, sig, raw.signedAttrs)) ? ok(signer.cert.value) : refuse("signature");
}

function findSignerCertificate(ders: Uint8Array[], si: SignerInfo): Uint8Array | null {
  const ias = si.sid.issuerAndSerialNumber;
  const ski = si.sid.subjectKeyIdentifier;
  for (const der of ders) {
    try {
      const parsed = AsnConvert.parse(toArrayBuffer(der), Certificate);
      const tbs = parsed.tbsCertificate;
      const match = ias
        ? bytesEqual(new Uint8Array(tbs.serialNumber), new Uint8Array(ias.serialNumber)) &&
          bytesEqual(new Uint8Array(AsnConvert.serialize(tbs.issuer)), new Uint8Array(AsnConvert.serialize(ias.issuer)))
        : ski !== undefined && skiOf(parsed) === hex(new Uint8Array(ski.buffer));
      if (match) return der;
    } catch {
      // A certificate that does not parse cannot be the signer's; the others may still be.
    }
  }
  return null;
}

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
const ID_SKI = "2.5.29.14";
function skiOf(c: Certificate): string | undefined {
  const ext = c.tbsCertificate.extensions?.find((e) => e.extnID === ID_SKI);
  if (!ext) return undefined;
  const v = asn1js.fromBER(ext.extnValue.buffer).result;
  return v instanceof asn1js.OctetString ? hex(new Uint8Array(v.valueBlock.valueHexView)) : undefined;
}
