// Labels and dates for the exchange views: purposes in the official terms (zh-TW in both locales,
// with the English gloss), instants as ROC date and Taipei time.
import { PURPOSE_LABELS, type Purpose } from "@countersign/crdt-model";
import { formatRocDate, formatTaipeiTime } from "$lib/roc-date.ts";
import type { Locale } from "$lib/i18n.ts";

const PURPOSE_EN: Record<Purpose, string> = {
  "countersign-request": "countersign request",
  "countersign-reply": "countersign reply",
  "review-request": "review request",
  dispatch: "dispatch",
  receipt: "receipt",
};

export function purposeLabel(p: string | null, locale: Locale): string {
  if (!p || !(p in PURPOSE_LABELS)) return p ?? "—";
  return locale === "en" ? PURPOSE_EN[p as Purpose] : PURPOSE_LABELS[p as Purpose];
}

/** "115/01/02 09:30" (Taiwan time) for an ISO instant; the raw text when it is not one. */
export function rocDateTime(iso: string | null): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${formatRocDate(d, "short")} ${formatTaipeiTime(d)}`;
}

/** The purposes a person may choose when sending a document from its page. */
export const SEND_PURPOSES: readonly Purpose[] = ["countersign-request", "review-request", "countersign-reply", "dispatch"];
