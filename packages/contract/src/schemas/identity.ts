// Login, enrollment, the session and the agency's public facts (sync-server identity/, http/identity-routes.ts).
import { z } from "zod";
import { ROLES } from "@countersign/crdt-model";
import { agencyCode, certificateSerial, personId, unitId } from "../ids.ts";

export const role = z.enum(ROLES);

/** GET /api/agency: what the app pins before enrolling or logging in. */
export const agencyInfo = z.object({
  code: agencyCode,
  name: z.string(),
  /** The agency CA certificate, PEM: what every signature in this agency chains to. */
  ca: z.string(),
  /** The public key receipts are signed with, PEM. */
  receiptKey: z.string(),
});

/** Who is logged in. Unit, level and roles are the directory's now, not the token's. */
export const session = z.object({
  person: personId,
  unit: unitId,
  roles: z.array(role),
  level: z.number().int(),
  agency: agencyCode,
  /** Serial (lower-case hex) of the certificate the session was opened with. */
  cert: z.string(),
  /** ISO 8601. */
  expiresAt: z.string(),
});

export const challenge = z.object({ nonce: z.string(), expiresAt: z.string() });

export const loginRequest = z.object({ nonce: z.string(), certificate: z.string(), signature: z.string(), alg: z.string() }).strict();
export const loginAnswer = z.object({ token: z.string(), session });

export const enrollRequest = z.object({ code: z.string().max(64), csr: z.string().max(20000) }).strict();

/** Who a certificate speaks for (crdt-model SignerProfile). */
export const signerProfile = z.object({
  v: z.literal(1),
  agency: agencyCode,
  unit: unitId,
  person: personId,
  name: z.string(),
  level: z.number().int(),
  roles: z.array(role),
});

export const enrolled = z.object({ certificatePem: z.string(), caPem: z.string(), serial: z.string(), profile: signerProfile });

/** A single-use ticket for opening one WebSocket (the login token stays out of URLs). */
export const ticket = z.object({ ticket: z.string(), expiresAt: z.string() });

export const serialParams = z.object({ serial: certificateSerial });
export const revoked = z.object({ revoked: z.string() });

/** GET /api/demo: only a data directory made by `countersign demo` has it. */
export const demoPerson = z.object({
  person: z.string(),
  name: z.string(),
  roles: z.array(role),
  code: z.string(),
  unit: z.string().nullable(),
  unitName: z.string().nullable(),
});
export const demoListing = z.object({
  agency: z.object({ code: z.string(), name: z.string() }),
  people: z.array(demoPerson),
  /** Where the demo peer's envelope file is (GET /api/demo/envelope), or null. */
  envelope: z.string().nullable(),
});
