/** The parts 函 and 簽 share: the issuer, 速別, 附件, 主旨, dates, and empty-but-required elements. */
import { SPEED_LABELS } from "../schema/metadata.ts";
import { rocDate } from "./roc.ts";
import { el, type EntityDecl, type XmlElement } from "./xml.ts";
import type { Build, DiAttachmentFile } from "./options.ts";

/** Notation names as DI files in use declare them: DI for the SW roster, _X for attachment files. */
export const ROSTER_NOTATION = "DI";
export const ATTACHMENT_NOTATION = "_X";

/**
 * A required #PCDATA element. When there is nothing to put in it the DTD still accepts it empty, so
 * it is written empty and named in `empty` for the caller to show, rather than refused.
 */
export function required(b: Build, name: string, value: string | undefined, report: string = name): XmlElement {
  if (value === undefined || value.trim() === "") {
    b.empty.push(report);
    return el(name, "");
  }
  return el(name, value);
}

/** 發文機關 (全銜, 機關代碼): the options name the agency, the document carries its code. */
export function issuer(b: Build): XmlElement {
  return el("發文機關", [required(b, "全銜", b.opts.agencyName, "發文機關/全銜"), el("機關代碼", b.opts.agencyCode ?? b.content.metadata.agency)]);
}

/** 速別 is EMPTY with 代碼 (普通件|速件|最速件); our three speeds are exactly those. */
export function speed(b: Build): XmlElement {
  return el("速別", [], { 代碼: SPEED_LABELS[b.content.metadata.speed] });
}

/** 年月日 in ROC form; the date was checked before building started. */
export function date(b: Build, report: string): XmlElement {
  const d = b.opts.date === undefined ? undefined : rocDate(b.opts.date);
  return required(b, "年月日", d?.ok ? d.value : undefined, report);
}

export function subject(b: Build): XmlElement {
  return el("主旨", [required(b, "文字", b.content.subject, "主旨")]);
}

function extension(name: string): string {
  const m = /\.[A-Za-z0-9]{1,10}$/.exec(name);
  return m ? m[0].toLowerCase() : "";
}

/**
 * 附件 (文字, 附件檔名*). 附件檔名's 附件名 is of type ENTITIES, so each file is an unparsed entity
 * declared in the internal subset. The entity's file is named ATTCH1, ATTCH2… after the base (not
 * after the attachment's own name, which may hold anything); 文字 keeps the names people gave.
 */
export function attachments(b: Build): { element: XmlElement | null; entities: EntityDecl[]; files: DiAttachmentFile[] } {
  const refs = [...b.content.attachments].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : x.sha256 < y.sha256 ? -1 : 1));
  if (refs.length === 0) return { element: null, entities: [], files: [] };
  const files = refs.map((ref, i) => ({ entity: `ATTCH${i + 1}`, file: `${b.fileBase}_ATTCH${i + 1}${extension(ref.name)}`, ref }));
  const element = el("附件", [el("文字", refs.map((r) => r.name).join("、")), el("附件檔名", [], { 附件名: files.map((f) => f.entity).join(" ") })]);
  const entities = files.map((f) => ({ name: f.entity, system: f.file, notation: ATTACHMENT_NOTATION }));
  return { element, entities, files };
}
