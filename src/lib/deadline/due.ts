// Due dates as the app shows them: the date in force, its flag (期前 / 逾期) and which calendar years
// were not imported — every one counted with the model's functions on the shared office calendar, so
// the app and the server agree (the server's time facts use the same functions on the same days).
//
// What must stay true: no working-day arithmetic here; only the model's (deadline/facts.ts deadlineOf,
// days.ts) on the calendar kept on this device. A finished document (發文, 存查, 歸檔) is never flagged.
import { DEFAULT_DUE_SOON_DAYS, deadlineOf, isIsoDay, type IsoDay, type OfficeCalendar } from "@countersign/crdt-model";

/** Working days before the due date that count as 期前 (the model's default, as the server's follow-up listing). */
export const DUE_SOON_DAYS = DEFAULT_DUE_SOON_DAYS;

/** "ok" in time; "due-soon" (期前) within DUE_SOON_DAYS working days; "overdue" (逾期); "none": no due date or finished. */
export type DueFlag = "ok" | "due-soon" | "overdue" | "none";

/** The flag of a due date `due` on `today`, for a document still open (`finished` false). */
export function dueFlag(cal: OfficeCalendar, due: IsoDay | null | undefined, today: IsoDay, finished: boolean): DueFlag {
  if (!due || !isIsoDay(due) || !isIsoDay(today)) return "none";
  return deadlineOf({ baseDue: due, due, finished, today, cal }).status;
}

/**
 * 辦結 for 時效管制 (the model's rule, workflow/state.ts isTimeClosed): dispatched (發文), filed (存查) or
 * archived (歸檔). A decided letter waiting for 發文, or a document on paper before its 歸檔, is still open.
 */
export const isTimeFinished = (status: string): boolean => status === "dispatched" || status === "closed" || status === "archived";

/** The Gregorian years of `days` whose office calendar was not imported, in order (for CalendarWarning). */
export function unimportedYears(cal: OfficeCalendar, days: readonly (IsoDay | null | undefined)[]): number[] {
  const years = new Set<number>();
  for (const d of days) if (d && isIsoDay(d)) years.add(Number(d.slice(0, 4)));
  return [...years].filter((y) => !cal.imported(y)).sort((a, b) => a - b);
}

/** The ROC year (民國) of a Gregorian year. */
export const rocYear = (year: number): number => year - 1911;

