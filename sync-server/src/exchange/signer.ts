import { asPersonId, asUnitId, signerFromKey, type Signer } from "@countersign/crdt-model";
import type { Agency } from "../identity/agency.ts";

/**
 * The agency itself as the signer of its envelopes: its CA key and certificate. A recipient checks
 * the signature with nothing but our CA certificate (`openssl cms -verify -CAfile our-ca.pem`), and
 * `openEnvelope` accepts a trusted agency CA as a sender in its own right (sender.profile null).
 *
 * The profile is never put in a certificate or sent: buildEnvelope reads only its agency, the
 * header's `from`. The other fields name the agency as a whole.
 */
export function agencySigner(agency: Agency): Signer {
  const profile = {
    v: 1 as const,
    agency: agency.code,
    unit: asUnitId("agency"),
    person: asPersonId("agency"),
    name: agency.name,
    level: 1,
    roles: ["mail-room" as const],
  };
  return signerFromKey(agency.ca.cert, profile, agency.ca.alg, agency.ca.keys.privateKey);
}
