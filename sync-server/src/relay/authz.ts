import type { DocIndexRow } from "../storage/types.ts";

/** Who is asking: what a login token carries. */
export interface Principal {
  person: string;
  unit: string;
  agency: string;
  roles: readonly string[];
}

/** "edit": the document itself; "metadata": the index row only; "none": not even that. */
export type Access = "edit" | "metadata" | "none";

/**
 * Who reaches a document: those who take part in it (case officer, an assignee of any step or a
 * deputy, a signer), members of a unit or agency a step is assigned to, and the registry desk of its
 * unit; archives and follow-up see metadata. Documents marked 密 or above: named participants only —
 * a unit, an agency or a role never opens them, and nobody else sees even their metadata.
 */
export function access(p: Principal, row: DocIndexRow | undefined): Access {
  // A document the server has never seen is being created by its author.
  if (!row) return "edit";
  const named = row.participants.includes(`person:${p.person}`);
  if (row.secrecy !== "none") return named ? "edit" : "none";
  if (named) return "edit";
  if (row.participants.includes(`unit:${p.unit}`)) return "edit";
  if (row.participants.includes(`agency:${p.agency}`)) return "edit";
  if (p.roles.includes("registry") && row.unit === p.unit) return "edit";
  if (p.roles.includes("archives") || p.roles.includes("follow-up") || p.roles.includes("admin")) return "metadata";
  return "none";
}
