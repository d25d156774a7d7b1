// 時效管制 on the agency server (sync-server deadline/): the office calendar the app keeps offline,
// its import, the 展期 policy, and the follow-up listing (稽催管制). Who may call each is decided by
// the server (the follow-up role agency-wide, a unit head over their unit, administrators for the
// admin routes), never by these schemas.
import { z } from "zod";
import { docId, entryId, personId, unitId } from "../ids.ts";

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const calendarDay = z.object({ day: isoDay, off: z.boolean(), note: z.string() });
/** An imported year: every day as published (a year counts as imported only when all its days are given). */
export const calendarYear = z.object({ year: z.number().int(), days: z.array(calendarDay), importedAt: z.string(), source: z.string() });
/** GET /api/calendar: the imported years; a year not listed falls back to weekends and fixed-date holidays. */
export const calendar = z.object({ years: z.array(calendarYear) });

/** What an import stored, per year: its days off on weekdays and its make-up workdays (補行上班). */
export const calendarImported = z.object({
  years: z.array(z.object({ year: z.number().int(), rocYear: z.number().int(), daysOff: z.number().int(), makeUpWorkdays: z.number().int(), workdays: z.number().int() })),
  /** Open documents whose time facts were derived again (their due dates depend on the calendar). */
  recomputed: z.number().int(),
});

/** The 展期 policy: who approves (level) and the limits past which a document goes to 專案管制. */
export const extensionPolicy = z
  .object({
    approverLevel: z.number().int().min(1).max(20),
    maxCount: z.number().int().min(0).max(100),
    maxDays: z.number().int().min(0).max(3650),
  })
  .strict();
export const extensionPolicyAnswer = z.object({ policy: extensionPolicy });

export const followUpQuery = z.object({
  unit: z.string().max(128).optional(),
  officer: z.string().max(128).optional(),
  speed: z.string().max(32).optional(),
  kind: z.string().max(32).optional(),
  origin: z.enum(["received", "created"]).optional(),
  status: z.enum(["due-soon", "overdue", "all"]).optional(),
});

const extensionFact = z.object({
  request: entryId,
  requestedBy: personId,
  requestedAt: z.string(),
  reason: z.string(),
  until: isoDay,
  project: z.boolean(),
  decision: z.object({ entry: entryId, by: personId, at: z.string(), approved: z.boolean() }).nullable(),
});

/** One open controlled document: its time facts, what its index row says, and the desk's flag. */
export const followUpDoc = z.object({
  doc: docId,
  subject: z.string(),
  unit: unitId.nullable(),
  unitName: z.string().nullable(),
  caseOfficer: personId.nullable(),
  caseOfficerName: z.string().nullable(),
  kind: z.string(),
  speed: z.string(),
  secrecy: z.string(),
  origin: z.enum(["received", "created"]),
  incoming: z.enum(["exchange", "paper"]).nullable(),
  startedAt: z.string(),
  startDay: isoDay,
  baseDue: isoDay.nullable(),
  due: isoDay,
  extensions: z.array(extensionFact),
  extensionCount: z.number().int(),
  projectControl: z.boolean(),
  mode: z.enum(["online", "paper"]),
  lateReason: z.string().nullable(),
  /** Who holds it now, by name (people; a unit's queue by the unit's name). */
  holders: z.array(z.string()),
  receiptNumber: z.string().nullable(),
  docNumber: z.string().nullable(),
  /** 逾期: today is after the due date; 期前: due within dueSoonDays working days; else ok. */
  flag: z.enum(["overdue", "due-soon", "ok"]),
  /** Working days past the due date (overdue), else 0. */
  daysLate: z.number().int(),
  /** Working days left until the due date (not overdue), else null. */
  daysLeft: z.number().int().nullable(),
});

export const followUpDocs = z.object({
  /** The day (Taipei) the flags were computed for. */
  today: isoDay,
  /** N of 期前: a document due within this many working days is flagged due-soon. */
  dueSoonDays: z.number().int(),
  /** Which units the caller sees: null for agency-wide (the follow-up role). */
  scope: z.array(unitId).nullable(),
  docs: z.array(followUpDoc),
  /** Whether more matched than were listed. */
  truncated: z.boolean(),
});
