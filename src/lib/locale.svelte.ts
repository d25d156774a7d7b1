import { HTML_LANG, MESSAGES, type Locale, type MessageKey } from "./i18n.ts";

/**
 * The current UI locale as reactive state. One instance per page load: the server always renders
 * zh-TW (the locale only changes in the browser), so sharing the module between requests is safe.
 */
export class I18n {
  locale = $state<Locale>("zh-TW");
  readonly htmlLang = $derived(HTML_LANG[this.locale]);

  t = (key: MessageKey): string => MESSAGES[this.locale][key];

  toggle = (): void => {
    this.locale = this.locale === "zh-TW" ? "en" : "zh-TW";
  };
}

export const i18n = new I18n();
