import { HTML_LANG, LOCALES, MESSAGES, type Locale, type MessageKey } from "./i18n.ts";
import { fillMessage } from "./message-format.ts";

const LOCALE_KEY = "countersign:locale";

/**
 * The current UI locale as reactive state. One instance per page load: the server always renders
 * zh-TW (the locale only changes in the browser), so sharing the module between requests is safe.
 */
export class I18n {
  locale = $state<Locale>("zh-TW");
  readonly htmlLang = $derived(HTML_LANG[this.locale]);

  /** The message in the current locale, with {name} placeholders and {n:one|other} plurals filled from `vars`. */
  t = (key: MessageKey, vars?: Record<string, string | number>): string => fillMessage(this.locale, MESSAGES[this.locale][key], vars);

  toggle = (): void => {
    this.locale = this.locale === "zh-TW" ? "en" : "zh-TW";
    try {
      localStorage.setItem(LOCALE_KEY, this.locale);
    } catch {
      // storage disabled: the choice lasts for this page only
    }
  };

  /** The locale chosen on an earlier visit (browser only). */
  restore = (): void => {
    try {
      const saved = localStorage.getItem(LOCALE_KEY);
      if (saved && (LOCALES as readonly string[]).includes(saved)) this.locale = saved as Locale;
    } catch {
      // storage disabled: zh-TW
    }
  };
}

export const i18n = new I18n();
