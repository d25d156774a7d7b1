import {
  parsePersonId,
  certificateToBase64,
  fail,
  issueCertificate,
  ok,
  sha256Hex,
  type Code,
  type Result,
  type SignerProfile,
} from "@countersign/crdt-model";
import type { Person, Store } from "../storage/types.ts";
import { addPerson, beyondRegistryReach, isAdmin, mayManagePeopleOf, profileOf, type Actor, type PersonInput } from "../directory/directory.ts";
import type { Agency } from "./agency.ts";
import { x509 } from "./x509.ts";
import { audit } from "../directory/audit.ts";

export const ENROLLMENT_TTL_MS = 7 * 24 * 3600 * 1000;

// RFC 4648 base32: upper-case letters and 2–7, no 0/1/8/9 to confuse with O/I/B/g.
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** 16 characters = 80 random bits, shown as XXXX-XXXX-XXXX-XXXX so a person can read it out. */
export function newEnrollmentCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  // 256 is a multiple of 32, so taking each byte mod 32 is unbiased.
  const chars = [...bytes].map((b) => ALPHABET[b % 32]!).join("");
  return chars.match(/.{4}/g)!.join("-");
}

/**
 * A typed code in canonical form: upper case, without spaces or dashes, with the digits people type
 * for look-alike letters mapped back (0→O, 1→I, 8→B). Undefined if it cannot be a code.
 */
export function normalizeEnrollmentCode(typed: string): string | undefined {
  const s = typed.toUpperCase().replace(/[\s-]/g, "").replace(/0/g, "O").replace(/1/g, "I").replace(/8/g, "B");
  return /^[A-Z2-7]{16}$/.test(s) ? s : undefined;
}

/** Codes are stored as SHA-256 only: 80 random bits make a slow hash unnecessary. */
export function enrollmentCodeHash(code: string): string {
  return sha256Hex(`countersign-enrollment:${code}`);
}

export interface EnrollmentCode {
  person: Person["id"];
  code: string;
  expiresAt: string;
}

/** A new one-time code for an existing, active person (admin, or the registry desk of their unit). */
export async function issueEnrollmentCode(store: Store, actor: Actor, personId: string, now: Date = new Date()): Promise<Result<EnrollmentCode>> {
  const id = parsePersonId(personId);
  const person = id.ok ? await store.person(id.value) : undefined;
  if (!person) return fail("directory.no-person", `The person ${personId} does not exist.`);
  if (!isAdmin(actor) && !("roles" in actor && actor.roles.includes("registry")))
    return fail("directory.not-permitted", "Only an administrator or a registry desk may hand out enrollment codes.");
  if (!mayManagePeopleOf(actor, person.unit)) return fail("directory.other-unit", "The registry desk may hand out enrollment codes for its own unit only.");
  // A code enrolls a device as that person: the desk may not hand one out for someone it could not
  // have added (a higher level, or roles the agency does not let it grant) and so sign as them.
  const beyond = await beyondRegistryReach(store, actor, person);
  if (beyond) return fail("directory.not-permitted", `The registry desk may hand out enrollment codes only for people it may add: ${beyond}`);
  if (!person.active) return fail("directory.person-inactive", `The person ${personId} is not active.`);
  const code = newEnrollmentCode();
  const expiresAt = new Date(now.getTime() + ENROLLMENT_TTL_MS).toISOString();
  await store.putEnrollment({ codeHash: enrollmentCodeHash(normalizeEnrollmentCode(code)!), person: person.id, expiresAt, usedAt: null });
  // The code itself is never logged: whoever reads the log must not be able to enroll as the person.
  await audit(store, actor, "person.code", person.id, null, { person: person.id, expiresAt }, now);
  return ok({ person: person.id, code, expiresAt });
}

/** Adds a person to the directory and hands out their first enrollment code. */
export async function addPersonWithCode(
  store: Store,
  actor: Actor,
  input: PersonInput,
  now: Date = new Date(),
): Promise<Result<{ person: Person; enrollment: EnrollmentCode }>> {
  const person = await addPerson(store, actor, input);
  if (!person.ok) return person;
  const enrollment = await issueEnrollmentCode(store, actor, person.value.id, now);
  return enrollment.ok ? ok({ person: person.value, enrollment: enrollment.value }) : enrollment;
}

export interface Enrolled {
  certificatePem: string;
  caPem: string;
  serial: string;
  profile: SignerProfile;
}

