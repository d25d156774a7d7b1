// A report as CSV for Excel (the 下載 CSV of the follow-up desk and `countersign report … --format csv`).
//
// What must stay true: UTF-8 with a byte-order mark (Excel reads Chinese right only with it), CRLF line
// ends, RFC 4180 quoting; the first line is the header of zh-TW column labels and every other line is
// data (the title and range are in the file's name), so the file sorts and sums as it is. Numbers are
// written unformatted (no thousands separators), percents as numbers with "(%)" in the header, days as
// ROC dates 115/11/30. Text that a spreadsheet would run as a formula (= + - @) is defused with a '.
import { type Cell, type ColumnType, type TableForFile, fileRows, headerLabel, rocSlash } from "./cells.ts";

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
function quote(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A text cell a spreadsheet would read as a formula gets a leading ' (OWASP CSV injection). */
const defuse = (s: string): string => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

/** One cell as CSV text, by its column's type. */
export function csvCell(v: Cell | undefined, type: ColumnType): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  if (type === "date") return quote(rocSlash(v));
  return quote(defuse(v));
}

/** The report as CSV text, starting with the byte-order mark and ending with CRLF. */
export function reportCsv(t: TableForFile): string {
  const lines = [t.columns.map((c) => quote(defuse(headerLabel(c)))).join(",")];
  for (const row of fileRows(t)) lines.push(t.columns.map((c) => csvCell(row[c.key], c.type)).join(","));
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

/** The CSV as bytes (UTF-8, the BOM included). */
export function reportCsvBytes(t: TableForFile): Uint8Array {
  return new TextEncoder().encode(reportCsv(t));
}
