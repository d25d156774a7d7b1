import { x509 } from "./x509.ts";
import { fail, ok, type Refusal, type Result } from "../result.ts";
import { sha256Hex } from "../bytes.ts";
import { canonicalJson, type Json } from "../canonical.ts";
import { parseCertificate, profileFromCertificate } from "./certs.ts";
import type { SignerProfile } from "./profile.ts";
import { parseDelegationTable, type DelegationTable } from "../routing/delegation.ts";
import { parseDeputyTable, type DeputyTable } from "../routing/deputies.ts";
import type { AgencyCode } from "../ids.ts";

export type CertCheck =
  | { ok: true; ca: x509.X509Certificate; profile: SignerProfile }
  | Refusal;

/**
 * What a verifier trusts: agency CA certificates, revoked serials, optional profile bindings for
 * certificates issued elsewhere (e.g. RSA citizen certificates registered for a person) and the
 * delegation tables and deputy tables (職務代理人) of the agencies. Immutable once built;
 * verification results for a given certificate are memoised here because they cannot change while the store does not.
 */
export class TrustStore {
  private readonly cas: x509.X509Certificate[];
  private readonly revoked: Set<string>; // "<issuer CA fingerprint>:<serial hex lower>"
  private readonly bindings: Map<string, SignerProfile>; // certificate SHA-256 hex → profile
  private readonly delegation: Map<string, DelegationTable>;
  private readonly deputy: Map<string, DeputyTable>;
  /** CAs trusted only for certificates bound to a person here (issuers of registered certificates). */
  private readonly boundOnly: Set<string>;
  private readonly issuerCache = new Map<string, Promise<Result<x509.X509Certificate>>>();
  private readonly caKeys = new Map<string, Promise<CryptoKey | null>>();
  /** The profile each certificate carries, read once (its subject fixes it): verification asks per entry. */
  private readonly profiles = new Map<string, Result<SignerProfile>>();

  constructor(init: {
    cas: x509.X509Certificate[];
    revoked?: { ca: x509.X509Certificate; serial: string }[];
    bindings?: { cert: x509.X509Certificate; profile: SignerProfile }[];
    delegation?: DelegationTable[];
    /** Who acts for whom, per agency: the only source of deputies (a plan's own list grants nothing). */
    deputies?: DeputyTable[];
    /**
     * Issuers whose certificates count only when bound to a person in `bindings`: a citizen-card CA
     * issues certificates to everyone, and none of them may sign here unless registered.
     */
    boundOnly?: x509.X509Certificate[];
  }) {
    this.cas = [...init.cas];
    this.revoked = new Set((init.revoked ?? []).map((r) => `${fp(r.ca)}:${r.serial.toLowerCase()}`));
    this.bindings = new Map((init.bindings ?? []).map((b) => [fp(b.cert), b.profile]));
    this.delegation = new Map((init.delegation ?? []).map((t) => [t.agency, t]));
    this.deputy = new Map((init.deputies ?? []).map((t) => [t.agency, t]));
    this.boundOnly = new Set((init.boundOnly ?? []).map(fp));
  }

  /** Builds a store from PEM texts; the first one that does not parse is named in the reason. */
  static fromPem(pems: string[], delegation: unknown[] = [], deputies: unknown[] = []): Result<TrustStore> {
    const cas: x509.X509Certificate[] = [];
    for (const [i, pem] of pems.entries()) {
      for (const block of splitPem(pem)) {
        const c = parseCertificate(block);
        if (!c.ok) return fail("trust.anchor", `Trusted certificate ${i + 1}: ${c.reason}`, c);
        cas.push(c.value);
      }
    }
    const tables: DelegationTable[] = [];
    for (const t of delegation) {
      const r = parseDelegationTable(t);
      if (!r.ok) return r;
      tables.push(r.value);
    }
    const deputyTables: DeputyTable[] = [];
    for (const t of deputies) {
      const r = parseDeputyTable(t);
      if (!r.ok) return r;
      deputyTables.push(r.value);
    }
    return ok(new TrustStore({ cas, delegation: tables, deputies: deputyTables }));
  }

  caCertificates(): readonly x509.X509Certificate[] {
    return this.cas;
  }

  delegationTable(agency: AgencyCode): DelegationTable | undefined {
    return this.delegation.get(agency);
  }

  deputyTable(agency: AgencyCode): DeputyTable | undefined {
    return this.deputy.get(agency);
  }

  /** A copy with more revoked serials (revocation lists only grow). */
  withRevoked(ca: x509.X509Certificate, serial: string): TrustStore {
    const next = new TrustStore({ cas: this.cas, delegation: [...this.delegation.values()], deputies: [...this.deputy.values()] });
    for (const r of this.revoked) next.revoked.add(r);
    for (const b of this.boundOnly) next.boundOnly.add(b);
    for (const [k, v] of this.bindings) next.bindings.set(k, v);
    next.revoked.add(`${fp(ca)}:${serial.toLowerCase()}`);
    return next;
  }

