// The one shape of every refusal over HTTP: any answer that is not 2xx and is JSON.
import { z } from "zod";

/**
 * `{ ok: false, code, reason }`: `code` is a stable code from the model's catalogue (crdt-model
 * refusal/codes.ts) that programs decide by; `reason` is an English sentence for people and logs.
 * Some routes add fields (the delivery endpoint's `v` and `status`); they are kept when parsed.
 *
 * What must stay true: `code` is a plain string on the wire, so an app older than the server still
 * parses a refusal with a code it does not know (it maps it to `http.unrecognised`).
 */
export const refusal = z.looseObject({
  ok: z.literal(false),
  code: z.string(),
  reason: z.string(),
});
export type WireRefusal = z.infer<typeof refusal>;
