// The UI strings, Traditional Chinese (Taiwan) first. Document content and the model's labels
// (狀態, 動作) stay Chinese in both locales: they are the official terms, not UI chrome.

export const LOCALES = ["zh-TW", "en"] as const;
export type Locale = (typeof LOCALES)[number];

/** The lang attribute for each locale (zh-Hant-TW picks Traditional glyphs in every browser). */
export const HTML_LANG: Record<Locale, string> = { "zh-TW": "zh-Hant-TW", en: "en" };

const zhTW = {
  appName: "公文線上簽核",
  switchTo: "English",
  switchLabel: "Switch to English",
  intro1:
    "Countersign 是離線優先的公文線上簽核系統，為網路不穩或常斷線的學校、幼兒園、區公所與機關而設計，也讓各自保有資料庫的機關能互相會辦，不必退回紙本。",
  intro2:
    "每份公文連同簽核鏈都是一份 CRDT：每個單位在自己的副本上全速作業，不論是否連線；不同資料庫的副本不需共用伺服器即可合併。每個陳核、會辦、退回、決行都是一筆數位簽章紀錄，公文狀態由簽核鏈推導而得，任何副本都能只憑公文與受信任的憑證機構離線驗證。",
  demoTitle: "現場示範",
  demoIntro:
    "以下示範完全在您的瀏覽器中執行，使用真正的 Yjs 與 WebCrypto：建立範例機關（憑證機構與每位人員的金鑰），產生一份簽，依序陳核、科長核稿、人事室與會計室並會、局長決行，再驗證整條簽核鏈。",
  run: "產生範例公文並驗證",
  running: "產生中…",
  tamper: "偽造決行簽章後重新驗證",
  insecure: "簽章需要安全連線：請使用 HTTPS 或 localhost",
  insecureDetail: "此頁面不是以安全連線開啟，瀏覽器不提供 WebCrypto，因此無法產生或驗證簽章。",
  failed: "示範執行失敗：",
  docNumber: "文號",
  subject: "主旨",
  status: "狀態",
  chain: "簽核歷程",
  docValid: "簽核鏈驗證通過",
  docInvalid: "驗證未通過",
  valid: "有效",
  invalid: "無效",
  lost: "因並行動作未生效",
  unknownSigner: "無法辨識的簽核者",
} as const;

export type MessageKey = keyof typeof zhTW;

const en: Record<MessageKey, string> = {
  appName: "Official document signing",
  switchTo: "中文",
  switchLabel: "切換為中文",
  intro1:
    "Countersign routes and countersigns official documents offline-first. It is built for schools, kindergartens, district offices and agencies whose network is weak or often down, and lets agencies that each keep their own database countersign each other's documents without going back to paper.",
  intro2:
    "Each document and its signature chain is a CRDT: every office works at full speed on its own copy, online or not, and copies in different databases merge without a shared server. Every submit, countersign, return and decision is a signed entry; the workflow state is derived from the chain, and any copy can verify it offline from the document and the trusted certificate authorities alone.",
  demoTitle: "Live demonstration",
  demoIntro:
    "This runs entirely in your browser with real Yjs and WebCrypto: it creates a sample agency (a certificate authority and a key for each person), drafts a memo, and has it submitted, reviewed by the section chief, countersigned in parallel by personnel and accounting, and decided by the director — then verifies the whole chain.",
  run: "Create a sample document and verify it",
  running: "Working…",
  tamper: "Forge the decision’s signature and verify again",
  insecure: "Signing needs a secure connection: use HTTPS or localhost",
  insecureDetail: "This page was not opened over a secure connection, so the browser does not provide WebCrypto and signatures cannot be made or checked.",
  failed: "The demonstration failed: ",
  docNumber: "Document number",
  subject: "Subject",
  status: "Status",
  chain: "Signing history",
  docValid: "Signature chain verified",
  docInvalid: "Verification failed",
  valid: "Valid",
  invalid: "Invalid",
  lost: "Lost to a concurrent action",
  unknownSigner: "Unknown signer",
};

export const MESSAGES: Record<Locale, Record<MessageKey, string>> = { "zh-TW": zhTW, en };
