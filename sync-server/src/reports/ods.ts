// A report as an OpenDocument spreadsheet (.ods: ODF is the government's document format), written
// here with fflate rather than a library: no spreadsheet library for Node is both well kept and small
// (SheetJS `xlsx` on npm is stale and carries advisories), and a one-table ODS is five small files.
//
// What must stay true (ODF 1.3, part 2 "packages"): the zip's first entry is `mimetype`, stored
// uncompressed, holding exactly application/vnd.oasis.opendocument.spreadsheet; META-INF/manifest.xml
// lists every other entry. content.xml has one table: a title row (report, range, unit, as of), the
// header row of zh-TW labels, the data rows and the totals row. Cells are typed: numbers
// office:value-type="float" with office:value, percents "percentage" (the value a fraction, 87.5% →
// 0.875), days "date" with office:date-value and an ROC-calendar data style (115/11/30), text
// "string". styles.xml sets an A4 landscape page, so the table prints as the SOP's forms do.
import { zipSync, strToU8 } from "fflate";
import { type Cell, type ColumnType, type TableForFile, fileRows, headerLabel, rocSlash } from "./cells.ts";

export const ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet";

const NS = [
  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"',
  'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"',
  'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"',
  'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"',
  'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"',
  'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"',
].join(" ");

/** XML text: the five predefined entities, and characters XML 1.0 cannot hold dropped. */
export function xmlText(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const p = (s: string): string => `<text:p>${xmlText(s)}</text:p>`;

/** A sheet's name: ODF allows most characters, but spreadsheets refuse []*?:/\ and more than 31. */
function sheetName(t: TableForFile): string {
  return `(${t.number})${t.title}`.replace(/[[\]*?:/\\']/g, "_").slice(0, 31);
}

/** One typed cell. Percents in the table are percentage points (87.5); ODF wants the fraction. */
export function odsCell(v: Cell | undefined, type: ColumnType, style?: string): string {
  const st = style ? ` table:style-name="${style}"` : "";
  if (v === null || v === undefined) return `<table:table-cell${st}/>`;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return `<table:table-cell${st}/>`;
    if (type === "percent") {
      const fraction = Number((v / 100).toPrecision(12));
      return `<table:table-cell table:style-name="${style ?? "cePct"}" office:value-type="percentage" office:value="${fraction}">${p(`${v}%`)}</table:table-cell>`;
    }
    return `<table:table-cell${st} office:value-type="float" office:value="${v}">${p(String(v))}</table:table-cell>`;
  }
  if (type === "date" && /^\d{4}-\d{2}-\d{2}$/.test(v)) {
    return `<table:table-cell table:style-name="${style ?? "ceDate"}" office:value-type="date" office:date-value="${v}">${p(rocSlash(v))}</table:table-cell>`;
  }
  return `<table:table-cell${st} office:value-type="string">${p(v)}</table:table-cell>`;
}

/** The full-width space that separates the parts of a zh-TW title line. */
const IDEOGRAPHIC_SPACE = "\u3000";

function titleLine(t: TableForFile): string {
  const range = t.from === t.to ? rocSlash(t.from) : `${rocSlash(t.from)}–${rocSlash(t.to)}`;
  const unit = t.unit === null ? "全機關" : `單位 ${t.unit}`;
  return [`(${t.number}) ${t.title}`, range, unit, `統計至 ${rocSlash(t.asOf)}`].join(IDEOGRAPHIC_SPACE);
}

function content(t: TableForFile): string {
  const n = Math.max(1, t.columns.length);
  const header = t.columns.map((c) => `<table:table-cell table:style-name="ceHead" office:value-type="string">${p(headerLabel(c))}</table:table-cell>`).join("");
  const rows = fileRows(t);
  const last = t.totals === null ? -1 : rows.length - 1;
  const body = rows
    .map((row, i) => {
      const cells = t.columns.map((c) => odsCell(row[c.key], c.type, i === last ? totalStyle(c.type) : undefined)).join("");
      return `<table:table-row>${cells}</table:table-row>`;
    })
    .join("");
  const span = n > 1 ? ` table:number-columns-spanned="${n}" table:number-rows-spanned="1"` : "";
  const covered = n > 1 ? `<table:covered-table-cell table:number-columns-repeated="${n - 1}"/>` : "";
  return `<?xml version="1.0" encoding="UTF-8"?>
<office:document-content ${NS} office:version="1.3">
<office:automatic-styles>
<number:percentage-style style:name="NPct"><number:number number:decimal-places="1" number:min-decimal-places="0" number:min-integer-digits="1"/><number:text>%</number:text></number:percentage-style>
<number:date-style style:name="NRoc" number:automatic-order="false"><number:year number:style="long" number:calendar="ROC"/><number:text>/</number:text><number:month number:style="long" number:calendar="ROC"/><number:text>/</number:text><number:day number:style="long" number:calendar="ROC"/></number:date-style>
<style:style style:name="ta1" style:family="table" style:master-page-name="Report"><style:table-properties table:display="true"/></style:style>
<style:style style:name="co1" style:family="table-column"><style:table-column-properties style:column-width="3cm"/></style:style>
<style:style style:name="ceTitle" style:family="table-cell"><style:text-properties fo:font-size="14pt" fo:font-weight="bold"/></style:style>
<style:style style:name="ceHead" style:family="table-cell"><style:table-cell-properties fo:background-color="#dde4ee" fo:border="0.5pt solid #000000" fo:wrap-option="wrap"/><style:text-properties fo:font-weight="bold"/></style:style>
<style:style style:name="cePct" style:family="table-cell" style:data-style-name="NPct"/>
<style:style style:name="ceDate" style:family="table-cell" style:data-style-name="NRoc"/>
<style:style style:name="ceTotal" style:family="table-cell"><style:table-cell-properties fo:border-top="1pt solid #000000"/><style:text-properties fo:font-weight="bold"/></style:style>
<style:style style:name="ceTotalPct" style:family="table-cell" style:data-style-name="NPct"><style:table-cell-properties fo:border-top="1pt solid #000000"/><style:text-properties fo:font-weight="bold"/></style:style>
<style:style style:name="ceTotalDate" style:family="table-cell" style:data-style-name="NRoc"><style:table-cell-properties fo:border-top="1pt solid #000000"/><style:text-properties fo:font-weight="bold"/></style:style>
</office:automatic-styles>
<office:body><office:spreadsheet>
<table:table table:name="${xmlText(sheetName(t))}" table:style-name="ta1">
<table:table-column table:style-name="co1" table:number-columns-repeated="${n}"/>
<table:table-row><table:table-cell table:style-name="ceTitle" office:value-type="string"${span}>${p(titleLine(t))}</table:table-cell>${covered}</table:table-row>
<table:table-row>${header}</table:table-row>
${body}
</table:table>
</office:spreadsheet></office:body>
</office:document-content>
`;
}

const totalStyle = (type: ColumnType): string => (type === "percent" ? "ceTotalPct" : type === "date" ? "ceTotalDate" : "ceTotal");

/** A4 landscape (29.7 × 21 cm), narrow margins, one page wide (style:scale-to-X, ODF 1.3), the page number in the footer. */
const STYLES = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles ${NS} office:version="1.3">
<office:automatic-styles>
<style:page-layout style:name="pmA4L"><style:page-layout-properties fo:page-width="29.7cm" fo:page-height="21cm" style:print-orientation="landscape" fo:margin-top="1.5cm" fo:margin-bottom="1.5cm" fo:margin-left="1.5cm" fo:margin-right="1.5cm" style:scale-to-X="1"/></style:page-layout>
</office:automatic-styles>
<office:master-styles>
<style:master-page style:name="Report" style:page-layout-name="pmA4L"><style:footer><text:p><text:page-number>1</text:page-number></text:p></style:footer></style:master-page>
</office:master-styles>
</office:document-styles>
`;

function meta(t: TableForFile, now: Date): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3">
<office:meta><meta:generator>Countersign</meta:generator><dc:title>${xmlText(`(${t.number})${t.title}`)}</dc:title><meta:creation-date>${now.toISOString().replace(/\.\d{3}Z$/, "")}</meta:creation-date></office:meta>
</office:document-meta>
`;
}

const MANIFEST = `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
<manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="${ODS_MIME}"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
`;

/** The report as .ods bytes. `now` is the creation date written in meta.xml. */
export function reportOds(t: TableForFile, now: Date = new Date()): Uint8Array {
  // Object order is the zip's entry order: mimetype first, stored (level 0), as ODF requires.
  return zipSync(
    {
      mimetype: [strToU8(ODS_MIME), { level: 0 }],
      "META-INF/manifest.xml": strToU8(MANIFEST),
      "content.xml": strToU8(content(t)),
      "styles.xml": strToU8(STYLES),
      "meta.xml": strToU8(meta(t, now)),
    },
    { level: 6, mtime: now },
  );
}
