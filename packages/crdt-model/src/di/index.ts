// DI export: 函 / 書函 / 簽 as DI XML valid against the official DTDs, the roster as SW. See README.md.
export { exportDi, exportDiContent } from "./export.ts";
export { LETTER_DTD, MEMO_DTD, type DiDtd, type DiOptions, type DiExport, type DiAttachmentFile } from "./options.ts";
export { exportSw, SW_DTD, DELIVERY_LABELS, type Recipient, type Delivery } from "./recipients.ts";
export { parseDocNumber, rocDate, type DocNumber } from "./roc.ts";
export { escapeText, escapeAttr, invalidXmlChar } from "./xml.ts";
