// Messages for the exchange of documents between agencies (公文交換): envelopes received and sent,
// what a peer agency may change, the trust list of other agencies, 分文 and DI export (the model's
// envelope.* and di.*, the server's exchange.*, peer.*, federation.*, assign.*). Shown to the
// registry desk (登記桌) and mail room on the exchange page, with the server's sentence below.
import type { Messages } from "./types.ts";

export const ENVELOPE_MESSAGES: Messages<"envelope" | "exchange" | "peer" | "federation" | "assign" | "di"> = {
  "envelope.too-large": {
    zh: "檔案太大，無法經由網頁匯入；請洽系統管理員以 countersign 指令匯入。",
    en: "The file is too large to import through the page; ask the administrator to import it with the countersign command.",
    way: "none",
  },
  "envelope.damaged": {
    zh: "這不是完整的公文交換信封檔：檔案可能在傳遞途中損毀或被截斷。請向發文機關重新索取檔案。",
    en: "This is not a whole envelope file: it may have been damaged or cut short on the way. Ask the sending agency for the file again.",
    way: "none",
  },
  "envelope.zip-bomb": {
    zh: "檔案內容的大小異常（疑似壓縮炸彈），為保護伺服器已拒收。",
    en: "The file's declared sizes are abnormal (like a ZIP bomb); it was refused to protect the server.",
    way: "none",
  },
  "envelope.bad-name": {
    zh: "信封內含不允許的檔名（例如「..」或絕對路徑），可能是惡意檔案，已拒收。",
    en: 'The envelope holds a file name that is not allowed (such as ".." or an absolute path); it may be malicious and was refused.',
    way: "none",
  },
  "envelope.not-envelope": {
    zh: "這個檔案不是公文交換信封（.csenv）。請確認選對了檔案。",
    en: "This file is not a document exchange envelope (.csenv). Check that you chose the right file.",
    way: "none",
  },
  "envelope.tampered": {
    zh: "信封內容與簽章時不同：檔案在簽章之後被修改過或已損毀，不能匯入。請向發文機關重新索取。",
    en: "The envelope's contents differ from what was signed: it was changed or damaged after signing and cannot be imported. Ask the sending agency for it again.",
    way: "none",
  },
  "envelope.signature": {
    zh: "信封的機關簽章驗證失敗，無法確認是由發文機關寄出，已拒收。",
    en: "The agency signature on the envelope does not verify, so it cannot be shown to come from the sender; it was refused.",
    way: "none",
  },
  "envelope.untrusted": {
    zh: "發文機關不在本機關的信任清單中。請系統管理員核對對方機關的憑證指紋後加入信任清單，再重新匯入。",
    en: "The sending agency is not in this agency's trust list. Ask the administrator to add it after checking its certificate fingerprint, then import again.",
    way: "none",
  },
  "envelope.revoked": {
    zh: "發文機關用來簽章的憑證已被廢止，已拒收。請與發文機關聯繫。",
    en: "The certificate the sending agency signed with has been revoked; it was refused. Contact the sending agency.",
    way: "none",
  },
  "envelope.expired": {
    zh: "發文機關的簽章憑證已過期或尚未生效，已拒收。",
    en: "The sending agency's certificate has expired or is not yet valid; it was refused.",
    way: "none",
  },
  "envelope.wrong-recipient": {
    zh: "這個信封是寄給其他機關的，不是本機關，不能匯入。",
    en: "This envelope is addressed to another agency, not this one, and cannot be imported.",
    way: "none",
  },
  "envelope.wrong-sender": {
    zh: "信封標示的發文機關與簽章機關不符，已拒收。",
    en: "The envelope names another sender than the agency that signed it; it was refused.",
    way: "none",
  },
  "envelope.header": {
    zh: "信封的表頭資料不正確，已拒收。",
    en: "The envelope's header is not right; it was refused.",
    way: "none",
  },
  "envelope.bad-update": {
    zh: "信封中公文的內容無法讀取或與所標示的公文不符，整個信封都未匯入。請向發文機關重新索取。",
    en: "A document's content in the envelope cannot be read or is another document; nothing of the envelope was imported. Ask the sender for it again.",
    way: "none",
  },
  "envelope.missing-base": {
    zh: "這個信封只帶有公文的後續變更，而本機關還沒有這份公文的先前版本。請先匯入較早的信封，或請發文機關寄送完整版本。",
    en: "The envelope carries only later changes to a document this agency does not yet hold. Import the earlier envelope first, or ask the sender for the full version.",
    way: "none",
  },
  "envelope.chain": {
    zh: "信封中公文的簽核鏈驗證失敗（簽章無效或被竄改），整個信封都未匯入。",
    en: "The signing chain of a document in the envelope does not verify (an invalid or altered signature); nothing of the envelope was imported.",
    way: "none",
  },
  "envelope.attachment": {
    zh: "信封中的附件與公文記載的不符，已拒收。",
    en: "An attachment in the envelope does not match what the document records; it was refused.",
    way: "none",
  },
  "envelope.sealed": {
    zh: "這個加密信封無法以本機關的金鑰解開：可能不是加密給本機關的。",
    en: "This encrypted envelope cannot be opened with this agency's key: it may not be encrypted for this agency.",
    way: "none",
  },
  "envelope.internal": {
    zh: "本機關伺服器檢查信封時發生錯誤，未做任何變更；請稍後再匯入，若仍失敗請洽系統管理員。",
    en: "The server failed while checking the envelope; nothing was changed. Import it again later, and ask the administrator if it persists.",
    way: "retry",
  },
  "envelope.replay": {
    zh: "這個信封先前已匯入過，本次未做任何變更。",
    en: "This envelope was imported before; nothing was changed.",
    way: "none",
  },
  "envelope.dtd": {
    zh: "信封中的 DI 或 SW 交換檔不符合國家公文交換規範（DTD），已拒收。",
    en: "The DI or SW file in the envelope does not match the official DTD; it was refused.",
    way: "none",
  },
  "envelope.classified": {
    zh: "密件公文只能以加密信封發文；請選擇加密後再發送。",
    en: "A classified (密) document may leave only in an encrypted envelope; choose encryption and send again.",
    way: "none",
  },
  "envelope.build-input": {
    zh: "製作交換信封的資料不正確（公文、受文機關或發文目的等），未發文。",
    en: "What was given to build the envelope is invalid (documents, recipient, purpose …); nothing was sent.",
    way: "none",
  },
  "envelope.recipient-key": {
    zh: "受文機關憑證的金鑰種類無法用於加密信封，未發文；請洽系統管理員。",
    en: "The recipient's certificate holds a key an envelope cannot be encrypted for; nothing was sent. Ask the administrator.",
    way: "none",
  },
  "envelope.own-key": {
    zh: "本機關的私鑰無法用於解密信封（設定問題），請洽系統管理員。",
    en: "This agency's private key cannot be used to decrypt envelopes (a setup problem); ask the administrator.",
    way: "none",
  },
  "envelope.build-failed": {
    zh: "交換信封無法製作、簽章或加密（程式或金鑰發生問題），未發文；請稍後再試，若仍失敗請洽系統管理員。",
    en: "The envelope could not be written, signed or encrypted (a fault of the program or the key); nothing was sent. Try again later, and ask the administrator if it persists.",
    way: "retry",
  },
  "exchange.no-key": {
    zh: "本機關伺服器目前沒有可解密信封的金鑰，請洽系統管理員。",
    en: "This server holds no key to decrypt envelopes now; ask the administrator.",
    way: "none",
  },
  "exchange.unencrypted": {
    zh: "密件公文以未加密的信封寄達，依規定拒收；請發文機關以加密方式重新發文。",
    en: "A classified document arrived unencrypted and was refused; ask the sender to send it again encrypted.",
    way: "none",
  },
  "exchange.request": {
    zh: "發文要求不正確（未選公文、收文回執不可附公文，或發文目的不明），未發文。",
    en: "The send request is wrong (no documents, documents on a receipt, or an unknown purpose); nothing was sent.",
    way: "none",
  },
  "exchange.self": {
    zh: "交換信封不能寄給本機關自己。",
    en: "An envelope cannot be addressed to this agency itself.",
    way: "none",
  },
  "exchange.no-doc": {
    zh: "本機關沒有這份公文，無法發文。",
    en: "There is no such document here, so it cannot be sent.",
    way: "none",
  },
  "exchange.recipient-cert": {
    zh: "信任清單中受文機關的憑證無法解讀，未發文；請系統管理員重新匯入該機關憑證。",
    en: "The recipient's certificate in the trust list cannot be read; nothing was sent. The administrator imports it again.",
    way: "none",
  },
  "peer.self": {
    zh: "這個信封來自本機關自己，不予匯入。",
    en: "The envelope comes from this agency itself and is not imported.",
    way: "none",
  },
  "peer.not-exchanged": {
    zh: "這份公文從未與發文機關交換過，對方無權修改，已拒收。",
    en: "This document was never exchanged with the sending agency, so it may not change it; refused.",
    way: "none",
  },
  "peer.not-own": {
    zh: "信封帶來的新公文不是發文機關自己的公文，已拒收。",
    en: "The envelope brings a new document that is not the sending agency's own; refused.",
    way: "none",
  },
  "peer.purpose": {
    zh: "依信封的交換目的不應帶來新公文，但其中有本機關沒有的公文，已拒收。",
    en: "The envelope's purpose brings no new documents, yet it carries one this agency lacks; refused.",
    way: "none",
  },
  "peer.not-decided": {
    zh: "發文的公文尚未決行，已拒收。",
    en: "A document dispatched (發文) is not decided; refused.",
    way: "none",
  },
  "peer.names-ours": {
    zh: "來文直接將關卡指定給本機關的人員或單位，依規定應由本機關登記桌分文，已拒收。",
    en: "The document assigns a step directly to a person or unit of this agency, which only our registry desk does; refused.",
    way: "none",
  },
  "peer.agency": {
    zh: "信封變更了公文的所屬機關，已拒收。",
    en: "The envelope changes the agency the document belongs to; refused.",
    way: "none",
  },
  "peer.parts": {
    zh: "發文機關修改了非其簽署的部分（公文不屬於該機關），已拒收。",
    en: "The sending agency changes more than its own signed entries in a document not its own; refused.",
    way: "none",
  },
  "peer.signer": {
    zh: "信封中有簽核紀錄不是由發文機關人員簽署，已拒收。",
    en: "An entry was not signed by someone of the sending agency; refused.",
    way: "none",
  },
  "federation.not-cert": {
    zh: "這個檔案不是憑證檔，請確認選對了檔案。",
    en: "The file is not a certificate; check that you chose the right one.",
    way: "none",
  },
  "federation.not-ca": {
    zh: "這張憑證不是憑證機構憑證，不能加入信任清單。",
    en: "The certificate is not a certificate authority's and cannot join the trust list.",
    way: "none",
  },
  "federation.no-agency": {
    zh: "憑證中沒有載明機關代碼，不能加入信任清單。",
    en: "The certificate names no agency code and cannot join the trust list.",
    way: "none",
  },
  "federation.expired": {
    zh: "這張憑證已過期或尚未生效，不能加入信任清單。",
    en: "The certificate has expired or is not yet valid and cannot join the trust list.",
    way: "none",
  },
  "federation.signature": {
    zh: "憑證的自簽章驗證失敗，不能加入信任清單。",
    en: "The certificate's self-signature does not verify; it cannot join the trust list.",
    way: "none",
  },
  "federation.ours": {
    zh: "這是本機關自己的憑證機構或代碼，不須加入信任清單。",
    en: "This is this agency's own authority or code; it does not join the trust list.",
    way: "none",
  },
  "federation.delegation": {
    zh: "對方機關的分層負責明細表不正確（或屬於其他機關），不予採用。",
    en: "The other agency's delegation table is invalid (or another agency's) and is not used.",
    way: "none",
  },
  "federation.url": {
    zh: "對方機關的伺服器位址不是有效的 http(s) 網址。",
    en: "The other agency's server address is not a plain http(s) URL.",
    way: "none",
  },
  "federation.unknown": {
    zh: "該機關不在本機關的信任清單中，請系統管理員先核對憑證指紋後加入。",
    en: "That agency is not in the trust list; the administrator adds it after checking its fingerprint.",
    way: "none",
  },
  "federation.removed": {
    zh: "該機關已從信任清單移除，不再與其交換公文。",
    en: "That agency was removed from the trust list; documents are no longer exchanged with it.",
    way: "none",
  },
  "federation.serial": {
    zh: "憑證序號格式不正確（須為十六進位數字）。",
    en: "The serial is not a hexadecimal certificate serial.",
    way: "none",
  },
  "federation.fingerprint": {
    zh: "確認的指紋與貼上的憑證不符，未加入信任清單；請重新貼上憑證並核對指紋。",
    en: "The confirmed fingerprint is not the pasted certificate's; nothing was added. Paste the certificate again and compare the fingerprint.",
    way: "none",
  },
  "assign.not-registry": {
    zh: "只有登記桌人員可以分文。",
    en: "Only the registry desk (登記桌) may assign incoming documents.",
    way: "none",
  },
  "di.date": {
    zh: "日期不正確（須為有效的年月日，且不早於民國元年），無法轉出 DI 交換檔。",
    en: "A date is invalid (it must be a real date, not before 民國元年); the DI file cannot be written.",
    way: "none",
  },
  "di.doc-number": {
    zh: "文號格式不正確（代字、字第、年度、流水號、支號），無法轉出 DI 交換檔。",
    en: "A document number (文號) does not parse; the DI file cannot be written.",
    way: "none",
  },
  "di.xml": {
    zh: "內容含有無法寫入 XML 的字元或名稱，無法轉出 DI 交換檔；請依下方原文所指欄位修正。",
    en: "A text or name cannot be written as XML; the DI file cannot be written. Correct the field named below.",
    way: "none",
  },
  "di.recipients": {
    zh: "受文者名單是空的，或有受文者缺少名稱、機關代碼或單位代碼，無法轉出 DI 交換檔。",
    en: "The recipient list is empty, or a recipient lacks a name, agency code or unit code; the DI file cannot be written.",
    way: "none",
  },
  "di.no-original": {
    zh: "函至少須有一位正本受文者。",
    en: "A 函 needs at least one 正本 recipient.",
    way: "none",
  },
  "di.body": {
    zh: "本文的段落層次超過四層，或有此文別不能使用的段落，無法轉出 DI 交換檔。",
    en: "The body nests below the fourth level, or uses a section this kind has no place for; the DI file cannot be written.",
    way: "none",
  },
  "di.file-name": {
    zh: "匯出檔名不符規定。",
    en: "The export file name is not allowed.",
    way: "none",
  },
  "di.classified": {
    zh: "密件公文不以 DI 交換檔轉出。",
    en: "A classified document is not exported as DI.",
    way: "none",
  },
  "di.kind": {
    zh: "目前僅函、書函及簽可以轉出 DI 交換檔。",
    en: "Only 函, 書函 and 簽 export as DI so far.",
    way: "none",
  },
};
