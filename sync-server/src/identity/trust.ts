import { TrustStore, parseAgencyCode, fail, ok, parseCertificate, parseDelegationTable, type DelegationTable, type DeputyTable, type Result, type SignerProfile } from "@countersign/crdt-model";
import type { CertificateRow, Store } from "../storage/types.ts";
import { getDelegation, getDeputyTable, profileOf } from "../directory/directory.ts";
import { SETTINGS } from "../storage/settings.ts";
import type { x509 } from "./x509.ts";

export async function registeredIssuers(store: Store): Promise<string[]> {
  const text = await store.getSetting(SETTINGS.registeredIssuers);
  if (!text) return [];
  try {
    const list = JSON.parse(text) as unknown;
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

/**
 * crdt-model's TrustStore for this agency, from the store: our CA; the revoked serials; a binding
 * (certificate → the person's current profile in the directory) for every registered certificate
 * still in force, with its issuer (or itself, if self-signed) as a trusted CA; the delegation table
 * and the deputy table (職務代理人: the only source of deputies, never the routing plan).
 * Needs no passphrase: only public material. A TrustStore is immutable, so rebuild it after a
 * directory or certificate change (enrollment, registration, revocation, a new delegation table).
 *
 * Caveat on registered issuers: TrustStore trusts a CA for every certificate it issued that carries a
 * profile naming the CA's own O. Registered issuers (a citizen-certificate CA, or a self-signed
 * certificate) do not issue certificates with our profile attributes; they are passed as `boundOnly`,
 * so only the certificates registered here (bound to a person) count, never others they issued.
 *
 * Federation: the CA certificate of every peer agency not removed from the trust list
 * (exchange/federation.ts), the serials it told us it revoked and its delegation table, so chains
 * signed at other agencies verify here (relay, batch sync and envelope import alike). A peer CA is
 * trusted the way our own is, for certificates carrying a profile of its own agency (its O) only.
 */
export async function buildTrustStore(store: Store): Promise<Result<TrustStore>> {
  const code = await store.getSetting(SETTINGS.code);
  const caPem = await store.getSetting(SETTINGS.caCert);
  if (!code || !caPem) return fail("agency.not-initialized", "The agency has not been initialized (run countersign init).");
  const agency = parseAgencyCode(code);
  if (!agency.ok) return fail("agency.damaged", `The agency's stored code is damaged: ${agency.reason}`, agency);
  const ca = parseCertificate(caPem);
  if (!ca.ok) return fail("agency.damaged", `The agency's CA certificate is damaged: ${ca.reason}`, ca);

  const cas: x509.X509Certificate[] = [ca.value];
  for (const der of await registeredIssuers(store)) {
    const c = parseCertificate(der);
    if (c.ok) cas.push(c.value);
  }

  const people = new Map((await store.people()).map((p) => [p.id as string, p]));
  const revoked: { ca: x509.X509Certificate; serial: string }[] = [];
  const bindings: { cert: x509.X509Certificate; profile: SignerProfile }[] = [];
  for (const row of await store.certificates()) {
    const cert = parseCertificate(row.cert);
    if (!cert.ok) continue;
    if (row.origin === "issued") {
      if (row.revokedAt !== null) revoked.push({ ca: ca.value, serial: cert.value.serialNumber });
      continue;
    }
    const person = people.get(row.person);
    if (row.revokedAt !== null || !person || !person.active) {
      // Without a binding it carries no usable profile; also revoke it under its issuer if known.
      const issuer = issuerAmong(cas, cert.value);
      if (issuer) revoked.push({ ca: issuer, serial: cert.value.serialNumber });
      continue;
    }
    const profile = profileOf(agency.value, person);
    if (!profile.ok) continue;
    if (cert.value.subject === cert.value.issuer && !cas.some((c) => sameCert(c, cert.value))) cas.push(cert.value);
    bindings.push({ cert: cert.value, profile: profile.value });
  }

  const table = await getDelegation(store);
  if (!table.ok) return table;
  // Every issuer but our own CA and the peers' CAs is trusted only for the certificates registered (bound) here.
  const boundOnly = cas.filter((c) => !sameCert(c, ca.value));
  const delegation: DelegationTable[] = table.value ? [table.value] : [];
  const deputyTable = await getDeputyTable(store);
  if (!deputyTable.ok) return deputyTable;
  const deputies: DeputyTable[] = [deputyTable.value];
  for (const peer of await store.peers()) {
    if (peer.removedAt !== null || peer.code === code) continue;
    const peerCa = parseCertificate(peer.caPem);
    // Checked when it was added; a row that no longer parses is left out rather than failing all trust.
    if (!peerCa.ok) continue;
    cas.push(peerCa.value);
    for (const serial of peer.revokedSerials) revoked.push({ ca: peerCa.value, serial });
    if (peer.delegation) {
      const t = parseJsonTable(peer.delegation);
      if (t && t.agency === peer.code) delegation.push(t);
    }
  }
  return ok(new TrustStore({ cas, revoked, bindings, boundOnly, delegation, deputies }));
}

function parseJsonTable(text: string): DelegationTable | undefined {
  try {
    const t = parseDelegationTable(JSON.parse(text) as unknown);
    return t.ok ? t.value : undefined;
  } catch {
    return undefined;
  }
}

function issuerAmong(cas: x509.X509Certificate[], cert: x509.X509Certificate): x509.X509Certificate | undefined {
  return cas.find((c) => c.subject === cert.issuer);
}

function sameCert(a: x509.X509Certificate, b: x509.X509Certificate): boolean {
  return Buffer.from(a.rawData).equals(Buffer.from(b.rawData));
}

/** The certificate row holding exactly this DER (base64), if this agency issued or registered it. */
export async function findCertificateRow(store: Store, certBase64: string, person?: string): Promise<CertificateRow | undefined> {
  // Narrow by person when the certificate names one (issued certificates carry UID); otherwise scan.
  if (person !== undefined) {
    const hit = (await store.certificates(person as CertificateRow["person"])).find((r) => r.cert === certBase64);
    if (hit) return hit;
  }
  return (await store.certificates()).find((r) => r.cert === certBase64);
}
