// Messages for a change to a live document the server refused (the relay, batch sync) and for the
// live connection itself: the model's update.* checks and the relay's own (relay.*, ticket.*).
// "redownload" is the way out when the rules refuse the change: the server's version is the record.
import type { Messages } from "./types.ts";

export const UPDATE_MESSAGES: Messages<"update" | "relay" | "ticket"> = {
  "update.decided": {
    zh: "這份公文已經決行，決行後內容不能再修改；您在決行之後（或離線時）所做的修改未被接受。",
    en: "This document has been decided; its content cannot change after the decision, so what you changed after it (or while offline) was not accepted.",
    way: "redownload",
  },
  "update.alters-signed": {
    zh: "這項變更動到了已簽署的簽核紀錄或簽署版本；簽核紀錄一經簽署即不可修改或刪除。",
    en: "The change touches a signed entry or a signed version; signed entries can never be changed or removed.",
    way: "redownload",
  },
  "update.late-reason": {
    zh: "這份公文已逾限辦日期，辦結（發文、存查或歸檔）時須填寫逾期原因。請填寫逾期原因後再送出，本次變更未儲存。",
    en: "This document is past its due date: closing it (發文, 存查 or 歸檔) needs a reason for the delay (逾期原因). Give the reason and send again; nothing was stored.",
    way: "none",
  },
  "update.receipt": {
    zh: "這項變更動到了機關的收文紀錄；收文紀錄只能由機關伺服器寫入。",
    en: "The change touches the agency's receipts; only the agency server writes them.",
    way: "redownload",
  },
  "update.invalid-entry": {
    zh: "您送出的簽核紀錄未通過伺服器驗證（例如憑證已撤銷、不是輪到您簽核，或簽章不符）。",
    en: "A signed entry you sent did not verify on the server (for example a revoked certificate, not your turn to sign, or a signature that does not match).",
    way: "redownload",
  },
  "update.archived": {
    zh: "這份公文已經歸檔，歸檔後任何人都不能再修改或簽核；您的變更未被接受。",
    en: "This document has been archived; after 歸檔 nobody may change or sign it, so your change was not accepted.",
    way: "redownload",
  },
  "update.plan": {
    zh: "這項變更修改了陳核路線，但沒有經過簽署的路線修正；請以伺服器版本重新下載後，再以簽署方式修正路線。",
    en: "The change alters the routing plan without a signed amendment; download the server's version, then amend the plan by signing.",
    way: "redownload",
  },
  "update.doc-id": {
    zh: "這項變更與這份公文的編號不符。",
    en: "The change does not match this document's id.",
    way: "redownload",
  },
  "update.access-field": {
    zh: "這項變更修改了密等、承辦單位或承辦人，但沒有經過有權限者簽署（密等變更由承辦人提高、主管降低；改分由登記桌）。",
    en: "The change alters the secrecy, unit or case officer without a signed entry by someone entitled (the case officer raises the secrecy, a supervisor lowers it; the registry desk re-assigns).",
    way: "redownload",
  },
  "update.content-editor": {
    zh: "您現在不能修改這份公文的主旨或內容：草稿（或退回承辦人）時只有承辦人能修改；陳核、會辦中只有目前待簽核的人員能以「修改」變更內容。您的修改未被接受。",
    en: "You may not change this document's subject or text now: while it is drafted (or returned to the case officer) only the case officer edits it; while out for signing only whoever holds the pending step makes a change. Your edit was not accepted.",
    way: "redownload",
  },
  "update.attachment-adder": {
    zh: "這項變更加入的附件記載的加入者不是您本人；附件只能以您自己的身分加入。您的變更未被接受。",
    en: "The change adds an attachment that names someone else as who added it; an attachment is added only in your own name. Your change was not accepted.",
    way: "redownload",
  },
  "update.attachment-remover": {
    zh: "登記桌登記的來文掃描檔只能由登記桌移除或變更；您的變更未被接受。",
    en: "A scan registered by the registry desk can be removed or changed only by the registry desk; your change was not accepted.",
    way: "redownload",
  },
  "update.malformed": {
    zh: "這項變更的資料格式不正確，伺服器無法讀取。",
    en: "The change is malformed; the server cannot read it.",
    way: "redownload",
  },
  "relay.not-participant": {
    zh: "您不是這份公文的承辦、陳核或會辦人員（或已不再是），無權修改這份公文。",
    en: "You do not take part in this document (or no longer do), so you cannot change it.",
    way: "redownload",
  },
  "relay.foreign-doc": {
    zh: "在本機關建立的公文必須屬於本機關；其他機關的公文須經公文交換（信封）收文。",
    en: "A document created here must belong to this agency; other agencies' documents arrive as exchange envelopes.",
    way: "redownload",
  },
  "relay.creator": {
    zh: "公文只能由擬稿的承辦人（本人為承辦人）或登記桌建立；收發、檔管、稽催與系統管理人員不新增公文，這項變更伺服器不接受。",
    en: "Only a drafter who is its case officer, or the registry desk, creates a document; the mail room, archives, follow-up and administrators do not create documents, so the server did not accept this change.",
    way: "redownload",
  },
  "relay.pending": {
    zh: "這項變更依據的內容伺服器還沒有收到，因此沒有儲存；重試通常即可送出。",
    en: "The change builds on changes the server does not have yet, so it was not stored; trying again usually sends it.",
    way: "retry",
  },
  "relay.client-id": {
    zh: "這項變更以其他人的編輯身分寫入，伺服器不接受；請以伺服器版本重新下載。",
    en: "The change writes under another writer's editing identity, which the server does not accept; download the server's version.",
    way: "redownload",
  },
  "relay.frame": {
    zh: "與伺服器之間傳送的資料不完整或格式不正確（可能是連線不穩），請重試。",
    en: "What was sent to the server arrived cut short or malformed (perhaps a poor connection); try again.",
    way: "retry",
  },
  "relay.presence": {
    zh: "線上狀態（誰正在編輯）的資料不正確，伺服器未轉送；公文內容不受影響。",
    en: "The presence data (who is editing) was not right, so the server did not pass it on; the document itself is not affected.",
    way: "retry",
  },
  "relay.store": {
    zh: "機關伺服器暫時無法儲存這項變更，請稍後重試。",
    en: "The agency server could not store the change right now; try again later.",
    way: "retry",
  },
  "relay.server": {
    zh: "機關伺服器處理這項變更時發生錯誤，請稍後重試；若持續發生，請洽系統管理員。",
    en: "The agency server failed while taking the change; try again later, and ask the administrator if it persists.",
    way: "retry",
  },
  "relay.dispatch-number": {
    zh: "發文所用的發文字號不是本機關伺服器為這份公文所取的號；請重新取號後再發文。",
    en: "The dispatch carries a 發文字號 this agency's server did not reserve for this document; reserve the number again, then dispatch.",
    way: "redownload",
  },
  "relay.doc-number": {
    zh: "文號由機關伺服器於首次收到公文時編定，任何人都不能填寫或修改；請重新下載這份公文。",
    en: "The document number is assigned by the agency server when it first receives the document; nobody may write or change it. Download the document again.",
    way: "redownload",
  },
  "relay.read-only": {
    zh: "您是以調閱方式閱覽這份已歸檔的公文，只能閱覽，不能修改或簽核。",
    en: "You are reading this archived document through 調閱: you may read it, not change or sign it.",
    way: "redownload",
  },
  "relay.unreadable": {
    zh: "機關伺服器不接受這項變更，但本版程式無法解讀伺服器說明的原因；請參考下方伺服器原文，或洽系統管理員。",
    en: "The agency server does not accept this change, and this version of the app cannot read why; see the server's words below, or ask the administrator.",
    way: "retry",
  },
  "ticket.missing": {
    zh: "即時連線未附連線許可，伺服器拒絕連線；程式會自動重新連線。",
    en: "The live connection came without a ticket and was refused; the app reconnects by itself.",
    way: "retry",
  },
  "ticket.token-in-url": {
    zh: "登入憑證不得放在連線網址中（網址會被記錄），伺服器拒絕連線；請重新整理頁面。",
    en: "A login token may not travel in the URL (URLs are logged), so the connection was refused; reload the page.",
    way: "retry",
  },
  "ticket.invalid": {
    zh: "即時連線的連線許可不正確，伺服器拒絕連線；請重新登入。",
    en: "The live connection's ticket is not valid, so it was refused; log in again.",
    way: "retry",
  },
  "ticket.expired": {
    zh: "即時連線的連線許可已逾時；程式會取得新的連線許可並自動重新連線。",
    en: "The live connection's ticket has expired; the app gets a new one and reconnects by itself.",
    way: "retry",
  },
  "ticket.used": {
    zh: "即時連線的連線許可已使用過；程式會取得新的連線許可並自動重新連線。",
    en: "The live connection's ticket was already used; the app gets a new one and reconnects by itself.",
    way: "retry",
  },
};
