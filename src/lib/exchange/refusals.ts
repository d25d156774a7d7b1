// Why an envelope was refused, in plain Traditional Chinese for the registry desk. The server's
// reasons are English sentences (crdt-model's ENVELOPE_REFUSALS and the importer's own); each class
// is recognised by its fixed wording and explained with what to do next. An unknown sentence still
// gets a general explanation, with the server's words kept as the detail.

export interface RefusalExplained {
  /** What happened and what to do, zh-TW. */
  zh: string;
  /** The same in English. */
  en: string;
}

const RULES: readonly { test: RegExp; zh: string; en: string }[] = [
  { test: /is larger than \d+ bytes/, zh: "檔案太大，無法經由網頁匯入；請請系統管理員以 countersign 指令匯入。", en: "The file is too large to import through the page; ask the administrator to import it with the countersign command." },
  {
    test: /not a ZIP archive|truncated|central directory|local header|overlaps another entry|does not inflate|inflates to|CRC-32|ZIP64|compression method|encrypted or uses an unsupported/,
    zh: "這不是完整的公文交換信封檔：檔案可能在傳遞途中損毀或被截斷。請向發文機關重新索取檔案。",
    en: "This is not a whole envelope file: it may have been damaged or cut short on the way. Ask the sending agency for the file again.",
  },
  { test: /compression ratio|declares more than|parts declare more than|more than \d+ entries/, zh: "檔案內容的大小異常（疑似壓縮炸彈），為保護伺服器已拒收。", en: "The file's declared sizes are abnormal (like a ZIP bomb); it was refused to protect the server." },
  { test: /entry name .* is not allowed|appears more than once/, zh: "信封內含不允許的檔名（例如「..」或絕對路徑），可能是惡意檔案，已拒收。", en: "The envelope holds a file name that is not allowed (such as \"..\" or an absolute path); it may be malicious and was refused." },
  { test: /mimetype/, zh: "這個檔案不是公文交換信封（.csenv）。請確認選對了檔案。", en: "This file is not a document exchange envelope (.csenv). Check that you chose the right file." },
  { test: /does not match its hash|does not have the size the manifest|which the envelope does not hold|which the manifest does not list|which is not a part of an envelope|manifest is malformed|no META-INF/, zh: "信封內容與簽章時不同：檔案在簽章之後被修改過或已損毀，不能匯入。請向發文機關重新索取。", en: "The envelope's contents differ from what was signed: it was changed or damaged after signing and cannot be imported. Ask the sending agency for it again." },
  { test: /signature (is not a CMS|was made over another|does not verify)/, zh: "信封的機關簽章驗證失敗，無法確認是由發文機關寄出，已拒收。", en: "The agency signature on the envelope does not verify, so it cannot be shown to come from the sender; it was refused." },
  { test: /has been revoked|revoked/, zh: "發文機關用來簽章的憑證已被廢止，已拒收。請與發文機關聯繫。", en: "The certificate the sending agency signed with has been revoked; it was refused. Contact the sending agency." },
  { test: /sender is not trusted|not in the trust list|removed from the trust list|not issued by a trusted/, zh: "發文機關不在本機關的信任清單中。請系統管理員核對對方機關的憑證指紋後加入信任清單，再重新匯入。", en: "The sending agency is not in this agency's trust list. Ask the administrator to add it after checking its certificate fingerprint, then import again." },
  { test: /not valid now/, zh: "發文機關的簽章憑證已過期或尚未生效，已拒收。", en: "The sending agency's certificate has expired or is not yet valid; it was refused." },
  { test: /addressed to another agency/, zh: "這個信封是寄給其他機關的，不是本機關，不能匯入。", en: "This envelope is addressed to another agency, not this one, and cannot be imported." },
  { test: /sender is not the agency that signed/, zh: "信封標示的發文機關與簽章機關不符，已拒收。", en: "The envelope names another sender than the agency that signed it; it was refused." },
  { test: /replay|already imported|was imported before/, zh: "這個信封先前已匯入過，本次未做任何變更。", en: "This envelope was imported before; nothing was changed." },
  { test: /chain of document .* does not verify|chain\.json/, zh: "信封中公文的簽核鏈驗證失敗（簽章無效或被竄改），整個信封都未匯入。", en: "The signing chain of a document in the envelope does not verify (an invalid or altered signature); nothing of the envelope was imported." },
  { test: /has no copy to apply them to|depends on changes this agency does not have/, zh: "這個信封只帶有公文的後續變更，而本機關還沒有這份公文的先前版本。請先匯入較早的信封，或請發文機關寄送完整版本。", en: "The envelope carries only later changes to a document this agency does not yet hold. Import the earlier envelope first, or ask the sender for the full version." },
  { test: /DTD|DI |SW /, zh: "信封中的 DI 或 SW 交換檔不符合國家公文交換規範（DTD），已拒收。", en: "The DI or SW file in the envelope does not match the official DTD; it was refused." },
  { test: /attachment/, zh: "信封中的附件與公文記載的不符，已拒收。", en: "An attachment in the envelope does not match what the document records; it was refused." },
  { test: /header is malformed|header names another|parts are not the ones|more than \d+ documents/, zh: "信封的表頭資料不正確，已拒收。", en: "The envelope's header is not right; it was refused." },
  { test: /cannot be decrypted|decrypt|EnvelopedData/, zh: "這個加密信封無法以本機關的金鑰解開：可能不是加密給本機關的。", en: "This encrypted envelope cannot be opened with this agency's key: it may not be encrypted for this agency." },
];

export function explainRefusal(reason: string): RefusalExplained {
  for (const r of RULES) if (r.test.test(reason)) return { zh: r.zh, en: r.en };
  return { zh: "信封未通過檢查，本機關未做任何變更。", en: "The envelope did not pass the checks; nothing was changed." };
}
