// Dates in official documents are written in the ROC (民國) calendar: Gregorian year − 1911.

/** Taiwan has kept UTC+8 without daylight saving since 1980, so a fixed offset is exact for any
 * date a document can carry, and it does not depend on the viewer's time zone or ICU data. */
const TAIPEI_OFFSET_MS = 8 * 3600_000;
const ROC_EPOCH = 1911;

function taipeiParts(date: Date): { year: number; month: number; day: number; hour: number; minute: number } {
  const t = date.getTime();
  if (Number.isNaN(t)) throw new RangeError("Invalid date.");
  const d = new Date(t + TAIPEI_OFFSET_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
}

const pad2 = (n: number) => String(n).padStart(2, "0");

/**
 * The date in Taiwan as an ROC date: "long" → 中華民國115年1月2日, "short" → 115/01/02.
 * Dates before the ROC (1912) never occur in a document, so they are refused rather than guessed.
 */
export function formatRocDate(date: Date, style: "long" | "short"): string {
  const { year, month, day } = taipeiParts(date);
  const roc = year - ROC_EPOCH;
  if (roc < 1) throw new RangeError(`${year} is before the ROC calendar (1912).`);
  return style === "long" ? `中華民國${roc}年${month}月${day}日` : `${String(roc).padStart(3, "0")}/${pad2(month)}/${pad2(day)}`;
}

/** The time of day in Taiwan, 24-hour "HH:mm", to go with formatRocDate. */
export function formatTaipeiTime(date: Date): string {
  const { hour, minute } = taipeiParts(date);
  return `${pad2(hour)}:${pad2(minute)}`;
}

/**
 * The long ROC date as the interface's language writes it: 中華民國115年1月2日 in zh-TW, "ROC 115/01/02"
 * in English (still the ROC year, which is what every document carries). Official content (the
 * print sheet, the DI export) always uses the Chinese form.
 */
export function formatRocDateIn(date: Date, locale: "zh-TW" | "en"): string {
  return locale === "en" ? `ROC ${formatRocDate(date, "short")}` : formatRocDate(date, "long");
}
