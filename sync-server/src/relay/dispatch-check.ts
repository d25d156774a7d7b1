// The relay's own check of a 發文 entry (issue 9). The model's rules check the entry's shape (a
// well-formed 發文字號 and date), the signer (the mail room of the document's agency) and the state (a
// decided letter); what only this server knows is which numbers it handed out, and to which document
// (dispatch/numbers.ts). What must stay true: a document of this agency is dispatched only under a
// 發文字號 this server reserved for that very document — never an invented one, never another
// document's — so no two documents of the agency ever carry the same number.
import { parseEntry, type CountersignDocument, type DocId, type EntryId, type Refusal, type WorkflowState } from "@countersign/crdt-model";
import type { IdentityStore } from "../storage/types.ts";
import { dispatchReservation } from "../dispatch/numbers.ts";

/**
 * The refusal of an update whose new 發文 entries carry a number not reserved here for `id`, if any.
 * Every added 發文 entry is checked, the one that takes effect and any concurrent one that loses to
 * it alike: no entry under an unreserved number is ever stored. `after` is the document with the update.
 */
export async function dispatchRefusal(store: IdentityStore, id: DocId, after: CountersignDocument, added: readonly EntryId[]): Promise<Refusal | undefined> {
  if (added.length === 0) return undefined;
  const raw = after.rawEntries();
  for (const entry of added) {
    const parsed = parseEntry(raw.get(entry), entry);
    if (!parsed.ok) continue; // checkTransition already took it: it parses
    const action = parsed.value.entry.payload.action;
    if (action.kind !== "dispatch" || action.number === undefined) continue;
    const reserved = await dispatchReservation(store, action.number);
    if (reserved?.doc === id) continue;
    return {
      ok: false,
      code: "relay.dispatch-number",
      reason: reserved
        ? `The 發文字號 ${action.number} was reserved for another document; a document is dispatched under the number the mail room reserved for it.`
        : `The 發文字號 ${action.number} was not reserved by this agency's server; reserve the number (POST /api/dispatch/numbers) and sign the dispatch with it.`,
    };
  }
  return undefined;
}

/** Whether the update added the document's 發文 entry (it is then sent to the agencies it is addressed to). */
export const addsDispatch = (state: WorkflowState, added: readonly EntryId[]): boolean => !!state.dispatch && added.includes(state.dispatch.entry);
