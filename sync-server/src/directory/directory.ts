import {
  type AgencyCode,
  asPersonId,
  asUnitId,
  type DelegationTable,
  type DeputyTable,
  fail,
  isPersonId,
  ok,
  parseAgencyCode,
  parseDelegationTable,
  parseDeputyTable,
  parsePersonId,
  parseProfile,
  parseUnitId,
  type PersonId,
  type Result,
  type Role,
  ROLES,
  type SignerProfile,
  type UnitId,
} from "@countersign/crdt-model";
import type { AuditRecord, DeputyRow, Person, Store, Unit } from "../storage/types.ts";
import type { Session } from "../identity/session.ts";
import { SETTINGS } from "../storage/settings.ts";
import { audit } from "./audit.ts";

/**
 * The agency's directory: units (a tree), people, deputies and the delegation table (分層負責明細表).
 * Every change names who acts: a logged-in `Session`, or `{ system: true }` for the command line run
 * by the machine's administrator (whoever can run it can read the database file anyway).
 *
 * Who may change what: an administrator (role admin) anything; the registry desk (role registry)
 * may add and edit people of its own unit only, and never grant the administrator role.
 * Every change is written to the audit log (audit.ts) right after it is stored.
 */
export type Actor = Session | { system: true };

export function isAdmin(actor: Actor): boolean {
  return "system" in actor || actor.roles.includes("admin");
}

/** Whether the actor may manage people of `unit` (add them, hand out their enrollment codes). */
export function mayManagePeopleOf(actor: Actor, unit: UnitId): boolean {
  if (isAdmin(actor)) return true;
  return "person" in actor && actor.roles.includes("registry") && actor.unit === unit;
}

const NOT_ADMIN = "Only an administrator may change the directory.";
const OTHER_UNIT = "The registry desk may manage its own unit's people only.";

/** The audit log, newest first (administrators only): `before` a seq for the next page. */
export async function listAudit(store: Store, actor: Actor, q: { before?: number; limit?: number } = {}): Promise<Result<AuditRecord[]>> {
  if (!isAdmin(actor)) return fail("directory.not-admin", "Only an administrator may read the audit log.");
  return ok(await store.auditLog(q));
}

// ---- units -------------------------------------------------------------------------------------

export interface UnitInput {
  id: string;
  name: string;
  parent?: string | null;
}

/** Adds a unit or changes one (name, parent); refuses an unknown parent and any cycle. */
export async function saveUnit(store: Store, actor: Actor, input: UnitInput): Promise<Result<Unit>> {
  if (!isAdmin(actor)) return fail("directory.not-admin", NOT_ADMIN);
  const id = parseUnitId(input.id);
  if (!id.ok) return id;
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100) return fail("directory.name", "A unit needs a name of 1 to 100 characters.");
  const units = new Map((await store.units()).map((u) => [u.id as string, u]));
  const parent = input.parent ?? null;
  if (parent !== null) {
    if (!units.has(parent)) return fail("directory.no-unit", `The parent unit ${parent} does not exist.`);
    // Walk up from the new parent: meeting the unit itself means the move would close a loop.
    const seen = new Set<string>();
    for (let at: string | null = parent; at !== null; at = units.get(at)?.parent ?? null) {
      if (at === input.id) return fail("directory.unit-cycle", "A unit cannot be placed under itself or one of its own sub-units.");
      if (seen.has(at)) break; // a loop already stored (should not happen); do not spin
      seen.add(at);
    }
  }
  const unit: Unit = { id: id.value, name, parent: parent === null ? null : asUnitId(parent) };
  const before = units.get(id.value) ?? null;
  await store.putUnit(unit);
  await audit(store, actor, before ? "unit.edit" : "unit.add", unit.id, before, unit);
  return ok(unit);
}

/** Adds a new unit; an existing id is refused rather than silently renamed or moved. */
export async function addUnit(store: Store, actor: Actor, input: UnitInput): Promise<Result<Unit>> {
  if (!isAdmin(actor)) return fail("directory.not-admin", NOT_ADMIN);
  if ((await store.units()).some((u) => u.id === input.id)) return fail("directory.exists", `A unit with the id ${input.id} already exists.`);
  return saveUnit(store, actor, input);
}

export async function listUnits(store: Store): Promise<Unit[]> {
  return store.units();
}

// ---- people ------------------------------------------------------------------------------------

export interface PersonInput {
  id: string;
  name: string;
  unit: string;
  level: number;
  roles: string[];
  /** Where to reach the person; empty or null: none. */
  email?: string | null;
}

async function agencyCode(store: Store): Promise<Result<AgencyCode>> {
  const code = await store.getSetting(SETTINGS.code);
  if (!code) return fail("agency.not-initialized", "The agency has not been initialized (run countersign init).");
  const parsed = parseAgencyCode(code);
  return parsed.ok ? parsed : fail("agency.damaged", `The agency's stored code is damaged: ${parsed.reason}`, parsed);
}

