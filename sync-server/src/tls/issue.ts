// A TLS server certificate from the agency's own CA (`countersign tls issue`), for a box on a
// school's LAN reached as https://192.168.x.y or https://countersign.school.lan: devices that
// trust the agency CA once (/ca) then trust the box, and WebCrypto works there (a secure context).
//
// What must stay true: the certificate can serve TLS and nothing else — serverAuth is its only
// extended key usage, it is not a CA, its key usage is digitalSignature only (ECDHE key exchange;
// no keyEncipherment for an EC key) — so the key on a school box cannot sign documents or
// certificates even if it leaks. Its validity is at most 398 days (what browsers and iOS accept for
// a server certificate) and never outlasts the CA. It is made with the same X.509 builder as the
// people's certificates (@peculiar/x509, identity/x509.ts) and signed by the same CA key.
import { X509Certificate as NodeX509 } from "node:crypto";
import { fail, ok, type CertificateAuthority, type Result } from "@countersign/crdt-model";
import { x509 } from "../identity/x509.ts";

const DAY_MS = 24 * 3600 * 1000;
/** The longest validity a browser or iOS accepts for a server certificate. */
export const MAX_DAYS = 398;
/** The default: a year and a month, so a yearly renewal has a month's grace. */
export const DEFAULT_DAYS = 397;
/** Phones' clocks run a little wrong: valid from an hour ago, not from this second. */
const BACKDATE_MS = 3600 * 1000;

export interface ServerCertRequest {
  dns: readonly string[];
  ips: readonly string[];
  /** Validity in days, 1–398 (inclusive of both ends, as RFC 5280 counts). */
  days?: number;
  now?: Date;
}

export interface IssuedServerCert {
  certPem: string;
  /** PKCS #8, unencrypted: the server reads it at start without a passphrase (file mode 0600). */
  keyPem: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the certificate, colon-separated hex (as browsers show it). */
  fingerprint: string;
}

function randomSerial(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0]! & 0x7f) | 0x01; // a positive INTEGER, never with a leading zero byte
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

export async function issueServerCertificate(ca: CertificateAuthority, req: ServerCertRequest): Promise<Result<IssuedServerCert>> {
  const days = req.days ?? DEFAULT_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) return fail("tls.days", `--days must be a whole number from 1 to ${MAX_DAYS} (browsers refuse a server certificate valid longer).`);
  if (req.dns.length === 0 && req.ips.length === 0) return fail("tls.host", "Name the server with at least one --host NAME or --ip ADDRESS.");
  const now = req.now ?? new Date();
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  // RFC 5280 counts both ends, so the last second is one before notBefore + days.
  let notAfter = new Date(notBefore.getTime() + days * DAY_MS - 1000);
  const caEnd = ca.cert.notAfter;
  if (caEnd.getTime() <= now.getTime()) return fail("tls.ca-expired", `The agency CA expired on ${caEnd.toISOString()}; it cannot issue certificates.`);
  if (notAfter > caEnd) notAfter = caEnd;

  const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const first = req.dns[0] ?? req.ips[0]!;
  const names: { type: "dns" | "ip"; value: string }[] = [...req.dns.map((value) => ({ type: "dns" as const, value })), ...req.ips.map((value) => ({ type: "ip" as const, value }))];
  const serial = randomSerial();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: [{ CN: [first] }, { O: [ca.agency] }],
    issuer: ca.cert.subjectName,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" } as EcdsaParams,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      // Critical would be right only with an empty subject; browsers read SAN, never the CN.
      new x509.SubjectAlternativeNameExtension(names, false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ],
  });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  const keyPem = x509.PemConverter.encode(pkcs8.buffer as ArrayBuffer, "PRIVATE KEY");
  pkcs8.fill(0);
  const certPem = cert.toString("pem");
  return ok({ certPem, keyPem, serial, notBefore, notAfter, fingerprint: new NodeX509(certPem).fingerprint256 });
}
