import * as asn1js from "asn1js";
import { AsnConvert, AsnParser, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, Certificate } from "@peculiar/asn1-x509";
import {
  CMSVersion,
  ContentEncryptionAlgorithmIdentifier,
  ContentInfo,
  EncryptedContentInfo,
  EnvelopedData,
  IssuerAndSerialNumber,
  KeyAgreeRecipientIdentifier,
  KeyAgreeRecipientInfo,
  KeyEncryptionAlgorithmIdentifier,
  KeyTransRecipientInfo,
  OriginatorIdentifierOrKey,
  OriginatorPublicKey,
  RecipientEncryptedKey,
  RecipientEncryptedKeys,
  RecipientIdentifier,
  RecipientInfo,
  RecipientInfos,
  id_data,
  id_envelopedData,
} from "@peculiar/asn1-cms";
import { id_ecPublicKey } from "@peculiar/asn1-ecc";
import { RsaEsOaepParams, id_RSAES_OAEP, id_mgf1, id_sha256, sha256 as sha256Alg } from "@peculiar/asn1-rsa";
import { x509 } from "../identity/x509.ts";
import { bytesEqual, own, toHex } from "../bytes.ts";
import { errorMessage, fail, ok, type Result } from "../result.ts";
import { toArrayBuffer } from "./cms-signed.ts";
import { DEFAULT_LIMITS } from "./types.ts";
import { refuse } from "./refusals.ts";

/**
 * Encryption of a whole envelope for the receiving agency: CMS AuthEnvelopedData (RFC 5083) with
 * AES-256-GCM (RFC 5084) that `openssl cms -decrypt` opens, built only from WebCrypto operations a
 * browser has.
 *
 * - P-256 (our agency keys): KeyAgreeRecipientInfo, ephemeral-static ECDH (RFC 5753), KDF
 *   dhSinglePass-stdDH-sha256kdf-scheme (ANSI X9.63 with SHA-256), AES-256 key wrap.
 * - RSA (certificates from elsewhere): KeyTransRecipientInfo with RSAES-OAEP, SHA-256 and MGF1-SHA-256.
 * - Content: AES-256-GCM, 12-byte random nonce, 16-byte tag: a changed byte anywhere in the
 *   ciphertext fails the tag, so nothing unauthenticated is ever handed on.
 *
 * Reading also accepts the version-1 format, EnvelopedData with AES-CBC, which has no integrity of
 * its own: a server must read it only where no stranger can submit ciphertexts (the file import),
 * and must answer every failure after decryption starts — here and in openEnvelope — with the one
 * sentence REFUSE.sealed, or it is a padding oracle (issue 12, finding 8).
 *
 * What must stay true in decryption: once the input is recognised as CMS, every failure is the one
 * sentence REFUSE.sealed, and the work done does not depend on where it failed: when the content key
 * cannot be recovered (no recipient info for us, a bad wrap, a bad RSA block), a random key of the
 * right size stands in and the content is decrypted anyway, to fail its tag (GCM) or its padding
 * (CBC) like any other damaged envelope.
 */

const OID = {
  stdDhSha1Kdf: "1.3.133.16.840.63.0.2",
  stdDhSha256Kdf: "1.3.132.1.11.1",
  stdDhSha384Kdf: "1.3.132.1.11.2",
  stdDhSha512Kdf: "1.3.132.1.11.3",
  aes128Wrap: "2.16.840.1.101.3.4.1.5",
  aes192Wrap: "2.16.840.1.101.3.4.1.25",
  aes256Wrap: "2.16.840.1.101.3.4.1.45",
  aes128Cbc: "2.16.840.1.101.3.4.1.2",
  aes192Cbc: "2.16.840.1.101.3.4.1.22",
  aes256Cbc: "2.16.840.1.101.3.4.1.42",
  aes128Gcm: "2.16.840.1.101.3.4.1.6",
  aes192Gcm: "2.16.840.1.101.3.4.1.26",
  aes256Gcm: "2.16.840.1.101.3.4.1.46",
  authEnvelopedData: "1.2.840.113549.1.9.16.1.23",
  sha1: "1.3.14.3.2.26",
  sha384: "2.16.840.1.101.3.4.2.2",
  sha512: "2.16.840.1.101.3.4.2.3",
} as const;

