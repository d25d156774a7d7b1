// Mail (sync-server mail/): sending a unit's 各單位未辦結公文稽催通知單 now.
import { z } from "zod";
import { unitId } from "../ids.ts";

/** POST /api/follow-up/notices: the unit whose 稽催通知單 to send. */
export const sendNoticeRequest = z.object({ unit: unitId }).strict();

/** What was queued: the subject, how many documents it lists (of them overdue), and for whom (names). */
export const noticeSent = z.object({
  unit: unitId,
  subject: z.string(),
  documents: z.number().int(),
  overdue: z.number().int(),
  /** Names of the people it was queued for (the unit's head, the case officers concerned). */
  recipients: z.array(z.string()),
  /** Names of those concerned who have no e-mail address in the directory (not mailed). */
  withoutAddress: z.array(z.string()),
  /** Messages queued (1: one message to every recipient). */
  queued: z.number().int(),
});
