import { fail, ok, type Result } from "../result.ts";
import { KIND_LABELS } from "../schema/metadata.ts";
import type { SignedContent } from "../schema/content.ts";
import type { CountersignDocument } from "../schema/document.ts";
import { parseDocNumber, rocDate, type DocNumber } from "./roc.ts";
import { buildLetter } from "./letter.ts";
import { buildMemo } from "./memo.ts";
import { writeXml } from "./xml.ts";
import { LETTER_DTD, MEMO_DTD, type Build, type Built, type DiExport, type DiOptions } from "./options.ts";

/** A file base is written into DOCTYPE system literals and used as a file name, so it is kept plain. */
const SAFE_FILE_BASE = /^[^\s\\/:*?"'<>|&%]{1,100}$/u;

function fileBase(content: SignedContent, number: DocNumber | null, given: string | undefined): Result<string> {
  if (given !== undefined) {
    return SAFE_FILE_BASE.test(given) ? ok(given) : fail("di.file-name", `The file base "${given}" must be 1 to 100 characters without spaces, path separators, quotes or any of : * ? < > | & %.`);
  }
  if (number) return ok(`${number.year}${number.serial}${number.branch ?? ""}`);
  return ok(SAFE_FILE_BASE.test(content.doc) ? content.doc : "document");
}

/**
 * Exports the document as it stands now. To export exactly what the decider signed, read that
 * version (`parseSignedContent(doc.version(hash))`) and call `exportDiContent`.
 */
export function exportDi(doc: CountersignDocument, opts: DiOptions): Result<DiExport> {
  const content = doc.content();
  return content.ok ? exportDiContent(content.value, opts) : content;
}

/**
 * 函 and 書函 become 104_2_utf8.dtd, 簽 becomes 104_5_utf8.dtd; the other kinds have DTDs of their
 * own and are refused until they are written. Pure: it builds a string, reads no files.
 */
export function exportDiContent(content: SignedContent, opts: DiOptions): Result<DiExport> {
  // 密 and above stay off online exchange under the seeds' rules, whatever the caller intends.
  if (content.metadata.secrecy !== "none") return fail("di.classified", "A classified document is not exported as DI.");
  const kind = content.metadata.kind;
  if (kind !== "letter" && kind !== "brief-letter" && kind !== "memo") {
    return fail("di.kind", `Only 函, 書函 and 簽 export as DI so far; this document is a ${KIND_LABELS[kind]}.`);
  }

  let number: DocNumber | null = null;
  if (content.metadata.docNumber !== null && content.metadata.docNumber.trim() !== "") {
    const parsed = parseDocNumber(content.metadata.docNumber);
    if (!parsed.ok) return parsed;
    number = parsed.value;
  }
  // A date that is given but wrong is refused; only a missing date is written empty.
  if (opts.date !== undefined) {
    const d = rocDate(opts.date);
    if (!d.ok) return d;
  }
  const base = fileBase(content, number, opts.fileBase);
  if (!base.ok) return base;

  const b: Build = { content, opts, number, fileBase: base.value, empty: [] };
  const built: Result<Built> = kind === "memo" ? buildMemo(b) : buildLetter(b, kind);
  if (!built.ok) return built;
  const xml = writeXml(built.value.doctype, built.value.root);
  if (!xml.ok) return xml;
  return ok({
    xml: xml.value,
    dtd: kind === "memo" ? MEMO_DTD : LETTER_DTD,
    empty: b.empty,
    attachments: built.value.attachments,
    rosterFile: built.value.rosterFile,
  });
}
