// Who gets mail, from the directory. A unit head is decided by the follow-up listing's rule
// (deadline/scope.ts headsUnit): the unit's active supervisor(s) at the highest level found there.
//
// What must stay true: only active people with an e-mail address get mail; a holder key that names a
// unit reaches that unit's head; an agency or a role no person here holds reaches nobody.
import { uncheckedFromStore, type UnitId } from "@countersign/crdt-model";
import { headsUnit } from "../deadline/scope.ts";
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

  /** The unit's head(s), by the follow-up listing's rule (deadline/scope.ts headsUnit). */
  unitHeads(unit: UnitId): Person[] {
    return this.people.filter((p) => headsUnit(this.people, unit, p.id));
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
            ? this.unitHeads(uncheckedFromStore.unit(id)) // a holder key the index row was written with
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
