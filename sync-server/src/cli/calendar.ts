import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { calendarYearSummary, officeCalendar, type CalendarDay } from "@countersign/crdt-model";
import type { Io } from "./io.ts";
import { SYSTEM, UsageError, required, withStore } from "./data-dir.ts";
import { importCalendarCsv, ROC_OFFSET } from "../deadline/calendar.ts";
import { RECOMPUTE_SETTING } from "../deadline/service.ts";
import { audit } from "../directory/audit.ts";

/**
 * countersign calendar import --data DIR FILE.csv: stores the published office calendar (政府行政機關
 * 辦公日曆表), all or nothing — a refusal prints one line naming the fault and stores nothing. Open
 * documents' due dates depend on it: the next `serve` derives them again (deadline/service.ts).
 * countersign calendar show --data DIR --year 115: the ROC year's days off on weekdays and make-up
 * workdays (補行上班) with their 備註, or, not imported, the fallback and the warning.
 */
export async function runCalendar(sub: string | undefined, argv: string[], io: Io): Promise<number> {
  if (sub === "import") {
    const { values, positionals } = parseArgs({ args: argv, options: { data: { type: "string" } }, allowPositionals: true });
    required(values, "calendar import", "data");
    if (positionals.length !== 1) throw new UsageError("calendar import: give one CSV file (countersign calendar import --data DIR FILE.csv)");
    const file = positionals[0]!;
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (e) {
      io.err(`countersign calendar import: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      return 1;
    }
    return withStore(values.data!, io, async (store) => {
      const r = await importCalendarCsv(store, text, { source: basename(file), now: new Date() });
      if (!r.ok) {
        io.err(`${basename(file)}: ${r.reason} Nothing was imported.`);
        return 1;
      }
      await store.setSetting(RECOMPUTE_SETTING, new Date().toISOString());
      await audit(store, SYSTEM, "calendar.import", "calendar", null, { years: r.value.map((y) => y.year), source: basename(file) });
      for (const y of r.value)
        io.out(`民國${y.rocYear}年 (${y.year}) imported: ${y.daysOff.length} days off on weekdays, ${y.makeUpWorkdays.length} make-up workdays, ${y.workdays} working days.`);
      return 0;
    });
  }
  if (sub === "show") {
    const { values } = parseArgs({ args: argv, options: { data: { type: "string" }, year: { type: "string" } } });
    required(values, "calendar show", "data", "year");
    const roc = Number(values.year);
    if (!/^\d{2,3}$/.test(values.year!) || !Number.isInteger(roc) || roc < 1) throw new UsageError(`calendar show: --year is the ROC year (民國), e.g. 115, not "${values.year}"`);
    const year = roc + ROC_OFFSET;
    return withStore(values.data!, io, async (store) => {
      const stored = (await store.calendarYears()).find((y) => y.year === year);
      const s = calendarYearSummary(officeCalendar(stored ? [stored] : []), year);
      if (stored) io.out(`民國${roc}年 (${year}) 辦公日曆: imported ${stored.importedAt} from ${stored.source}; ${s.workdays} working days.`);
      else io.out(`尚未匯入${roc}年辦公日曆 (the ${year} office calendar is not imported): weekends and the fixed-date national holidays only; ${s.workdays} working days.`);
      io.out(`Days off on weekdays (${s.daysOff.length}):`);
      for (const d of s.daysOff) io.out(line(d));
      io.out(`Make-up workdays, 補行上班 (${s.makeUpWorkdays.length}):`);
      for (const d of s.makeUpWorkdays) io.out(line(d));
      return 0;
    });
  }
  throw new UsageError(`calendar: unknown sub-command "${sub ?? ""}" (import, show)`);
}

const WEEKDAYS = "日一二三四五六";

/** "  115/01/01 (四) 開國紀念日": the ROC date, the weekday, the 備註. */
function line(d: CalendarDay): string {
  const [y, m, day] = d.day.split("-").map(Number) as [number, number, number];
  const wd = WEEKDAYS[new Date(Date.UTC(y, m - 1, day)).getUTCDay()];
  return `  ${y - ROC_OFFSET}/${String(m).padStart(2, "0")}/${String(day).padStart(2, "0")} (${wd}) ${d.note}`.trimEnd();
}
