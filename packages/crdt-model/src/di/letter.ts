import { fail, ok, type Result } from "../result.ts";
import { el, type EntityDecl, type XmlElement } from "./xml.ts";
import { attachmentNote, checkRoster, copyLists, identityElements } from "./recipients.ts";
import { paragraphs } from "./paragraphs.ts";
import { ATTACHMENT_NOTATION, ROSTER_NOTATION, attachments, date, issuer, required, speed, subject } from "./parts.ts";
import { LETTER_DTD, type Build, type Built } from "./options.ts";

/** The entity 受文者/交換表 points at; DI files in use call it 表單. */
const ROSTER_ENTITY = "表單";

/** 函類別 代碼 for the kinds that are letters (the tag set's list holds many more). */
const LETTER_CLASS = { letter: "函", "brief-letter": "書函" } as const;

/**
 * 受文者: one recipient is named in place; several go to the SW roster, which 交換表 references
 * through an unparsed entity — the tag set's only way to name more than one.
 */
function receiver(b: Build): { element: XmlElement; entity: EntityDecl | null; rosterFile: string | null } {
  const roster = b.opts.recipients ?? [];
  const only = roster.length === 1 ? roster[0] : undefined;
  if (only) return { element: el("受文者", [...identityElements(only), ...attachmentNote(only)]), entity: null, rosterFile: null };
  const rosterFile = `${b.fileBase}.sw`;
  return {
    element: el("受文者", [el("交換表", "如正副本行文單位", { 交換表單: ROSTER_ENTITY })]),
    entity: { name: ROSTER_ENTITY, system: rosterFile, notation: ROSTER_NOTATION },
    rosterFile,
  };
}

/** 發文字號 ((字,文號)|(文字)): the parsed number, or an empty 文字 when the letter has none yet. */
function documentNumber(b: Build): XmlElement[] {
  const n = b.number;
  if (!n) return [required(b, "文字", undefined, "發文字號")];
  return [el("字", n.word), el("文號", [el("年度", n.year), el("流水號", n.serial), ...(n.branch ? [el("支號", n.branch)] : [])])];
}

/**
 * 函 (104_2_utf8.dtd), in the DTD's order:
 * 發文機關+, 函類別, 地址, 聯絡方式+, 受文者, 發文日期, 發文字號+, 速別?, 密等…?, 附件?, 主旨, 段落*, 正本, 副本?, 署名*.
 * 密等 is never written: classified documents are refused before this point.
 */
export function buildLetter(b: Build, kind: keyof typeof LETTER_CLASS): Result<Built> {
  const roster = b.opts.recipients ?? [];
  const checked = checkRoster(roster);
  if (!checked.ok) return checked;
  const { originals, copies } = copyLists(roster);
  // 受文者 and 正本 are both required and 正本 needs one name at least: a letter to nobody is refused.
  if (!originals) return fail("di.no-original", "A 函 needs at least one 正本 recipient (the DTD requires 受文者 and 正本), and the roster names none.");

  const rcv = receiver(b);
  const att = attachments(b);
  const paras = paragraphs("函", ["explanation", "measures"], b.content.body);
  if (!paras.ok) return paras;

  // Built in document order, so `empty` lists the missing parts in the order a reader meets them.
  const children: XmlElement[] = [
    issuer(b),
    el("函類別", [], { 代碼: LETTER_CLASS[kind] }),
    required(b, "地址", b.opts.address),
    ...(b.opts.contacts?.length ? b.opts.contacts.map((c) => el("聯絡方式", c)) : [required(b, "聯絡方式", undefined)]),
    rcv.element,
    el("發文日期", [date(b, "發文日期")]),
    el("發文字號", documentNumber(b)),
    speed(b),
    ...(att.element ? [att.element] : []),
    subject(b),
    ...paras.value,
    originals,
    ...(copies ? [copies] : []),
    ...(b.opts.signature?.trim() ? [el("署名", b.opts.signature)] : []),
  ];

  const entities = [...(rcv.entity ? [rcv.entity] : []), ...att.entities];
  const notations = [...(rcv.entity ? [ROSTER_NOTATION] : []), ...(att.entities.length ? [ATTACHMENT_NOTATION] : [])];
  return ok({
    doctype: { root: "函", system: LETTER_DTD, entities, notations },
    root: el("函", children),
    attachments: att.files,
    rosterFile: rcv.rosterFile,
  });
}
