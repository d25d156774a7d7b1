// Messages for the agency server's directory (人事資料: units, people, deputies, delegation), its
// HTTP layer (http.*) and its own failures (server.*).
import type { Messages } from "./types.ts";

export const SERVER_MESSAGES: Messages<"directory" | "server" | "http"> = {
  "directory.not-admin": {
    zh: "只有系統管理員可以辦理這項作業。",
    en: "Only an administrator may do this.",
    way: "none",
  },
  "directory.not-permitted": {
    zh: "登記桌無權辦理這項作業（超出本單位、職等或可授予的職務範圍）。",
    en: "The registry desk may not do this (outside its unit, level or the roles it may grant).",
    way: "none",
  },
  "directory.name": {
    zh: "單位或人員名稱須為 1 至 100 個字。",
    en: "A unit or person needs a name of 1 to 100 characters.",
    way: "none",
  },
  "directory.no-unit": {
    zh: "所指的單位不存在。",
    en: "The unit named does not exist.",
    way: "none",
  },
  "directory.no-person": {
    zh: "所指的人員不存在。",
    en: "The person named does not exist.",
    way: "none",
  },
  "directory.person-inactive": {
    zh: "所指的人員已不在在職名單中。",
    en: "The person named is no longer active.",
    way: "none",
  },
  "directory.exists": {
    zh: "已有相同代號的單位或人員。",
    en: "A unit or person with that id already exists.",
    way: "none",
  },
  "directory.unit-cycle": {
    zh: "單位不能隸屬於自己或自己的下級單位。",
    en: "A unit cannot be placed under itself or one of its own sub-units.",
    way: "none",
  },
  "directory.role": {
    zh: "所指的職務不是系統認得的職務。",
    en: "The role is not one of the known roles.",
    way: "none",
  },
  "directory.level": {
    zh: "職等須為 1 至 20 的整數。",
    en: "A person's level must be a whole number from 1 to 20.",
    way: "none",
  },
  "directory.deputy": {
    zh: "職務代理設定不正確（不能代理自己，日期須有效且結束日不早於開始日）。",
    en: "The deputy entry is wrong (no one deputises for themselves; the dates must be real and the end not before the start).",
    way: "none",
  },
  "directory.delegation": {
    zh: "分層負責明細表屬於其他機關，不予採用。",
    en: "The delegation table names another agency and is not used.",
    way: "none",
  },
  "directory.damaged": {
    zh: "人事資料中保存的設定（例如分層負責明細表）已無法讀取，請系統管理員重新設定或由備份還原。",
    en: "What the directory stores (e.g. the delegation table) no longer reads; the administrator sets it again or restores a backup.",
    way: "none",
  },
  "directory.other-unit": {
    zh: "登記桌只能管理本單位的人員（新增、修改、產生註冊碼）；其他單位的人員請洽系統管理員。",
    en: "The registry desk manages its own unit's people only (add, edit, hand out codes); ask an administrator for other units.",
    way: "none",
  },
  "directory.email": {
    zh: "電子郵件地址格式不正確。",
    en: "The e-mail address is not a valid address.",
    way: "none",
  },
  "directory.no-deputy": {
    zh: "找不到這筆仍有效或尚未開始的職務代理，無法結束；請重新整理後再試。",
    en: "No deputy arrangement in force or to come matches; reload and try again.",
    way: "none",
  },
  "server.internal": {
    zh: "機關伺服器發生錯誤，請稍後再試；若持續發生，請洽系統管理員。",
    en: "The agency server failed; try again later, and ask the administrator if it persists.",
    way: "retry",
  },
  "server.max-memory": {
    zh: "--max-memory 的記憶體大小不正確：請寫成 512M 或 2G，且不少於 128M、不超過本機記憶體。",
    en: "The --max-memory size is not valid: write it as 512M or 2G, no less than 128M and no more than this machine's memory.",
    way: "none",
  },
  "http.not-found": {
    zh: "找不到所要的資料（公文、附件或信封不存在，或您無權查閱）。",
    en: "What was asked for cannot be found (no such document, attachment or envelope, or not for you).",
    way: "none",
  },
  "http.method-not-allowed": {
    zh: "伺服器不接受這種要求方式（程式版本可能不一致），請重新整理頁面後再試。",
    en: "The server does not take this kind of request here (the app and server may differ in version); reload the page and try again.",
    way: "retry",
  },
  "http.body-too-large": {
    zh: "送出的資料超過伺服器可接受的大小。",
    en: "What was sent is larger than the server takes.",
    way: "none",
  },
  "http.body-timeout": {
    zh: "資料傳送太慢或未傳送完整，請於連線較穩定時再試。",
    en: "What was sent arrived too slowly or not whole; try again over a better connection.",
    way: "retry",
  },
  "http.unsupported-media-type": {
    zh: "伺服器不接受這種檔案格式。",
    en: "The server does not take this kind of file.",
    way: "none",
  },
  "http.malformed-json": {
    zh: "送出的資料格式不正確，伺服器無法讀取；請重新整理頁面後再試。",
    en: "What was sent is not valid JSON; reload the page and try again.",
    way: "retry",
  },
  "http.malformed-request": {
    zh: "送出的資料不完整或格式不符，伺服器未受理；請依下方原文所指欄位修正後再試。",
    en: "What was sent is incomplete or of the wrong shape; correct the field named below and try again.",
    way: "none",
  },
  "http.unauthenticated": {
    zh: "尚未登入或登入已失效，請重新登入。",
    en: "You are not logged in, or the login is no longer valid; log in again.",
    way: "retry",
  },
  "http.forbidden": {
    zh: "您的職務權限不能辦理這項作業；如有需要，請洽系統管理員。",
    en: "Your roles do not allow this; ask the administrator if you need it.",
    way: "none",
  },
  "http.conflict": {
    zh: "依伺服器目前的狀態無法辦理（例如本年度收文號已用罄），請洽系統管理員。",
    en: "This cannot be done in the server's present state (e.g. this year's receipt numbers are used up); ask the administrator.",
    way: "none",
  },
  "http.rate-limited": {
    zh: "短時間內要求次數過多，請稍候再試。",
    en: "Too many requests in a short time; wait a moment and try again.",
    way: "retry",
  },
  "http.unavailable": {
    zh: "機關伺服器目前忙碌或暫時無法處理，請稍後再試。",
    en: "The agency server is busy or cannot do this right now; try again shortly.",
    way: "retry",
  },
  "http.internal": {
    zh: "機關伺服器發生錯誤，請稍後再試；若持續發生，請洽系統管理員。",
    en: "The agency server failed; try again later, and ask the administrator if it persists.",
    way: "retry",
  },
  "http.blob-mismatch": {
    zh: "附件上傳後的內容與原檔不符（可能傳送中斷），請重新上傳。",
    en: "The uploaded attachment does not match the original (perhaps cut short on the way); upload it again.",
    way: "retry",
  },
  "http.unknown-peer": {
    zh: "受文機關不在本機關的信任清單中，無法發文；請系統管理員先加入該機關。",
    en: "The recipient agency is not in this agency's trust list, so nothing can be sent; the administrator adds it first.",
    way: "none",
  },
  "http.unrecognised": {
    zh: "機關伺服器不接受這個要求，且原因無法由本版程式說明（伺服器版本可能不同）；請參考下方伺服器原文，或洽系統管理員。",
    en: "The agency server refused this, for a reason this version of the app cannot explain (the server may be another version); see the server's words below, or ask the administrator.",
    way: "retry",
  },
  "http.unexpected-answer": {
    zh: "收到的回應不是本版程式預期的格式（可能是網路設備的錯誤頁面，或伺服器版本不同），請稍後再試。",
    en: "The answer is not what this version of the app expects (a network device's error page, or another server version); try again later.",
    way: "retry",
  },
  "http.outdated-client": {
    zh: "本版程式已不適用於機關伺服器的新版本，為免寫入錯誤資料已停止同步；請重新載入以取得新版本，未送出的變更仍保存在此裝置。",
    en: "This version of the app no longer works with the agency server's new version, so it stopped syncing rather than write wrong data; reload to get the new version. Unsent changes are still kept on this device.",
    way: "none",
  },
};
