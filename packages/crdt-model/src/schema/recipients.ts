import { z } from "zod";

/**
 * 受文者 / 正本 / 副本 of a letter, kept in the document's metadata and so signed with its content:
 * whoever decides a 函 decides whom it goes to, and the mail room dispatches to exactly these. The
 * three kinds are the three ways the DI tag sets identify a receiver — an agency (全銜 + 機關代碼), a
 * unit of an agency (單位名 + 機關代碼 + 單位代碼), a person (姓名, 職稱, 機關代碼, 單位代碼) — and
 * every kind carries the 機關代碼 the exchange routes by. The DI export (di/recipients.ts) writes them.
 */
const name = z.string().trim().min(1, "a recipient needs a name").max(200);
const code = z.string().trim().min(1, "a recipient needs an agency code (機關代碼)").max(128);
const common = { delivery: z.enum(["original", "copy"]), attachments: z.boolean().optional() };

export const recipientSchema = z.discriminatedUnion("kind", [
  z.object({ ...common, kind: z.literal("agency"), name, agencyCode: code }).strict(),
  z.object({ ...common, kind: z.literal("unit"), name, agencyCode: code, unitCode: z.string().trim().min(1).max(128) }).strict(),
  z.object({ ...common, kind: z.literal("person"), name, title: z.string().max(100).optional(), agencyCode: code, unitCode: z.string().max(128).optional() }).strict(),
]);

/** At most this many: a roster longer than this belongs in a 交換表 the exchange keeps, not in a document. */
export const MAX_RECIPIENTS = 500;
export const recipientsSchema = z.array(recipientSchema).max(MAX_RECIPIENTS);

export type Recipient = z.infer<typeof recipientSchema>;
export type Delivery = Recipient["delivery"];
