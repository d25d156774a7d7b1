// The one call that turns a document's derived state and trusted times into its time facts: the
// model's timeFactsOf (crdt-model deadline/), which holds every rule (due dates, 展期, days used,
// 逾期). The server only gathers the inputs (facts.ts); it never decides a deadline itself.
import type { CountersignDocument, EntryId, OfficeCalendar, TimeFacts, WorkflowState, Channel } from "@countersign/crdt-model";

/** What the model's timeFactsOf takes (common.md, "the agreed functions"). */
export interface TimeFactsInput {
  doc: CountersignDocument;
  state: WorkflowState;
  /** When the server first stored the document (its first receipt): the trusted 收文 / 創稿 time. */
  startedAt: string;
  origin: "received" | "created";
  incoming: Channel | null;
  /** How a 發文 goes out: "exchange" when the letter is addressed to an agency we exchange with (dispatch/send.ts sends it an envelope). */
  outgoing: Channel | null;
  /** The agency's receipt time of an entry (when this server first saw it), if it has one. */
  trustedAt: (entry: EntryId) => string | undefined;
  calendar: OfficeCalendar;
  now: Date;
}

/**
 * The model's derivation, or undefined while the model cannot derive one (then no row is written and
 * the backfill at the next start writes it).
 */
export type ComputeTimeFacts = (input: TimeFactsInput) => TimeFacts | undefined;

export const computeTimeFacts: ComputeTimeFacts = () => undefined;
