// Filling a UI message: {name} placeholders, and plurals written {n:one form|other form}, chosen by
// Intl.PluralRules for the locale ("1 document", "2 documents"). Chinese has one form, so zh-TW
// strings never need the plural syntax; English ones use it wherever a count is shown.
import type { Locale } from "./i18n.ts";

const rules = new Map<Locale, Intl.PluralRules>();

function pluralRules(locale: Locale): Intl.PluralRules {
  let r = rules.get(locale);
  if (!r) rules.set(locale, (r = new Intl.PluralRules(locale)));
  return r;
}

/** `msg` with `{k}` replaced by vars[k] and `{k:one|other}` by the form for the number vars[k]. */
export function fillMessage(locale: Locale, msg: string, vars?: Record<string, string | number>): string {
  if (!vars) return msg;
  return msg
    .replace(/\{(\w+):([^|{}]*)\|([^{}]*)\}/g, (all, k: string, one: string, other: string) => {
      if (!(k in vars)) return all;
      const n = Number(vars[k]);
      return Number.isFinite(n) && pluralRules(locale).select(n) === "one" ? one : other;
    })
    .replace(/\{(\w+)\}/g, (all, k: string) => (k in vars ? String(vars[k]) : all));
}

/** A message in pieces: the words of the interface, and the data put into it (names, subjects). */
export interface MessagePiece {
  text: string;
  /** True for a value from `data`: user content, shown as written in every locale. */
  data: boolean;
}

/**
 * `msg` filled like fillMessage, but the placeholders named in `data` come out as pieces of their
 * own, so a page can mark them as user content (a person's or an agency's name inside a sentence).
 */
export function messagePieces(locale: Locale, msg: string, vars: Record<string, string | number>, data: Record<string, string>): MessagePiece[] {
  const pieces: MessagePiece[] = [];
  let last = 0;
  for (const m of msg.matchAll(/\{(\w+)\}/g)) {
    const k = m[1]!;
    if (!Object.hasOwn(data, k)) continue;
    if (m.index > last) pieces.push({ text: fillMessage(locale, msg.slice(last, m.index), vars), data: false });
    pieces.push({ text: data[k]!, data: true });
    last = m.index + m[0].length;
  }
  if (last < msg.length) pieces.push({ text: fillMessage(locale, msg.slice(last), vars), data: false });
  return pieces;
}