const KDF_HASH: Record<string, string> = {
  [OID.stdDhSha1Kdf]: "SHA-1",
  [OID.stdDhSha256Kdf]: "SHA-256",
  [OID.stdDhSha384Kdf]: "SHA-384",
  [OID.stdDhSha512Kdf]: "SHA-512",
};
const WRAP_BITS: Record<string, number> = { [OID.aes128Wrap]: 128, [OID.aes192Wrap]: 192, [OID.aes256Wrap]: 256 };
const CBC_BITS: Record<string, number> = { [OID.aes128Cbc]: 128, [OID.aes192Cbc]: 192, [OID.aes256Cbc]: 256 };
const GCM_BITS: Record<string, number> = { [OID.aes128Gcm]: 128, [OID.aes192Gcm]: 192, [OID.aes256Gcm]: 256 };
const GCM_NONCE_BYTES = 12;
const GCM_TAG_BYTES = 16;
const OAEP_HASH: Record<string, string> = { [id_sha256]: "SHA-256", [OID.sha1]: "SHA-1", [OID.sha384]: "SHA-384", [OID.sha512]: "SHA-512" };
const SHA1_OF_NOTHING = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
const CURVES = new Set(["P-256", "P-384", "P-521"]);

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;

function issuerAndSerial(cert: x509.X509Certificate): IssuerAndSerialNumber {
  const c = AsnConvert.parse(cert.rawData, Certificate);
  return new IssuerAndSerialNumber({ issuer: c.tbsCertificate.issuer, serialNumber: c.tbsCertificate.serialNumber });
}

function sameIssuerAndSerial(a: IssuerAndSerialNumber, b: IssuerAndSerialNumber): boolean {
  return (
    bytesEqual(new Uint8Array(a.serialNumber), new Uint8Array(b.serialNumber)) &&
    bytesEqual(new Uint8Array(AsnConvert.serialize(a.issuer)), new Uint8Array(AsnConvert.serialize(b.issuer)))
  );
}

function subjectKeyId(cert: x509.X509Certificate): Uint8Array | null {
  const ext = cert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (!ext) return null;
  const hex = ext.keyId;
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** ECC-CMS-SharedInfo (RFC 5753 §7.2): the wrap algorithm, the UKM if any, the KEK length in bits. */
function sharedInfo(wrapOid: string, kekBits: number, ukm: Uint8Array | null): Uint8Array {
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, kekBits);
  const value: asn1js.BaseBlock[] = [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: wrapOid })] })];
  if (ukm) value.push(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.OctetString({ valueHex: toArrayBuffer(ukm) })] }));
  value.push(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 2 }, value: [new asn1js.OctetString({ valueHex: toArrayBuffer(len) })] }));
  return new Uint8Array(new asn1js.Sequence({ value }).toBER(false));
}

/** ANSI X9.63 KDF: hash(Z ‖ counter ‖ SharedInfo) for counter = 1, 2, … until enough bytes. */
async function x963Kdf(hash: string, z: Uint8Array, info: Uint8Array, bytes: number): Promise<Uint8Array> {
  const out = new Uint8Array(bytes);
  let filled = 0;
  for (let counter = 1; filled < bytes; counter++) {
    const block = new Uint8Array(z.length + 4 + info.length);
    block.set(z);
    new DataView(block.buffer).setUint32(z.length, counter);
    block.set(info, z.length + 4);
    const d = new Uint8Array(await subtle().digest(hash, block));
    out.set(d.subarray(0, Math.min(d.length, bytes - filled)), filled);
    filled += d.length;
  }
  return out;
}

async function kek(hash: string, z: Uint8Array, wrapOid: string, ukm: Uint8Array | null, usage: KeyUsage): Promise<CryptoKey> {
  const bits = WRAP_BITS[wrapOid]!;
  const raw = await x963Kdf(hash, z, sharedInfo(wrapOid, bits, ukm), bits / 8);
  return subtle().importKey("raw", own(raw), { name: "AES-KW" }, false, [usage]);
}

function curveOf(cert: x509.X509Certificate): string | null {
  const alg = cert.publicKey.algorithm as EcKeyAlgorithm;
  return (alg.name === "ECDSA" || alg.name === "ECDH") && CURVES.has(alg.namedCurve) ? alg.namedCurve : null;
}

