// UI strings of the document page, zh-TW first (merged into the app's messages in i18n.ts).

export const DOC_ZH = {
  addItem: "新增{section}項目",
  addSubItem: "新增下一層項目",
  removeItem: "刪除此項目",
  presenceAlone: "目前只有您在編輯",
  presenceHere: "也在此公文：",
  presenceTyping: "正在編輯{where}",
  connLive: "即時協作中",
  connConnecting: "連線中…",
  connOffline: "離線：變更保存在此裝置，連線後自動送出",
  refusedTitle: "機關伺服器拒絕了此公文的變更",
  refusedReason: "原因：{reason}",
  refusedKept: "您尚未送出的內容仍完整保存在此裝置，不會遺失。請修正後再試，或重新從伺服器下載這份公文。",
  refusedRetry: "重新整理後再試",
  readOnly: "此公文已決行或不在線上簽核，內容不可再修改。",
} as const;

export const DOC_EN: Record<keyof typeof DOC_ZH, string> = {
  addItem: "Add a {section} item",
  addSubItem: "Add a sub-item",
  removeItem: "Remove this item",
  presenceAlone: "Only you are editing",
  presenceHere: "Also here:",
  presenceTyping: "typing in {where}",
  connLive: "Live co-editing",
  connConnecting: "Connecting…",
  connOffline: "Offline: changes are kept on this device and sent when online",
  refusedTitle: "The agency server refused a change to this document",
  refusedReason: "Reason: {reason}",
  refusedKept: "Your unsent work is still kept on this device and will not be lost. Correct it and try again, or download the document again from the server.",
  refusedRetry: "Reload and try again",
  readOnly: "This document is decided or no longer signed online; its content can no longer change.",
};
