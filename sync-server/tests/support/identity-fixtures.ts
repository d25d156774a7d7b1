// Shared by the identity, directory and CLI tests (not a test file itself).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asAgencyCode, asPersonId, asUnitId } from "@countersign/crdt-model";
import { openSqliteStore } from "../../src/storage/sqlite.ts";
import type { Store } from "../../src/storage/types.ts";
import { initAgency, loadAgency, type Agency } from "../../src/identity/agency.ts";
import type { Session } from "../../src/identity/session.ts";
import { x509 } from "../../src/identity/x509.ts";

export const PASSPHRASE = "correct horse battery staple";
export const AGENCY = "376420000A";

export function tempDir(prefix = "countersign-id-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function tempStore(): { store: Store; file: string; dir: string } {
  const dir = tempDir();
  const file = join(dir, "countersign.db");
  return { store: openSqliteStore(file), file, dir };
}

/** A fresh store with an initialized agency, a unit tree and a few people (no certificates). */
export async function agencyFixture(): Promise<{ store: Store; agency: Agency; file: string; dir: string }> {
  const t = tempStore();
  const init = await initAgency(t.store, { code: AGENCY, name: "臺南市政府教育局", passphrase: PASSPHRASE });
  if (!init.ok) throw new Error(init.reason);
  await t.store.putUnit({ id: asUnitId("root"), name: "教育局", parent: null });
  await t.store.putUnit({ id: asUnitId("edu-a"), name: "學務管理科", parent: asUnitId("root") });
  await t.store.putUnit({ id: asUnitId("edu-b"), name: "國小教育科", parent: asUnitId("root") });
  const person = (id: string, unit: string, level: number, roles: Session["roles"]) =>
    t.store.putPerson({ id: asPersonId(id), name: `姓名${id}`, unit: asUnitId(unit), level, roles, active: true });
  await person("admin", "root", 1, ["admin"]);
  await person("clerk-a", "edu-a", 1, ["registry"]);
  await person("officer-a", "edu-a", 1, ["case-officer"]);
  await person("chief-a", "edu-a", 3, ["supervisor"]);
  await person("officer-b", "edu-b", 1, ["case-officer"]);
  const agency = await loadAgency(t.store, PASSPHRASE);
  if (!agency.ok) throw new Error(agency.reason);
  return { ...t, agency: agency.value };
}

export function sessionOf(person: string, unit: string, roles: Session["roles"], level = 1): Session {
  return {
    person: asPersonId(person),
    unit: asUnitId(unit),
    roles,
    level,
    agency: asAgencyCode(AGENCY),
    cert: "00",
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
  };
}

export async function p256Keys(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
}

export async function csrPem(keys: CryptoKeyPair, alg: EcdsaParams | RsaHashedImportParams = { name: "ECDSA", hash: "SHA-256" }): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: "CN=whatever the requester says", keys, signingAlgorithm: alg });
  return csr.toString("pem");
}