async function keyAgreeInfo(cert: x509.X509Certificate, curve: string, cek: CryptoKey): Promise<RecipientInfo> {
  const recipientKey = await subtle().importKey("spki", own(new Uint8Array(cert.publicKey.rawData)), { name: "ECDH", namedCurve: curve }, false, []);
  const eph = (await subtle().generateKey({ name: "ECDH", namedCurve: curve }, true, ["deriveBits"])) as CryptoKeyPair;
  const fieldBits = curve === "P-521" ? 528 : curve === "P-384" ? 384 : 256;
  const z = new Uint8Array(await subtle().deriveBits({ name: "ECDH", public: recipientKey }, eph.privateKey, fieldBits));
  const hash = curve === "P-256" ? OID.stdDhSha256Kdf : curve === "P-384" ? OID.stdDhSha384Kdf : OID.stdDhSha512Kdf;
  const wrapKey = await kek(KDF_HASH[hash]!, z, OID.aes256Wrap, null, "wrapKey");
  const wrapped = new Uint8Array(await subtle().wrapKey("raw", cek, wrapKey, { name: "AES-KW" }));
  const point = new Uint8Array(await subtle().exportKey("raw", eph.publicKey));
  const kari = new KeyAgreeRecipientInfo({
    version: CMSVersion.v3,
    originator: new OriginatorIdentifierOrKey({
      // id-ecPublicKey with the parameters absent: the curve is the recipient's (RFC 5753 §3.1.1).
      originatorKey: new OriginatorPublicKey({ algorithm: new AlgorithmIdentifier({ algorithm: id_ecPublicKey }), publicKey: toArrayBuffer(point) }),
    }),
    keyEncryptionAlgorithm: new KeyEncryptionAlgorithmIdentifier({
      algorithm: hash,
      parameters: AsnConvert.serialize(new AlgorithmIdentifier({ algorithm: OID.aes256Wrap })),
    }),
    recipientEncryptedKeys: new RecipientEncryptedKeys([
      new RecipientEncryptedKey({
        rid: new KeyAgreeRecipientIdentifier({ issuerAndSerialNumber: issuerAndSerial(cert) }),
        encryptedKey: new OctetString(toArrayBuffer(wrapped)),
      }),
    ]),
  });
  return new RecipientInfo({ kari });
}

function oaepAlgorithm(): KeyEncryptionAlgorithmIdentifier {
  const params = new RsaEsOaepParams({
    hashAlgorithm: sha256Alg,
    maskGenAlgorithm: new AlgorithmIdentifier({ algorithm: id_mgf1, parameters: AsnConvert.serialize(sha256Alg) }),
  });
  return new KeyEncryptionAlgorithmIdentifier({ algorithm: id_RSAES_OAEP, parameters: AsnConvert.serialize(params) });
}

async function keyTransInfo(cert: x509.X509Certificate, cekRaw: Uint8Array): Promise<RecipientInfo> {
  const key = await subtle().importKey("spki", own(new Uint8Array(cert.publicKey.rawData)), { name: "RSA-OAEP", hash: "SHA-256" }, false, ["encrypt"]);
  const encryptedKey = new Uint8Array(await subtle().encrypt({ name: "RSA-OAEP" }, key, own(cekRaw)));
  const ktri = new KeyTransRecipientInfo({
    version: CMSVersion.v0,
    rid: new RecipientIdentifier({ issuerAndSerialNumber: issuerAndSerial(cert) }),
    keyEncryptionAlgorithm: oaepAlgorithm(),
    encryptedKey: new OctetString(toArrayBuffer(encryptedKey)),
  });
  return new RecipientInfo({ ktri });
}

/**
 * Encrypts envelope bytes for the holder of `recipientCert` (P-256/384/521 EC or RSA key) as
 * AuthEnvelopedData with AES-256-GCM. Never throws.
 */