/**
 * A person as the signer profile their certificate will carry. Validating through crdt-model's
 * profile schema keeps the directory and the certificates to one rule for ids, names and levels.
 */
export function profileOf(agency: AgencyCode, p: Pick<Person, "id" | "name" | "unit" | "level" | "roles">): Result<SignerProfile> {
  return parseProfile({ v: 1, agency, unit: p.unit, person: p.id, name: p.name, level: p.level, roles: [...p.roles] });
}

function checkRoles(roles: string[]): Result<Role[]> {
  const known = ROLES as readonly string[];
  const bad = roles.find((r) => !known.includes(r));
  if (bad !== undefined) return fail("directory.role", `The role "${bad}" is not one of ${ROLES.join(", ")}.`);
  return ok([...new Set(roles)] as Role[]);
}

/** An e-mail address as kept: trimmed, null when empty; refused unless it looks like one address. */
function checkEmail(email: string | null | undefined): Result<string | null> {
  const e = (email ?? "").trim();
  if (e === "") return ok(null);
  if (e.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) return fail("directory.email", `"${e}" is not an e-mail address.`);
  return ok(e);
}

async function validPerson(store: Store, input: PersonInput, active: boolean): Promise<Result<Person>> {
  const code = await agencyCode(store);
  if (!code.ok) return code;
  const email = checkEmail(input.email);
  if (!email.ok) return email;
  if (!Number.isInteger(input.level) || input.level < 1 || input.level > 20) return fail("directory.level", "A person's level must be a whole number from 1 to 20.");
  const roles = checkRoles(input.roles);
  if (!roles.ok) return roles;
  const units = await store.units();
  if (!units.some((u) => u.id === input.unit)) return fail("directory.no-unit", `The unit ${input.unit} does not exist.`);
  const id = parsePersonId(input.id);
  if (!id.ok) return id;
  const person: Person = { id: id.value, name: input.name.trim(), unit: asUnitId(input.unit), level: input.level, roles: roles.value, active, ...(email.value ? { email: email.value } : {}) };
  const profile = profileOf(code.value, person);
  if (!profile.ok) return profile;
  return ok(person);
}

/** What the desk may grant unless the agency says otherwise: it registers officers, nothing more. */
export const DEFAULT_REGISTRY_GRANTABLE: readonly Role[] = ["case-officer"];

/** The roles the registry desk may grant (the agency's setting, or the default). */
export async function registryGrantableRoles(store: Store): Promise<Role[]> {
  const text = await store.getSetting(SETTINGS.registryGrantableRoles);
  if (text === undefined) return [...DEFAULT_REGISTRY_GRANTABLE];
  try {
    const list = JSON.parse(text) as unknown;
    if (Array.isArray(list)) return list.filter((r): r is Role => (ROLES as readonly string[]).includes(r) && r !== "admin");
  } catch {
    // a damaged setting grants nothing beyond the default
  }
  return [...DEFAULT_REGISTRY_GRANTABLE];
}

/**
 * Why a registry desk may not act for this person (add them, hand out their enrollment code), or
 * undefined when it may (and always for an administrator): a level above its own, or a role the
 * agency does not let it grant.
 */
export async function beyondRegistryReach(store: Store, actor: Actor, p: { level: number; roles: readonly string[] }): Promise<string | undefined> {
  if (isAdmin(actor) || !("level" in actor)) return undefined;
  if (p.level > actor.level) return `The registry desk may add people up to its own level (${actor.level}) only.`;
  const grantable = await registryGrantableRoles(store);
  const bad = p.roles.find((r) => !(grantable as string[]).includes(r));
  if (bad !== undefined) return `The registry desk may grant only the roles this agency lets it grant (${grantable.join(", ") || "none"}); "${bad}" needs an administrator.`;
  return undefined;
}

/** Sets which roles the registry desk may grant (administrators; never the administrator role). */
export async function setRegistryGrantableRoles(store: Store, actor: Actor, roles: string[]): Promise<Result<Role[]>> {
  if (!isAdmin(actor)) return fail("directory.not-admin", NOT_ADMIN);
  const checked = checkRoles(roles);
  if (!checked.ok) return checked;
  if (checked.value.includes("admin")) return fail("directory.not-permitted", "The registry desk can never grant the administrator role.");
  const before = await registryGrantableRoles(store);
  await store.setSetting(SETTINGS.registryGrantableRoles, JSON.stringify(checked.value));
  await audit(store, actor, "registry-roles.set", "registry", before, checked.value);
  return ok(checked.value);
}

/**
 * Adds a new person. The registry desk: only to its own unit, at most at its own level, and only
 * with the roles the agency lets it grant (never admin) — so a desk cannot mint a supervisor or a
 * level-20 person who would then decide documents.
 */
