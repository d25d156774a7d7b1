// Presence colours and the text-diff used by the editable fields.

const COLORS = ["#1d4e89", "#a23b72", "#2e7d32", "#b35c00", "#6a3fb5", "#00838f", "#8e1c14", "#5d4037"];

/** A stable colour per person, so someone keeps their colour across reloads and devices. */
export function colorFor(person: string): string {
  let h = 0;
  for (const ch of person) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return COLORS[h % COLORS.length]!;
}

export interface TextChange {
  index: number;
  remove: number;
  insert: string;
}

/**
 * The smallest single-range change turning `before` into `after` (common prefix and suffix). An
 * input event changes one range, so this is exact for typing, pasting and IME composition, and it
 * keeps concurrent edits elsewhere in the text from being overwritten.
 */
export function textChange(before: string, after: string): TextChange | null {
  if (before === after) return null;
  let p = 0;
  const max = Math.min(before.length, after.length);
  while (p < max && before.charCodeAt(p) === after.charCodeAt(p)) p++;
  let s = 0;
  while (s < max - p && before.charCodeAt(before.length - 1 - s) === after.charCodeAt(after.length - 1 - s)) s++;
  return { index: p, remove: before.length - p - s, insert: after.slice(p, after.length - s) };
}

/** Where a caret at `pos` belongs after someone else changed `before` into `after`. */
export function moveCaret(pos: number, before: string, after: string): number {
  const c = textChange(before, after);
  if (!c || pos <= c.index) return pos;
  if (pos >= c.index + c.remove) return pos + c.insert.length - c.remove;
  return c.index + c.insert.length;
}