export async function encryptEnvelope(bytes: Uint8Array, recipientCert: x509.X509Certificate): Promise<Result<Uint8Array>> {
  try {
    const curve = curveOf(recipientCert);
    const isRsa = recipientCert.publicKey.algorithm.name.startsWith("RSA");
    if (!curve && !isRsa) return fail("envelope.recipient-key", "The recipient's certificate holds neither an EC (P-256, P-384, P-521) nor an RSA key.");
    const cek = (await subtle().generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt"])) as CryptoKey;
    const cekRaw = new Uint8Array(await subtle().exportKey("raw", cek));
    const nonce = crypto.getRandomValues(new Uint8Array(GCM_NONCE_BYTES));
    // No authenticated attributes: the additional data is empty (RFC 5083 §2.2), as openssl makes it.
    const sealed = new Uint8Array(await subtle().encrypt({ name: "AES-GCM", iv: nonce, tagLength: GCM_TAG_BYTES * 8 }, cek, own(bytes)));
    const ciphertext = sealed.subarray(0, sealed.length - GCM_TAG_BYTES);
    const tag = sealed.subarray(sealed.length - GCM_TAG_BYTES);
    const recipient = curve ? await keyAgreeInfo(recipientCert, curve, cek) : await keyTransInfo(recipientCert, cekRaw);
    // GCMParameters ::= SEQUENCE { aes-nonce OCTET STRING, aes-ICVlen INTEGER DEFAULT 12 } (RFC 5084 §3.2)
    const gcmParams = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: toArrayBuffer(nonce) }), new asn1js.Integer({ value: GCM_TAG_BYTES })] }).toBER(false);
    const eci = new EncryptedContentInfo({
      contentType: id_data,
      contentEncryptionAlgorithm: new ContentEncryptionAlgorithmIdentifier({ algorithm: OID.aes256Gcm, parameters: gcmParams }),
    });
    // AuthEnvelopedData ::= SEQUENCE { version CMSVersion (0), recipientInfos, authEncryptedContentInfo,
    //   mac MessageAuthenticationCode } — written by hand: the ASN.1 package has no such class. The
    // ciphertext, as large as the envelope, is spliced in rather than copied through a serializer.
    const version = Uint8Array.of(0x02, 0x01, 0x00);
    const infos = new Uint8Array(AsnConvert.serialize(new RecipientInfos([recipient])));
    const eciBody = derBody(new Uint8Array(AsnConvert.serialize(eci)));
    const contentHeader = derHeader(0x80, ciphertext.length);
    const eciHeader = derHeader(0x30, eciBody.length + contentHeader.length + ciphertext.length);
    const mac = concat([derHeader(0x04, tag.length), tag]);
    const aedLength = version.length + infos.length + eciHeader.length + eciBody.length + contentHeader.length + ciphertext.length + mac.length;
    const aedHeader = derHeader(0x30, aedLength);
    const explicit = derHeader(0xa0, aedHeader.length + aedLength);
    const oid = new Uint8Array(new asn1js.ObjectIdentifier({ value: OID.authEnvelopedData }).toBER(false));
    const infoHeader = derHeader(0x30, oid.length + explicit.length + aedHeader.length + aedLength);
    return ok(concat([infoHeader, oid, explicit, aedHeader, version, infos, eciHeader, eciBody, contentHeader, ciphertext, mac]));
  } catch (e) {
    return fail("envelope.build-failed", `The envelope could not be encrypted: ${errorMessage(e)}.`);
  }
}

/**
 * The version-1 encryption, EnvelopedData with AES-256-CBC, which decryptEnvelope still reads from
 * files. Kept for tests that show how such an envelope is treated, and for nothing else.
 */
export async function encryptEnvelopeCbc(bytes: Uint8Array, recipientCert: x509.X509Certificate): Promise<Result<Uint8Array>> {
  try {
    const curve = curveOf(recipientCert);
    const isRsa = recipientCert.publicKey.algorithm.name.startsWith("RSA");
    if (!curve && !isRsa) return fail("envelope.recipient-key", "The recipient's certificate holds neither an EC (P-256, P-384, P-521) nor an RSA key.");
    const cek = (await subtle().generateKey({ name: "AES-CBC", length: 256 }, true, ["encrypt"])) as CryptoKey;
    const cekRaw = new Uint8Array(await subtle().exportKey("raw", cek));
    const iv = crypto.getRandomValues(new Uint8Array(16));
    const ciphertext = new Uint8Array(await subtle().encrypt({ name: "AES-CBC", iv }, cek, own(bytes)));
    const recipient = curve ? await keyAgreeInfo(recipientCert, curve, cek) : await keyTransInfo(recipientCert, cekRaw);
    const eci = new EncryptedContentInfo({
      contentType: id_data,
      contentEncryptionAlgorithm: new ContentEncryptionAlgorithmIdentifier({
        algorithm: OID.aes256Cbc,
        parameters: new asn1js.OctetString({ valueHex: toArrayBuffer(iv) }).toBER(false),
      }),
    });
    const enveloped = new EnvelopedData({
      // Version 2 whenever a RecipientInfo is not version 0 (RFC 5652 §6.1): kari is version 3.
      version: curve ? CMSVersion.v2 : CMSVersion.v0,
      recipientInfos: new RecipientInfos([recipient]),
      encryptedContentInfo: eci,
    });
    return ok(withContent(new Uint8Array(AsnConvert.serialize(enveloped)), new Uint8Array(AsnConvert.serialize(eci)), ciphertext));
  } catch (e) {
    return fail("envelope.build-failed", `The envelope could not be encrypted: ${errorMessage(e)}.`);
  }
}

