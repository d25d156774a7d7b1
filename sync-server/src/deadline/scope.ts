// Who sees the follow-up listing, and over what (稽催管制):
// - the follow-up role (稽催管制): every unit of the agency;
// - a unit head: their own unit (as for the reports, reports/access.ts, and the 稽催通知單,
//   mail/recipients.ts). A unit head is decided from the directory as now: the unit's active
//   supervisors at the highest level found among them (ties: all of them);
// - anyone else: nobody's (403, follow-up.forbidden).
import { fail, ok, type Result, type UnitId } from "@countersign/crdt-model";
import type { Session } from "../identity/session.ts";
import type { Person } from "../storage/types.ts";

/** Whether `person` heads `unit`: an active supervisor of it at the highest level among its active supervisors. */
export function headsUnit(people: readonly Person[], unit: UnitId, person: string): boolean {
  const sups = people.filter((p) => p.active && p.unit === unit && p.roles.includes("supervisor"));
  if (!sups.length) return false;
  const top = Math.max(...sups.map((p) => p.level));
  return sups.some((p) => p.id === person && p.level === top);
}

/** The units the session sees in the follow-up listing: null for agency-wide. */
export function followUpScope(s: Pick<Session, "person" | "unit" | "roles">, people: readonly Person[]): Result<UnitId[] | null> {
  if (s.roles.includes("follow-up")) return ok(null);
  if (headsUnit(people, s.unit, s.person)) return ok([s.unit]);
  return fail("follow-up.forbidden", "Only the follow-up officer (稽催管制) and a unit's head see the follow-up list.");
}
