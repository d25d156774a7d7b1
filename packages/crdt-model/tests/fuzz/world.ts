import { readFileSync } from "node:fs";
import { p256 } from "@noble/curves/nist.js";
import { parseCertificate, type Signer } from "../../src/identity/certs.ts";
import { profileFromCertificate } from "../../src/identity/certs.ts";
import { TrustStore } from "../../src/identity/trust.ts";
import { fromHex } from "../../src/bytes.ts";
import type { DelegationTable } from "../../src/routing/delegation.ts";
import type { DeputyTable } from "../../src/routing/deputies.ts";
import { asPersonId } from "../../src/ids.ts";
import type { SampleAgency } from "../../src/sample/agency.ts";

export { Rng } from "../support/rng.ts";

interface Fixture {
  ca: string;
  delegation: DelegationTable;
  people: Record<string, { cert: string; sk: string }>;
}

/**
 * The fixed agency of fixture-agency.json with deterministic (RFC 6979) ECDSA signers: same seed,
 * same signatures, same entry ids — so a failing seed reproduces exactly.
 */
export function fixtureAgency(): { agency: SampleAgency; trust: TrustStore } {
  const fx = JSON.parse(readFileSync(new URL("./fixture-agency.json", import.meta.url), "utf8")) as Fixture;
  const ca = parseCertificate(fx.ca);
  if (!ca.ok) throw new Error(ca.reason);
  const signers: Record<string, Signer> = {};
  for (const [role, p] of Object.entries(fx.people)) {
    const cert = parseCertificate(p.cert);
    if (!cert.ok) throw new Error(cert.reason);
    const profile = profileFromCertificate(cert.value);
    if (!profile.ok) throw new Error(profile.reason);
    const sk = fromHex(p.sk);
    signers[role] = {
      profile: profile.value,
      cert: cert.value,
      certDer: new Uint8Array(cert.value.rawData),
      alg: "ES256",
      sign: async (data) => p256.sign(data, sk),
    };
  }
  // The deputy director acts for the director under the agency's deputy table (not the plan's list).
  const deputies: DeputyTable = {
    v: 1,
    agency: fx.delegation.agency,
    deputies: [{ principal: asPersonId("P-DIRECTOR"), deputy: asPersonId("P-DEPUTY"), from: "2020-01-01T00:00:00.000Z", until: "2099-12-31T23:59:59.000Z" }],
  };
  const agency = { ...signers, delegation: fx.delegation, deputies, ca: { agency: fx.delegation.agency, cert: ca.value } } as unknown as SampleAgency;
  return { agency, trust: new TrustStore({ cas: [ca.value], delegation: [fx.delegation], deputies: [deputies] }) };
}
