// The relay's 逾期原因 rule: a closing entry (發文, 存查, 歸檔 of a paper document) whose trusted day —
// the day this server receives it, its receipt day — is after the due date in force, on a document
// with no 逾期原因 yet (neither on the closing entry nor in an earlier 逾期原因 entry), is refused
// whole (update.late-reason). The rule is the model's needsLateReason; the due date in force and
// the reason so far come from the time facts of the state the check already derived.
import { needsLateReason, taipeiDay, type CountersignDocument, type Refusal, type WorkflowState } from "@countersign/crdt-model";
import type { EntryReceipt } from "../storage/types.ts";
import type { Deadlines } from "./service.ts";

const closingOf = (s: WorkflowState | undefined): string | null => (s?.dispatch ? "dispatch" : s?.closed ? "close" : s?.archive ? "archive" : null);

export const LATE_REASON_SENTENCE =
  "Closing a document after its due date needs a reason for the delay (逾期原因): sign it with the closing action, or add a 逾期原因 first. Nothing was stored.";

/** The refusal for an update that closes `doc` late without a reason, else undefined. */
export async function lateReasonRefusal(
  deadlines: Deadlines,
  doc: CountersignDocument,
  before: WorkflowState | undefined,
  after: WorkflowState,
  fresh: readonly EntryReceipt[] = [],
): Promise<Refusal | undefined> {
  // Only the update that makes the document 辦結 is asked.
  if (closingOf(before) !== null || closingOf(after) === null) return undefined;
  const facts = await deadlines.facts.derive(doc, after, fresh);
  if (!facts) return undefined;
  const cal = await deadlines.calendar.get();
  const day = taipeiDay(deadlines.now());
  // Asked as of just before the closing: the due date in force and any reason given so far (on the
  // closing entry itself, or an earlier 逾期原因 entry) — what the derived state after it says.
  if (!needsLateReason({ ...facts, closing: null }, day, cal)) return undefined;
  return { ok: false, code: "update.late-reason", reason: `${LATE_REASON_SENTENCE} (Due ${facts.due}, closed ${day}.)` };
}
