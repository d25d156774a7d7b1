import { randomBytes } from "node:crypto";
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { schemas } from "@countersign/contract";
import type { Io } from "./io.ts";
import { UsageError, report, withStore } from "./data-dir.ts";
import { isPostgresUrl, openPostgresStore } from "../storage/postgres.ts";
import type { Store } from "../storage/types.ts";
import { REPORTS, runReport } from "../reports/index.ts";
import { monthDays } from "../reports/input.ts";
import { reportCsv, reportCsvBytes } from "../reports/csv.ts";
import { reportOds } from "../reports/ods.ts";

/**
 * countersign report list | report NAME --data DIR (--from D --to D | --month M) [--unit ID] [--as-of D]
 * [--format csv|ods|json] [--out FILE]: the SOP's eight reports (報表一至八) from the command line,
 * the same tables the follow-up desk shows and downloads.
 *
 * Days are YYYY-MM-DD or ROC (115/11/01, 115-11-01); a month YYYY-MM or ROC (115-11). The compact ROC
 * form 1151101 is not taken: 7 digits read as a date too easily by mistake. Without --format the
 * format is --out's extension, else JSON; CSV and JSON may go to the standard output, ODS needs --out.
 * --out is written whole or not at all (a temporary file renamed into place), so a refusal or a
 * failure never leaves a partial file.
 */
export async function runReportCommand(sub: string | undefined, argv: string[], io: Io): Promise<number> {
  if (sub === "list") {
    const { values } = parseArgs({ args: argv, options: { json: { type: "boolean" } } });
    if (values.json) io.out(JSON.stringify(REPORTS, null, 2));
    else for (const r of REPORTS) io.out(`${r.id}\t${r.word.padEnd(12)}\t(${r.number}) ${r.title}`);
    return 0;
  }
  if (sub === undefined || sub.startsWith("-")) throw new UsageError("report: name a report (1–8 or its word; countersign report list), or list");
  const info = schemas.reports.reportOf(sub);
  if (!info) throw new UsageError(`report: there is no report "${sub}"; countersign report list names them (1–8 or a word)`);
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: "string" },
      store: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      month: { type: "string" },
      unit: { type: "string" },
      "as-of": { type: "string" },
      format: { type: "string" },
      out: { type: "string" },
    },
  });
  const range = rangeOf(values);
  const format = formatOf(values.format, values.out);
  if (format === "ods" && values.out === undefined) throw new UsageError("report: --format ods needs --out FILE (an .ods is not text)");
  return withAnyStore(values, "report", io, async (store) => {
    const r = await runReport(store, info.id, { ...range, unit: values.unit ?? null, ...(values["as-of"] !== undefined ? { asOf: values["as-of"] } : {}) });
    return report(r, io, (t) => {
      if (values.out === undefined) {
        io.out(format === "json" ? JSON.stringify(t, null, 2) : reportCsv(t).replace(/\r\n$/, ""));
        return;
      }
      const bytes = format === "json" ? new TextEncoder().encode(JSON.stringify(t, null, 2) + "\n") : format === "csv" ? reportCsvBytes(t) : reportOds(t);
      writeWhole(values.out, bytes);
      io.out(`(${t.number}) ${t.title} ${t.from}–${t.to}${t.unit ? ` ${t.unit}` : ""}: ${t.rows.length} rows written to ${values.out}`);
    });
  });
}

/** The range from --from/--to or --month (not both); the days themselves are checked by the engine. */
function rangeOf(v: { from?: string; to?: string; month?: string }): { from: string; to: string } {
  if (v.month !== undefined) {
    if (v.from !== undefined || v.to !== undefined) throw new UsageError("report: give --month or --from and --to, not both");
    const m = schemas.reports.parseReportMonth(v.month);
    if (!m) throw new UsageError(`report: --month "${v.month}" is not a month (115-11 or 2026-11)`);
    return monthDays(m);
  }
  if (v.from === undefined || v.to === undefined) throw new UsageError("report: --from and --to (or --month) are required");
  return { from: v.from, to: v.to };
}

function formatOf(format: string | undefined, out: string | undefined): "csv" | "ods" | "json" {
  if (format !== undefined) {
    if (format !== "csv" && format !== "ods" && format !== "json") throw new UsageError(`report: --format is csv, ods or json, not "${format}"`);
    return format;
  }
  const ext = out?.toLowerCase().match(/\.(csv|ods|json)$/)?.[1];
  return (ext as "csv" | "ods" | "json" | undefined) ?? "json";
}

/** Writes FILE whole: a temporary file beside it, renamed into place (never a partial FILE). */
export function writeWhole(file: string, bytes: Uint8Array): void {
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    writeFileSync(tmp, bytes, { flag: "wx" });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Opens the agency's store as `serve` does: --store postgres://… (the PostgreSQL store several
 * servers share), else --data DIR (its SQLite file; a missing one is refused, never created).
 */
export async function withAnyStore(values: { data?: string; store?: string }, cmd: string, io: Io, fn: (store: Store) => Promise<number>): Promise<number> {
  if (values.store !== undefined) {
    if (!isPostgresUrl(values.store)) throw new UsageError(`${cmd}: --store must be a PostgreSQL URL (postgres://user@host:port/database)`);
    let store: Store;
    try {
      store = await openPostgresStore(values.store);
    } catch (e) {
      io.err((e as Error).message);
      return 1;
    }
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  }
  if (values.data === undefined || values.data === "") throw new UsageError(`${cmd}: --data DIR (or --store postgres://…) is required`);
  return withStore(values.data, io, fn);
}
