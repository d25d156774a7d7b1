import * as Y from "yjs";
import { asItemId, isItemId, randomId, type ItemId } from "../ids.ts";
import type { Json } from "../canonical.ts";

/** 說明 / 辦法 / 擬辦: the numbered sections of a 函 or 簽. */
export const SECTIONS = ["explanation", "measures", "proposal"] as const;
export type Section = (typeof SECTIONS)[number];
export const SECTION_LABELS: Record<Section, string> = { explanation: "說明", measures: "辦法", proposal: "擬辦" };

/** Items nest four deep: 一、 (一) 1、 (1). */
export const MAX_DEPTH = 4;

/** What the body holds, with item ids (for editing) — the canonical form drops the ids. */
export interface BodyItem {
  id: ItemId;
  text: string;
  children: BodyItem[];
}

export type YItem = Y.Map<unknown>;

/** Top-level shared types are named, so two replicas creating them concurrently cannot clash. */
export const sectionArray = (doc: Y.Doc, section: Section): Y.Array<YItem> => doc.getArray<YItem>(`body.${section}`);

export function newYItem(text: string): { id: ItemId; item: YItem } {
  const id = asItemId(randomId("i"));
  const item = new Y.Map<unknown>();
  const ytext = new Y.Text();
  ytext.insert(0, text);
  item.set("id", id);
  item.set("text", ytext);
  item.set("children", new Y.Array<YItem>());
  return { id, item };
}

export function itemText(item: YItem): Y.Text | undefined {
  const t = item.get("text");
  return t instanceof Y.Text ? t : undefined;
}

export function itemChildren(item: YItem): Y.Array<YItem> | undefined {
  const c = item.get("children");
  return c instanceof Y.Array ? (c as Y.Array<YItem>) : undefined;
}

/**
 * Reads an item tree defensively: a replica may hold values of the wrong type (a peer's bug or an
 * attack); such nodes are skipped rather than thrown on, and verification of signed content still
 * catches any difference that matters.
 */
export function readItems(arr: Y.Array<YItem>, depth = 1): BodyItem[] {
  const out: BodyItem[] = [];
  for (const item of arr.toArray()) {
    if (!(item instanceof Y.Map)) continue;
    const id = item.get("id");
    const text = itemText(item);
    if (!isItemId(id) || !text) continue;
    const children = itemChildren(item);
    out.push({
      id,
      text: text.toString(),
      children: children && depth < MAX_DEPTH ? readItems(children, depth + 1) : [],
    });
  }
  return out;
}

export function canonicalItems(items: BodyItem[]): Json[] {
  return items.map((i) => ({ text: i.text, children: canonicalItems(i.children) }));
}

/** Finds an item anywhere in a section, with the array that holds it and its depth (1-based). */
export function locateItem(
  arr: Y.Array<YItem>,
  id: ItemId,
  depth = 1,
): { parent: Y.Array<YItem>; index: number; item: YItem; depth: number } | undefined {
  const items = arr.toArray();
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (!(item instanceof Y.Map)) continue;
    if (item.get("id") === id) return { parent: arr, index: i, item, depth };
    const children = itemChildren(item);
    if (children) {
      const found = locateItem(children, id, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

const CN_DIGITS = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/** 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (enough for any realistic list). */
export function chineseNumeral(n: number): string {
  if (n < 10) return CN_DIGITS[n]!;
  if (n < 20) return "十" + (n % 10 ? CN_DIGITS[n % 10] : "");
  if (n < 100) return CN_DIGITS[Math.floor(n / 10)]! + "十" + (n % 10 ? CN_DIGITS[n % 10] : "");
  return String(n);
}

/** The numbering label of the item at 1-based `position` and `depth`: 一、 (一) 1、 (1). */
export function itemLabel(depth: number, position: number): string {
  switch (depth) {
    case 1:
      return `${chineseNumeral(position)}、`;
    case 2:
      return `(${chineseNumeral(position)})`;
    case 3:
      return `${position}、`;
    default:
      return `(${position})`;
  }
}
