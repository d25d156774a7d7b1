import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildEnvelope } from "../src/envelope/build.ts";
import { openEnvelope } from "../src/envelope/open.ts";
import { decryptEnvelope, encryptEnvelope } from "../src/envelope/enveloped.ts";
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

  it("uses the scheme WebCrypto and openssl share", () => {
    const printed = openssl(r.dir, ["cms", "-cmsout", "-print", "-inform", "DER", "-in", "envelope.p7m"]).output;
    expect(printed).toMatch(/aes-256-cbc/);
    if (kind === "EC") expect(printed).toMatch(/dhSinglePass-stdDH-sha256kdf-scheme/);
    else expect(printed).toMatch(/rsaesOaep/);
    expect(printed).not.toContain("countersign-envelope"); // nothing of the content in the clear
  });

  it("decryptEnvelope opens it with the private key (re-imported from an extractable signing key)", async () => {
    expect(bytesEqual(must(await decryptEnvelope(encrypted, r.keys.privateKey, r.cert)), envelope)).toBe(true);
  });

  it("decryptEnvelope opens what openssl cms -encrypt made for the same certificate", async () => {
    const opts = kind === "EC" ? [] : ["-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256", "-keyopt", "rsa_mgf1_md:sha256"];
    const res = openssl(r.dir, ["cms", "-encrypt", "-binary", "-aes256", "-outform", "DER", "-in", "envelope.zip", "-out", "by-openssl.p7m", "-recip", "cert.pem", ...opts]);
    expect(res.status).toBe(0);
    const theirs = new Uint8Array(readFileSync(join(r.dir, "by-openssl.p7m")));
    expect(bytesEqual(must(await decryptEnvelope(theirs, r.keys.privateKey, r.cert)), envelope)).toBe(true);
  });

  it("another certificate's holder cannot open it, and says why", async () => {
    const other = await recipient(kind);
    expect(await decryptEnvelope(encrypted, other.keys.privateKey, other.cert)).toEqual({ ok: false, reason: "The envelope is not encrypted for this agency's certificate." });
  });

  it("a corrupted ciphertext is refused with a sentence, never an exception", async () => {
    const broken = encrypted.slice();
    broken[broken.length - 20]! ^= 0xff;
    const res = await decryptEnvelope(broken, r.keys.privateKey, r.cert);
    if (res.ok) expect((await openEnvelope(res.value, { trust: x.trustAtB, recipient: x.b.ca.agency })).ok).toBe(false);
    else expect(res.reason).toMatch(/^The envelope could not be decrypted: /);
    expect((await decryptEnvelope(encrypted.subarray(0, 100), r.keys.privateKey, r.cert)).ok).toBe(false);
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
    expect(await decryptEnvelope(encrypted, locked, r.cert)).toEqual({ ok: false, reason: "The private key cannot be used for ECDH: give it as an ECDH key, or extractable." });
  });
});
