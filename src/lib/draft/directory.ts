// The agency directory as the plan builder needs it: people (with their levels), units, deputies
// (職務代理人), the agencies we exchange with, and the delegation table. Fetched from the agency
// server when it answers and kept in the local store's meta table, so a routing plan can be built
// offline from what was last seen.
import { parseDelegationTable, type DelegationTable } from "@countersign/crdt-model";
import { ApiError, fetchDelegation, fetchDeputies, fetchPeers, fetchPeople, fetchUnits, type AuthedCall } from "$lib/api/client.ts";
import type { LocalStore } from "$lib/local/local-store.ts";

export interface DirPerson {
  id: string;
  name: string;
  unit: string;
  level: number;
  roles: string[];
  active: boolean;
}

export interface DirUnit {
  id: string;
  name: string;
  parent: string | null;
}

export interface DirDeputy {
  principal: string;
  deputy: string;
  from: string;
  until: string;
}

/** Another agency this one exchanges envelopes with (its code, and its name when known). */
export interface DirAgency {
  code: string;
  name: string;
}

export interface Directory {
  people: DirPerson[];
  units: DirUnit[];
  deputies: DirDeputy[];
  agencies: DirAgency[];
  delegation: DelegationTable | null;
  /** When the directory was last fetched from the server (ISO), or null when never. */
  fetchedAt: string | null;
  /** False when the server could not be asked and this is the cached copy. */
  fresh: boolean;
}

const CACHE_KEY = "directory";

const str = (v: unknown): v is string => typeof v === "string" && v.length > 0;

/** People as the server lists them; entries of an unexpected shape are skipped, never trusted. */
export function readPeople(raw: unknown): DirPerson[] {
  if (!Array.isArray(raw)) return [];
  const out: DirPerson[] = [];
  for (const p of raw as Record<string, unknown>[]) {
    if (!p || !str(p.id) || !str(p.name) || !str(p.unit) || typeof p.level !== "number") continue;
    out.push({ id: p.id, name: p.name, unit: p.unit, level: p.level, roles: Array.isArray(p.roles) ? p.roles.filter(str) : [], active: p.active !== false });
  }
  return out;
}

export function readUnits(raw: unknown): DirUnit[] {
  if (!Array.isArray(raw)) return [];
  const out: DirUnit[] = [];
  for (const u of raw as Record<string, unknown>[]) if (u && str(u.id) && str(u.name)) out.push({ id: u.id, name: u.name, parent: str(u.parent) ? u.parent : null });
  return out;
}

export function readDeputies(raw: unknown): DirDeputy[] {
  if (!Array.isArray(raw)) return [];
  const out: DirDeputy[] = [];
  for (const d of raw as Record<string, unknown>[])
    if (d && str(d.principal) && str(d.deputy) && str(d.from) && str(d.until)) out.push({ principal: d.principal, deputy: d.deputy, from: d.from, until: d.until });
  return out;
}

/**
 * The exchange peers (`GET /api/exchange/peers`: `{ agency, peers: [{ code, name, … }] }`). Read
 * leniently — also a bare list (what the offline cache keeps), or objects naming the code as `agency`.
 */
export function readAgencies(raw: unknown): DirAgency[] {
  const wrapped = raw && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
  const list = Array.isArray(raw) ? raw : Array.isArray(wrapped?.peers) ? wrapped.peers : wrapped ? (Object.values(wrapped).find(Array.isArray) ?? []) : [];
  const out = new Map<string, DirAgency>();
  for (const a of list as Record<string, unknown>[]) {
    if (!a || typeof a !== "object") continue;
    const code = str(a.code) ? a.code : str(a.agency) ? a.agency : null;
    if (code && !out.has(code)) out.set(code, { code, name: str(a.name) ? a.name : code });
  }
  return [...out.values()];
}

/** A server older than the deputies or exchange endpoints answers 404: that is "none", not a failure. */
async function optional<T>(p: Promise<T>, none: T): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return none;
    throw e;
  }
}

function readTable(raw: unknown): DelegationTable | null {
  const t = raw ? parseDelegationTable(raw) : null;
  return t?.ok ? t.value : null;
}

/**
 * The directory: from the server when it answers (then cached), else the cached copy. Without a
 * delegation table of its own, the cached directory falls back to the one batch sync keeps for
 * offline verification (meta "delegation").
 */
export async function loadDirectory(store: LocalStore, call: AuthedCall | null): Promise<Directory> {
  if (call) {
    try {
      const [people, units, delegation, deputies, agencies] = await Promise.all([
        fetchPeople(call),
        fetchUnits(call),
        fetchDelegation(call),
        optional(fetchDeputies(call), []),
        optional(fetchPeers(call), []),
      ]);
      const dir: Directory = {
        people: readPeople(people),
        units: readUnits(units),
        deputies: readDeputies(deputies),
        agencies: readAgencies(agencies),
        delegation: readTable(delegation),
        fetchedAt: new Date().toISOString(),
        fresh: true,
      };
      await store.db.setMeta(CACHE_KEY, JSON.stringify({ ...dir, fresh: undefined }));
      return dir;
    } catch {
      // Offline or the server failed: fall through to the cached directory.
    }
  }
  const raw = await store.db.getMeta(CACHE_KEY);
  const cached = raw ? (JSON.parse(raw) as Partial<Directory>) : {};
  const syncedTable = await store.db.getMeta("delegation");
  return {
    people: readPeople(cached.people),
    units: readUnits(cached.units),
    deputies: readDeputies(cached.deputies),
    agencies: readAgencies(cached.agencies),
    delegation: readTable(cached.delegation) ?? readTable(syncedTable ? (JSON.parse(syncedTable) as unknown) : null),
    fetchedAt: typeof cached.fetchedAt === "string" ? cached.fetchedAt : null,
    fresh: false,
  };
}