export async function addPerson(store: Store, actor: Actor, input: PersonInput): Promise<Result<Person>> {
  if (!isAdmin(actor) && !("person" in actor && actor.roles.includes("registry")))
    return fail("directory.not-permitted", "Only an administrator or a registry desk may add people.");
  const unit = parseUnitId(input.unit);
  if (!unit.ok) return unit;
  if (!mayManagePeopleOf(actor, unit.value)) return fail("directory.other-unit", "The registry desk may add people to its own unit only.");
  if (!isAdmin(actor) && input.roles.includes("admin")) return fail("directory.not-permitted", "Only an administrator may grant the administrator role.");
  const beyond = await beyondRegistryReach(store, actor, input);
  if (beyond) return fail("directory.not-permitted", beyond);
  const person = await validPerson(store, input, true);
  if (!person.ok) return person;
  if (await store.person(person.value.id)) return fail("directory.exists", `A person with the id ${input.id} already exists.`);
  await store.putPerson(person.value);
  await audit(store, actor, "person.add", person.value.id, null, person.value);
  return ok(person.value);
}

export type PersonChanges = Partial<Omit<PersonInput, "id">> & { active?: boolean };

/** Changes a person (name, unit, level, roles, e-mail, active); administrators only. */
export async function updatePerson(store: Store, actor: Actor, id: string, changes: PersonChanges): Promise<Result<Person>> {
  if (!isAdmin(actor)) return fail("directory.not-admin", NOT_ADMIN);
  return editPerson(store, actor, id, changes);
}

/**
 * Changes a person: an administrator anyone, anyhow; the registry desk only people of its own unit
 * whom it could have added (level up to its own, roles it may grant), keeping them in its unit and
 * within that reach — so the desk cannot promote anyone into deciding documents.
 */
export async function editPerson(store: Store, actor: Actor, id: string, changes: PersonChanges): Promise<Result<Person>> {
  if (!isAdmin(actor) && !("person" in actor && actor.roles.includes("registry")))
    return fail("directory.not-permitted", "Only an administrator or a registry desk may change people.");
  const current = await getPerson(store, id);
  if (!current) return fail("directory.no-person", `The person ${id} does not exist.`);
  const merged: PersonInput = {
    id,
    name: changes.name ?? current.name,
    unit: changes.unit ?? current.unit,
    level: changes.level ?? current.level,
    roles: changes.roles ?? current.roles,
    email: changes.email === undefined ? (current.email ?? null) : changes.email,
  };
  if (!isAdmin(actor)) {
    if (!mayManagePeopleOf(actor, current.unit) || !mayManagePeopleOf(actor, asUnitId(merged.unit))) return fail("directory.other-unit", OTHER_UNIT);
    if (merged.roles.includes("admin")) return fail("directory.not-permitted", "Only an administrator may grant the administrator role.");
    for (const p of [current, merged]) {
      const beyond = await beyondRegistryReach(store, actor, p);
      if (beyond) return fail("directory.not-permitted", beyond);
    }
  }
  const person = await validPerson(store, merged, changes.active ?? current.active);
  if (!person.ok) return person;
  await store.putPerson(person.value);
  await audit(store, actor, "person.edit", person.value.id, current, person.value);
  return ok(person.value);
}

export async function getPerson(store: Store, id: string): Promise<Person | undefined> {
  const p = parsePersonId(id);
  return p.ok ? store.person(p.value) : undefined;
}

export async function listPeople(store: Store, filter: { unit?: string } = {}): Promise<Person[]> {
  const all = await store.people();
  return filter.unit === undefined ? all : all.filter((p) => p.unit === filter.unit);
}

// ---- deputies (代理人) ---------------------------------------------------------------------------

export interface DeputyInput {
  principal: string;
  deputy: string;
  from: string;
  until: string;
}

const ISO_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** Records that `deputy` acts for `principal` from `from` until `until` (ISO 8601). */
export async function addDeputy(store: Store, actor: Actor, input: DeputyInput): Promise<Result<DeputyRow>> {
  if (!isAdmin(actor)) return fail("directory.not-admin", NOT_ADMIN);
  if (input.principal === input.deputy) return fail("directory.deputy", "A person cannot be their own deputy.");
  for (const id of [input.principal, input.deputy])
    if (!(await getPerson(store, id))) return fail("directory.no-person", `The person ${id} does not exist.`);
  if (!ISO_RE.test(input.from) || !ISO_RE.test(input.until)) return fail("directory.deputy", "A deputy's from and until must be ISO 8601 dates or times.");
  const from = new Date(input.from);
  const until = new Date(input.until);
  if (Number.isNaN(from.getTime()) || Number.isNaN(until.getTime())) return fail("directory.deputy", "A deputy's from and until must be real dates.");
  if (!(from < until)) return fail("directory.deputy", "A deputy's period must start before it ends.");
  // Stored normalized so that string comparison orders them (the relay compares times as text).
  const row: DeputyRow = { principal: asPersonId(input.principal), deputy: asPersonId(input.deputy), from: from.toISOString(), until: until.toISOString() };
  const before = (await store.deputies()).find((d) => d.principal === row.principal && d.deputy === row.deputy && d.from === row.from) ?? null;
  await store.putDeputy(row);
  await audit(store, actor, "deputy.add", `${row.principal}>${row.deputy}`, before, row);
  return ok(row);
}

