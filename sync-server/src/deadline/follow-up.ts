// The follow-up listing (GET /api/follow-up/docs): open controlled documents by due date, each with
// its time facts (from the time_facts table: no chain is verified), what its index row says (主旨,
// numbers, holders) and the desk's flag: 逾期 (a working day after the due date has begun) or 期前
// (due within N working days; N is the server's setting, 2 by default).
//
// What must stay true:
// - who sees what is scope.ts's; a unit outside the caller's scope is refused, never silently emptied;
// - a classified (密) document is listed only to someone named in it (as relay/authz.ts lets nobody
//   else see even its metadata);
// - a document under 專案管制 is never flagged 逾期 (it is reported apart);
// - bad input (an unknown unit, a 速別 or 文別 the model does not know) is refused with a code.
import {
  DOCUMENT_KINDS,
  ROLE_LABELS,
  SPEEDS,
  addWorkingDays,
  fail,
  isPastDue,
  ok,
  taipeiDay,
  uncheckedFromStore,
  workingDaysBetween,
  type OfficeCalendar,
  type Result,
  type Role,
  type TimeFacts,
} from "@countersign/crdt-model";
import type { Session } from "../identity/session.ts";
import type { DocIndexRow, DocStore, DirectoryStore, FollowUpQuery, TimeFactsStore } from "../storage/types.ts";
import { followUpScope } from "./scope.ts";

/** 期前: due within this many working days, unless the server is started with another N. */
export const DEFAULT_DUE_SOON_DAYS = 2;
/** The most documents one listing holds. */
export const FOLLOW_UP_LIMIT = 1000;

export interface FollowUpFilters {
  unit?: string;
  officer?: string;
  speed?: string;
  kind?: string;
  origin?: "received" | "created";
  status?: "due-soon" | "overdue" | "all";
}

export type Flag = "overdue" | "due-soon" | "ok";

/** The flag of an open document on `today`, with the working days late or left. */
export function flagOf(cal: OfficeCalendar, f: Pick<TimeFacts, "due" | "projectControl">, today: string, dueSoonDays: number): { flag: Flag; daysLate: number; daysLeft: number | null } {
  if (!f.due) return { flag: "ok", daysLate: 0, daysLeft: null };
  if (isPastDue(cal, f.due, today)) return f.projectControl ? { flag: "ok", daysLate: 0, daysLeft: null } : { flag: "overdue", daysLate: workingDaysBetween(cal, f.due, today), daysLeft: null };
  const left = Math.max(0, workingDaysBetween(cal, today, f.due));
  return { flag: left <= dueSoonDays ? "due-soon" : "ok", daysLate: 0, daysLeft: left };
}

export interface FollowUpDeps {
  store: Pick<TimeFactsStore, "followUpFacts"> & Pick<DocStore, "getIndex"> & Pick<DirectoryStore, "people" | "units">;
  calendar: OfficeCalendar;
  now: Date;
  dueSoonDays: number;
}

export async function followUpListing(d: FollowUpDeps, s: Pick<Session, "person" | "unit" | "roles">, q: FollowUpFilters) {
  const [people, units] = await Promise.all([d.store.people(), d.store.units()]);
  const scope = followUpScope(s, people);
  if (!scope.ok) return scope;
  const bad = badFilter(q, units.map((u) => u.id));
  if (bad) return bad;
  if (q.unit !== undefined && scope.value && !scope.value.includes(uncheckedFromStore.unit(q.unit)))
    return fail("follow-up.forbidden", `The unit ${q.unit} is not one you follow up: you see ${scope.value.join(", ")}.`);

  const today = taipeiDay(d.now);
  const status = q.status ?? "all";
  const query: FollowUpQuery = {
    units: q.unit !== undefined ? [uncheckedFromStore.unit(q.unit)] : (scope.value ?? undefined),
    officer: q.officer === undefined ? undefined : uncheckedFromStore.person(q.officer),
    speed: q.speed,
    kind: q.kind,
    origin: q.origin,
    // Only what can carry the flag asked for comes from the store.
    dueOnOrBefore: status === "overdue" ? today : status === "due-soon" ? addWorkingDays(d.calendar, today, d.dueSoonDays) : undefined,
    limit: FOLLOW_UP_LIMIT + 1,
  };
  const facts = await d.store.followUpFacts(query);
  const truncated = facts.length > FOLLOW_UP_LIMIT;
  const names = new Map(people.map((p) => [p.id as string, p.name]));
  const unitNames = new Map(units.map((u) => [u.id as string, u.name]));
  const rows = await Promise.all(facts.slice(0, FOLLOW_UP_LIMIT).map(async (f) => ({ f, row: await d.store.getIndex(f.doc) })));
  const docs = [];
  for (const { f, row } of rows) {
    if (!f.due || (f.secrecy !== "none" && !row?.participants.includes(`person:${s.person}`))) continue;
    const flag = flagOf(d.calendar, f, today, d.dueSoonDays);
    if (status !== "all" && flag.flag !== status) continue;
    docs.push({
      doc: f.doc,
      subject: row?.subject ?? "",
      unit: f.unit,
      unitName: f.unit ? (unitNames.get(f.unit) ?? null) : null,
      caseOfficer: f.caseOfficer,
      caseOfficerName: f.caseOfficer ? (names.get(f.caseOfficer) ?? null) : null,
      kind: f.kind,
      speed: f.speed,
      secrecy: f.secrecy,
      origin: f.origin,
      incoming: f.incoming,
      startedAt: f.startedAt,
      startDay: f.startDay,
      baseDue: f.baseDue,
      due: f.due,
      extensions: f.extensions,
      extensionCount: f.extensions.filter((e) => e.decision?.approved).length,
      projectControl: f.projectControl,
      mode: f.mode,
      lateReason: f.lateReason,
      holders: holderNames(row, names, unitNames),
      receiptNumber: row?.receiptNumber ?? null,
      docNumber: row?.docNumber ?? null,
      ...flag,
    });
  }
  return ok({ today, dueSoonDays: d.dueSoonDays, scope: scope.value, docs, truncated });
}

function badFilter(q: FollowUpFilters, units: readonly string[]): Result<never> | undefined {
  if (q.unit !== undefined && !units.includes(q.unit)) return fail("follow-up.unit", `There is no unit ${q.unit} in the directory.`);
  if (q.speed !== undefined && !(SPEEDS as readonly string[]).includes(q.speed))
    return fail("follow-up.filter", `The 速別 ${q.speed} is not one of ${SPEEDS.join(", ")}.`);
  if (q.kind !== undefined && !(DOCUMENT_KINDS as readonly string[]).includes(q.kind))
    return fail("follow-up.filter", `The 文別 ${q.kind} is not one of ${DOCUMENT_KINDS.join(", ")}.`);
  return undefined;
}

/** Holder keys as names: a person by name, a unit's queue by the unit's name, a role by its label. */
function holderNames(row: DocIndexRow | undefined, people: Map<string, string>, units: Map<string, string>): string[] {
  return (row?.holders ?? []).map((key) => {
    const i = key.indexOf(":");
    const kind = key.slice(0, i);
    const id = key.slice(i + 1);
    if (kind === "person") return people.get(id) ?? id;
    if (kind === "unit") return units.get(id) ?? id;
    if (kind === "role") return ROLE_LABELS[id as Role] ?? id;
    return id;
  });
}
