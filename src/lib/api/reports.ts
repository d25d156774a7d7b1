// The app's side of the reports routes (sync-server/src/reports/): the SOP's eight reports, their CSV
// and ODS files, and the KPIs. JSON answers are parsed with each route's schema by callApi (through
// the identity's `api`); the files come down as raw bytes with the file name the server gives.
import type { Answer } from "@countersign/contract";
import { Unreachable, apiErrorOf, routePath, type AuthedCall } from "./client.ts";
import type { KpiSet, ReportInfo, ReportTable } from "./report-types.ts";

export type { KpiSet, ReportInfo, ReportTable };

/** A report's range (days, YYYY-MM-DD) and unit (none: the whole agency). */
export interface ReportQuery {
  from: string;
  to: string;
  unit?: string;
}

export const reportsApi = {
  reports: async (call: AuthedCall): Promise<ReportInfo[]> => (await call<Answer<"reports">>(routePath("reports"))).reports,
  report: (call: AuthedCall, id: string, q: ReportQuery): Promise<ReportTable> =>
    call<Answer<"report">>(routePath("report", { params: { id }, query: { from: q.from, to: q.to, unit: q.unit } })),
  kpis: (call: AuthedCall, month: string, unit?: string, baseline?: string): Promise<KpiSet> => call<Answer<"kpis">>(routePath("kpis", { query: { month, unit, baseline } })),
  kpiSeries: async (call: AuthedCall, from: string, to: string, unit?: string, baseline?: string): Promise<KpiSet[]> =>
    (await call<Answer<"kpiSeries">>(routePath("kpiSeries", { query: { from, to, unit, baseline } }))).months,
};

/**
 * A report's file (CSV or ODS) as the server writes it, with the file name it gives (RFC 5987
 * `filename*`, the report's zh-TW title and range). Raw bytes: not JSON, so not through callApi.
 */
export async function downloadReport(token: string, id: string, q: ReportQuery, format: "csv" | "ods"): Promise<{ blob: Blob; name: string }> {
  let res: Response;
  try {
    res = await fetch(routePath(format === "csv" ? "reportCsv" : "reportOds", { params: { id }, query: { from: q.from, to: q.to, unit: q.unit } }), {
      headers: { authorization: `Bearer ${token}` },
      cache: "no-store",
    });
  } catch {
    throw new Unreachable();
  }
  if (!res.ok) throw apiErrorOf(res.status, await res.json().catch(() => null));
  return { blob: await res.blob(), name: fileNameOf(res.headers.get("content-disposition"), `report-${id}.${format}`) };
}

/** The file name of a Content-Disposition header: `filename*` (UTF-8, RFC 5987) first, else `filename`. */
export function fileNameOf(header: string | null, fallback: string): string {
  if (!header) return fallback;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // a malformed escape: fall through to the plain name
    }
  }
  return /filename\s*=\s*"([^"]+)"/.exec(header)?.[1] ?? fallback;
}
