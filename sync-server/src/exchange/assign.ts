import { fail, ok, type DocId, type PersonId, type Code, type Result } from "@countersign/crdt-model";
import type { Assignment, Store } from "../storage/types.ts";

export const ASSIGN_REFUSALS = {
  noDoc: (doc: string) => `There is no document ${doc} here.`,
  noPerson: (person: string) => `There is no person ${person} in the directory.`,
  inactive: (person: string) => `${person} is no longer active.`,
  notRegistry: (person: string) => `${person} does not hold the registry (登記桌) role, which assigns incoming documents.`,
} as const;

/** Each refusal's code: the class the app explains and a caller decides by (the sentence keeps the detail). */
export const ASSIGN_CODES = {
  noDoc: "exchange.no-doc",
  noPerson: "directory.no-person",
  inactive: "directory.person-inactive",
  notRegistry: "assign.not-registry",
} as const satisfies Record<keyof typeof ASSIGN_REFUSALS, Code>;

/**
 * 分文: the registry desk (登記桌) assigns a document another agency sent us to one of our officers.
 * The assigner must hold the registry role and be active; the officer must exist and be active.
 * The latest assignment is the current one (改分 is simply another assignment).
 */
export async function assign(store: Store, o: { doc: DocId; person: PersonId; by: PersonId; envelope?: string | null; at: Date }): Promise<Result<Assignment>> {
  if (!(await store.hasDoc(o.doc))) return fail(ASSIGN_CODES.noDoc, ASSIGN_REFUSALS.noDoc(o.doc));
  const by = await store.person(o.by);
  if (!by) return fail(ASSIGN_CODES.noPerson, ASSIGN_REFUSALS.noPerson(o.by));
  if (!by.active) return fail(ASSIGN_CODES.inactive, ASSIGN_REFUSALS.inactive(o.by));
  if (!by.roles.includes("registry")) return fail(ASSIGN_CODES.notRegistry, ASSIGN_REFUSALS.notRegistry(o.by));
  const person = await store.person(o.person);
  if (!person) return fail(ASSIGN_CODES.noPerson, ASSIGN_REFUSALS.noPerson(o.person));
  if (!person.active) return fail(ASSIGN_CODES.inactive, ASSIGN_REFUSALS.inactive(o.person));
  const envelope = o.envelope !== undefined ? o.envelope : ((await store.exchanges({ doc: o.doc, direction: "in", limit: 20 })).find((r) => r.status === "imported")?.envelope ?? null);
  const a: Assignment = { doc: o.doc, person: o.person, by: o.by, at: o.at.toISOString(), envelope };
  await store.putAssignment(a);
  return ok(a);
}
