// Reads an .ods written by ods.ts back: the package's order and the table's typed cells, parsed from
// content.xml with libxml2 (a real XML parser, not a regular expression). The tests of the writer,
// the command line and the HTTP downloads use it to check a file as a spreadsheet would open it.
import { unzipSync, strFromU8 } from "fflate";
import { XmlDocument } from "libxml2-wasm";

export interface OdsCellRead {
  type: string | null;
  /** office:value (float, percentage) or office:date-value (date), else null. */
  value: string | null;
  text: string;
}

export interface OdsRead {
  /** The zip's entry names in order. */
  entries: string[];
  /** Whether the first entry is `mimetype`, stored (compression method 0) with no extra field. */
  mimetypeFirstStored: boolean;
  mimetype: string;
  files: Record<string, string>;
  sheet: string;
  /** Every row of the first table, each cell with a column span expanded to its covered cells. */
  rows: OdsCellRead[][];
}

const NS = {
  office: "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
  table: "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
  text: "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
};

/** The zip's local headers in order: each one's name, compression method and extra-field length. */
function localHeaders(bytes: Uint8Array): { name: string; method: number; extra: number }[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: { name: string; method: number; extra: number }[] = [];
  for (let at = 0; at + 30 <= bytes.length && view.getUint32(at, true) === 0x04034b50; ) {
    const method = view.getUint16(at + 8, true);
    const size = view.getUint32(at + 18, true);
    const nameLen = view.getUint16(at + 26, true);
    const extra = view.getUint16(at + 28, true);
    out.push({ name: strFromU8(bytes.subarray(at + 30, at + 30 + nameLen)), method, extra });
    at += 30 + nameLen + extra + size;
  }
  return out;
}

export function readOds(bytes: Uint8Array): OdsRead {
  const headers = localHeaders(bytes);
  const zip = unzipSync(bytes);
  const files: Record<string, string> = {};
  for (const [name, data] of Object.entries(zip)) files[name] = strFromU8(data);
  const doc = XmlDocument.fromString(files["content.xml"] ?? "");
  try {
    const table = doc.get("//table:table", NS);
    const sheet = String(doc.eval("string(//table:table/@table:name)", NS));
    const rows: OdsCellRead[][] = [];
    for (const row of table ? table.find("table:table-row", NS) : []) {
      const cells: OdsCellRead[] = [];
      for (const cell of row.find("table:table-cell|table:covered-table-cell", NS)) {
        const attr = (name: string, prefix: string): string | null => {
          const v = String(cell.eval(`string(@${prefix}:${name})`, NS));
          return v === "" ? null : v;
        };
        const repeat = Number(attr("number-columns-repeated", "table") ?? 1);
        const read: OdsCellRead = {
          type: attr("value-type", "office"),
          value: attr("value", "office") ?? attr("date-value", "office"),
          text: cell.find("text:p", NS).map((n) => n.content).join("\n"),
        };
        for (let i = 0; i < repeat; i++) cells.push(read);
      }
      rows.push(cells);
    }
    return {
      entries: headers.map((h) => h.name),
      mimetypeFirstStored: headers[0]?.name === "mimetype" && headers[0].method === 0 && headers[0].extra === 0,
      mimetype: files.mimetype ?? "",
      files,
      sheet,
      rows,
    };
  } finally {
    doc.dispose();
  }
}
