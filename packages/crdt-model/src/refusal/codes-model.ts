/**
 * Refusal codes raised by model (see ./codes.ts). Codes are stable: never rename or reuse one; add a new
 * code instead, and give it a zh-TW and English message in the app (src/lib/refusals/).
 *
 * Grouped by area. Each code is a class a person can act on; several sentences share one, and the
 * sentence (Refusal.reason) keeps the detail. The comment after each says what it means and, where it
 * helps the message writer, what the person can do.
 */
export const MODEL_CODES = [
  // ── A change to a live document (workflow/ingest.ts checkTransition, schema/structure.ts,
  //    schema/document.ts applyUpdate): what the relay, batch sync and the importer refuse.
  "update.decided", // the update changes the content of a document already decided (決行); nothing more may change. Re-download.
  "update.alters-signed", // the update alters or removes a signed entry or a signed version; signed history never changes. Re-download.
  "update.receipt", // the update alters, removes or writes a receipt; only the agency server writes receipts. Re-download.
  "update.invalid-entry", // the update adds a signed entry that does not verify (bad signature, untrusted signer, a rule broken); `inner` may carry the entry's own reason.
  "update.plan", // the update changes the routing plan in force without a signed amendment. Re-download, then amend by signing.
  "update.doc-id", // the update changes the document id, or writes another document than the one addressed. Re-download.
  "update.access-field", // the update changes the agency, or the unit, the case officer or the secrecy (密等) without a signed entry that makes that change, or its first signed entry signs another creation.
  "update.archived", // the update changes an archived (歸檔) document; after 歸檔 nothing in it changes, for anyone. Re-download.
  "update.content-editor", // the update changes the text (主旨, body) but the sender may not now: the case officer drafts; while out for signing only the holder of the pending step makes a 修改 (workflow/editing.ts).
  "update.attachment-adder", // the update adds or rewrites an attachment naming someone else than its sender (or a role the sender does not hold) as who added it (workflow/attachments.ts).
  "update.attachment-remover", // the update removes or rewrites a scan the registry desk (登記桌) registered, and its sender is not the registry desk (workflow/attachments.ts).
  "update.malformed", // the update does not decode or apply, holds no Countersign document, leaves the metadata unreadable, or breaks the structure limits (nesting, type count, top-level types). A client bug or an attack: re-download.

  // ── The document's own data (schema/*): edits and stored parts that do not fit the schema.
  "schema.metadata", // a metadata field is missing or invalid (an edit refused, or stored metadata that does not read).
  "schema.item", // a body item (說明/辦法 …) does not exist, cannot hold sub-items, or would nest too deep.
  "schema.attachment", // an attachment reference (name, size, hash) is invalid.
  "schema.stored-plan", // the routing plan stored in the document is not readable text/JSON: the document is damaged.
  "schema.content", // the signed content (the version a signature covers) is not valid JSON or does not fit the schema.

  // ── The signature chain (chain/*): entries, their certificates and signatures as data.
  "chain.entry", // a chain entry is not valid JSON, does not fit the schema, has unsorted parents, or its id is not its hash.
  "chain.certificate", // the certificate inside an entry is not base64, does not parse, or holds the wrong kind of key for the algorithm.
  "chain.signature", // the signature bytes of an entry are malformed (not base64, wrong length, r or s zero).
  "chain.content-hash", // the stored signed version does not hash to what the entry signs: the document is damaged.
  "chain.cannot-sign", // the document cannot be signed now (its content does not read); `inner` says why.
  "chain.encode", // the CMS signature could not be encoded (a fault of this program or the key, not of the person).
  "entry.invalid", // a signed entry does not verify or breaks a workflow rule; the sentence (from the verifier) says which. Used as the `inner` of update.invalid-entry and envelope.chain.

  // ── Certificates and the trust list (identity/*).
  "cert.parse", // a certificate does not parse.
  "cert.key", // a certificate's key cannot be used for the signature algorithm asked for.
  "cert.profile", // a certificate carries no usable signer profile (agency, unit, person, level …) in its subject.
  "trust.anchor", // a certificate given as a trusted authority does not parse (setting up the trust list).
  "trust.untrusted", // the signer's certificate is not issued by an authority in the trust list.
  "trust.revoked", // the signer's certificate has been revoked.
  "trust.expired", // the signer's (or its authority's) certificate was not valid at the time the signature claims.
  "trust.unregistered", // the signer's certificate is not registered for a person here (a bound-only authority).
  "trust.agency", // the signer's certificate names another agency than the authority that issued it.

  // ── Receipts the agency server signs (identity/receipt.ts RECEIPT_REFUSALS): checked by the app and the tests.
  "receipt.signature", // a receipt's signature does not verify against the agency's receipt key: its time is not the agency's.
  "receipt.key", // the receipt public key does not parse as a P-256 public key.
  "receipt.malformed", // a receipt kept in the document is not a receipt (not JSON, or a field missing or wrong).
  "receipt.other-entry", // a receipt is kept for an entry (or document) it is not about: it says nothing of that entry.

  // ── Index rows (workflow/index-row.ts).
  "index.holder-key", // a holder key is not person:ID, unit:ID, agency:CODE or role:ROLE.

  // ── Routing tables (routing/*).
  "routing.plan", // the routing plan is invalid (schema, a step twice, not exactly one decision step, decision not last or inside a parallel group).
  "routing.delegation", // the delegation table (分層負責) is invalid.
  "routing.deputies", // the deputy table (代理人) is invalid.

  // ── History and document files.
  "history.versions", // the document does not hold both signed versions asked to compare.
  "file.too-large", // a document file (.json export) is larger than 64 MiB.
  "file.malformed", // a document file is not valid JSON, does not fit the schema, or its update is not base64.
  "file.other-document", // a document file names another document than its update holds.

  // ── Envelopes received (envelope/open.ts, zip.ts, cms-signed.ts, enveloped.ts; REFUSE in envelope/refusals.ts).
  "envelope.too-large", // the envelope file is larger than the limit (the web import's limit; the CLI can import it).
  "envelope.damaged", // not a ZIP, truncated, ZIP64, damaged directory or headers, unsupported compression or encryption, does not inflate, CRC mismatch: damaged on the way. Ask for it again.
  "envelope.zip-bomb", // declared sizes, entry count or compression ratio are abnormal, as a ZIP bomb's are; refused to protect the server.
  "envelope.bad-name", // an entry name is not allowed (absolute, "..", a backslash, unusual characters) or appears twice: possibly malicious.
  "envelope.not-envelope", // the file is a ZIP but not a Countersign envelope (.csenv): the wrong file was chosen.
  "envelope.tampered", // the contents differ from what was signed (manifest missing or malformed, a part missing, extra, unknown, of another size or hash). Ask for it again.
  "envelope.signature", // the agency signature on the envelope is not an accepted CMS signature, or does not verify.
  "envelope.untrusted", // the sending agency is not in this agency's trust list (or its authority names no agency). The administrator adds it after checking its fingerprint.
  "envelope.revoked", // the certificate the sending agency signed with has been revoked.
  "envelope.expired", // the sending agency's certificate has expired or is not yet valid.
  "envelope.wrong-recipient", // the envelope is addressed to another agency.
  "envelope.wrong-sender", // the envelope names another sender than the agency that signed it.
  "envelope.header", // the envelope's header is malformed, names another envelope, calls for other parts, or carries too many documents.
  "envelope.bad-update", // a document's update in the envelope does not decode, or holds another document; `inner` may say why.
  "envelope.missing-base", // the envelope carries only later changes to a document this agency does not hold yet. Import the earlier envelope first, or ask for the full version.
  "envelope.chain", // a document's signing chain (chain.json) is malformed, does not match its update, or does not verify.
  "envelope.attachment", // an attachment is not one the document references, has another size, or does not hash to its name.
  "envelope.sealed", // an encrypted envelope cannot be decrypted with this agency's key (not for this agency, or damaged/changed). One code for every such failure: no oracle.
  "envelope.internal", // the envelope could not be checked (a fault of this program); nothing was changed.
  "envelope.replay", // (raised by the server's importer) this envelope was imported before; nothing was changed.
  "envelope.dtd", // (raised by the server's importer) a DI or SW file in the envelope does not match the official DTD.
  // Envelopes sent (envelope/build.ts, enveloped.ts): the sender's side.
  "envelope.classified", // a classified (密) document may leave only in an encrypted envelope.
  "envelope.build-input", // what was given to build an envelope is invalid (document id, state vector, attachment bytes, time, purpose, recipient code, a document twice).
  "envelope.recipient-key", // the recipient's certificate holds a key an envelope cannot be encrypted for (neither EC P-256/384/521 nor RSA).
  "envelope.own-key", // this agency's private key cannot be used to decrypt (wrong algorithm and not extractable, or an unsupported key scheme): a setup problem for the administrator.
  "envelope.build-failed", // the envelope could not be written, signed or encrypted (a fault of this program or the key).

  // ── DI / SW export (di/*): the national exchange format (公文交換 DI).
  "di.date", // a date is not YYYY-MM-DD, not on the calendar, or before 民國元年.
  "di.doc-number", // a 文號 does not parse (代字, 字第, year, serial, 支號, 號).
  "di.xml", // a text or name cannot be written as XML (a character XML cannot carry, a bad name); the sentence names the element.
  "di.recipients", // the recipient roster is empty or a recipient lacks a name, agency code (機關代碼) or unit code (單位代碼).
  "di.no-original", // a 函 needs at least one 正本 recipient.
  "di.body", // the body cannot be written in this kind's DI: items nest below the fourth level, or a section this kind has no place for holds items.
  "di.file-name", // the export file base name is not allowed.
  "di.classified", // a classified document is not exported as DI.
  "di.kind", // only 函, 書函 and 簽 export as DI so far.

  // ── Filing numbers (filing/numbers.ts): what a 發文 or 歸檔 form and the rules check.
  "filing.dispatch-number", // a 發文字號 is not 代字 + 字第 + ROC year (3 digits) + serial (7 digits) + 號.
  "filing.file-number", // a 檔號 is not 年度號-分類號-案次號-卷次號-目次號; the sentence names the part.
  "filing.retention", // a 保存年限 is not 1–30 years or 永久.
  "filing.date", // a 發文日期 or other filing date is not a calendar date written YYYY-MM-DD.
  // ── The office calendar (deadline/calendar.ts parseOfficeCalendarCsv): the published CSV, all or nothing.
  "calendar.header", // the calendar CSV's first line is not the header 西元日期,星期,是否放假,備註 (the wrong file, or a changed format).
  "calendar.date", // a line's 西元日期 is not a date written YYYYMMDD, or its 星期 does not match the date; the sentence names the line.
  "calendar.duplicate", // a day is listed twice; the sentence names the line.
  "calendar.value", // a line does not have four fields, or its 是否放假 is not 0 (workday) or 2 (day off); the sentence names the line.
  "calendar.gap", // days are missing or out of order, the file does not begin on 1 January, or a year stops before 31 December.
  // ── Ids (ids.ts, added by the "ids" helper): a value that should be an id of this kind has the wrong shape.
  "id.doc", // a document id: 1–128 letters, digits and . _ - (and not "." or "..").
  "id.entry", // a signature-chain entry id: the lower-case SHA-256 of the entry.
  "id.agency", // an agency code (機關代碼): 1–128 letters, digits and . _ : -
  "id.unit", // a unit id (單位代碼): 1–128 letters, digits and . _ : -
  "id.person", // a person id: 1–128 letters, digits and . _ : -
  "id.step", // a routing step id: 1–64 letters, digits and . _ -
  "id.item", // a body item (說明 / 辦法 point) id: 1–128 letters, digits and . _ -
  "id.sha256", // an attachment or content hash: 64 lower-case hexadecimal digits.
  "id.envelope", // an exchange envelope id: 1–128 letters, digits and . _ - (and not "." or "..").
] as const;
