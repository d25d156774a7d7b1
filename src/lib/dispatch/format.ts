// Dates on the mail room's and the archives' lists, in the ROC calendar (Taiwan time): 115/01/02 14:05.
import { formatRocDate, formatTaipeiTime } from "$lib/roc-date.ts";

/** An ISO instant as 115/01/02 14:05, or null when there is none or it does not parse. */
export function rocWhen(iso: string | null | undefined): string | null {
  if (!iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  return `${formatRocDate(d, "short")} ${formatTaipeiTime(d)}`;
}

/** A calendar day (YYYY-MM-DD, e.g. a 發文日期) as 115/01/02, or null. */
export function rocDay(day: string | null | undefined): string | null {
  if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const d = new Date(`${day}T12:00:00+08:00`); // noon in Taipei: the same calendar day everywhere
  return Number.isNaN(d.getTime()) ? null : formatRocDate(d, "short");
}
