import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildEnvelope } from "../src/envelope/build.ts";
import { openEnvelope } from "../src/envelope/open.ts";
import { decryptEnvelope, encryptEnvelope, encryptEnvelopeCbc, unsealEnvelope } from "../src/envelope/enveloped.ts";
import { REFUSE } from "../src/envelope/refusals.ts";
import { createSampleExchange, sampleOutgoing, type SampleExchange } from "../src/envelope/sample.ts";
import { issueCertificate } from "../src/identity/certs.ts";
import type { x509 } from "../src/identity/x509.ts";
import { bytesEqual, toBase64 } from "../src/bytes.ts";
import type { Result } from "../src/result.ts";

const must = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};

function openssl(cwd: string, args: string[]): { status: number; output: string } {
  const r = spawnSync("openssl", args, { cwd, encoding: "utf8" });
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

const pem = (der: ArrayBuffer, label: string) => `-----BEGIN ${label}-----\n${toBase64(new Uint8Array(der)).match(/.{1,64}/g)!.join("\n")}\n-----END ${label}-----\n`;

interface Recipient {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
  dir: string;
}

const KEYS = {
  EC: { name: "ECDSA", namedCurve: "P-256" },
  RSA: { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
} as const;

let x: SampleExchange;
let envelope: Uint8Array;
const dirs: string[] = [];

/** B's exchange certificate (issued by B's CA) with an extractable key, so openssl can be given it. */
async function recipient(kind: keyof typeof KEYS): Promise<Recipient> {
  const keys = (await crypto.subtle.generateKey(KEYS[kind], true, ["sign", "verify"])) as CryptoKeyPair;
  const cert = await issueCertificate(x.b.ca, keys.publicKey, x.b.mailRoom.profile);
  const dir = mkdtempSync(join(tmpdir(), "countersign-enveloped-"));
  dirs.push(dir);
  writeFileSync(join(dir, "cert.pem"), cert.toString("pem"));
  writeFileSync(join(dir, "key.pem"), pem(await crypto.subtle.exportKey("pkcs8", keys.privateKey), "PRIVATE KEY"));
  writeFileSync(join(dir, "envelope.zip"), envelope);
  return { cert, keys, dir };
}

beforeAll(async () => {
  x = await createSampleExchange();
  const out = await sampleOutgoing(x);
  must(out.doc.setMetadata({ secrecy: "confidential" }));
  envelope = must(await buildEnvelope({ to: x.b.ca.agency, purpose: "countersign-request", docs: [{ doc: out.doc, attachments: out.attachments }], sender: x.a.mailRoom, willEncrypt: true }));
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.each(["EC", "RSA"] as const)("encryption for a %s recipient", (kind) => {
  let r: Recipient;
  let encrypted: Uint8Array;
  beforeAll(async () => {
    r = await recipient(kind);
    encrypted = must(await encryptEnvelope(envelope, r.cert));
    writeFileSync(join(r.dir, "envelope.p7m"), encrypted);
  });

  it("openssl cms -decrypt opens it to the exact envelope, which then verifies", async () => {
    const res = openssl(r.dir, ["cms", "-decrypt", "-binary", "-inform", "DER", "-in", "envelope.p7m", "-recip", "cert.pem", "-inkey", "key.pem", "-out", "decrypted.zip"]);
    expect(res.output).toBe("");
    expect(res.status).toBe(0);
    const decrypted = new Uint8Array(readFileSync(join(r.dir, "decrypted.zip")));
    expect(bytesEqual(decrypted, envelope)).toBe(true);
    expect((await openEnvelope(decrypted, { trust: x.trustAtB, recipient: x.b.ca.agency })).ok).toBe(true);
  });

  it("uses the scheme WebCrypto and openssl share: AuthEnvelopedData with AES-256-GCM", () => {
    const printed = openssl(r.dir, ["cms", "-cmsout", "-print", "-inform", "DER", "-in", "envelope.p7m"]).output;
    expect(printed).toMatch(/id-smime-ct-authEnvelopedData/);
    expect(printed).toMatch(/aes-256-gcm/);
    if (kind === "EC") expect(printed).toMatch(/dhSinglePass-stdDH-sha256kdf-scheme/);
    else expect(printed).toMatch(/rsaesOaep/);
    expect(printed).not.toContain("countersign-envelope"); // nothing of the content in the clear
  });

  it("decryptEnvelope opens it with the private key (re-imported from an extractable signing key)", async () => {
    expect(bytesEqual(must(await decryptEnvelope(encrypted, r.keys.privateKey, r.cert)), envelope)).toBe(true);
  });

  const oaep = kind === "EC" ? [] : ["-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256", "-keyopt", "rsa_mgf1_md:sha256"];

  it("decryptEnvelope opens what openssl cms -encrypt -aes-256-gcm made for the same certificate", async () => {
    const res = openssl(r.dir, ["cms", "-encrypt", "-binary", "-aes-256-gcm", "-outform", "DER", "-in", "envelope.zip", "-out", "by-openssl-gcm.p7m", "-recip", "cert.pem", ...oaep]);
    expect(res.status).toBe(0);
    const theirs = new Uint8Array(readFileSync(join(r.dir, "by-openssl-gcm.p7m")));
    const opened = must(await unsealEnvelope(theirs, r.keys.privateKey, r.cert));
    expect(opened.kind).toBe("aes-gcm");
    expect(bytesEqual(opened.plain, envelope)).toBe(true);
  });

  it("the version-1 format (EnvelopedData, AES-CBC, as openssl cms -encrypt -aes256 makes it) is read only when the reader allows it", async () => {
    const res = openssl(r.dir, ["cms", "-encrypt", "-binary", "-aes256", "-outform", "DER", "-in", "envelope.zip", "-out", "by-openssl.p7m", "-recip", "cert.pem", ...oaep]);
    expect(res.status).toBe(0);
    const theirs = new Uint8Array(readFileSync(join(r.dir, "by-openssl.p7m")));
    expect(bytesEqual(must(await decryptEnvelope(theirs, r.keys.privateKey, r.cert)), envelope)).toBe(true);
    expect(must(await unsealEnvelope(theirs, r.keys.privateKey, r.cert, { allowCbc: true })).kind).toBe("aes-cbc");
    expect(await unsealEnvelope(theirs, r.keys.privateKey, r.cert)).toEqual({ ok: false, code: "envelope.sealed", reason: REFUSE.sealed });
    // Ours in that format opens with openssl too.
    writeFileSync(join(r.dir, "ours-cbc.p7m"), must(await encryptEnvelopeCbc(envelope, r.cert)));
    expect(openssl(r.dir, ["cms", "-decrypt", "-binary", "-inform", "DER", "-in", "ours-cbc.p7m", "-recip", "cert.pem", "-inkey", "key.pem", "-out", "cbc.zip"]).status).toBe(0);
    expect(bytesEqual(new Uint8Array(readFileSync(join(r.dir, "cbc.zip"))), envelope)).toBe(true);
  });

  it("another certificate's holder cannot open it, and is told no more than anyone else", async () => {
    const other = await recipient(kind);
    expect(await decryptEnvelope(encrypted, other.keys.privateKey, other.cert)).toEqual({ ok: false, code: "envelope.sealed", reason: REFUSE.sealed });
  });

  it("every failure after decryption starts gets one identical refusal", async () => {
    const at = (from: number, f: (b: Uint8Array) => void) => {
      const b = encrypted.slice();
      f(b.subarray(from));
      return b;
    };
    const wrapped = findKeyBlob(encrypted);
    const broken: Record<string, Uint8Array> = {
      "a changed byte of the ciphertext": at(encrypted.length - 200, (b) => (b[0]! ^= 0x01)),
      "a changed byte of the tag": at(encrypted.length - 1, (b) => (b[0]! ^= 0x80)),
      "a changed byte of the wrapped key": at(wrapped, (b) => (b[0]! ^= 0x01)),
      "truncated": encrypted.subarray(0, encrypted.length - 300),
      "bytes after it": Uint8Array.from([...encrypted, 0]),
      "garbage": crypto.getRandomValues(new Uint8Array(4096)),
    };
    for (const [what, bytes] of Object.entries(broken)) {
      const res = await decryptEnvelope(bytes, r.keys.privateKey, r.cert);
      expect({ what, res }).toEqual({ what, res: { ok: false, code: "envelope.sealed", reason: REFUSE.sealed } });
    }
  });
});

/**
 * Where the recipient's encrypted content key sits: the OCTET STRING of 40 (AES-KW of 32) or 256
 * (RSA-2048) bytes that the EncryptedContentInfo (a SEQUENCE starting with the id-data OID) follows at
 * once. Checking what follows keeps a chance "04 28" in a key identifier or a point from passing for it.
 */
function findKeyBlob(der: Uint8Array): number {
  const idData = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
  const contentInfoAt = (j: number): boolean => der[j] === 0x30 && [2, 3, 4, 5].some((h) => idData.every((v, k) => der[j + h + k] === v));
  for (let i = 0; i < 4000; i++) {
    if (der[i] === 0x04 && der[i + 1] === 40 && contentInfoAt(i + 42)) return i + 2;
    if (der[i] === 0x04 && der[i + 1] === 0x82 && der[i + 2] === 0x01 && der[i + 3] === 0x00 && contentInfoAt(i + 260)) return i + 4;
  }
  throw new Error("no wrapped key found");
}

describe("a padding oracle has nothing to read", () => {
  it("every failure of a version-1 (AES-CBC) envelope costs the same: a bad key, bad padding and good padding over garbage each run one AES-CBC decryption of the whole content", async () => {
    const r = await recipient("EC");
    const big = new Uint8Array(256 * 1024).fill(7);
    const cbc = must(await encryptEnvelopeCbc(big, r.cert));
    // A key that does not fit: another holder's private key, presented with our certificate.
    const stranger = (await recipient("EC")).keys.privateKey;
    const badPadding = cbc.slice();
    badPadding[cbc.length - 1]! ^= 0x01;
    // The real WebCrypto, watched rather than replaced: which decryptions each attempt runs, and over
    // how many bytes. (Not a timing: a loaded machine makes timings say nothing.)
    const spy = vi.spyOn(crypto.subtle, "decrypt");
    const decryptions = async (b: Uint8Array, key = r.keys.privateKey) => {
      spy.mockClear();
      const result = await unsealEnvelope(b, key, r.cert, { allowCbc: true });
      const cbcCalls = spy.mock.calls.filter(([alg]) => (alg as { name: string }).name === "AES-CBC");
      return { ok: result.ok, sizes: cbcCalls.map(([, , data]) => (data as Uint8Array).byteLength) };
    };
    try {
      const whole = (await decryptions(cbc)).sizes;
      expect(whole).toHaveLength(1);
      expect(whole[0]!).toBeGreaterThan(big.length);
      // A bad key: a random key stands in and the whole content is decrypted all the same.
      expect(await decryptions(cbc, stranger)).toEqual({ ok: false, sizes: whole });
      expect(await decryptions(badPadding)).toEqual({ ok: false, sizes: whole });
    } finally {
      spy.mockRestore();
    }
    expect(await unsealEnvelope(cbc, stranger, r.cert, { allowCbc: true })).toEqual({ ok: false, code: "envelope.sealed", reason: REFUSE.sealed });
    expect(await unsealEnvelope(badPadding, r.keys.privateKey, r.cert, { allowCbc: true })).toEqual({ ok: false, code: "envelope.sealed", reason: REFUSE.sealed });
  });
});

describe("large envelopes", () => {
  it("an encrypted envelope over 16 MiB (the ASN.1 parser's own default limit) decrypts to the exact bytes", async () => {
    const r = await recipient("EC");
    const big = new Uint8Array(17 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
    const encrypted = must(await encryptEnvelope(big, r.cert));
    expect(bytesEqual(must(await decryptEnvelope(encrypted, r.keys.privateKey, r.cert)), big)).toBe(true);
  });
});

describe("decryption keys", () => {
  it("an ECDH key works as it is; a non-extractable ECDSA key is refused with a sentence", async () => {
    const r = await recipient("EC");
    const encrypted = must(await encryptEnvelope(envelope, r.cert));
    const pkcs8 = await crypto.subtle.exportKey("pkcs8", r.keys.privateKey);
    const ecdh = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
    expect(bytesEqual(must(await decryptEnvelope(encrypted, ecdh, r.cert)), envelope)).toBe(true);
    const locked = await crypto.subtle.importKey("pkcs8", pkcs8, KEYS.EC, false, ["sign"]);
    expect(await decryptEnvelope(encrypted, locked, r.cert)).toEqual({ ok: false, code: "envelope.own-key", reason: "The private key cannot be used for ECDH: give it as an ECDH key, or extractable." });
    expect(await decryptEnvelope(crypto.getRandomValues(new Uint8Array(64)), locked, r.cert)).toEqual({ ok: false, code: "envelope.own-key", reason: "The private key cannot be used for ECDH: give it as an ECDH key, or extractable." });
  });
});
