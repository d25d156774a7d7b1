// The agency's directory: units, people, deputies (職務代理人), the delegation table (分層負責) and the
// roles the registry desk may grant (sync-server directory/, http/directory-routes.ts).
import { z } from "zod";
import { agencyCode, personId, unitId } from "../ids.ts";
import { role } from "./identity.ts";

/** Ids in directory requests: any 1–128 characters here; the directory checks them with the model's rule. */
const id = z.string().min(1).max(128);

export const unit = z.object({ id: unitId, name: z.string(), parent: unitId.nullable() });
export const units = z.object({ units: z.array(unit) });
export const unitRequest = z.object({ id, name: z.string().min(1).max(200), parent: id.nullable().optional() }).strict();

export const person = z.object({
  id: personId,
  name: z.string(),
  unit: unitId,
  level: z.number().int(),
  roles: z.array(role),
  active: z.boolean(),
  /** Absent when none is known. */
  email: z.string().nullable().optional(),
});
export const people = z.object({ people: z.array(person) });
export const personRequest = z
  .object({ id, name: z.string().min(1).max(100), unit: id, level: z.number().int().min(1).max(20), roles: z.array(role), email: z.string().max(254).nullable().optional() })
  .strict();
/** A person added, and their first one-time enrollment code (handed to them in person). */
export const personAdded = z.object({
  person,
  enrollment: z.object({ person: personId, code: z.string(), expiresAt: z.string() }),
});

export const registryRoles = z.object({ roles: z.array(role) });
export const registryRolesRequest = z.object({ roles: z.array(z.string().max(32)).max(16) }).strict();

export const deputy = z.object({ principal: personId, deputy: personId, from: z.string(), until: z.string() });
export const deputies = z.object({ deputies: z.array(deputy) });
export const deputyRequest = z.object({ principal: id, deputy: id, from: z.string(), until: z.string() }).strict();
/** The whole deputy table (ended arrangements too): what replicas verify deputies' signatures with. */
export const deputyTable = z.object({ v: z.literal(1), agency: agencyCode, deputies: z.array(deputy) });
export const deputyTableAnswer = z.object({ table: deputyTable });

/** The delegation table (crdt-model DelegationTable); the server checks it with the model's parser. */
export const delegationTable = z.object({
  v: z.literal(1),
  agency: agencyCode,
  levels: z.array(z.object({ level: z.number().int(), title: z.string() })),
  rules: z.array(z.object({ category: z.string(), level: z.number().int() })),
  defaultLevel: z.number().int(),
});
export const delegationAnswer = z.object({ delegation: delegationTable.nullable() });
