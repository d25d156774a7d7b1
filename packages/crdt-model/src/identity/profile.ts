import { z } from "zod";
import * as asn1js from "asn1js";
import { canonicalJson } from "../canonical.ts";
import type { AgencyCode, PersonId, UnitId } from "../ids.ts";
import { agencyCodeSchema, personIdSchema, unitIdSchema } from "../schema/metadata.ts";
import { fail, ok, type Result } from "../result.ts";
import { fromUtf8, own, utf8 } from "../bytes.ts";

/** The seven roles of the brief. */
export const ROLES = ["mail-room", "registry", "case-officer", "supervisor", "archives", "follow-up", "admin"] as const;
export type Role = (typeof ROLES)[number];
export const ROLE_LABELS: Record<Role, string> = {
  "mail-room": "收發文",
  registry: "登記桌",
  "case-officer": "承辦人",
  supervisor: "主管",
  archives: "檔案管理",
  "follow-up": "稽催管制",
  admin: "系統管理",
};

/**
 * Who a certificate speaks for. It travels inside the certificate (a non-critical extension under a
 * private UUID arc, so outside tools ignore it), which is what lets any replica check "is this signer
 * assigned to that step" offline from the document and the trusted CAs alone.
 */
export interface SignerProfile {
  v: 1;
  agency: AgencyCode;
  unit: UnitId;
  person: PersonId;
  name: string;
  /** Larger is higher office; compared with the delegation table's decision level. */
  level: number;
  roles: Role[];
}

/** OID of the profile extension: 2.25 (UUID-derived, no registration needed) + a fixed UUID. */
export const PROFILE_EXTENSION_OID = "2.25.155036644034253237856341282456465028807";

export const signerProfileSchema = z
  .object({
    v: z.literal(1),
    agency: agencyCodeSchema,
    unit: unitIdSchema,
    person: personIdSchema,
    name: z.string().min(1).max(100),
    level: z.number().int().min(1).max(20),
    roles: z.array(z.enum(ROLES)).max(ROLES.length),
  })
  .strict();

export function parseProfile(input: unknown): Result<SignerProfile> {
  const r = signerProfileSchema.safeParse(input);
  return r.success ? ok(r.data as SignerProfile) : fail(`The signer profile is malformed: ${r.error.issues[0]?.message ?? "invalid"}.`);
}

/** DER of the extension value: a UTF8String holding the profile's canonical JSON. */
export function encodeProfileExtension(p: SignerProfile): Uint8Array<ArrayBuffer> {
  const json = canonicalJson({ ...p, roles: [...p.roles].sort() });
  return own(new Uint8Array(new asn1js.Utf8String({ value: fromUtf8(utf8(json)) }).toBER(false)));
}

export function decodeProfileExtension(der: ArrayBuffer): Result<SignerProfile> {
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Utf8String))
    return fail("The signer profile extension is not a UTF8String.");
  try {
    return parseProfile(JSON.parse(parsed.result.valueBlock.value));
  } catch {
    return fail("The signer profile extension does not hold JSON.");
  }
}
