// The relay's refusal sentences (crdt-model's checkTransition, the room, the batch endpoint) turned
// into words a clerk can act on. The server speaks English for logs and scripts; the app shows the
// zh-TW explanation first and the server's sentence below it, for whoever supports the user.
import type { RecoveryKey } from "./messages.ts";

/** What a refusal means for the person who made the change. */
export interface RefusalExplanation {
  v: 1;
  key: RecoveryKey;
  /** The server's sentence, unchanged. */
  reason: string;
  /** Re-sending can succeed (the server failed, not the rules); otherwise only re-downloading helps. */
  retryMayHelp: boolean;
  /** For "adds an invalid entry: …": the verifier's own sentence about the entry. */
  inner?: string;
}

interface Rule {
  test: RegExp;
  key: RecoveryKey;
  retryMayHelp: boolean;
}

/** Ordered: the first match wins. Patterns follow the sentences in packages/crdt-model and sync-server/src/relay. */
const RULES: readonly Rule[] = [
  { test: /^The update changes the content of a decided document\.$/, key: "rDecided", retryMayHelp: false },
  { test: /^The update alters or removes the signed entry /, key: "rAltersEntry", retryMayHelp: false },
  { test: /^The update alters or removes the signed version /, key: "rAltersEntry", retryMayHelp: false },
  { test: /^The update alters or removes the receipt for /, key: "rReceipt", retryMayHelp: false },
  { test: /^Only the agency server writes receipts\.$/, key: "rReceipt", retryMayHelp: false },
  { test: /^The update adds an invalid entry: /, key: "rInvalidEntry", retryMayHelp: false },
  { test: /^The update changes the routing plan without a signed amendment\.$/, key: "rPlan", retryMayHelp: false },
  { test: /^The update changes the document id\.$/, key: "rDocId", retryMayHelp: false },
  { test: /^The update does not create document /, key: "rDocId", retryMayHelp: false },
  { test: /^The update (is malformed|could not be applied|is not base64)/, key: "rMalformed", retryMayHelp: false },
  { test: /^The update does not hold a Countersign document/, key: "rMalformed", retryMayHelp: false },
  { test: /^The frame is truncated or malformed\.$|^Unknown (sync )?message type /, key: "rMalformed", retryMayHelp: true },
  { test: /^The server could not store the update/, key: "rStore", retryMayHelp: true },
  { test: /^You do not take part in this document\.$/, key: "rNotParticipant", retryMayHelp: false },
  // Who may see and route a document changes only by a signed entry (issue 12, finding 6).
  { test: /^The update changes (the document's unit|the case officer|the secrecy level \(密等\)) without a signed entry/, key: "rAccessField", retryMayHelp: false },
  { test: /^The update's signed entry starts from another creation /, key: "rAccessField", retryMayHelp: false },
  // The relay's own checks on the Yjs structure of an update (relay/room.ts, crdt-model schema/structure.ts).
  { test: /^The update builds on changes the server does not have /, key: "rPending", retryMayHelp: true },
  { test: /^The update writes under (the server's own )?Yjs client id /, key: "rClientId", retryMayHelp: false },
  { test: /^The update (nests types deeper than|would give the document more than|writes the top-level type|leaves the metadata unreadable|does not create a valid document)/, key: "rMalformed", retryMayHelp: false },
  { test: /^Only its case officer, or the registry desk, creates a document|^A document created here must belong to this agency/, key: "rNotParticipant", retryMayHelp: false },
  { test: /^The server could not take the update/, key: "rStore", retryMayHelp: true },
];

const INVALID_ENTRY = /^The update adds an invalid entry: (.*)$/;

export function explainRefusal(reason: string): RefusalExplanation {
  const rule = RULES.find((r) => r.test.test(reason));
  const out: RefusalExplanation = { v: 1, key: rule?.key ?? "rUnknown", reason, retryMayHelp: rule?.retryMayHelp ?? true };
  const inner = INVALID_ENTRY.exec(reason)?.[1];
  if (inner) out.inner = inner;
  return out;
}
