import type { AttachmentRef, SignedContent } from "../schema/content.ts";
import type { DocNumber } from "./roc.ts";
import type { Recipient } from "./recipients.ts";
import type { Doctype, XmlElement } from "./xml.ts";

export const LETTER_DTD = "104_2_utf8.dtd";
export const MEMO_DTD = "104_5_utf8.dtd";
export type DiDtd = typeof LETTER_DTD | typeof MEMO_DTD;

/**
 * What the DI needs that the document itself does not hold: the agency's directory entries (name,
 * address, contacts), the roster, the dispatch date and the signature line. Anything left out that
 * the DTD requires is written empty where the DTD allows it and reported in `DiExport.empty`.
 */
export interface DiOptions {
  /** 發文機關/全銜, e.g. 臺南市政府教育局. */
  agencyName: string;
  /** 機關代碼; defaults to the document's agency code. */
  agencyCode?: string;
  /** 簽 only: the drafting unit's name; when given the 簽 is headed 單位 (單位名, 單位代碼 = the document's unit) instead of 發文機關. */
  unitName?: string;
  /** 函 only: 地址. */
  address?: string;
  /** 函 only: the 聯絡方式 lines, e.g. ["承辦人：陳承辦", "電話：06-2991111#8000"]. */
  contacts?: string[];
  /** YYYY-MM-DD: 發文日期 of a 函, 年月日 of a 簽. */
  date?: string;
  /** 函 only: the recipient roster (受文者, 正本, 副本; the same list goes to `exportSw`). */
  recipients?: Recipient[];
  /** 署名, e.g. 局長　王○○. */
  signature?: string;
  /** 簽 only: 敬陳, e.g. [{ title: "科長" }, { title: "局長" }]. */
  submitTo?: { title: string; name?: string }[];
  /**
   * Base of the names of the files the DI refers to (the SW roster, attachments); defaults to the
   * 文號 digits, else the document id. No path separators, quotes or spaces.
   */
  fileBase?: string;
}

/** An attachment the DI names by entity: the packager writes the attachment's bytes to `file`. */
export interface DiAttachmentFile {
  entity: string;
  file: string;
  ref: AttachmentRef;
}

export interface DiExport {
  xml: string;
  dtd: DiDtd;
  /** Required elements the document and options had nothing for, written empty (e.g. "地址"). */
  empty: string[];
  /** Attachment files referred to by 附件/附件檔名, in order. */
  attachments: DiAttachmentFile[];
  /** The SW file 受文者/交換表 refers to (write `exportSw(recipients)` there), or null when 受文者 names its one recipient itself. */
  rosterFile: string | null;
}

/** The state one export builds up: the parsed number, the file base, and what was left empty. */
export interface Build {
  content: SignedContent;
  opts: DiOptions;
  number: DocNumber | null;
  fileBase: string;
  empty: string[];
}

/** A built DI before it is written out. */
export interface Built {
  doctype: Doctype;
  root: XmlElement;
  attachments: DiAttachmentFile[];
  rosterFile: string | null;
}
