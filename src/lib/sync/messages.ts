// UI strings of the sync status (the header and the document page's live status), zh-TW first.
// The plain strings are merged into the app's messages in i18n.ts; counted phrases are in
// SYNC_COUNTED and chosen by Intl.PluralRules (status.ts), so English says "Changes in 1 document",
// "Changes in 2 documents", "1 attachment". Documents are counted, not the queue's rows: each
// keystroke is a row of its own, and "8 changes" after typing one word would mislead.

export const SYNC_ZH = {
  linkOffline: "此裝置離線",
  linkUnreachable: "伺服器無回應",
  linkUnreachableHint: "機關伺服器目前沒有回應（此裝置有網路）：您可以繼續作業，變更會保存在此裝置，伺服器恢復後自動送出。",
  liveOffline: "此裝置離線：變更保存在此裝置，連線後自動送出",
  liveUnreachable: "伺服器無回應：變更保存在此裝置，伺服器恢復後自動送出",
  docRefused: "機關伺服器拒絕提供這份公文（這不是連線問題）：{reason}",
  docMissingUnreachable: "此裝置上沒有這份公文，機關伺服器目前沒有回應。伺服器恢復後再試一次。",
};

export const SYNC_EN: Record<keyof typeof SYNC_ZH, string> = {
  linkOffline: "Device offline",
  linkUnreachable: "Server unreachable",
  linkUnreachableHint: "The agency server does not answer (this device has a network): keep working; changes are kept on this device and sent when the server is back.",
  liveOffline: "This device is offline: changes are kept here and sent when online",
  liveUnreachable: "Server unreachable: changes are kept here and sent when it is back",
  docRefused: "The agency server refused to give this document (this is not a network problem): {reason}",
  docMissingUnreachable: "This document is not on this device and the agency server does not answer. Try again when it is back.",
};

/** A phrase with a count, per plural category (Intl.PluralRules); `other` is required, `{n}` is the count. */
export type Counted = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

export const SYNC_COUNTED = {
  "zh-TW": {
    docs: { other: "{n} 份公文的變更" },
    uploads: { other: "{n} 個附件" },
    /** The waiting things joined ("2 份公文的變更、1 個附件") and what they wait for. */
    join: "、",
    waiting: "{what}待送出",
    synced: "已同步 {time}",
  },
  en: {
    docs: { one: "Changes in {n} document", other: "Changes in {n} documents" },
    uploads: { one: "{n} attachment", other: "{n} attachments" },
    join: " and ",
    waiting: "{what} not yet sent",
    synced: "Synced {time}",
  },
} satisfies Record<string, { docs: Counted; uploads: Counted; join: string; waiting: string; synced: string }>;
