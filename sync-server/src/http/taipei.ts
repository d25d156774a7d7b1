// Dates as Taiwan's offices write them: the ROC year (民國年) and the calendar date in Taipei. A leaf
// module (it imports nothing), so numbering (收文號 in registry-routes.ts, 發文字號 in
// dispatch/numbers.ts) and the DI writers (exchange/docs.ts) share it without importing each other.

const TAIPEI_OFFSET_MS = 8 * 3600_000;

/** The ROC year in Taiwan at `now` (Gregorian − 1911, UTC+8 without daylight saving). */
export function rocYear(now: Date): number {
  return new Date(now.getTime() + TAIPEI_OFFSET_MS).getUTCFullYear() - 1911;
}

/** Today in Taiwan as YYYY-MM-DD (a DI's date, a 發文日期). */
export function taipeiDate(now: Date): string {
  return TAIPEI_DAY.format(now);
}
/** Made once (immutable): building a formatter costs a tenth of a millisecond, and every new document's 文號 asks. */
const TAIPEI_DAY = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Taipei", year: "numeric", month: "2-digit", day: "2-digit" });
