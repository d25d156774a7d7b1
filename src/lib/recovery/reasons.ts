// A change to a document the agency server refused (the relay live, or a batch sync), explained for
// the person who made it. The explanation is chosen by the refusal's code (src/lib/refusals), never
// by its sentence; the server's sentence is kept, unchanged, for whoever supports the user.
import type { Code, Refusal } from "@countersign/crdt-model";
import { messageOf, retryMayHelp } from "$lib/refusals/table.ts";
import type { RefusalMessage } from "$lib/refusals/types.ts";

/** What a refusal means for the person who made the change. */
export interface RefusalExplanation {
  v: 1;
  code: Code;
  /** What happened and what to do, zh-TW and English. */
  message: RefusalMessage;
  /** The server's sentence, unchanged. */
  reason: string;
  /** Re-sending can succeed (the server failed, not the rules); otherwise only re-downloading helps. */
  retryMayHelp: boolean;
}

export function explainRefusal(r: Refusal): RefusalExplanation {
  return { v: 1, code: r.code, message: messageOf(r.code), reason: r.reason, retryMayHelp: retryMayHelp(r.code) };
}
