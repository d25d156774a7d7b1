import {
  fail,
  ok,
  parseAgencyCode,
  parseCertificate,
  parseDelegationTable,
  sha256Hex,
  type AgencyCode,
  type Code,
  type Result,
} from "@countersign/crdt-model";
import type { PeerAgency, Store } from "../storage/types.ts";
import { SETTINGS } from "../identity/agency.ts";
import { x509 } from "../identity/x509.ts";
import { isAdmin, type Actor } from "../directory/directory.ts";
import { audit } from "../directory/audit.ts";

/** The command line, run by the machine's administrator: what a change names when no one logged in. */
const CLI: Actor = { system: true };
const NOT_ADMIN = "Only an administrator may change the federation trust list.";

/** What the audit log keeps of a peer: everything but the CA certificate's text (its fingerprint names it). */
const logged = (p: PeerAgency | undefined | null) =>
  p ? { code: p.code, name: p.name, fingerprint: p.fingerprint, url: p.url, delegation: p.delegation !== null, revokedSerials: p.revokedSerials, removedAt: p.removedAt } : null;

/**
 * Federation (聯盟信任清單): the other agencies whose envelopes we accept. Each is its CA certificate,
 * confirmed by the administrator through its SHA-256 fingerprint, plus optionally its server address,
 * its delegation table and the serials it told us it revoked. `buildTrustStore` (identity/trust.ts)
 * puts every peer that was not removed into the trust store, so chains signed at other agencies
 * verify here — in the relay, batch sync and envelope import alike.
 */

// createAgencyCa names the CA "<agency name> 憑證管理中心"; the name shown is the part before it.
const CA_SUFFIX = /\s*憑證管理中心$/u;

/** What a CA certificate says about the agency, before it is added: for the administrator to confirm. */
export interface PeerCandidate {
  code: AgencyCode;
  name: string;
  fingerprint: string;
  caPem: string;
  notAfter: string;
}

export const FEDERATION_REFUSALS = {
  pem: (why: string) => `The file is not a certificate: ${why}`,
  notCa: "The certificate is not a certificate authority's (no basicConstraints CA:TRUE).",
  noAgency: "The certificate names no agency code in its organization (O).",
  expired: "The certificate is not valid now (expired or not yet valid).",
  selfSignature: "The certificate's self-signature does not verify.",
  ours: "The certificate is this agency's own CA; it is trusted already.",
  clash: (code: string) => `The certificate names agency ${code}, which is this agency's own code.`,
  delegation: (why: string) => `The delegation table is refused: ${why}`,
  delegationAgency: (table: string, code: string) => `The delegation table is agency ${table}'s, not ${code}'s.`,
  url: "The server address must be an http:// or https:// URL.",
  unknown: (code: string) => `Agency ${code} is not in the trust list.`,
  removed: (code: string) => `Agency ${code} was removed from the trust list.`,
  serial: (s: string) => `The serial ${JSON.stringify(s)} is not a hexadecimal certificate serial.`,
  fingerprint: "The confirmed fingerprint is not the certificate's SHA-256 fingerprint; nothing was added.",
} as const;

/** Each refusal's code: the class the app explains and a caller decides by (the sentence keeps the detail). */
export const FEDERATION_CODES = {
  pem: "federation.not-cert",
  notCa: "federation.not-ca",
  noAgency: "federation.no-agency",
  expired: "federation.expired",
  selfSignature: "federation.signature",
  ours: "federation.ours",
  clash: "federation.ours",
  delegation: "federation.delegation",
  delegationAgency: "federation.delegation",
  url: "federation.url",
  unknown: "federation.unknown",
  removed: "federation.removed",
  serial: "federation.serial",
  fingerprint: "federation.fingerprint",
} as const satisfies Record<keyof typeof FEDERATION_REFUSALS, Code>;