/** A DER tag and definite length for `length` content bytes. */
function derHeader(tag: number, length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(tag, length);
  const n: number[] = [];
  for (let l = length; l > 0; l = Math.floor(l / 256)) n.unshift(l % 256);
  return Uint8Array.of(tag, 0x80 | n.length, ...n);
}

/** The content octets of a DER element we serialized (definite length). */
function derBody(der: Uint8Array): Uint8Array {
  return der.subarray(der[1]! < 0x80 ? 2 : 2 + (der[1]! & 0x7f));
}

/**
 * ContentInfo { id-envelopedData, [0] EnvelopedData } from the DER of an EnvelopedData whose
 * EncryptedContentInfo (its last field: we set no unprotectedAttrs) has no encryptedContent yet,
 * with `ciphertext` added to it as encryptedContent, [0] IMPLICIT OCTET STRING, primitive.
 */
function withContent(envelopedDer: Uint8Array, eciDer: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const envBody = derBody(envelopedDer);
  if (!bytesEqual(envBody.subarray(envBody.length - eciDer.length), eciDer)) throw new Error("EnvelopedData does not end with its EncryptedContentInfo");
  const before = envBody.subarray(0, envBody.length - eciDer.length);
  const eciBody = derBody(eciDer);
  const contentHeader = derHeader(0x80, ciphertext.length);
  const eciHeader = derHeader(0x30, eciBody.length + contentHeader.length + ciphertext.length);
  const envLength = before.length + eciHeader.length + eciBody.length + contentHeader.length + ciphertext.length;
  const envHeader = derHeader(0x30, envLength);
  const explicit = derHeader(0xa0, envHeader.length + envLength);
  const oid = new Uint8Array(new asn1js.ObjectIdentifier({ value: id_envelopedData }).toBER(false));
  const infoHeader = derHeader(0x30, oid.length + explicit.length + envHeader.length + envLength);
  return concat([infoHeader, oid, explicit, envHeader, before, eciHeader, eciBody, contentHeader, ciphertext]);
}

/**
 * WebCrypto binds a key to one algorithm: an agency key made for ECDSA must be re-imported for ECDH
 * (or an RSA signing key for RSA-OAEP), which only an extractable key allows.
 */
async function asAlgorithm(key: CryptoKey, alg: EcKeyImportParams | RsaHashedImportParams, usage: KeyUsage): Promise<Result<CryptoKey>> {
  if (key.algorithm.name === alg.name && key.usages.includes(usage)) return ok(key);
  if (!key.extractable) return fail("envelope.own-key", `The private key cannot be used for ${alg.name}: give it as an ${alg.name} key, or extractable.`);
  const pkcs8 = await subtle().exportKey("pkcs8", key);
  return ok(await subtle().importKey("pkcs8", pkcs8, alg, false, [usage]));
}

function matchesKari(rid: KeyAgreeRecipientIdentifier, mine: IssuerAndSerialNumber, ski: Uint8Array | null): boolean {
  if (rid.issuerAndSerialNumber) return sameIssuerAndSerial(rid.issuerAndSerialNumber, mine);
  return !!rid.rKeyId && !!ski && bytesEqual(new Uint8Array(rid.rKeyId.subjectKeyIdentifier.buffer), ski);
}

