// The one call that turns a document's derived state and trusted times into its time facts: the
// model's timeFactsOf (crdt-model deadline/facts.ts), which holds every rule (due dates, 展期, days
// used, 逾期). The server only gathers the inputs (facts.ts); it never decides a deadline itself.
import { timeFactsOf, type TimeFacts, type TimeFactsInput } from "@countersign/crdt-model";

export type { TimeFactsInput };

/** The derivation the server uses; tests may hand in another (FactsDeps.compute). */
export type ComputeTimeFacts = (input: TimeFactsInput) => TimeFacts | undefined;

export const computeTimeFacts: ComputeTimeFacts = timeFactsOf;
