// Messages for mail: the 稽催通知單 by e-mail (sync-server mail/, POST /api/follow-up/notices).
import type { Messages } from "./types.ts";

export const MAIL_MESSAGES: Messages<"mail"> = {
  "mail.not-configured": {
    zh: "本機關尚未設定郵件伺服器（SMTP），無法寄送電子郵件；請洽系統管理員。",
    en: "The agency has not configured a mail (SMTP) server, so nothing can be e-mailed; ask the administrator.",
    way: "none",
  },
  "mail.forbidden": {
    zh: "只有稽催管制人員或系統管理員可以寄送稽催通知單。",
    en: "Only the follow-up officer or an administrator may send a follow-up notice (稽催通知單).",
    way: "none",
  },
  "mail.unknown-unit": {
    zh: "所指的單位不存在。",
    en: "The unit named does not exist.",
    way: "none",
  },
  "mail.no-recipients": {
    zh: "該單位主管及相關承辦人在人事資料中都沒有電子郵件地址，無法寄送；請先補登電子郵件。",
    en: "Neither the unit's head nor the case officers concerned have an e-mail address in the directory; add one first.",
    way: "none",
  },
  "mail.smtp-url": {
    zh: "郵件伺服器位址格式不正確，應為 smtp://帳號:密碼@主機:埠。",
    en: "The mail server address is not valid; it should read smtp://user:password@host:port.",
    way: "none",
  },
};
