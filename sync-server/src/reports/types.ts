// What a report builder gets (the store, the checked range, the directory) and gives back (its rows,
// total and chart; runReport adds the title, columns and range).
import type { schemas } from "@countersign/contract";
import type { Person, Store, Unit } from "../storage/types.ts";
import type { ReportRange } from "./input.ts";

export interface ReportContext {
  store: Store;
  range: ReportRange;
  units: readonly Unit[];
  people: readonly Person[];
}

export type ReportBody = Pick<schemas.reports.ReportTable, "rows" | "totals" | "chart"> & { previous?: { from: string; to: string } };
