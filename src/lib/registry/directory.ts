// The directory as the registry desk reads it (GET /api/people and /api/units): people and units,
// entries of an unexpected shape skipped rather than trusted.

export interface DeskPerson {
  id: string;
  name: string;
  unit: string;
  roles: string[];
  active: boolean;
}

export interface DeskUnit {
  id: string;
  name: string;
}

const str = (v: unknown): v is string => typeof v === "string" && v !== "";

/** People and units as the server lists them; entries of another shape are skipped. */
export function readDirectory(people: unknown, units: unknown): { people: DeskPerson[]; units: DeskUnit[] } {
  const ps: DeskPerson[] = [];
  for (const p of Array.isArray(people) ? (people as Record<string, unknown>[]) : [])
    if (p && str(p.id) && str(p.name) && str(p.unit))
      ps.push({ id: p.id, name: p.name, unit: p.unit, roles: Array.isArray(p.roles) ? p.roles.filter(str) : [], active: p.active !== false });
  const us: DeskUnit[] = [];
  for (const u of Array.isArray(units) ? (units as Record<string, unknown>[]) : []) if (u && str(u.id) && str(u.name)) us.push({ id: u.id, name: u.name });
  return { people: ps, units: us };
}
