// The reports' and KPIs' wire shapes as the app reads them: the contract's (packages/contract
// schemas/reports.ts, zod; callApi parses every answer with them). Re-exported here so the app's
// follow-up desk names them in one place.
export type { KpiSet, ReportInfo, ReportTable, ReportColumn, ReportRow, ReportChart } from "@countersign/contract";