async function cekFromKari(kari: KeyAgreeRecipientInfo, rek: RecipientEncryptedKey, key: CryptoKey, curve: string): Promise<Result<Uint8Array>> {
  const hash = KDF_HASH[kari.keyEncryptionAlgorithm.algorithm];
  if (!hash) return fail("envelope.sealed", `The key agreement scheme ${kari.keyEncryptionAlgorithm.algorithm} is not supported.`);
  const params = kari.keyEncryptionAlgorithm.parameters;
  const wrapOid = params ? AsnConvert.parse(params, AlgorithmIdentifier).algorithm : "";
  if (!WRAP_BITS[wrapOid]) return fail("envelope.sealed", `The key wrap algorithm ${wrapOid || "(none)"} is not supported.`);
  const originator = kari.originator.originatorKey;
  if (!originator || originator.algorithm.algorithm !== id_ecPublicKey) return fail("envelope.sealed", "The sender's ephemeral key is not an EC public key.");
  const ecdh = await asAlgorithm(key, { name: "ECDH", namedCurve: curve }, "deriveBits");
  if (!ecdh.ok) return ecdh;
  const peer = await subtle().importKey("raw", own(new Uint8Array(originator.publicKey)), { name: "ECDH", namedCurve: curve }, false, []);
  const fieldBits = curve === "P-521" ? 528 : curve === "P-384" ? 384 : 256;
  const z = new Uint8Array(await subtle().deriveBits({ name: "ECDH", public: peer }, ecdh.value, fieldBits));
  const ukm = kari.ukm ? new Uint8Array(kari.ukm.buffer) : null;
  const unwrapKey = await kek(hash, z, wrapOid, ukm, "unwrapKey");
  const cek = await subtle().unwrapKey("raw", own(new Uint8Array(rek.encryptedKey.buffer)), unwrapKey, { name: "AES-KW" }, { name: "AES-CBC" }, true, ["decrypt"]);
  return ok(new Uint8Array(await subtle().exportKey("raw", cek)));
}

async function cekFromKtri(ktri: KeyTransRecipientInfo, key: CryptoKey): Promise<Result<Uint8Array>> {
  if (ktri.keyEncryptionAlgorithm.algorithm !== id_RSAES_OAEP)
    return fail("envelope.sealed", "The content key is encrypted with RSA PKCS #1 v1.5, which browsers cannot decrypt; only RSA-OAEP is supported.");
  const raw = ktri.keyEncryptionAlgorithm.parameters;
  const p = raw ? AsnConvert.parse(raw, RsaEsOaepParams) : new RsaEsOaepParams();
  const hash = OAEP_HASH[p.hashAlgorithm.algorithm];
  const mgfHash = p.maskGenAlgorithm.parameters ? AsnConvert.parse(p.maskGenAlgorithm.parameters, AlgorithmIdentifier).algorithm : OID.sha1;
  // asn1-rsa fills an absent pSourceAlgorithm with a default whose "label" is SHA-1("") — its own
  // quirk — so that value, like an explicitly empty label, means "no label".
  const label = p.pSourceAlgorithm.parameters ? asn1js.fromBER(p.pSourceAlgorithm.parameters).result : null;
  const labelBytes = label instanceof asn1js.OctetString ? new Uint8Array(label.valueBlock.valueHexView) : null;
  const emptyLabel = label === null || (labelBytes !== null && (labelBytes.length === 0 || toHex(labelBytes) === SHA1_OF_NOTHING));
  if (!hash || OAEP_HASH[mgfHash] !== hash || !emptyLabel)
    return fail("envelope.sealed", "The RSA-OAEP parameters are not ones WebCrypto supports (the same hash for OAEP and MGF1, no label).");
  const rsa = await asAlgorithm(key, { name: "RSA-OAEP", hash }, "decrypt");
  if (!rsa.ok) return rsa;
  return ok(new Uint8Array(await subtle().decrypt({ name: "RSA-OAEP" }, rsa.value, own(new Uint8Array(ktri.encryptedKey.buffer)))));
}

// asn1js refuses any element longer than 16 MiB unless told otherwise, which refused every encrypted
// envelope above that size. An envelope may be as large as the default limit; CMS adds the recipient
// info, the algorithm identifiers and up to one block of padding, well under the extra mebibyte.
const BER = { maxContentLength: DEFAULT_LIMITS.maxEnvelopeBytes + 1024 * 1024 };

/** The two encryptions an envelope may arrive in: AuthEnvelopedData with AES-GCM (current), EnvelopedData with AES-CBC (version 1). */
export type SealKind = "aes-gcm" | "aes-cbc";

export interface Unsealed {
  plain: Uint8Array;
  kind: SealKind;
}

/**
 * Checks, before anything of the input is read, that the private key can be used at all (a fact
 * about our key, the same for every envelope, so saying why is no oracle).
 */
async function usableKey(key: CryptoKey, cert: x509.X509Certificate): Promise<Result<CryptoKey>> {
  const curve = curveOf(cert);
  if (curve) return asAlgorithm(key, { name: "ECDH", namedCurve: curve }, "deriveBits");
  if (key.algorithm.name !== "RSA-OAEP" && !key.extractable) return fail("envelope.own-key", "The private key cannot be used for RSA-OAEP: give it as an RSA-OAEP key, or extractable.");
  return ok(key);
}