/** A fingerprint as typed or copied (AB:CD:…, spaces, any case) in the stored form: lower-case hex. */
export function normalizeFingerprint(s: string): string {
  return s.replace(/[\s:]/g, "").toLowerCase();
}

/** inspectPeerCa for someone logged in: administrators only (the preview before confirming an add). */
export async function previewPeerCa(store: Store, actor: Actor, input: string, now: Date): Promise<Result<PeerCandidate>> {
  if (!isAdmin(actor)) return fail("directory.not-admin", NOT_ADMIN);
  return inspectPeerCa(store, input, now);
}

/** Parses and checks another agency's CA certificate (PEM or DER). Changes nothing. */
export async function inspectPeerCa(store: Store, input: string | Uint8Array, now: Date): Promise<Result<PeerCandidate>> {
  const parsed = parseCertificate(input);
  if (!parsed.ok) return fail(FEDERATION_CODES.pem, FEDERATION_REFUSALS.pem(parsed.reason), parsed);
  const cert = parsed.value;
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  if (!bc || !bc.ca) return fail(FEDERATION_CODES.notCa, FEDERATION_REFUSALS.notCa);
  const o = cert.subjectName.getField("O");
  const code = o.length === 1 ? parseAgencyCode(o[0]) : undefined;
  if (!code?.ok) return fail(FEDERATION_CODES.noAgency, FEDERATION_REFUSALS.noAgency);
  if (now < cert.notBefore || now > cert.notAfter) return fail(FEDERATION_CODES.expired, FEDERATION_REFUSALS.expired);
  // A self-signed CA must verify under its own key; one issued by someone else (a national root)
  // is taken as the administrator confirms it by fingerprint.
  if (cert.subject === cert.issuer && !(await cert.verify({ signatureOnly: true }).catch(() => false))) return fail(FEDERATION_CODES.selfSignature, FEDERATION_REFUSALS.selfSignature);
  const fingerprint = sha256Hex(new Uint8Array(cert.rawData));
  const ourPem = await store.getSetting(SETTINGS.caCert);
  const ourCode = await store.getSetting(SETTINGS.code);
  if (ourPem) {
    const ours = parseCertificate(ourPem);
    if (ours.ok && sha256Hex(new Uint8Array(ours.value.rawData)) === fingerprint) return fail(FEDERATION_CODES.ours, FEDERATION_REFUSALS.ours);
  }
  if (o[0] === ourCode) return fail(FEDERATION_CODES.clash, FEDERATION_REFUSALS.clash(o[0]!));
  const cn = cert.subjectName.getField("CN")[0] ?? o[0]!;
  return ok({
    code: code.value,
    name: cn.replace(CA_SUFFIX, "").trim() || o[0]!,
    fingerprint,
    caPem: cert.toString("pem"),
    notAfter: cert.notAfter.toISOString(),
  });
}

export interface AddPeerInput {
  ca: string | Uint8Array;
  url?: string | null;
  /** The peer's delegation table (分層負責明細表) as JSON text or a parsed value. */
  delegation?: string | unknown | null;
  /**
   * The SHA-256 fingerprint the administrator confirmed (the app shows it first): when given, the
   * certificate is added only if it is that one. The command line confirms it by asking instead.
   */
  fingerprint?: string;
}

/**
 * Adds (or replaces) a peer. Replacing the CA of a peer resets the serials it reported revoked (they
 * were serials under the old CA); re-adding a removed peer trusts it again.
 */
