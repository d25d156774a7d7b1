import {
  SIG_ALGS,
  TrustStore,
  algForCertificate,
  certificateToBase64,
  fail,
  fromBase64,
  fromUtf8,
  isAgencyCode,
  isPersonId,
  isUnitId,
  ok,
  parseCertificate,
  profileFromCertificate,
  utf8,
  verifyBytes,
  type AgencyCode,
  type Code,
  type PersonId,
  type Result,
  type Role,
  type SigAlg,
  type UnitId,
  ROLES,
} from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";
import type { Agency } from "./agency.ts";
import { findCertificateRow } from "./trust.ts";
import { copy } from "./sealed.ts";
import type { Session } from "./session.ts";

export type { Session };

export const CHALLENGE_TTL_MS = 2 * 60 * 1000;
export const TOKEN_TTL_MS = 15 * 60 * 1000;
/** What the client signs: a fixed prefix so a login signature can never pass for anything else. */
export const LOGIN_PREFIX = "countersign-login:";

export function loginMessage(nonce: string): Uint8Array {
  return utf8(LOGIN_PREFIX + nonce);
}

/** At most this many challenges wait unanswered at once (the expired ones are purged first). */
export const MAX_CHALLENGES = 10_000;

/** A fresh single-use nonce (256 bits, base64url), valid for two minutes. */
export async function challenge(store: Store, now: Date = new Date()): Promise<{ nonce: string; expiresAt: string }> {
  const c = await boundedChallenge(store, now, Number.POSITIVE_INFINITY);
  return c!;
}

/**
 * `challenge` for the API: the expired ones are purged first, and null when `max` challenges are
 * still waiting to be answered (unanswered ones must not pile up without bound).
 */
export async function boundedChallenge(store: Store, now: Date = new Date(), max = MAX_CHALLENGES): Promise<{ nonce: string; expiresAt: string } | null> {
  const nonce = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const expiresAt = new Date(now.getTime() + CHALLENGE_TTL_MS).toISOString();
  const bound = Number.isFinite(max) ? { at: now.toISOString(), max } : undefined;
  if (!(await store.putChallenge(nonce, expiresAt, bound))) return null;
  return { nonce, expiresAt };
}

export interface LoginInput {
  nonce: string;
  /** The signer's certificate, base64 DER. */
  certificate: string;
  /** base64; ECDSA in IEEE P1363 form (r‖s), as WebCrypto produces. */
  signature: string;
  alg: string;
}

export const LOGIN_REFUSALS = {
  challenge: "The login challenge is unknown, already used or expired.",
  alg: `The signature algorithm must be one of ${SIG_ALGS.join(", ")}.`,
  unknownCert: "The certificate was not issued or registered by this agency.",
  revoked: "The certificate has been revoked.",
  notValid: "The certificate is not valid at this time.",
  inactive: "The certificate's holder is not an active person of this agency.",
  keyAlg: "The signature algorithm does not suit the certificate's key.",
  signature: "The login signature does not verify against the certificate.",
} as const;

/** Each login refusal's code (the catalogue's login.*): what the app decides by. */
export const LOGIN_CODES = {
  challenge: "login.challenge",
  alg: "login.algorithm",
  unknownCert: "login.unknown-cert",
  revoked: "login.revoked",
  notValid: "login.expired",
  inactive: "login.inactive",
  keyAlg: "login.algorithm",
  signature: "login.signature",
} as const satisfies Record<keyof typeof LOGIN_REFUSALS, Code>;

const refuseLogin = (k: keyof typeof LOGIN_REFUSALS) => fail<never>(LOGIN_CODES[k], LOGIN_REFUSALS[k]);

/**
 * Challenge/response login. The nonce is taken first and atomically, so it is spent even when the
 * rest fails (a failed attempt cannot be retried on the same nonce). The certificate is pinned: its
 * exact DER must be in the store; issued ones must also chain to our CA (a row edited into the
 * database does not log in). The session's roles come from the directory, not the certificate, so a
 * role change takes effect at the next login without reissuing certificates.
 */
export async function login(
  store: Store,
  agency: Agency,
  input: LoginInput,
  now: Date = new Date(),
): Promise<Result<{ token: string; session: Session }>> {
  if (typeof input.nonce !== "string" || !(await store.takeChallenge(input.nonce, now.toISOString())))
    return refuseLogin("challenge");
  if (!(SIG_ALGS as readonly string[]).includes(input.alg)) return refuseLogin("alg");
  const alg = input.alg as SigAlg;

  const cert = parseCertificate(input.certificate);
  if (!cert.ok) return cert;
  const der = certificateToBase64(cert.value);
  const claimed = profileFromCertificate(cert.value);
  const row = await findCertificateRow(store, der, claimed.ok ? claimed.value.person : undefined);
  if (!row) return refuseLogin("unknownCert");
  if (row.revokedAt !== null) return refuseLogin("revoked");
  if (now < cert.value.notBefore || now > cert.value.notAfter) return refuseLogin("notValid");
  if (row.origin === "issued") {
    // Only our CA's signature is left to check (revocation and validity are done above); a store of
    // just our CA avoids reading every certificate of the agency on each login.
    const check = await new TrustStore({ cas: [agency.ca.cert] }).checkCertificate(cert.value, now);
    if (!check.ok) return check;
  }
  const person = await store.person(row.person);
  if (!person || !person.active) return refuseLogin("inactive");

  const keyAlg = algForCertificate(cert.value);
  if (keyAlg === undefined || (keyAlg === "ES256") !== (alg === "ES256")) return refuseLogin("keyAlg");
  let sig: Uint8Array;
  try {
    sig = fromBase64(input.signature);
  } catch {
    return fail("login.malformed", "The login signature is not base64.");
  }
  let key: CryptoKey;
  try {
    key = await cert.value.publicKey.export(verifyParams(alg), ["verify"]);
  } catch {
    return refuseLogin("keyAlg");
  }
  if (!(await verifyBytes(alg, key, sig, loginMessage(input.nonce)))) return refuseLogin("signature");

  const session: Session = {
    person: person.id,
    unit: person.unit,
    roles: [...person.roles],
    level: person.level,
    agency: agency.code,
    cert: row.serial,
    // Whole seconds, as the token carries it, so the session returned here equals verifyToken's.
    expiresAt: new Date(Math.floor((now.getTime() + TOKEN_TTL_MS) / 1000) * 1000).toISOString(),
  };
  return ok({ token: await signToken(agency, session, now), session });
}

