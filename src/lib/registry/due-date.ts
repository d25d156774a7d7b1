// 限辦日期 from 速別: 最速件 1, 速件 3, 普通件 6 working days after the day of receipt. Working days
// skip Saturdays and Sundays and the holidays the caller names (the national calendar changes every
// year and with 補班 days, so it is data, not code); dates are calendar days in Taiwan, YYYY-MM-DD.
import type { Speed } from "@countersign/crdt-model";
import { formatRocDate, formatRocDateIn } from "$lib/roc-date.ts";

export const SPEED_DAYS: Record<Speed, number> = { "most-urgent": 1, urgent: 3, ordinary: 6 };

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A YYYY-MM-DD that names a real calendar day. */
export function isIsoDate(s: string): boolean {
  const m = ISO.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/** `n` working days after `from` (which itself does not count). */
export function addWorkingDays(from: string, n: number, holidays: ReadonlySet<string> = new Set()): string {
  if (!isIsoDate(from)) throw new RangeError(`${from} is not a date (YYYY-MM-DD).`);
  const d = new Date(`${from}T00:00:00Z`);
  let left = n;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const day = d.getUTCDay();
    if (day === 0 || day === 6 || holidays.has(d.toISOString().slice(0, 10))) continue;
    left--;
  }
  return d.toISOString().slice(0, 10);
}

/** The due date 速別 implies for a document received on `received`. */
export function dueDateFor(speed: Speed, received: string, holidays?: ReadonlySet<string>): string {
  return addWorkingDays(received, SPEED_DAYS[speed], holidays);
}

/** A YYYY-MM-DD calendar day as an ROC date (中華民國115年1月2日 or 115/01/02). */
export function rocOf(iso: string, style: "long" | "short" = "long"): string {
  // Noon in Taiwan: far from either edge of the day, whatever the viewer's time zone.
  return formatRocDate(new Date(`${iso}T12:00:00+08:00`), style);
}

/** A YYYY-MM-DD calendar day as the interface writes a long ROC date (中華民國115年1月2日 / ROC 115/01/02). */
export function rocIn(iso: string, locale: "zh-TW" | "en"): string {
  return formatRocDateIn(new Date(`${iso}T12:00:00+08:00`), locale);
}
