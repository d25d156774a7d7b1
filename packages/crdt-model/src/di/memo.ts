import { ok, type Result } from "../result.ts";
import { el, type XmlElement } from "./xml.ts";
import { paragraphs } from "./paragraphs.ts";
import { ATTACHMENT_NOTATION, attachments, date, issuer, required, speed, subject } from "./parts.ts";
import { MEMO_DTD, type Build, type Built } from "./options.ts";

/**
 * 簽 (104_5_utf8.dtd), in the DTD's order:
 * (發文機關|單位), 受文者?, 文號, 速別?, 密等…?, 擬辦方式?, 附件?, 主旨, 段落*, 敬陳?, 署名, 年月日.
 * A 簽 is internal, so 受文者 is left out; 擬辦方式 is not in our model. The DTD has no place for
 * 檔號 or 保存年限, so the document's retention is not written.
 */
export function buildMemo(b: Build): Result<Built> {
  const att = attachments(b);
  const paras = paragraphs("簽", ["explanation", "proposal"], b.content.body);
  if (!paras.ok) return paras;

  // 單位 (單位名, 單位代碼?) when the caller names the unit, else the agency heads the memo.
  const head = b.opts.unitName?.trim()
    ? el("單位", [el("單位名", b.opts.unitName), el("單位代碼", b.content.metadata.unit)])
    : issuer(b);
  // 簽's 文號 is (年度, 流水號, 支號?) without 字: the 代字 has no place in a memo.
  const n = b.number;
  const number = n
    ? el("文號", [el("年度", n.year), el("流水號", n.serial), ...(n.branch ? [el("支號", n.branch)] : [])])
    : el("文號", [required(b, "年度", undefined, "文號"), el("流水號", "")]);
  const submitTo = b.opts.submitTo?.length
    ? [el("敬陳", b.opts.submitTo.flatMap((s) => [el("職稱", s.title), ...(s.name ? [el("姓名", s.name)] : [])]))]
    : [];

  const children: XmlElement[] = [
    head,
    number,
    speed(b),
    ...(att.element ? [att.element] : []),
    subject(b),
    ...paras.value,
    ...submitTo,
    required(b, "署名", b.opts.signature),
    date(b, "年月日"),
  ];
  return ok({
    doctype: { root: "簽", system: MEMO_DTD, entities: att.entities, notations: att.entities.length ? [ATTACHMENT_NOTATION] : [] },
    root: el("簽", children),
    attachments: att.files,
    rosterFile: null,
  });
}
