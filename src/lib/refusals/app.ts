// Messages for the refusals the app itself raises: its forms, the routing-plan builder, attachments,
// this device's local store, and talking to the agency server (APP_CODES in crdt-model).
import type { Messages } from "./types.ts";

export const APP_MESSAGES: Messages<"draft" | "register" | "reassign" | "plan-edit" | "attach" | "local" | "net"> = {
  "draft.input": {
    zh: "新簽稿的資料不完整或不正確（文別、速別、密等、限辦日期、主旨或各段內容），請依提示修正後再建立。",
    en: "The new document's form is incomplete or invalid (kind, speed, secrecy, due date, subject or sections); correct it as shown and create it again.",
    way: "none",
  },
  "draft.exists": {
    zh: "此裝置上已有相同編號的公文，為免覆蓋既有資料，未建立新公文；請再建立一次。",
    en: "A document with this id already exists on this device; to overwrite nothing, no new document was made. Create it again.",
    way: "retry",
  },
  "register.input": {
    zh: "收文登記資料不完整或不正確（來文機關、主旨、字號、日期、承辦單位或承辦人），請依提示補正後再登記。",
    en: "The registration form is incomplete or invalid (sender, subject, numbers, dates, unit or case officer); correct it as shown and register again.",
    way: "none",
  },
  "reassign.input": {
    zh: "改分須填寫改分理由並選定新的承辦人。",
    en: "A re-assignment needs a reason and the new case officer.",
    way: "none",
  },
  "reassign.same-officer": {
    zh: "這份公文已由該承辦人承辦，無須改分。",
    en: "This document is already handled by that case officer; there is nothing to re-assign.",
    way: "none",
  },
  "plan-edit.inactive": {
    zh: "所選人員已不在本機關的在職名單中，不能排入陳核路線；請改選其他人員。",
    en: "The person chosen is no longer active in this agency and cannot be put in the routing plan; choose someone else.",
    way: "none",
  },
  "plan-edit.self-review": {
    zh: "承辦人不能核稿自己承辦的公文；請改選其他核稿人員。",
    en: "The case officer cannot review their own document; choose another reviewer.",
    way: "none",
  },
  "plan-edit.duplicate": {
    zh: "所選人員、單位或機關已在陳核路線中（或重複選取），無須再加入。",
    en: "The person, unit or agency chosen is already in the routing plan (or was chosen twice).",
    way: "none",
  },
  "plan-edit.no-unit": {
    zh: "會辦須至少選擇一個會辦單位。",
    en: "Choose at least one unit to countersign.",
    way: "none",
  },
  "plan-edit.agency-code": {
    zh: "外機關會辦的機關代碼或單位代碼格式不正確（只能使用英文字母、數字及 . _ : -），或填的是本機關自己的代碼（本機關請改選單位）。",
    en: "The outside agency's or unit's code is malformed (letters, digits and . _ : - only), or is this agency's own code (choose one of its units instead).",
    way: "none",
  },
  "plan-edit.level": {
    zh: "所選決行人員的職等低於分層負責明細表對此類公文規定的決行層級；請改選層級相當或較高的人員決行。",
    en: "The decider chosen holds a lower level than the delegation table requires for this category; choose someone at that level or higher.",
    way: "none",
  },
  "plan-edit.no-decider": {
    zh: "儲存陳核路線前，須先選定決行人員。",
    en: "Choose who decides (決行) before saving the routing plan.",
    way: "none",
  },
  "plan-edit.stage": {
    zh: "陳核路線已變動，所指的關卡或並會分支已不存在；請重新整理畫面後再調整。",
    en: "The routing plan changed and that stage or branch no longer exists; reload the page and adjust it again.",
    way: "none",
  },
  "attach.empty": {
    zh: "所選檔案是空白檔案（0 位元組），無法作為附件。",
    en: "The file chosen is empty (0 bytes) and cannot be attached.",
    way: "none",
  },
  "attach.too-large": {
    zh: "所選檔案超過單一附件的大小上限，無法附加；請降低掃描解析度或分割檔案後再附加。",
    en: "The file is larger than one attachment may be; scan at a lower resolution or split it, then attach it again.",
    way: "none",
  },
  "attach.unreadable": {
    zh: "無法讀取所選檔案：檔案可能已被移動或刪除。請重新選取檔案。",
    en: "The file chosen cannot be read: it may have been moved or deleted. Choose it again.",
    way: "retry",
  },
  "local.not-enrolled": {
    zh: "此裝置尚未註冊。請以登記桌或系統管理員提供的啟用碼註冊此裝置後再辦理。",
    en: "This device is not enrolled. Enroll it with the code from the registry desk or administrator first.",
    way: "re-enroll",
  },
  "local.offline": {
    zh: "目前離線，這項作業需連線機關伺服器；請於連線恢復後再試。",
    en: "You are offline, and this needs the agency server; try again once online.",
    way: "retry",
  },
  "local.not-downloaded": {
    zh: "這份公文尚未下載到此裝置；請連線同步後再試。",
    en: "This document is not on this device yet; sync while online, then try again.",
    way: "retry",
  },
  "local.no-agency-ca": {
    zh: "此裝置沒有本機關的憑證，無法驗證簽核鏈；請連線後再試。",
    en: "This device does not hold the agency's certificate, so the signing chain cannot be verified; try again once online.",
    way: "retry",
  },
  "local.db": {
    zh: "此裝置的本機資料庫無法讀取（可能已損毀）。已註冊的金鑰不受影響，可從伺服器重新下載公文。",
    en: "This device's local database cannot be read (it may be damaged). The enrolled key is not affected; download the documents again from the server.",
    way: "redownload",
  },
  "local.doc-damaged": {
    zh: "此裝置上有公文的本機副本無法讀取（可能已損毀）。伺服器上的公文不受影響，可從伺服器重新下載。",
    en: "A document's copy on this device cannot be read (it may be damaged). The server's copy is not affected; download it again.",
    way: "redownload",
  },
  "local.identity": {
    zh: "此裝置保存的註冊金鑰無法讀取（可能已損毀或被清除），請以新的啟用碼重新註冊此裝置。",
    en: "The enrolled key kept on this device cannot be read (damaged or cleared); enroll this device again with a new code.",
    way: "re-enroll",
  },
  "local.browser": {
    zh: "瀏覽器無法完成這個動作，請再試一次；若仍失敗，請改用其他瀏覽器或洽系統管理員。",
    en: "The browser could not complete this; try again, and if it still fails use another browser or ask the administrator.",
    way: "retry",
  },
  "net.unreachable": {
    zh: "無法連上機關伺服器。已註冊的裝置仍可離線作業，連線恢復後會自動同步。",
    en: "The agency server cannot be reached. An enrolled device keeps working offline and syncs when the connection returns.",
    way: "retry",
  },
};