/**
 * Ends an arrangement early (administrators): one in force ends now; one yet to come is shortened to
 * nothing, one millisecond, so it never holds a moment anyone signs in. The row stays in the table
 * with its shortened period: signatures its deputy made while it held still verify (getDeputyTable).
 */
export async function endDeputy(store: Store, actor: Actor, input: Omit<DeputyInput, "until">, now: Date = new Date()): Promise<Result<DeputyRow>> {
  if (!isAdmin(actor)) return fail("directory.not-admin", NOT_ADMIN);
  const from = new Date(input.from);
  const t = now.toISOString();
  const row = Number.isNaN(from.getTime())
    ? undefined
    : (await store.deputies()).find((d) => d.principal === input.principal && d.deputy === input.deputy && d.from === from.toISOString() && t < d.until);
  if (!row) return fail("directory.no-deputy", `No deputy arrangement of ${input.deputy} for ${input.principal} from ${input.from} is in force or to come.`);
  const until = row.from <= t ? t : new Date(Date.parse(row.from) + 1).toISOString();
  const ended: DeputyRow = { ...row, until: until > row.from ? until : new Date(Date.parse(row.from) + 1).toISOString() };
  await store.putDeputy(ended);
  await audit(store, actor, "deputy.end", `${row.principal}>${row.deputy}`, row, ended, now);
  return ok(ended);
}

/** The deputies acting for `principal` at `at`. */
export async function deputiesOf(store: Store, principal: PersonId, at: Date = new Date()): Promise<DeputyRow[]> {
  const t = at.toISOString();
  return (await store.deputies()).filter((d) => d.principal === principal && d.from <= t && t < d.until);
}

/**
 * Every deputy arrangement still in force or yet to come at `at`, for planning: a routing plan names
 * the deputies that may act for its assignees, so the plan builder needs the future ones too.
 */
export async function listDeputies(store: Store, at: Date = new Date()): Promise<DeputyRow[]> {
  const t = at.toISOString();
  return (await store.deputies()).filter((d) => t < d.until).sort((a, b) => a.from.localeCompare(b.from) || a.principal.localeCompare(b.principal));
}

/**
 * The whole deputy table, ended arrangements included, as every replica verifies with it (crdt-model's
 * DeputyTable, in the trust store): a deputy's signature made within his period must still verify
 * after it ended. A stored row that no longer validates is left out rather than failing all trust.
 */
export async function getDeputyTable(store: Store): Promise<Result<DeputyTable>> {
  const code = await agencyCode(store);
  if (!code.ok) return code;
  const rows = (await store.deputies()).filter((d) => isPersonId(d.principal) && isPersonId(d.deputy) && !Number.isNaN(Date.parse(d.from)) && !Number.isNaN(Date.parse(d.until)));
  return parseDeputyTable({ v: 1, agency: code.value, deputies: rows.map((d) => ({ principal: d.principal, deputy: d.deputy, from: d.from, until: d.until })) });
}

// ---- the delegation table (分層負責明細表) ---------------------------------------------------------

/** Replaces the delegation table; it must validate and name this agency. */
export async function setDelegation(store: Store, actor: Actor, input: unknown): Promise<Result<DelegationTable>> {
  if (!isAdmin(actor)) return fail("directory.not-admin", NOT_ADMIN);
  const code = await agencyCode(store);
  if (!code.ok) return code;
  const table = parseDelegationTable(input);
  if (!table.ok) return table;
  if (table.value.agency !== code.value) return fail("directory.delegation", `The delegation table names the agency ${table.value.agency}, not ${code.value}.`);
  const before = await getDelegation(store);
  await store.putDelegation(JSON.stringify(table.value));
  await audit(store, actor, "delegation.set", "delegation", before.ok ? (before.value ?? null) : null, table.value);
  return ok(table.value);
}

/** The stored delegation table, if any; a stored table that no longer validates is a refusal. */
export async function getDelegation(store: Store): Promise<Result<DelegationTable | undefined>> {
  const text = await store.delegation();
  if (text === undefined) return ok(undefined);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail("directory.damaged", "The stored delegation table is not JSON.");
  }
  return parseDelegationTable(json);
}
