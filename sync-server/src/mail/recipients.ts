// Who gets mail, from the directory. Until the follow-up listing's own rule (sync-server/src/deadline/)
// is shared, the unit head is decided here the same documented way: the active supervisor(s) of the
// unit at the highest level found there (ties: all of them).
//
// What must stay true: only active people with an e-mail address get mail; a holder key that names a
// unit reaches that unit's head; an agency or a role no person here holds reaches nobody.
import type { Person, Unit } from "../storage/types.ts";

export class Recipients {
  private readonly byId: Map<string, Person>;
  readonly units: Map<string, Unit>;

  constructor(
    readonly people: Person[],
    units: Unit[],
  ) {
    this.byId = new Map(people.map((p) => [p.id, p]));
    this.units = new Map(units.map((u) => [u.id, u]));
  }

  person(id: string | null | undefined): Person | undefined {
    return id ? this.byId.get(id) : undefined;
  }

  name(id: string | null | undefined): string {
    return this.person(id)?.name ?? "";
  }

  unitName(id: string | null | undefined): string {
    return (id && this.units.get(id)?.name) || id || "";
  }

  /** The unit's head(s): its active supervisors at the highest level among them. */
  unitHeads(unit: string): Person[] {
    const sups = this.people.filter((p) => p.active && p.unit === unit && p.roles.includes("supervisor"));
    const top = Math.max(...sups.map((p) => p.level));
    return sups.filter((p) => p.level === top);
  }

  /** The follow-up officers (稽催管制), agency-wide. */
  followUpOfficers(): Person[] {
    return this.people.filter((p) => p.active && p.roles.includes("follow-up"));
  }

  /** The people a holder key ("person:ID", "unit:ID", "role:ROLE") stands for. */
  holders(keys: readonly string[]): Person[] {
    const out = new Map<string, Person>();
    for (const key of keys) {
      const i = key.indexOf(":");
      const kind = key.slice(0, i);
      const id = key.slice(i + 1);
      const found =
        kind === "person"
          ? [this.byId.get(id)].filter((p): p is Person => p !== undefined && p.active)
          : kind === "unit"
            ? this.unitHeads(id)
            : kind === "role"
              ? this.people.filter((p) => p.active && (p.roles as string[]).includes(id))
              : [];
      for (const p of found) out.set(p.id, p);
    }
    return [...out.values()];
  }
}

/** A person's address, when they have one that looks like an address. */
export const addressOf = (p: Person): string | null => (p.email && /^[^\s@]+@[^\s@]+$/.test(p.email) ? p.email : null);
