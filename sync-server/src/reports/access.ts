// Who may read the reports and the KPIs, and over what: the follow-up role (稽催管制) and
// administrators agency-wide (any unit, or all); a unit head over their own unit only; everyone else
// nobody. A unit head is the active supervisor (or supervisors, on a tie) of the highest level in the
// unit — the rule the follow-up listing and the mail use too (sync-server/src/mail/recipients.ts).
//
// What must stay true: a unit head who names no unit gets their unit, never the agency; naming another
// unit is refused (403 http.forbidden), not narrowed silently; the decision reads the directory as it
// is now (a supervisor moved to another unit loses the old unit's reports at once).
import { fail, ok, type Result, type UnitId } from "@countersign/crdt-model";
import type { Session } from "../identity/session.ts";
import type { Store } from "../storage/types.ts";

/** What the caller may read: `unit` null = the whole agency. */
export interface ReportScope {
  unit: UnitId | null;
}

/** Whether `person` is the head of `unit` now: an active supervisor of the highest level there. */
export async function isUnitHead(store: Store, person: string, unit: string): Promise<boolean> {
  const sups = (await store.people()).filter((p) => p.active && p.unit === unit && p.roles.includes("supervisor"));
  if (sups.length === 0) return false;
  const top = Math.max(...sups.map((p) => p.level));
  return sups.some((p) => p.id === person && p.level === top);
}

/**
 * The scope of one request naming `unit` (or none): the unit to report on, or a refusal
 * (`http.forbidden`, answered 403) with the sentence the caller sees.
 */
export async function reportScope(store: Store, s: Pick<Session, "person" | "unit" | "roles">, unit: UnitId | undefined): Promise<Result<ReportScope>> {
  if (s.roles.includes("follow-up") || s.roles.includes("admin")) return ok({ unit: unit ?? null });
  if (s.roles.includes("supervisor") && (await isUnitHead(store, s.person, s.unit))) {
    if (unit === undefined || unit === s.unit) return ok({ unit: s.unit });
    return fail("http.forbidden", "A unit head may read the reports of their own unit only.");
  }
  return fail("http.forbidden", "Only the follow-up officer (稽催管制), an administrator or a unit head may read the reports and KPIs.");
}
