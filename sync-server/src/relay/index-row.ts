import { allSteps, parseSignedContent, type Assignee, type CountersignDocument, type Holder, type Sha256Hex, type WorkflowState } from "@countersign/crdt-model";
import type { DocIndexRow } from "../storage/types.ts";

/** "person:ID", "unit:ID", "agency:CODE", "role:ROLE" — the keys the index and authorization use. */
export function assigneeKey(a: Assignee | Holder): string {
  switch (a.kind) {
    case "person":
      return `person:${a.person}`;
    case "unit":
      return `unit:${a.unit}`;
    case "agency":
      return `agency:${a.agency}`;
    case "role":
      return `role:${a.role}`;
  }
}

/**
 * What the server indexes about a document after an accepted change. Who may reach it rests on the
 * derived, signed facts only — the secrecy, unit and case officer in force (the creation changed by
 * signed entries) and the agency's deputy table — never on the live metadata or the plan's own
 * deputies list, which a plain edit could set.
 */
export function indexRow(doc: CountersignDocument, state: WorkflowState, now: Date): DocIndexRow {
  const meta = doc.metadata();
  const participants = new Set<string>();
  if (state.caseOfficer) participants.add(`person:${state.caseOfficer}`);
  if (state.plan) for (const s of allSteps(state.plan)) participants.add(assigneeKey(s.assignee));
  // Deputies whose period has not ended (they may need to open the document to act).
  const nowMs = now.getTime();
  for (const d of state.deputies) if (Date.parse(d.until) > nowMs) participants.add(`person:${d.deputy}`);
  for (const t of state.timeline) if (t.signer && t.outcome !== "invalid") participants.add(`person:${t.signer.person}`);
  return {
    doc: doc.id,
    kind: meta.ok ? meta.value.kind : "other",
    subject: doc.subject().slice(0, 500),
    status: state.status,
    secrecy: state.secrecy,
    unit: state.unit,
    caseOfficer: state.caseOfficer,
    dueDate: meta.ok ? meta.value.dueDate : null,
    participants: [...participants].sort(),
    holders: [...new Set(state.holders.map(assigneeKey))].sort(),
    updatedAt: now.toISOString(),
    attachments: attachmentHashes(doc),
  };
}

/**
 * The attachments a document references: its current ones and those of every signed version (a
 * reader may need the file an earlier signer saw). Who may read the document may download these.
 */
export function attachmentHashes(doc: CountersignDocument): Sha256Hex[] {
  const out = new Set<Sha256Hex>(doc.attachments().map((a) => a.sha256));
  for (const text of doc.rawVersions().values()) {
    if (typeof text !== "string") continue;
    const c = parseSignedContent(text);
    if (c.ok) for (const a of c.value.attachments) out.add(a.sha256);
  }
  return [...out].sort();
}
