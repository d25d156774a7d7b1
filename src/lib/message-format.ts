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