export async function addPeer(store: Store, input: AddPeerInput, now: Date, actor: Actor = CLI): Promise<Result<PeerAgency>> {
  if (!isAdmin(actor)) return fail("directory.not-admin", NOT_ADMIN);
  const c = await inspectPeerCa(store, input.ca, now);
  if (!c.ok) return c;
  if (input.fingerprint !== undefined && normalizeFingerprint(input.fingerprint) !== c.value.fingerprint)
    return fail(FEDERATION_CODES.fingerprint, FEDERATION_REFUSALS.fingerprint);
  const url = input.url ?? null;
  if (url !== null && !isHttpUrl(url)) return fail(FEDERATION_CODES.url, FEDERATION_REFUSALS.url);
  let delegation: string | null = null;
  if (input.delegation !== undefined && input.delegation !== null) {
    let value: unknown = input.delegation;
    if (typeof value === "string") {
      try {
        value = JSON.parse(value) as unknown;
      } catch {
        return fail(FEDERATION_CODES.delegation, FEDERATION_REFUSALS.delegation("it is not JSON."));
      }
    }
    const table = parseDelegationTable(value);
    if (!table.ok) return fail(FEDERATION_CODES.delegation, FEDERATION_REFUSALS.delegation(table.reason), table);
    if (table.value.agency !== c.value.code) return fail(FEDERATION_CODES.delegationAgency, FEDERATION_REFUSALS.delegationAgency(table.value.agency, c.value.code));
    delegation = JSON.stringify(table.value);
  }
  const before = await store.peer(c.value.code);
  const peer: PeerAgency = {
    code: c.value.code,
    name: c.value.name,
    caPem: c.value.caPem,
    fingerprint: c.value.fingerprint,
    url,
    delegation,
    revokedSerials: before && before.fingerprint === c.value.fingerprint ? before.revokedSerials : [],
    addedAt: now.toISOString(),
    removedAt: null,
  };
  await store.putPeer(peer);
  await audit(store, actor, "trust.add", peer.code, logged(before), logged(peer), now);
  return ok(peer);
}

export async function listPeers(store: Store, opts: { includeRemoved?: boolean } = {}): Promise<PeerAgency[]> {
  const all = await store.peers();
  return (opts.includeRemoved ? all : all.filter((p) => p.removedAt === null)).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** A peer we trust now (in the list and not removed). */
export async function activePeer(store: Store, code: AgencyCode): Promise<Result<PeerAgency>> {
  const p = await store.peer(code);
  if (!p) return fail(FEDERATION_CODES.unknown, FEDERATION_REFUSALS.unknown(code));
  if (p.removedAt !== null) return fail(FEDERATION_CODES.removed, FEDERATION_REFUSALS.removed(code));
  return ok(p);
}

/** Stops trusting a peer: its envelopes and its signers' entries are refused from now on. */
export async function removePeer(store: Store, code: AgencyCode, now: Date, actor: Actor = CLI): Promise<Result<PeerAgency>> {
  if (!isAdmin(actor)) return fail("directory.not-admin", NOT_ADMIN);
  const p = await activePeer(store, code);
  if (!p.ok) return p;
  const removed = { ...p.value, removedAt: now.toISOString() };
  await store.putPeer(removed);
  await audit(store, actor, "trust.remove", code, logged(p.value), logged(removed), now);
  return ok(removed);
}

/** Records serials (hex) a peer says it revoked; the list only grows. */
export async function recordPeerRevoked(store: Store, code: AgencyCode, serials: readonly string[], actor: Actor = CLI): Promise<Result<PeerAgency>> {
  if (!isAdmin(actor)) return fail("directory.not-admin", NOT_ADMIN);
  const p = await activePeer(store, code);
  if (!p.ok) return p;
  const next = new Set(p.value.revokedSerials);
  for (const s of serials) {
    const hex = s.trim().toLowerCase().replace(/^0x/, "");
    if (!/^[0-9a-f]{1,64}$/.test(hex)) return fail(FEDERATION_CODES.serial, FEDERATION_REFUSALS.serial(s));
    next.add(hex);
  }
  const updated = { ...p.value, revokedSerials: [...next].sort() };
  await store.putPeer(updated);
  await audit(store, actor, "trust.revoke-serials", code, logged(p.value), logged(updated));
  return ok(updated);
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === "https:" || u.protocol === "http:") && u.username === "" && u.password === "";
  } catch {
    return false;
  }
}
