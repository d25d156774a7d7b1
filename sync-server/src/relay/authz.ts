import type { Refusal } from "@countersign/crdt-model";
import type { DocIndexRow } from "../storage/types.ts";

/** Who is asking: what a login token carries. */
export interface Principal {
  person: string;
  unit: string;
  agency: string;
  roles: readonly string[];
}

/**
 * "edit": the document itself; "metadata": the index row only; "none": not even that; "create": the
 * document does not exist (no index row), so there is nothing to read, and the only update the
 * room takes is one that creates it with this person entitled to (see mayCreate).
 */
export type Access = "edit" | "create" | "metadata" | "none";

/**
 * Who reaches a document: those who take part in it (case officer, an assignee of any step or a
 * deputy, a signer), members of a unit or agency a step is assigned to, and the registry desk of its
 * unit; archives and follow-up see metadata. Documents marked 密 or above: named participants only —
 * a unit, an agency or a role never opens them, and nobody else sees even their metadata.
 */
export function access(p: Principal, row: DocIndexRow | undefined): Access {
  // A document the server has never seen: nothing to read; its room takes only a creation by
  // someone entitled to create it (mayCreate), and re-checks everyone once it exists.
  if (!row) return "create";
  const named = row.participants.includes(`person:${p.person}`);
  if (row.secrecy !== "none") return named ? "edit" : "none";
  if (named) return "edit";
  if (row.participants.includes(`unit:${p.unit}`)) return "edit";
  if (row.participants.includes(`agency:${p.agency}`)) return "edit";
  if (p.roles.includes("registry") && row.unit === p.unit) return "edit";
  if (p.roles.includes("archives") || p.roles.includes("follow-up") || p.roles.includes("admin")) return "metadata";
  return "none";
}

/**
 * Who may create a document through the relay or the batch sync: its case officer (新增公文 on their
 * own device) or the registry desk (收文登記 and 分文, which assigns an incoming document to an officer
 * of any unit: the registry page offers every unit), and only a document of this agency (another
 * agency's documents arrive as envelopes). The reason when not.
 */
export function mayCreate(p: Principal, meta: { agency: string; unit: string; caseOfficer: string }): Refusal | undefined {
  if (meta.agency !== p.agency)
    return { ok: false, code: "relay.foreign-doc", reason: "A document created here must belong to this agency; another agency's documents arrive as envelopes." };
  if (meta.caseOfficer === p.person) return undefined;
  if (p.roles.includes("registry")) return undefined;
  return { ok: false, code: "relay.creator", reason: "Only its case officer, or the registry desk, creates a document: this update names someone else as its case officer." };
}