export const ENROLL_REFUSALS = {
  code: "The enrollment code is unknown, already used or expired.",
  malformedCode: "The enrollment code is malformed; it has 16 letters and digits in groups of four.",
  csr: "The certificate request does not parse as PKCS #10.",
  csrSignature: "The certificate request's signature does not verify.",
  key: "The certificate request's key must be ECDSA P-256 or RSA of 2048 to 4096 bits.",
  person: "The enrollment code's person is no longer an active person of this agency.",
} as const;

/** Each enrollment refusal's code (the catalogue's enroll.*): what the app decides by. */
export const ENROLL_CODES = {
  code: "enroll.code",
  malformedCode: "enroll.code-malformed",
  csr: "enroll.csr",
  csrSignature: "enroll.csr",
  key: "enroll.key",
  person: "enroll.inactive",
} as const satisfies Record<keyof typeof ENROLL_REFUSALS, Code>;

const refuse = (k: keyof typeof ENROLL_REFUSALS) => fail<never>(ENROLL_CODES[k], ENROLL_REFUSALS[k]);

/**
 * Issues a certificate for the key in a PKCS #10 request, to the person the one-time code names.
 * Everything about the request is checked before the code is spent, so a bad request does not burn
 * the code; the code is then taken atomically, so two concurrent enrollments cannot both succeed.
 * The request's subject is ignored: the profile comes from the directory, never from the requester.
 */
export async function enroll(
  store: Store,
  agency: Agency,
  input: { code: string; csrPem: string },
  now: Date = new Date(),
): Promise<Result<Enrolled>> {
  const code = normalizeEnrollmentCode(input.code);
  if (!code) return refuse("malformedCode");
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(input.csrPem.trim());
  } catch {
    return refuse("csr");
  }
  const importParams = keyParams(csr.publicKey.algorithm);
  if (!importParams) return refuse("key");
  if (!(await csr.verify().catch(() => false))) return refuse("csrSignature");
  let publicKey: CryptoKey;
  try {
    publicKey = await csr.publicKey.export(importParams, ["verify"]);
  } catch {
    return refuse("key");
  }

  const used = await store.useEnrollment(enrollmentCodeHash(code), now.toISOString());
  if (!used) return refuse("code");
  const person = await store.person(used.person);
  if (!person || !person.active) return refuse("person");
  const profile = profileOf(agency.code, person);
  if (!profile.ok) return profile;

  const cert = await issueCertificate(agency.ca, publicKey, profile.value, { notBefore: new Date(now.getTime() - 60_000) });
  await store.putCertificate({
    serial: cert.serialNumber.toLowerCase(),
    person: person.id,
    cert: certificateToBase64(cert),
    issuedAt: now.toISOString(),
    revokedAt: null,
    origin: "issued",
  });
  return ok({ certificatePem: cert.toString("pem"), caPem: agency.caPem, serial: cert.serialNumber.toLowerCase(), profile: profile.value });
}

/** The WebCrypto import parameters for an acceptable request key, or undefined for any other key. */
function keyParams(alg: Algorithm): EcKeyImportParams | RsaHashedImportParams | undefined {
  if (alg.name === "ECDSA") return (alg as EcKeyAlgorithm).namedCurve === "P-256" ? { name: "ECDSA", namedCurve: "P-256" } : undefined;
  if (alg.name === "RSASSA-PKCS1-v1_5" || alg.name === "RSA-PSS") {
    const bits = (alg as RsaKeyAlgorithm).modulusLength;
    // Imported as PKCS#1 v1.5 so the certificate carries rsaEncryption, which suits RS256 and PS256.
    return bits >= 2048 && bits <= 4096 ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } : undefined;
  }
  return undefined;
}

/** Revokes a certificate by serial (administrators; the caller rebuilds its TrustStore after). */
export async function revokeCertificate(store: Store, actor: Actor, serial: string, now: Date = new Date()): Promise<Result<string>> {
  if (!isAdmin(actor)) return fail("directory.not-admin", "Only an administrator may revoke a certificate.");
  const s = serial.toLowerCase();
  const done = await store.revokeCertificate(s, now.toISOString());
  if (!done) return fail("cert.unknown-serial", `No certificate in force has the serial ${serial}.`);
  const row = (await store.certificates()).find((c) => c.serial === s);
  const person = row?.person ?? null;
  await audit(store, actor, "certificate.revoke", s, { serial: s, person, revokedAt: null }, { serial: s, person, revokedAt: row?.revokedAt ?? now.toISOString() }, now);
  return ok(s);
}