/** The recipient infos, the encrypted content info and, for AuthEnvelopedData, the tag and the additional data. */
interface Sealed {
  kind: SealKind;
  recipientInfos: RecipientInfos;
  eci: EncryptedContentInfo;
  mac: Uint8Array | null;
  aad: Uint8Array;
}

function parseSealed(bytes: Uint8Array): Sealed | null {
  const root = asn1js.fromBER(toArrayBuffer(bytes), BER);
  if (root.offset === -1 || root.offset !== bytes.length) return null;
  // The tree just parsed is read as ContentInfo and its content, rather than parsing the bytes twice
  // more: each parse of a 100 MB envelope costs a few hundred milliseconds and a copy.
  const info = AsnParser.fromASN(root.result, ContentInfo, { berOptions: BER });
  const explicit = root.result instanceof asn1js.Sequence ? root.result.valueBlock.value[1] : undefined;
  const inner = explicit instanceof asn1js.Constructed && explicit.valueBlock.value.length === 1 ? explicit.valueBlock.value[0] : undefined;
  if (!inner) return null;
  if (info.contentType === id_envelopedData) {
    const env = AsnParser.fromASN(inner, EnvelopedData, { berOptions: BER });
    return { kind: "aes-cbc", recipientInfos: env.recipientInfos, eci: env.encryptedContentInfo, mac: null, aad: new Uint8Array(0) };
  }
  if (info.contentType !== OID.authEnvelopedData || !(inner instanceof asn1js.Sequence)) return null;
  // AuthEnvelopedData ::= SEQUENCE { version, originatorInfo [0] OPTIONAL, recipientInfos SET,
  //   authEncryptedContentInfo, authAttrs [1] OPTIONAL, mac OCTET STRING, unauthAttrs [2] OPTIONAL }
  const fields = [...inner.valueBlock.value];
  const context = (n: number) => (f: asn1js.BaseBlock | undefined) => !!f && f.idBlock.tagClass === 3 && f.idBlock.tagNumber === n;
  if (!(fields.shift() instanceof asn1js.Integer)) return null;
  if (context(0)(fields[0])) fields.shift();
  const infos = fields.shift();
  const eci = fields.shift();
  if (!(infos instanceof asn1js.Set) || !(eci instanceof asn1js.Sequence)) return null;
  let aad = new Uint8Array(0);
  if (context(1)(fields[0])) {
    // The additional data is the DER of the attributes with their SET OF tag (RFC 5083 §2.2).
    aad = new Uint8Array(fields.shift()!.toBER(false));
    aad[0] = 0x31;
  }
  const mac = fields.shift();
  if (!(mac instanceof asn1js.OctetString)) return null;
  return {
    kind: "aes-gcm",
    recipientInfos: AsnParser.fromASN(infos, RecipientInfos),
    eci: AsnParser.fromASN(eci, EncryptedContentInfo, { berOptions: BER }),
    mac: new Uint8Array(mac.valueBlock.valueHexView),
    aad,
  };
}

/** The content key from the recipient info made for us, or null. */
async function recoverCek(infos: RecipientInfos, key: CryptoKey, cert: x509.X509Certificate): Promise<Uint8Array | null> {
  const mine = issuerAndSerial(cert);
  const ski = subjectKeyId(cert);
  const curve = curveOf(cert);
  for (const ri of infos) {
    let cek: Result<Uint8Array> | null = null;
    if (ri.kari && curve) {
      const rek = ri.kari.recipientEncryptedKeys.find((r) => matchesKari(r.rid, mine, ski));
      if (rek) cek = await cekFromKari(ri.kari, rek, key, curve);
    } else if (ri.ktri && !curve) {
      const rid = ri.ktri.rid;
      const match = rid.issuerAndSerialNumber
        ? sameIssuerAndSerial(rid.issuerAndSerialNumber, mine)
        : !!rid.subjectKeyIdentifier && !!ski && bytesEqual(new Uint8Array(rid.subjectKeyIdentifier.buffer), ski);
      if (match) cek = await cekFromKtri(ri.ktri, key);
    }
    if (cek) return cek.ok ? cek.value : null;
  }
  return null;
}

