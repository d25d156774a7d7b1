import { mayDraft, type AgencyCode, type PersonId, type Refusal, type UnitId } from "@countersign/crdt-model";
import type { ArchiveStore, DocIndexRow } from "../storage/types.ts";
import { viewGranted } from "../archive/views.ts";

/** Who is asking: what a login token carries. */
export interface Principal {
  person: PersonId;
  unit: UnitId;
  agency: AgencyCode;
  roles: readonly string[];
}

/**
 * "edit": the document itself; "read": the document, given a recorded 調閱 (see `opens`), never to
 * change it; "metadata": the index row only; "none": not even that; "create": the document does not
 * exist (no index row), so there is nothing to read, and the only update the room takes is one that
 * creates it with this person entitled to (see mayCreate).
 */
export type Access = "edit" | "read" | "create" | "metadata" | "none";

/**
 * Who reaches a document:
 * - those who take part in it (case officer, an assignee of any step or a deputy, a signer), members
 *   of a unit or agency a step is assigned to, and the registry desk of its unit: "edit";
 * - a role that holds it now (the derived holders: `role:mail-room` for a decided letter to dispatch,
 *   `role:archives` for a document to archive): "edit" — the mail room and the archives open exactly
 *   what waits on them, and afterwards only what their own people signed (they are then signers);
 * - the archives, an archived document: "read", opened only through a recorded 調閱 (`opens`);
 * - archives, follow-up and administrators otherwise see metadata.
 * Documents marked 密 or above: named participants, and the role that holds the document while it
 * does (the mail room must dispatch a classified letter and the archives file it, or it would stay on
 * their desk for ever: they are the agency's designated handlers of documents at those steps). A
 * unit or an agency never opens them, the archives never through 調閱, and nobody else sees even
 * their metadata.
 */
export function access(p: Principal, row: DocIndexRow | undefined): Access {
  // A document the server has never seen: nothing to read; its room takes only a creation by
  // someone entitled to create it (mayCreate), and re-checks everyone once it exists.
  if (!row) return "create";
  const named = row.participants.includes(`person:${p.person}`);
  const heldByRole = p.roles.some((role) => row.holders.includes(`role:${role}`));
  if (row.secrecy !== "none") return named || heldByRole ? "edit" : "none";
  if (named || heldByRole) return "edit";
  if (row.participants.includes(`unit:${p.unit}`)) return "edit";
  if (row.participants.includes(`agency:${p.agency}`)) return "edit";
  if (p.roles.includes("registry") && row.unit === p.unit) return "edit";
  if (p.roles.includes("archives") && row.status === "archived") return "read";
  if (p.roles.includes("archives") || p.roles.includes("follow-up") || p.roles.includes("admin")) return "metadata";
  return "none";
}

/**
 * Whether `p` may open (read) the document now: "edit" access, or "read" access with a 調閱 they
 * recorded recently (archive/views.ts). What the relay's admission, the batch sync's reads and the
 * attachment download ask.
 */
export async function opens(store: ArchiveStore, p: Principal, row: DocIndexRow | undefined, now: Date): Promise<boolean> {
  const a = access(p, row);
  if (a === "edit") return true;
  return a === "read" && !!row && (await viewGranted(store, row.doc, p.person, now));
}

/**
 * Who may create a document through the relay or the batch sync: its case officer, if they draft
 * (crdt-model's `mayDraft`: 新增公文 on their own device — never the mail room, archives, follow-up
 * or an administrator), or the registry desk (收文登記 and 分文, which assigns an incoming document to
 * an officer of any unit: the registry page offers every unit), and only a document of this agency
 * (another agency's documents arrive as envelopes). The reason when not.
 */
export function mayCreate(p: Principal, meta: { agency: string; unit: string; caseOfficer: string }): Refusal | undefined {
  if (meta.agency !== p.agency)
    return { ok: false, code: "relay.foreign-doc", reason: "A document created here must belong to this agency; another agency's documents arrive as envelopes." };
  if (p.roles.includes("registry")) return undefined;
  if (meta.caseOfficer === p.person) {
    if (mayDraft(p)) return undefined;
    return { ok: false, code: "relay.creator", reason: "Only those who draft (case officers, supervisors) or the registry desk create a document; the sender's roles do not draft." };
  }
  return { ok: false, code: "relay.creator", reason: "Only its case officer, or the registry desk, creates a document: this update names someone else as its case officer." };
}
