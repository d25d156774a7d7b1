// Messages for the document itself and what verifies it: its schema, the signing chain (簽核鏈),
// certificates in the trust list, routing tables (陳核路線, 分層負責明細表, 代理人), document
// files and ids (the model's schema.*, chain.*, trust.*, routing.*, history.*, file.*, id.*).
import type { Messages } from "./types.ts";

const ID = (what: string, whatEn: string) => ({
  zh: `${what}格式不正確，請再核對一次。`,
  en: `${whatEn} does not have the right form; check it.`,
  way: "none" as const,
});

export const DOCUMENT_MESSAGES: Messages<"schema" | "entry" | "chain" | "trust" | "routing" | "history" | "file" | "id" | "filing"> = {
  "schema.metadata": {
    zh: "公文的基本資料（文別、速別、密等、日期、承辦等欄位）缺漏或不正確。",
    en: "A field of the document's details (kind, speed, secrecy, dates, case officer …) is missing or invalid.",
    way: "none",
  },
  "schema.item": {
    zh: "所指的段落項目不存在、不能再分項，或層次過深。",
    en: "The body item does not exist, cannot hold sub-items, or would nest too deep.",
    way: "none",
  },
  "schema.attachment": {
    zh: "附件資料（檔名、大小或雜湊值）不正確。",
    en: "An attachment's details (name, size or hash) are invalid.",
    way: "none",
  },
  "schema.stored-plan": {
    zh: "公文中保存的陳核路線無法讀取，這份公文的資料已損毀；請以伺服器版本重新下載。",
    en: "The routing plan stored in the document cannot be read; the document is damaged. Download the server's version.",
    way: "redownload",
  },
  "schema.content": {
    zh: "簽署版本的內容格式不正確，這份公文的資料已損毀；請以伺服器版本重新下載。",
    en: "The signed version's content is malformed; the document is damaged. Download the server's version.",
    way: "redownload",
  },
  "entry.invalid": {
    zh: "這筆簽核紀錄未通過驗證（簽章無效、簽核者不受信任，或違反陳核規則，例如不是輪到此人簽核），不予採認。",
    en: "This signed entry does not verify (an invalid signature, an untrusted signer, or a broken routing rule such as not being that person's turn); it is not accepted.",
    way: "none",
  },
  "chain.entry": {
    zh: "簽核鏈中有一筆紀錄格式不正確或與其雜湊值不符，這筆簽核紀錄不可信。",
    en: "An entry of the signing chain is malformed or does not match its hash; it cannot be trusted.",
    way: "redownload",
  },
  "chain.certificate": {
    zh: "簽核紀錄所附的憑證無法解讀，這筆簽核紀錄不可信。",
    en: "The certificate in a signed entry cannot be read; the entry cannot be trusted.",
    way: "redownload",
  },
  "chain.signature": {
    zh: "簽核紀錄的簽章資料格式不正確，這筆簽核紀錄不可信。",
    en: "A signed entry's signature is malformed; the entry cannot be trusted.",
    way: "redownload",
  },
  "chain.content-hash": {
    zh: "保存的簽署版本與簽章所簽的內容不符，這份公文的資料已損毀；請以伺服器版本重新下載。",
    en: "The stored signed version does not match what was signed; the document is damaged. Download the server's version.",
    way: "redownload",
  },
  "chain.cannot-sign": {
    zh: "這份公文目前無法簽署（內容無法讀取），未做任何簽核；請以伺服器版本重新下載後再簽。",
    en: "This document cannot be signed now (its content cannot be read); nothing was signed. Download the server's version, then sign.",
    way: "redownload",
  },
  "chain.encode": {
    zh: "簽章無法產生（程式或金鑰發生問題），未做任何簽核；請再試一次，若仍失敗請洽系統管理員。",
    en: "The signature could not be made (a fault of the program or the key); nothing was signed. Try again, and ask the administrator if it persists.",
    way: "retry",
  },
  "trust.anchor": {
    zh: "設定為受信任憑證機構的憑證無法解讀。",
    en: "A certificate given as a trusted authority cannot be read.",
    way: "none",
  },
  "trust.untrusted": {
    zh: "簽核者的憑證不是由受信任的憑證機構簽發，這筆簽核不予採認。",
    en: "The signer's certificate was not issued by a trusted authority; the signature is not accepted.",
    way: "none",
  },
  "trust.revoked": {
    zh: "簽核者的憑證已被撤銷，這筆簽核不予採認。",
    en: "The signer's certificate has been revoked; the signature is not accepted.",
    way: "none",
  },
  "trust.expired": {
    zh: "簽核者（或其憑證機構）的憑證在簽署時已過期或尚未生效，這筆簽核不予採認。",
    en: "The signer's (or its authority's) certificate was not valid at the time of signing; the signature is not accepted.",
    way: "none",
  },
  "trust.unregistered": {
    zh: "簽核者的憑證未登錄於本機關人員名下，這筆簽核不予採認。",
    en: "The signer's certificate is not registered for a person here; the signature is not accepted.",
    way: "none",
  },
  "trust.agency": {
    zh: "簽核者的憑證所載機關與簽發它的憑證機構不符，這筆簽核不予採認。",
    en: "The signer's certificate names another agency than the authority that issued it; the signature is not accepted.",
    way: "none",
  },
  "routing.plan": {
    zh: "陳核路線不正確（例如同一關卡重複、決行關卡不是恰好一個或不在最後）。請修正路線後再儲存。",
    en: "The routing plan is invalid (for example a step twice, not exactly one decision step, or the decision not last). Correct it and save again.",
    way: "none",
  },
  "routing.delegation": {
    zh: "分層負責明細表內容不正確，請系統管理員修正。",
    en: "The delegation table (分層負責) is invalid; the administrator corrects it.",
    way: "none",
  },
  "routing.deputies": {
    zh: "職務代理人表內容不正確，請系統管理員修正。",
    en: "The deputy table (代理人) is invalid; the administrator corrects it.",
    way: "none",
  },
  "history.versions": {
    zh: "這份公文沒有要比對的兩個簽署版本。",
    en: "The document does not hold both signed versions to compare.",
    way: "none",
  },
  "file.too-large": {
    zh: "公文檔案超過 64 MiB，無法開啟。",
    en: "The document file is larger than 64 MiB and cannot be opened.",
    way: "none",
  },
  "file.malformed": {
    zh: "這不是完整的公文檔案（格式不正確或已損毀）。",
    en: "This is not a whole document file (malformed or damaged).",
    way: "none",
  },
  "file.other-document": {
    zh: "公文檔案所標示的公文與其內容不符，不予採用。",
    en: "The document file names another document than its content holds; it is not used.",
    way: "none",
  },
  "filing.dispatch-number": {
    zh: "發文字號格式不正確：應為機關代字＋「字第」＋3位民國年＋7位流水號＋「號」（例如 示教字第1150000001號），且須由伺服器配給。",
    en: "The 發文字號 is malformed: it is the agency's 代字 + 字第 + a 3-digit ROC year + a 7-digit serial + 號 (e.g. 示教字第1150000001號), assigned by the server.",
    way: "none",
  },
  "filing.file-number": {
    zh: "檔號格式不正確：應為「年度號-分類號-案次號-卷次號-目次號」（例如 115-0101-000012-001-00003）。",
    en: "The 檔號 is malformed: it is 年度號-分類號-案次號-卷次號-目次號 (e.g. 115-0101-000012-001-00003).",
    way: "none",
  },
  "filing.retention": {
    zh: "保存年限應為 1 至 30 年，或「永久」。",
    en: "The retention period (保存年限) is 1 to 30 years, or permanent (永久).",
    way: "none",
  },
  "filing.date": {
    zh: "日期格式不正確，應為存在的日期（YYYY-MM-DD）。",
    en: "The date is not a calendar date written YYYY-MM-DD.",
    way: "none",
  },
  "id.doc": ID("公文編號", "The document id"),
  "id.entry": ID("簽核紀錄編號", "The signed entry's id"),
  "id.agency": ID("機關代碼", "The agency code"),
  "id.unit": ID("單位代碼", "The unit code"),
  "id.person": ID("人員代號", "The person's id"),
  "id.step": ID("陳核路線的關卡代號", "The routing step's id"),
  "id.item": ID("段落項目代號", "The body item's id"),
  "id.sha256": ID("附件雜湊值", "The attachment's hash"),
  "id.envelope": ID("交換信封編號", "The envelope id"),
};