  /**
   * Checks a signer certificate at the time it claims to have signed: issued by a trusted CA (whose
   * signature on it verifies), not revoked, both certificates valid at that time, and carrying a
   * profile (its own extension, or a binding registered in this store).
   */
  async checkCertificate(cert: x509.X509Certificate, at: Date): Promise<CertCheck> {
    const issuer = await this.issuerOf(cert);
    if (!issuer.ok) return issuer;
    const ca = issuer.value;
    if (this.revoked.has(`${fp(ca)}:${cert.serialNumber.toLowerCase()}`))
      return { ok: false, code: "trust.revoked", reason: "The signer's certificate has been revoked." };
    if (at < cert.notBefore || at > cert.notAfter)
      return { ok: false, code: "trust.expired", reason: "The signer's certificate was not valid at the claimed time." };
    if (at < ca.notBefore || at > ca.notAfter)
      return { ok: false, code: "trust.expired", reason: "The issuing authority's certificate was not valid at the claimed time." };
    const bound = this.bindings.get(fp(cert));
    if (bound) return { ok: true, ca, profile: bound };
    if (this.boundOnly.has(fp(ca))) return { ok: false, code: "trust.unregistered", reason: "The signer's certificate is not registered for a person here." };
    const profile = this.profileOf(cert);
    if (!profile.ok) return { ok: false, code: "cert.profile", reason: `The signer's certificate carries no usable profile: ${profile.reason}`, inner: { code: profile.code, reason: profile.reason } };
    if (profile.value.agency !== agencyOf(ca))
      return { ok: false, code: "trust.agency", reason: "The signer's certificate names another agency than its issuing authority." };
    return { ok: true, ca, profile: profile.value };
  }

  private profileOf(cert: x509.X509Certificate): Result<SignerProfile> {
    const key = fp(cert);
    let p = this.profiles.get(key);
    if (!p) {
      // Bounded like a replica's certificate cache: past it, start over (callers simply read again).
      if (this.profiles.size >= PROFILE_LIMIT) this.profiles.clear();
      p = profileFromCertificate(cert);
      this.profiles.set(key, p);
    }
    return p;
  }

  private issuerOf(cert: x509.X509Certificate): Promise<Result<x509.X509Certificate>> {
    const key = fp(cert);
    let p = this.issuerCache.get(key);
    if (!p) {
      p = this.findIssuer(cert);
      this.issuerCache.set(key, p);
    }
    return p;
  }

  /** A CA's public key, imported once for the algorithm its certificates are signed with. */
  private caKey(ca: x509.X509Certificate, cert: x509.X509Certificate): Promise<CryptoKey | null> {
    // As @peculiar/x509 does it: the key's parameters, overridden by the signature algorithm's.
    const alg = { ...ca.publicKey.algorithm, ...cert.signatureAlgorithm } as Algorithm & { hash?: unknown; saltLength?: unknown };
    const cacheKey = `${fp(ca)}:${canonicalJson(JSON.parse(JSON.stringify(alg)) as Json)}`;
    let k = this.caKeys.get(cacheKey);
    if (!k) {
      k = ca.publicKey.export(alg, ["verify"]).catch(() => null);
      this.caKeys.set(cacheKey, k);
    }
    return k;
  }

  private async findIssuer(cert: x509.X509Certificate): Promise<Result<x509.X509Certificate>> {
    for (const ca of this.cas) {
      if (ca.subject !== cert.issuer) continue;
      const key = await this.caKey(ca, cert);
      if (key && (await cert.verify({ publicKey: key, signatureOnly: true }).catch(() => false))) return ok(ca);
    }
    return fail("trust.untrusted", "The signer's certificate is not issued by a trusted authority.");
  }
}

const PROFILE_LIMIT = 10_000;

// Certificates are immutable, so their fingerprints are memoised per parsed object.
const fingerprints = new WeakMap<x509.X509Certificate, string>();
function fp(cert: x509.X509Certificate): string {
  let f = fingerprints.get(cert);
  if (f === undefined) {
    f = sha256Hex(new Uint8Array(cert.rawData));
    fingerprints.set(cert, f);
  }
  return f;
}

/** An agency CA names its agency in O (see createAgencyCa); bindings cover certificates from elsewhere. */
function agencyOf(ca: x509.X509Certificate): string | undefined {
  return ca.subjectName.getField("O")[0];
}

export function splitPem(text: string): string[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  return blocks ?? [text];
}
