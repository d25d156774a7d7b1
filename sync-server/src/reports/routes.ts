// The reports' HTTP routes (contract tag "reports"): the catalogue, one report as JSON, CSV or ODS,
// the KPIs of a month and their monthly series. Who may read what is access.ts's; what a report holds
// is the engine's (index.ts, kpis.ts); the files are csv.ts's and ods.ts's. These handlers translate.
//
// What must stay true: a refusal changes nothing and says why (report.unknown 404; report.day,
// report.range, report.unit 400; http.forbidden 403); a download's name is the report's zh-TW title
// and range (RFC 5987 filename*) with an ASCII fallback, and the same query gives the same table as
// JSON, CSV and ODS.
import type { Result, UnitId } from "@countersign/crdt-model";
import type { ApiContext } from "../http/context.ts";
import { HttpError, unwrap } from "../http/json.ts";
import { Reply, type Router } from "../http/router.ts";
import type { Session } from "../identity/session.ts";
import { reportScope } from "./access.ts";
import { asciiFileName, contentDisposition, reportFileName } from "./cells.ts";
import { reportCsvBytes } from "./csv.ts";
import { ODS_MIME, reportOds } from "./ods.ts";
import { kpiSeries, kpis, reportList, runReport, type ReportTable } from "./index.ts";

/** A refusal's HTTP status: an unknown report is not found; the rest are the caller's input. */
const statusOf = (code: string): number => (code === "report.unknown" ? 404 : code === "http.forbidden" ? 403 : 400);

function answer<T>(r: Result<T>): T {
  if (!r.ok) throw HttpError.of(statusOf(r.code), r);
  return r.value;
}

async function scoped(ctx: ApiContext, session: Session, unit: UnitId | undefined): Promise<string | null> {
  return unwrap(await reportScope(ctx.store, session, unit), 403).unit;
}

async function table(ctx: ApiContext, session: Session, id: string, q: { from: string; to: string; unit?: UnitId | undefined; asOf?: string | undefined }): Promise<ReportTable> {
  const unit = await scoped(ctx, session, q.unit);
  return answer(await runReport(ctx.store, id, { from: q.from, to: q.to, unit, asOf: q.asOf }));
}

/** The unit's name for a file name (its id when the directory no longer has it). */
async function unitName(ctx: ApiContext, unit: string | null): Promise<string | undefined> {
  if (unit === null) return undefined;
  return (await ctx.store.units()).find((u) => u.id === unit)?.name;
}

async function download(ctx: ApiContext, t: ReportTable, ext: "csv" | "ods"): Promise<Reply> {
  const bytes = ext === "csv" ? reportCsvBytes(t) : reportOds(t);
  const type = ext === "csv" ? "text/csv; charset=utf-8" : ODS_MIME;
  const name = reportFileName(t, ext, await unitName(ctx, t.unit));
  return Reply.file(bytes, type, { headers: { "content-disposition": contentDisposition(name, asciiFileName(t, ext)) } });
}

export function registerReportRoutes(r: Router, ctx: ApiContext): void {
  r.add("reports", async ({ session }) => {
    await scoped(ctx, session, undefined);
    return { reports: reportList() };
  });

  r.add("report", async ({ session, params, query }) => table(ctx, session, params.id, query));

  r.add("reportCsv", async ({ session, params, query }) => download(ctx, await table(ctx, session, params.id, query), "csv"));

  r.add("reportOds", async ({ session, params, query }) => download(ctx, await table(ctx, session, params.id, query), "ods"));

  r.add("kpis", async ({ session, query }) => {
    const unit = await scoped(ctx, session, query.unit);
    return answer(await kpis(ctx.store, { month: query.month, unit, baseline: query.baseline ?? null }));
  });

  r.add("kpiSeries", async ({ session, query }) => {
    const unit = await scoped(ctx, session, query.unit);
    return { months: answer(await kpiSeries(ctx.store, { from: query.from, to: query.to, unit, baseline: query.baseline })) };
  });
}