/**
 * Opens an encrypted envelope made for `recipientCert` with its private key: AuthEnvelopedData with
 * AES-GCM always; EnvelopedData with AES-CBC (version 1) only with `allowCbc`, which a server gives
 * only to the file import. Every failure — not CMS, not for us, a bad key wrap, a bad tag, bad
 * padding, a format not allowed here — is the one sentence REFUSE.sealed (see the top of this file);
 * only a private key that cannot be used at all says so. The envelope inside still needs
 * `openEnvelope`, and for "aes-cbc" its failures must be answered with REFUSE.sealed too.
 */
export async function unsealEnvelope(bytes: Uint8Array, recipientPrivateKey: CryptoKey, recipientCert: x509.X509Certificate, o: { allowCbc?: boolean } = {}): Promise<Result<Unsealed>> {
  const usable = await usableKey(recipientPrivateKey, recipientCert);
  if (!usable.ok) return usable;
  try {
    const sealed = parseSealed(bytes);
    if (!sealed || (sealed.kind === "aes-cbc" && !o.allowCbc)) return refuse("sealed");
    const alg = sealed.eci.contentEncryptionAlgorithm;
    const bits = sealed.kind === "aes-gcm" ? GCM_BITS[alg.algorithm] : CBC_BITS[alg.algorithm];
    if (!bits) return refuse("sealed");
    let cek: Uint8Array | null = null;
    try {
      cek = await recoverCek(sealed.recipientInfos, usable.value, recipientCert);
    } catch {
      cek = null;
    }
    // No key for us, or a key that does not fit: a random one stands in, and the content is
    // decrypted anyway, so this failure costs what a damaged ciphertext costs.
    if (!cek || cek.length * 8 !== bits) cek = crypto.getRandomValues(new Uint8Array(bits / 8));
    const content = sealed.eci.encryptedContent;
    const ciphertext = content?.value ? new Uint8Array(content.value.buffer) : concat((content?.constructedValue ?? []).map((c) => new Uint8Array(c.buffer)));
    const params = alg.parameters ? asn1js.fromBER(alg.parameters).result : null;
    if (sealed.kind === "aes-cbc") {
      if (!(params instanceof asn1js.OctetString) || params.valueBlock.valueHexView.length !== 16) return refuse("sealed");
      const key = await subtle().importKey("raw", own(cek), { name: "AES-CBC" }, false, ["decrypt"]);
      // Both forms of the ciphertext are fresh arrays of their own, so WebCrypto may read them as they are.
      const plain = await subtle().decrypt({ name: "AES-CBC", iv: own(new Uint8Array(params.valueBlock.valueHexView)) }, key, ciphertext);
      return ok({ plain: new Uint8Array(plain), kind: "aes-cbc" });
    }
    // GCMParameters ::= SEQUENCE { aes-nonce OCTET STRING, aes-ICVlen INTEGER (12..16) DEFAULT 12 }
    const nonce = params instanceof asn1js.Sequence ? params.valueBlock.value[0] : undefined;
    const icv = params instanceof asn1js.Sequence ? params.valueBlock.value[1] : undefined;
    const tagBytes = icv instanceof asn1js.Integer ? icv.valueBlock.valueDec : 12;
    if (!(nonce instanceof asn1js.OctetString) || nonce.valueBlock.valueHexView.length === 0 || tagBytes < 12 || tagBytes > 16 || sealed.mac!.length !== tagBytes) return refuse("sealed");
    const key = await subtle().importKey("raw", own(cek), { name: "AES-GCM" }, false, ["decrypt"]);
    const plain = await subtle().decrypt(
      { name: "AES-GCM", iv: own(new Uint8Array(nonce.valueBlock.valueHexView)), tagLength: tagBytes * 8, additionalData: own(sealed.aad) },
      key,
      concat([ciphertext, sealed.mac!]),
    );
    return ok({ plain: new Uint8Array(plain), kind: "aes-gcm" });
  } catch {
    return refuse("sealed");
  }
}

/** unsealEnvelope for a reader that takes both formats (a file at hand: the CLI, tests, the browser). */
export async function decryptEnvelope(bytes: Uint8Array, recipientPrivateKey: CryptoKey, recipientCert: x509.X509Certificate): Promise<Result<Uint8Array>> {
  const r = await unsealEnvelope(bytes, recipientPrivateKey, recipientCert, { allowCbc: true });
  return r.ok ? ok(r.value.plain) : r;
}

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
