// ROC dates on the follow-up desk and the reports: days (YYYY-MM-DD, Taiwan) shown as 115/11/30, and
// what the officer types (115/11/01, a month 115-11) read back into days. Pure; the reports' ranges
// go to the server as days (YYYY-MM-DD), as the report routes take them.
import { formatRocDate } from "$lib/roc-date.ts";

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar day in Taiwan as an ROC short date (115/11/30); "—" for none. */
export function rocDay(day: string | null | undefined): string {
  if (!day || !ISO_DAY.test(day)) return "—";
  // Noon in Taiwan: formatting never crosses a day edge.
  return formatRocDate(new Date(`${day}T12:00:00+08:00`), "short");
}

/** A month "YYYY-MM" as the ROC month 115-11 (the reports' month picker shows it so). */
export function rocMonth(month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  return m ? `${Number(m[1]) - 1911}-${m[2]}` : month;
}

function validDay(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1) return null;
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > last) return null;
  return `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** An ROC date typed as 115/11/01 (also 115-11-01, 115.11.1) → "2026-11-01"; null when it is not a real day. */
export function parseRocDay(text: string): string | null {
  const m = /^\s*(\d{2,3})[/.-](\d{1,2})[/.-](\d{1,2})\s*$/.exec(text);
  if (!m) return null;
  const roc = Number(m[1]);
  if (roc < 1) return null;
  return validDay(roc + 1911, Number(m[2]), Number(m[3]));
}

/** An ROC month typed as 115-11 or 115/11 → "2026-11"; null otherwise. */
export function parseRocMonth(text: string): string | null {
  const m = /^\s*(\d{2,3})[/.-](\d{1,2})\s*$/.exec(text);
  if (!m) return null;
  const roc = Number(m[1]);
  const month = Number(m[2]);
  if (roc < 1 || month < 1 || month > 12) return null;
  return `${roc + 1911}-${String(month).padStart(2, "0")}`;
}

/** The first and last day of a month "YYYY-MM". */
export function monthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, "0")}` };
}

/** The month "YYYY-MM" `back` months before `month` (0: the same month). */
export function monthsBefore(month: string, back: number): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const i = y * 12 + (m - 1) - back;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;
}

/** Today's month in Taiwan, "YYYY-MM". */
export function taipeiMonth(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 7);
}
