import { z } from "zod";
import type { AgencyCode, PersonId, UnitId } from "../ids.ts";
import { agencyCodeSchema, personIdSchema, unitIdSchema } from "../schema/metadata.ts";
import { fail, ok, type Result } from "../result.ts";
import { issueSentence } from "../schema/reason.ts";

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
 * Who a certificate speaks for. It travels in the certificate's subject name, in standard attribute
 * types (readable with `openssl x509 -text`), which is what lets any replica check "is this signer
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

/** Standard attribute types the profile is written with in the certificate's subject name. */
export const OID_UID = "0.9.2342.19200300.100.1.1"; // person id
export const OID_TITLE = "2.5.4.12"; // level, as a decimal number
export const OID_ROLE = "2.5.4.72"; // one attribute per role (X.520 role)

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
  return r.success ? ok(r.data as SignerProfile) : fail("cert.profile", issueSentence("The signer profile", r.error));
}

/** The subject name that carries a profile: CN name, UID person, title level, role…, OU unit, O agency. */
export function profileSubject(p: SignerProfile): Record<string, string[]>[] {
  return [
    { CN: [p.name] },
    { [OID_UID]: [p.person] },
    { [OID_TITLE]: [String(p.level)] },
    ...[...p.roles].sort().map((r) => ({ [OID_ROLE]: [r] })),
    { OU: [p.unit] },
    { O: [p.agency] },
  ];
}

/** Reads a profile back from a subject name's fields (see `profileSubject`). */
export function profileFromFields(field: (oid: string) => string[]): Result<SignerProfile> {
  const one = (oid: string, what: string): Result<string> => {
    const v = field(oid);
    return v.length === 1 ? ok(v[0]!) : fail("cert.profile", `The certificate's subject must name exactly one ${what}.`);
  };
  const name = one("CN", "common name");
  if (!name.ok) return name;
  const person = one(OID_UID, "person (UID)");
  if (!person.ok) return person;
  const level = one(OID_TITLE, "level (title)");
  if (!level.ok) return level;
  const unit = one("OU", "unit (OU)");
  if (!unit.ok) return unit;
  const agency = one("O", "agency (O)");
  if (!agency.ok) return agency;
  if (!/^\d{1,2}$/.test(level.value)) return fail("cert.profile", "The certificate's level (title) is not a number.");
  return parseProfile({
    v: 1,
    agency: agency.value,
    unit: unit.value,
    person: person.value,
    name: name.value,
    level: Number(level.value),
    roles: field(OID_ROLE),
  });
}
