import { z } from "zod";
import { agencyCodeSchema, personIdSchema, unitIdSchema } from "../ids.ts";
import { recipientsSchema } from "./recipients.ts";

/** Document kinds (公文類別 / 函類別 of the DI tag set), English in code, Chinese in the UI. */
export const DOCUMENT_KINDS = [
  "memo", // 簽
  "draft", // 稿
  "letter", // 函
  "brief-letter", // 書函
  "meeting-notice", // 開會通知單
  "announcement", // 公告
  "order", // 令
  "note", // 便簽
  "other", // 其他
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export const KIND_LABELS: Record<DocumentKind, string> = {
  memo: "簽",
  draft: "稿",
  letter: "函",
  "brief-letter": "書函",
  "meeting-notice": "開會通知單",
  announcement: "公告",
  order: "令",
  note: "便簽",
  other: "其他",
};

/** 速別; the time limits (1 / 3 / 6 working days) live with the deadline rules. */
export const SPEEDS = ["most-urgent", "urgent", "ordinary"] as const;
export type Speed = (typeof SPEEDS)[number];
export const SPEED_LABELS: Record<Speed, string> = { "most-urgent": "最速件", urgent: "速件", ordinary: "普通件" };

/** 密等. Anything but "none" may never leave the named participants. */
export const SECRECY_LEVELS = ["none", "confidential", "secret", "top-secret", "absolute"] as const;
export type Secrecy = (typeof SECRECY_LEVELS)[number];
export const SECRECY_LABELS: Record<Secrecy, string> = {
  none: "普通",
  confidential: "密",
  secret: "機密",
  "top-secret": "極機密",
  absolute: "絕對機密",
};

// The id schemas live with their parsers (../ids.ts); re-exported for the schemas that import them here.
export { agencyCodeSchema, personIdSchema, unitIdSchema };

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date must be written YYYY-MM-DD");

/**
 * Where an incoming document came from, as the registry desk registered it (收文): 來文機關, its
 * 來文字號 (null: the letter has none) and our 收文日期 (Taiwan date). Fields of their own, not a
 * sentence in 說明, so the facts panel, search and reports read them. Optional and left out when
 * absent, so documents registered before it existed keep their canonical content (and signatures).
 */
export const incomingSchema = z
  .object({
    from: z.string().trim().min(1, "來文機關 is required").max(200),
    number: z.string().trim().min(1).max(64).nullable(),
    receivedOn: isoDate,
  })
  .strict();
export type Incoming = z.infer<typeof incomingSchema>;

/**
 * The metadata fields. 主旨 is not here: it is co-edited text and lives in its own Y.Text.
 * `category` is the key into the delegation table (分層負責明細表).
 */
export const metadataSchema = z.object({
  kind: z.enum(DOCUMENT_KINDS),
  speed: z.enum(SPEEDS),
  secrecy: z.enum(SECRECY_LEVELS),
  dueDate: isoDate.nullable(),
  // 文號: for this agency's own 簽 / 稿 the agency server writes it when it first stores the document
  // (代字 + 字第 + ROC year + serial, the same series as the 發文字號, which it then becomes); no
  // client may write or change it (the relay refuses it: relay.doc-number).
  docNumber: z.string().max(64).nullable(),
  receiptNumber: z.string().max(64).nullable(), // 收文號
  agency: agencyCodeSchema,
  unit: unitIdSchema,
  caseOfficer: personIdSchema,
  retention: z.string().max(32).nullable(), // 保存年限: years, or 永久
  category: z.string().max(128),
  /** 受文者 / 正本 / 副本 (a letter's; absent on most other kinds, and then left out of the signed content). */
  recipients: recipientsSchema.optional(),
  /** 來文機關, 來文字號 and 收文日期 of a registered incoming document (absent otherwise, and then left out of the signed content). */
  incoming: incomingSchema.optional(),
});
export type Metadata = z.infer<typeof metadataSchema>;
