import { fail, ok, type Result } from "../result.ts";
import { MAX_DEPTH, SECTION_LABELS, itemLabel, type Section } from "../schema/body.ts";
import type { CanonicalItem } from "../schema/content.ts";
import { el, type XmlElement } from "./xml.ts";

/**
 * One numbered item as 條列 (文字?, 條列*) with 序號 set to the label the app shows — 一、 (一) 1、 (1)
 * by depth (`itemLabel`), so the DI reads exactly like the document people signed. The exchange
 * tag set leaves 序號 free text; DI files in use write the parentheses half-width, as we do.
 */
function item(section: Section, it: CanonicalItem, depth: number, position: number, path: string): Result<XmlElement> {
  const label = itemLabel(depth, position);
  const here = path + label;
  if (it.children.length > 0 && depth >= MAX_DEPTH) {
    // The editor refuses a fifth level, but a signed version read from a file is only JSON.
    return fail("di.body", `${SECTION_LABELS[section]} item ${here} has sub-items below the fourth level, which 條列 numbering (一、 (一) 1、 (1)) cannot label.`);
  }
  const children: XmlElement[] = [el("文字", it.text)];
  for (const [i, child] of it.children.entries()) {
    const c = item(section, child, depth + 1, i + 1, here);
    if (!c.ok) return c;
    children.push(c.value);
  }
  return ok(el("條列", children, { 序號: label }));
}

/** A section as 段落 with 段名 "說明：" / "辦法：" / "擬辦：" (the colon included, as DI files write it). */
export function paragraph(section: Section, items: readonly CanonicalItem[]): Result<XmlElement> {
  const children: XmlElement[] = [];
  for (const [i, it] of items.entries()) {
    const c = item(section, it, 1, i + 1, "");
    if (!c.ok) return c;
    children.push(c.value);
  }
  return ok(el("段落", children, { 段名: `${SECTION_LABELS[section]}：` }));
}

/**
 * The 段落 of a kind, in the order given; a section the kind does not have is refused when it holds
 * items, because dropping signed text silently would export something nobody signed.
 */
export function paragraphs(kindLabel: string, allowed: readonly Section[], body: Record<Section, CanonicalItem[]>): Result<XmlElement[]> {
  for (const [section, items] of Object.entries(body) as [Section, CanonicalItem[]][]) {
    if (items.length > 0 && !allowed.includes(section)) {
      return fail(
        "di.body",
        `A ${kindLabel} has no ${SECTION_LABELS[section]} section, but this document has ${SECTION_LABELS[section]} items; move them or change the kind before exporting it as DI.`,
      );
    }
  }
  const out: XmlElement[] = [];
  for (const section of allowed) {
    if (body[section].length === 0) continue;
    const p = paragraph(section, body[section]);
    if (!p.ok) return p;
    out.push(p.value);
  }
  return ok(out);
}
