// The one glossary of domain terms (文別, 速別, 密等, 狀態, 簽核動作, 角色, 段名, 交換目的…): the model's
// Chinese labels are the zh-TW side, untouched; the English side is written once here, keyed by the
// model's own keys, so every screen says "Memo", "Submit for review", "Most urgent" the same way.
// Official document content (主旨, items, names) is never translated: only these labels are.
import {
  ACTION_LABELS,
  DELIVERY_LABELS,
  KIND_LABELS,
  PAPER_REASON_LABELS,
  PURPOSE_LABELS,
  ROLE_LABELS,
  SECRECY_LABELS,
  SECTION_LABELS,
  SPEED_LABELS,
  STATUS_LABELS,
  type ActionKind,
  type Delivery,
  type DocumentKind,
  type PaperReason,
  type Purpose,
  type Role,
  type Secrecy,
  type Section,
  type Speed,
  type Status,
} from "@countersign/crdt-model";
import type { Locale } from "./i18n.ts";

const KIND_EN: Record<DocumentKind, string> = {
  memo: "Memo",
  draft: "Draft letter",
  letter: "Letter",
  "brief-letter": "Brief letter",
  "meeting-notice": "Meeting notice",
  announcement: "Announcement",
  order: "Order",
  note: "Note",
  other: "Other",
};

const SPEED_EN: Record<Speed, string> = { "most-urgent": "Most urgent", urgent: "Urgent", ordinary: "Normal" };

const SECRECY_EN: Record<Secrecy, string> = {
  none: "Not classified",
  confidential: "Confidential",
  secret: "Secret",
  "top-secret": "Top secret",
  absolute: "Absolutely secret",
};

const STATUS_EN: Record<Status, string> = {
  draft: "Draft",
  "in-review": "In review",
  countersigning: "Countersigning",
  returned: "Returned",
  decided: "Decided",
  dispatched: "Dispatched",
  closed: "Filed (no letter)",
  archived: "Archived",
  "on-paper": "On paper",
};

const ACTION_EN: Record<ActionKind, string> = {
  submit: "Submit for review",
  approve: "Review",
  countersign: "Countersign",
  return: "Return",
  decide: "Decide",
  withdraw: "Withdraw",
  reassign: "Reassign",
  "switch-to-paper": "Switch to paper",
  "late-sign": "Sign late",
  dispatch: "Dispatch",
  archive: "Archive",
  close: "File (no letter)",
  "paper-record": "Record paper handling",
  "amend-plan": "Change the route",
  reclassify: "Change secrecy",
  "extend-request": "Request an extension",
  "extend-decide": "Decide on the extension",
  "late-reason": "Reason for the delay",
};

const ROLE_EN: Record<Role, string> = {
  "mail-room": "Mail room",
  registry: "Registry desk",
  "case-officer": "Case officer",
  supervisor: "Supervisor",
  archives: "Archives",
  "follow-up": "Follow-up",
  admin: "Administrator",
};

const SECTION_EN: Record<Section, string> = { explanation: "Explanation", measures: "Measures", proposal: "Proposal" };

const PURPOSE_EN: Record<Purpose, string> = {
  "countersign-request": "Countersign request",
  "countersign-reply": "Countersign reply",
  "review-request": "Review request",
  dispatch: "Dispatch",
  receipt: "Receipt",
};

const PAPER_REASON_EN: Record<PaperReason, string> = {
  secret: "Classified",
  pages: "More than 15 pages",
  retention: "Kept more than 10 years",
  certificates: "Original certificates",
  unscannable: "Attachments that cannot be scanned",
  photos: "Photographs",
  tender: "Tender documents",
  "offline-agency": "The countersigning agency is not online yet",
};

const DELIVERY_EN: Record<Delivery, string> = { original: "Original", copy: "Copy" };

// 時效管制 (follow-up desk, notices): how a document started (收文 / 創稿) and its deadline flag
// (期前: due within N working days; 逾期: past the due date). The model has no label table for these.
const ORIGIN_ZH = { received: "收文", created: "創稿" } as const;
const ORIGIN_EN: Record<keyof typeof ORIGIN_ZH, string> = { received: "Received", created: "Created here" };
const DEADLINE_FLAG_ZH = { overdue: "逾期", "due-soon": "期前", ok: "未到期" } as const;
const DEADLINE_FLAG_EN: Record<keyof typeof DEADLINE_FLAG_ZH, string> = { overdue: "Overdue", "due-soon": "Due soon", ok: "Not due yet" };

/** Each kind of term: the model's zh-TW labels and the English ones, over the same keys. */
const TERMS = {
  kind: { "zh-TW": KIND_LABELS, en: KIND_EN },
  speed: { "zh-TW": SPEED_LABELS, en: SPEED_EN },
  secrecy: { "zh-TW": SECRECY_LABELS, en: SECRECY_EN },
  status: { "zh-TW": STATUS_LABELS, en: STATUS_EN },
  action: { "zh-TW": ACTION_LABELS, en: ACTION_EN },
  role: { "zh-TW": ROLE_LABELS, en: ROLE_EN },
  section: { "zh-TW": SECTION_LABELS, en: SECTION_EN },
  purpose: { "zh-TW": PURPOSE_LABELS, en: PURPOSE_EN },
  paperReason: { "zh-TW": PAPER_REASON_LABELS, en: PAPER_REASON_EN },
  delivery: { "zh-TW": DELIVERY_LABELS as Record<Delivery, string>, en: DELIVERY_EN },
  origin: { "zh-TW": ORIGIN_ZH, en: ORIGIN_EN },
  deadlineFlag: { "zh-TW": DEADLINE_FLAG_ZH, en: DEADLINE_FLAG_EN },
} satisfies Record<string, Record<Locale, Record<string, string>>>;

export type TermKind = keyof typeof TERMS;
export type TermKey<K extends TermKind> = keyof (typeof TERMS)[K]["en"];

/** Whether `key` is a known term of `kind` (rows from the server or old copies may carry others). */
export function isTerm<K extends TermKind>(kind: K, key: string | null | undefined): key is TermKey<K> & string {
  return key != null && Object.hasOwn(TERMS[kind].en, key);
}

/** The label of a domain term in `locale`; an unknown key is shown as it is (never a blank). */
export function term<K extends TermKind>(kind: K, key: TermKey<K> | string, locale: Locale): string {
  const table = TERMS[kind][locale] as Record<string, string>;
  return Object.hasOwn(table, key) ? table[key as string]! : String(key);
}

/** The list separator of `locale` (「、」 in Chinese, ", " in English). */
export const listSep = (locale: Locale): string => (locale === "en" ? ", " : "、");

/** Several terms of one kind, joined as the locale writes a list. */
export const terms = <K extends TermKind>(kind: K, keys: readonly string[], locale: Locale): string =>
  keys.map((k) => term(kind, k, locale)).join(listSep(locale));

/** The colon after a label (「主旨：」 / "Subject: "). */
export const colon = (locale: Locale): string => (locale === "en" ? ": " : "：");

/** A remark in parentheses as the locale writes it (「（3）」 / " (3)"). */
export const paren = (text: string | number, locale: Locale): string => (locale === "en" ? ` (${text})` : `（${text}）`);

/** The separator between facts on one line (「學務管理科・第 1 職等」 / "… · Level 1"). */
export const midDot = (locale: Locale): string => (locale === "en" ? " · " : "・");
