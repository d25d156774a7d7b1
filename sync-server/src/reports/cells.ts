// What the report files (CSV, ODS) and the downloads share: the part of a report table they read,
// how a cell is written for people (ROC dates, numbers unformatted, percents with the unit in the
// header), and the file's name. A leaf module: it imports nothing of the engine, so the writers only
// depend on the table's shape (H3's ReportTable in @countersign/contract fits it structurally).
//
// What must stay true: a value is written as the engine gave it (no rounding beyond what the engine
// did), a day as an ROC date 115/11/30, and a file's name carries the report's title and range (the
// data rows hold data only, so Excel can sort and sum them).

/** The column types of a report (ReportTable.columns[].type). */
export type ColumnType = "text" | "int" | "percent" | "days" | "date";

export type Cell = string | number | null;

/** The part of a ReportTable the files are made from. */
export interface TableForFile {
  id: string;
  /** "一" … "八". */
  number: string;
  title: string;
  /** YYYY-MM-DD, inclusive. */
  from: string;
  to: string;
  unit: string | null;
  asOf: string;
  columns: readonly { key: string; label: string; type: ColumnType }[];
  rows: readonly Readonly<Record<string, Cell>>[];
  totals: Readonly<Record<string, Cell>> | null;
}

const ROC_EPOCH = 1911;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "2026-11-30" → "115/11/30" (the short ROC form a follow-up officer writes); other text as it is. */
export function rocSlash(day: string): string {
  const m = ISO_DAY.exec(day);
  if (!m) return day;
  return `${String(Number(m[1]) - ROC_EPOCH).padStart(3, "0")}/${m[2]}/${m[3]}`;
}

/** "2026-11-30" → "1151130", the compact ROC form used in file names. */
export function rocCompact(day: string): string {
  return rocSlash(day).replace(/\//g, "");
}

/** The header label as written in a file: a percent column says its unit, "線上簽核比率(%)". */
export function headerLabel(c: { label: string; type: ColumnType }): string {
  return c.type === "percent" && !/[%％]/.test(c.label) ? `${c.label}(%)` : c.label;
}

/** The label of the totals row's first text cell when the engine left it empty. */
export const TOTALS_LABEL = "合計";

/**
 * The rows a file holds, in order: the data rows, then the totals row (its first column says 合計
 * when the engine left it empty).
 */
export function fileRows(t: TableForFile): Readonly<Record<string, Cell>>[] {
  if (t.totals === null) return [...t.rows];
  const first = t.columns[0];
  const totals = first && (t.totals[first.key] === null || t.totals[first.key] === undefined) ? { ...t.totals, [first.key]: TOTALS_LABEL } : t.totals;
  return [...t.rows, totals];
}

/** Characters a file name may not hold on Windows, macOS or Linux, and control characters. */
const UNSAFE_NAME = /[\\/:*?"<>|\u0000-\u001f]/g;

/**
 * The file's name: the report's number and title, the unit when there is one, and the range in
 * compact ROC days — `(三)公文時效統計表_1151101-1151130.csv`. `unitName` defaults to the unit's id.
 */
export function reportFileName(t: Pick<TableForFile, "number" | "title" | "from" | "to" | "unit">, ext: "csv" | "ods", unitName?: string): string {
  const unit = t.unit === null ? "" : `_${unitName ?? t.unit}`;
  return `(${t.number})${t.title}${unit}_${rocCompact(t.from)}-${rocCompact(t.to)}.${ext}`.replace(UNSAFE_NAME, "_");
}

/** An ASCII name for clients that do not read RFC 5987's filename*: `report-3-20261101-20261130.csv`. */
export function asciiFileName(t: Pick<TableForFile, "id" | "from" | "to" | "unit">, ext: "csv" | "ods"): string {
  const unit = t.unit === null ? "" : `-${t.unit.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  return `report-${t.id}${unit}-${t.from.replace(/-/g, "")}-${t.to.replace(/-/g, "")}.${ext}`;
}

/**
 * A Content-Disposition header for a download with a zh-TW name: the ASCII `filename` for old
 * clients and the UTF-8 `filename*` (RFC 5987 / RFC 6266) every browser prefers.
 */
export function contentDisposition(name: string, ascii: string): string {
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii.replace(/[^A-Za-z0-9._-]/g, "_")}"; filename*=UTF-8''${encoded}`;
}