function verifyParams(alg: SigAlg): EcKeyImportParams | RsaHashedImportParams {
  if (alg === "ES256") return { name: "ECDSA", namedCurve: "P-256" };
  return { name: alg === "PS256" ? "RSA-PSS" : "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
}

// ---- tokens --------------------------------------------------------------------------------------
//
// Format: base64url(UTF-8 JSON payload) "." base64url(HMAC-SHA-256(token key, ASCII of the first
// part)). Payload: { v: 2, sub, unit, roles, level, agency, cert, iat, exp } with iat/exp in seconds
// since the epoch, as in JWT (v 1 tokens, without the certificate, are refused as malformed).
// Not a JWT on purpose: one fixed algorithm, no header to negotiate, so there is
// no "alg: none" or key-confusion to get wrong. The key never leaves the server (the token is a
// session handle, not a credential anyone else verifies). The MAC proves the token is ours; whether
// its certificate is still in force (not revoked, its person still active) is checked on every use
// by the HTTP layer (identity/standing.ts), so a revocation ends the session at once, not 15 minutes on.

interface TokenPayload {
  v: 2;
  sub: PersonId;
  unit: UnitId;
  roles: string[];
  level: number;
  agency: AgencyCode;
  cert: string;
  iat: number;
  exp: number;
}

export const TOKEN_REFUSALS = {
  malformed: "The token is malformed.",
  signature: "The token's signature does not verify.",
  expired: "The token has expired.",
  agency: "The token was issued for another agency.",
} as const;

/** Each token refusal's code: an expired token and an unusable one (log in again either way). */
export const TOKEN_CODES = {
  malformed: "token.invalid",
  signature: "token.invalid",
  expired: "token.expired",
  agency: "token.invalid",
} as const satisfies Record<keyof typeof TOKEN_REFUSALS, Code>;

const refuseToken = (k: keyof typeof TOKEN_REFUSALS) => fail<never>(TOKEN_CODES[k], TOKEN_REFUSALS[k]);

export async function signToken(agency: Agency, session: Session, now: Date = new Date()): Promise<string> {
  const payload: TokenPayload = {
    v: 2,
    sub: session.person,
    unit: session.unit,
    roles: session.roles,
    level: session.level,
    agency: session.agency,
    cert: session.cert,
    iat: Math.floor(now.getTime() / 1000),
    exp: Math.floor(new Date(session.expiresAt).getTime() / 1000),
  };
  const body = base64url(utf8(JSON.stringify(payload)));
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", agency.tokenKey, copy(utf8(body))));
  return `${body}.${base64url(mac)}`;
}

/** Checks a token's MAC (in constant time, by WebCrypto) and expiry, and returns its session. */
export async function verifyToken(agency: Agency, token: string, now: Date = new Date()): Promise<Result<Session>> {
  if (typeof token !== "string" || token.length > 4096) return refuseToken("malformed");
  const parts = token.split(".");
  if (parts.length !== 2) return refuseToken("malformed");
  const [body, macText] = parts as [string, string];
  const mac = fromBase64url(macText);
  if (!mac || !fromBase64url(body)) return refuseToken("malformed");
  if (!(await crypto.subtle.verify("HMAC", agency.tokenKey, copy(mac), copy(utf8(body))))) return refuseToken("signature");
  const payload = parsePayload(fromBase64url(body)!);
  if (!payload) return refuseToken("malformed");
  if (payload.agency !== agency.code) return refuseToken("agency");
  if (now.getTime() >= payload.exp * 1000) return refuseToken("expired");
  return ok({
    person: payload.sub,
    unit: payload.unit,
    roles: payload.roles as Role[],
    level: payload.level,
    agency: payload.agency,
    cert: payload.cert,
    expiresAt: new Date(payload.exp * 1000).toISOString(),
  });
}

function parsePayload(bytes: Uint8Array): TokenPayload | undefined {
  let j: unknown;
  try {
    j = JSON.parse(fromUtf8(bytes));
  } catch {
    return undefined;
  }
  if (typeof j !== "object" || j === null) return undefined;
  const p = j as Record<string, unknown>;
  const str = (k: string) => typeof p[k] === "string";
  const int = (k: string) => Number.isSafeInteger(p[k]);
  const roles = p.roles;
  if (p.v !== 2 || !isPersonId(p.sub) || !str("cert") || !isUnitId(p.unit) || !isAgencyCode(p.agency) || !int("level") || !int("iat") || !int("exp")) return undefined;
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === "string" && (ROLES as readonly string[]).includes(r))) return undefined;
  return p as unknown as TokenPayload;
}

export function base64url(b: Uint8Array): string {
  return Buffer.from(b).toString("base64url");
}

function fromBase64url(s: string): Uint8Array | undefined {
  // Node's decoder skips bad characters silently; insist on the alphabet so garbage is "malformed".
  if (!/^[A-Za-z0-9_-]+$/.test(s)) return undefined;
  return new Uint8Array(Buffer.from(s, "base64url"));
}
