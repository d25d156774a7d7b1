// Administration in the app (/admin): editing people, their enrollment codes and certificates, ending
// a deputy arrangement, the federation trust list and the audit log (sync-server http/admin-routes.ts;
// who may do what is decided by the server's directory rules, never by these schemas).
import { z } from "zod";
import { agencyCode, personId } from "../ids.ts";
import { person, deputy } from "./directory.ts";
import { role } from "./identity.ts";

const id = z.string().min(1).max(128);

export const personParams = z.object({ id });
/** What may change of a person; fields left out stay as they are. An empty or null e-mail clears it. */
export const personEdit = z
  .object({
    name: z.string().min(1).max(100).optional(),
    unit: id.optional(),
    level: z.number().int().min(1).max(20).optional(),
    roles: z.array(role).optional(),
    email: z.string().max(254).nullable().optional(),
    active: z.boolean().optional(),
  })
  .strict();
export const personEdited = person;

/** A new one-time enrollment code, to hand to the person (the server keeps only its hash). */
export const enrollmentCode = z.object({ person: personId, code: z.string(), expiresAt: z.string() });

export const certificateSummary = z.object({
  serial: z.string(),
  issuedAt: z.string(),
  revokedAt: z.string().nullable(),
  origin: z.enum(["issued", "registered"]),
});
export const personCertificates = z.object({ certificates: z.array(certificateSummary) });

/** Ends a deputy arrangement early; it is named by its principal, deputy and start. */
export const deputyEnd = z.object({ principal: id, deputy: id, from: z.string().max(64) }).strict();
export const deputyEnded = deputy;

// ---- the federation trust list ------------------------------------------------------------------

export const trustPeer = z.object({
  code: agencyCode,
  name: z.string(),
  /** SHA-256 of the CA certificate's DER, lower-case hex. */
  fingerprint: z.string(),
  url: z.string().nullable(),
  /** Whether the peer sent its delegation table. */
  delegation: z.boolean(),
  revokedSerials: z.array(z.string()),
  addedAt: z.string(),
  removedAt: z.string().nullable(),
});
export const trustList = z.object({ peers: z.array(trustPeer) });
export const trustParams = z.object({ code: z.string().min(1).max(64) });

const pem = z.string().min(1).max(64 * 1024);
export const trustPreviewRequest = z.object({ pem }).strict();
/** What the pasted CA certificate says, to confirm by its fingerprint before adding it. */
export const trustPreview = z.object({ code: agencyCode, name: z.string(), fingerprint: z.string(), notAfter: z.string() });
export const trustAddRequest = z
  .object({
    pem,
    /** The fingerprint the administrator confirmed (hex, colons and case ignored): the add is refused unless it is the certificate's. */
    fingerprint: z.string().min(1).max(200),
    url: z.string().max(2048).nullable().optional(),
  })
  .strict();
export const trustRevokeRequest = z.object({ serials: z.array(z.string().min(1).max(80)).min(1).max(1000) }).strict();

// ---- the audit log (稽核紀錄) -----------------------------------------------------------------------

export const auditQuery = z.object({
  /** Only rows older than this seq: the `next` of the previous page. */
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});
export const auditEntry = z.object({
  seq: z.number().int(),
  at: z.string(),
  /** "person:ID", or "system" for the command line. */
  actor: z.string(),
  /** A stable key: "person.add", "delegation.set", … */
  action: z.string(),
  target: z.string(),
  /** JSON text of the value before and after the change, or null. */
  before: z.string().nullable(),
  after: z.string().nullable(),
});
export const auditPage = z.object({ entries: z.array(auditEntry), next: z.number().int().nullable() });
