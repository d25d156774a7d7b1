import { allSteps, holderKey, type AgencyCode, type CountersignDocument, type Holder, type PersonId, type WorkflowState } from "@countersign/crdt-model";
import type { DocIndexRow } from "../storage/types.ts";

/**
 * The index row of another agency's document (one a peer sent us) as this agency's index must hold
 * it. A document's person, unit and role ids are those of the agency it belongs to, unless an
 * assignee names another agency: here the same ids are other people (every agency has a P-OFFICER
 * and a U-STU), so keeping them would put a peer's document in the inbox of whoever here shares its
 * case officer's id, and give them the document. What must stay true: only keys that name this
 * agency stay — a step for this agency (`agency:US`), a person, unit or role explicitly of this
 * agency, and the people of this agency who signed in it; case officer and unit, the peer's, are
 * none of ours. Such a document reaches our people through the registry desk's 分文: the officer it
 * is assigned to (`assignee`, exchange/assign.ts) takes part in it, and holds it (in person, so it
 * is in their 待辦) whenever it waits on this agency.
 */
export function scopeToAgency(row: DocIndexRow, doc: CountersignDocument, state: WorkflowState, us: AgencyCode | undefined, assignee: PersonId | null = null): DocIndexRow {
  const meta = doc.metadata();
  if (!us || !meta.ok || meta.value.agency === us) return row;
  const ours = (h: Holder): boolean => (h.kind === "agency" ? true : h.agency === us);
  const participants = new Set<string>();
  if (state.plan) for (const s of allSteps(state.plan)) if (ours(s.assignee)) participants.add(holderKey(s.assignee));
  for (const t of state.timeline) if (t.signer && t.outcome !== "invalid" && t.signer.agency === us) participants.add(`person:${t.signer.person}`);
  const holders = new Set(state.holders.filter(ours).map(holderKey));
  if (assignee) {
    participants.add(`person:${assignee}`);
    if (holders.has(`agency:${us}`)) holders.add(`person:${assignee}`);
  }
  return {
    ...row,
    unit: null,
    caseOfficer: null,
    participants: [...participants].sort(),
    holders: [...holders].sort(),
  };
}
