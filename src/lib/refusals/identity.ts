// Messages for identity: logging in, login tokens and sessions, enrolling a device, certificates and
// the agency's own keys (server codes login.*, token.*, session.*, enroll.*, p12.*, cert.*,
// agency.*, passphrase.*, data-dir.* (a data directory serve refuses); the model's cert.* and receipt.*, the agency's signed receipts). Most reach a person on the home and re-enroll screens.
import type { Messages } from "./types.ts";

export const IDENTITY_MESSAGES: Messages<"login" | "token" | "session" | "enroll" | "p12" | "cert" | "receipt" | "agency" | "passphrase" | "data-dir"> = {
  "login.challenge": {
    zh: "登入逾時，請再試一次。",
    en: "The login timed out; please try again.",
    way: "retry",
  },
  "login.algorithm": {
    zh: "此瀏覽器使用的簽章演算法伺服器不支援，無法登入。請再試一次；若仍失敗，請改用其他瀏覽器。",
    en: "The server does not support the signature algorithm this browser used. Try again; if it still fails, use another browser.",
    way: "retry",
  },
  "login.malformed": {
    zh: "登入要求的資料格式不正確，請再試一次；若仍失敗，請改用其他瀏覽器。",
    en: "The login request is malformed; try again, and if it still fails use another browser.",
    way: "retry",
  },
  "login.signature": {
    zh: "登入簽章與此裝置的憑證不符，伺服器無法確認身分。請以新的啟用碼重新註冊此裝置。",
    en: "The login signature does not match this device's certificate. Enroll this device again with a new code.",
    way: "re-enroll",
  },
  "login.unknown-cert": {
    zh: "伺服器不認得此裝置的憑證（機關資料可能已重設）。請重新註冊此裝置。",
    en: "The server does not know this device's certificate (the agency's data may have been reset). Enroll this device again.",
    way: "re-enroll",
  },
  "login.revoked": {
    zh: "此裝置的憑證已被撤銷，無法再登入。請向系統管理員索取新的啟用碼，重新註冊此裝置。",
    en: "This device's certificate has been revoked and can no longer log in. Ask the administrator for a new code and enroll this device again.",
    way: "re-enroll",
  },
  "login.expired": {
    zh: "此裝置的憑證已過期或尚未生效。請向系統管理員索取新的啟用碼，重新註冊此裝置。",
    en: "This device's certificate has expired or is not yet valid. Ask the administrator for a new code and enroll this device again.",
    way: "re-enroll",
  },
  "login.inactive": {
    zh: "憑證所屬的人員已不在本機關的在職名單中，無法登入，請洽系統管理員。",
    en: "The person this certificate belongs to is no longer active in this agency and cannot log in; ask the administrator.",
    way: "none",
  },
  "token.invalid": {
    zh: "登入狀態無效（可能已被竄改或屬於其他機關），請重新登入。",
    en: "The login is not valid (altered, or another agency's); log in again.",
    way: "retry",
  },
  "token.expired": {
    zh: "登入已逾時，請重新登入。",
    en: "The login has expired; log in again.",
    way: "retry",
  },
  "session.revoked": {
    zh: "此裝置登入所用的憑證已被撤銷。請向系統管理員索取新的啟用碼，重新註冊此裝置。",
    en: "The certificate this device logged in with has been revoked. Ask the administrator for a new code and enroll this device again.",
    way: "re-enroll",
  },
  "session.inactive": {
    zh: "您已不在本機關的在職名單中，無法繼續作業，請洽系統管理員。",
    en: "You are no longer active in this agency and cannot carry on; ask the administrator.",
    way: "none",
  },
  "session.unknown-cert": {
    zh: "機關已無此裝置憑證的紀錄，請重新註冊此裝置。",
    en: "The agency no longer has this device's certificate on record; enroll this device again.",
    way: "re-enroll",
  },
  "session.changed": {
    zh: "您的單位、職等或職務已在人事資料中變更，請重新登入以依新的身分作業。",
    en: "Your unit, level or roles changed in the directory; log in again to work as you are now.",
    way: "retry",
  },
  "enroll.code": {
    zh: "這組啟用碼無法使用：可能已經用過、已過期或輸入有誤。每組啟用碼只能使用一次；請向登記桌或系統管理員索取新的啟用碼。",
    en: "This code cannot be used: it may have been used already, have expired, or be mistyped. Each code works once; ask the registry desk or administrator for a new one.",
    way: "none",
  },
  "enroll.code-malformed": {
    zh: "啟用碼格式不正確：啟用碼共 16 個英文字母與數字，每 4 個一組（例如 ABCD-EFGH-JKLM-NPQR）。請再核對一次。",
    en: "The code is not in the right form: 16 letters and digits in groups of four (e.g. ABCD-EFGH-JKLM-NPQR). Please check it.",
    way: "none",
  },
  "enroll.csr": {
    zh: "伺服器無法接受此裝置產生的憑證申請。請再試一次；若仍失敗，請改用其他瀏覽器。",
    en: "The server could not accept this device's certificate request. Try again; if it still fails, use another browser.",
    way: "retry",
  },
  "enroll.key": {
    zh: "此瀏覽器產生的金鑰種類不符規定（須為 ECDSA P-256 或 RSA 2048 至 4096 位元），無法註冊；請改用其他瀏覽器。",
    en: "The key this browser made is not of an accepted kind (ECDSA P-256 or RSA 2048–4096 bits); use another browser.",
    way: "retry",
  },
  "enroll.inactive": {
    zh: "啟用碼所屬的人員已不在本機關的在職名單中，請洽系統管理員。",
    en: "The person this code belongs to is no longer active in this agency; ask the administrator.",
    way: "none",
  },
  "p12.parse": {
    zh: "這個檔案不是 PKCS #12（.p12 / .pfx）憑證檔，請確認選對了檔案。",
    en: "This file is not a PKCS #12 (.p12 / .pfx) file; check that you chose the right one.",
    way: "none",
  },
  "p12.password": {
    zh: "憑證檔的密碼不正確，請再核對一次。",
    en: "The certificate file does not open with that password; check it.",
    way: "none",
  },
  "p12.legacy": {
    zh: "憑證檔使用舊式加密（RC2 / 3DES），請以 AES-256 重新匯出後再匯入。",
    en: "The certificate file uses legacy RC2/3DES encryption; export it again with AES-256, then import it.",
    way: "none",
  },
  "p12.no-cert": {
    zh: "憑證檔中沒有憑證。",
    en: "The certificate file holds no certificate.",
    way: "none",
  },
  "p12.ambiguous": {
    zh: "憑證檔中有多張憑證且沒有私鑰，無法判定哪一張屬於此人員；請只匯出該人員的憑證。",
    en: "The file holds several certificates and no private key, so which is the person's cannot be told; export only theirs.",
    way: "none",
  },
  "p12.key-mismatch": {
    zh: "憑證檔中的私鑰與其中任何一張憑證都不相符，請重新匯出。",
    en: "The private key in the file matches none of its certificates; export it again.",
    way: "none",
  },
  "cert.parse": {
    zh: "憑證無法解讀（格式不正確或已損毀）。",
    en: "The certificate cannot be read (malformed or damaged).",
    way: "none",
  },
  "cert.key": {
    zh: "憑證的金鑰種類不適用於這種簽章方式。",
    en: "The certificate's key cannot be used for this kind of signature.",
    way: "none",
  },
  "cert.profile": {
    zh: "憑證中沒有可用的簽核者資料（機關、單位、人員、職等等），無法用於簽核。",
    en: "The certificate carries no usable signer details (agency, unit, person, level …) and cannot be used to sign.",
    way: "none",
  },
  "cert.not-valid": {
    zh: "憑證已過期或尚未生效。",
    en: "The certificate has expired or is not yet valid.",
    way: "none",
  },
  "cert.duplicate": {
    zh: "這張憑證已經登錄過，無須重複登錄。",
    en: "That certificate is already registered.",
    way: "none",
  },
  "cert.serial-taken": {
    zh: "已有另一張相同序號的憑證登錄在案，不能再登錄。",
    en: "Another certificate with the same serial number is already recorded.",
    way: "none",
  },
  "cert.unknown-serial": {
    zh: "沒有這個序號的有效憑證，無從廢止。",
    en: "No certificate in force has that serial, so there is nothing to revoke.",
    way: "none",
  },
  "receipt.signature": {
    zh: "機關簽收紀錄的簽章與機關的簽收金鑰不符，這筆簽收時間不可信。",
    en: "A receipt's signature does not verify against the agency's receipt key; its time cannot be trusted.",
    way: "none",
  },
  "receipt.key": {
    zh: "機關的簽收公開金鑰無法解讀，無法驗證簽收時間，請洽系統管理員。",
    en: "The agency's receipt public key cannot be read, so no receipt time can be verified; ask the administrator.",
    way: "none",
  },
  "receipt.malformed": {
    zh: "公文中的機關簽收紀錄格式不正確，這筆簽收時間不可信。",
    en: "A receipt kept in the document is malformed; its time cannot be trusted.",
    way: "none",
  },
  "receipt.other-entry": {
    zh: "這筆機關簽收紀錄屬於另一份公文或另一筆簽核，不能證明這筆簽核的簽收時間。",
    en: "The receipt is about another document or another signature, so it proves nothing about this one.",
    way: "none",
  },
  "agency.not-initialized": {
    zh: "本機關尚未完成設定，請系統管理員先執行 countersign init。",
    en: "The agency has not been set up yet; the administrator runs countersign init first.",
    way: "none",
  },
  "agency.initialized": {
    zh: "本機關已經完成設定，不能重複設定。",
    en: "The agency is already set up and cannot be set up twice.",
    way: "none",
  },
  "agency.name": {
    zh: "機關名稱須為 1 至 100 個字。",
    en: "The agency needs a name of 1 to 100 characters.",
    way: "none",
  },
  "agency.damaged": {
    zh: "機關的設定、憑證或金鑰資料已損毀，請系統管理員由備份還原。",
    en: "The agency's settings, certificate or keys are damaged; the administrator restores them from a backup.",
    way: "none",
  },
  "passphrase.short": {
    zh: "通行密語太短，請改用較長的通行密語。",
    en: "The passphrase is too short; choose a longer one.",
    way: "none",
  },
  "passphrase.wrong": {
    zh: "通行密語不正確，無法開啟機關金鑰。",
    en: "The passphrase does not open the agency's keys.",
    way: "none",
  },
  "passphrase.missing": {
    zh: "未提供通行密語（檔案、環境變數或資料目錄中都沒有）。",
    en: "No passphrase was given (no file, environment variable or data directory entry).",
    way: "none",
  },
  "passphrase.empty": {
    zh: "通行密語檔案是空的。",
    en: "The passphrase file is empty.",
    way: "none",
  },
  "passphrase.file": {
    zh: "通行密語檔案無法讀取或寫入，請檢查檔案權限。",
    en: "The passphrase file cannot be read or written; check its permissions.",
    way: "none",
  },
  "data-dir.owner": {
    zh: "資料目錄或其中的資料庫、通行密語檔案不屬於執行伺服器的使用者，伺服器不啟動；請以該使用者執行或變更擁有者。",
    en: "The data directory, its database or passphrase file belongs to another user than the one running the server, so it does not start; run it as that user or change the owner.",
    way: "none",
  },
  "data-dir.mode": {
    zh: "資料目錄可被群組或其他使用者寫入，或通行密語檔案可被他們讀取，伺服器不啟動；請改為僅擁有者可存取（chmod 700 目錄、600 檔案）。",
    en: "The data directory can be written by group or others, or its passphrase file read by them, so the server does not start; make them the owner's only (chmod 700 the directory, 600 the files).",
    way: "none",
  },
};
