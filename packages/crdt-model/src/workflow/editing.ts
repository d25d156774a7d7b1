import type { PersonId, UnitId } from "../ids.ts";
import type { Role } from "../identity/profile.ts";
import type { DocumentPart } from "../schema/parts.ts";
import { fail, ok, type Result } from "../result.ts";
import type { WorkflowState } from "./derive.ts";

/**
 * Who writes a document's text. One rule for the app (which editors are writable, whether 新增公文
 * is offered) and the relay (which plain Yjs edits it takes): the relay calls these with the
 * sender's login and the parts the update touched, so a modified client gains nothing.
 */

/** The roles that draft (擬稿) a document on 新增公文: case officers, and supervisors who draft their own 簽. */
export const DRAFTING_ROLES: readonly Role[] = ["case-officer", "supervisor"];

/**
 * Whether a person drafts documents (新增公文). The mail room, the archives, the follow-up officer
 * and the administrator do not; the registry desk creates incoming documents through 收文登記 only
 * (the relay's own rule lets it create a document for another officer).
 */
export function mayDraft(who: { roles: readonly string[] }): boolean {
  return who.roles.some((r) => (DRAFTING_ROLES as readonly string[]).includes(r));
}

/** The parts that are the document's text: 主旨 and the body (說明, 辦法, 擬辦 …). */
export const TEXT_PARTS: readonly DocumentPart[] = ["subject", "body"];

export interface Editor {
  person: PersonId | string;
  unit: UnitId | string;
}

/** What the rule reads of the derived state (the relay's and the app's `WorkflowState`). */
export type EditingState = Pick<WorkflowState, "status" | "caseOfficer" | "holders" | "pending">;

/**
 * Whether the case officer is drafting: a draft, or a document returned to the case officer
 * (returned with nothing pending). Then the text is his alone.
 */
export function isDrafting(ws: Pick<EditingState, "status" | "pending">): boolean {
  return ws.status === "draft" || (ws.status === "returned" && ws.pending.length === 0);
}

/**
 * Who may change the text (主旨, body) now:
 * - while it is drafted (a draft, or returned to the case officer): the case officer only;
 * - while it is out for signing (陳核中, 會辦中, or returned to an intermediate step): whoever holds
 *   the pending step — the person named, or a member of the unit named — as an explicit 修改. The
 *   signature they then give records their version, so the version diff attributes the change to
 *   them (each signer's version is kept, per 線上簽核 practice). The case officer takes the
 *   document back (取回) to change it himself.
 * - after the decision (or on paper, archived): nobody (checkTransition also refuses it).
 * A deputy of the case officer or of a step's assignee signs for them but does not rewrite the text.
 */
export function mayEditText(ws: EditingState, who: Editor): boolean {
  if (isDrafting(ws)) return ws.caseOfficer === who.person;
  if (ws.status !== "in-review" && ws.status !== "countersigning" && ws.status !== "returned") return false;
  return ws.holders.some((h) => (h.kind === "person" && h.person === who.person) || (h.kind === "unit" && h.unit === who.unit));
}

/**
 * The relay's check of a plain edit: an update that touches the text (主旨 or body) is taken only
 * from someone `mayEditText` allows. Other parts have their own rules (checkTransition: entries,
 * versions, the plan, access fields; attachments and the plan editor are the case officer's screens).
 */
export function mayEditContent(ws: EditingState, who: Editor, touched: Iterable<DocumentPart>): Result<void> {
  const text = [...touched].filter((p) => TEXT_PARTS.includes(p));
  if (!text.length || mayEditText(ws, who)) return ok(undefined);
  const why = isDrafting(ws)
    ? "only its case officer edits a document's text while it is drafted or returned to him"
    : ws.status === "in-review" || ws.status === "countersigning" || ws.status === "returned"
      ? "while a document is out for signing only whoever holds the pending step changes its text (修改)"
      : "nobody changes the text of a document decided, handled on paper or archived";
  return fail("update.content-editor", `The update changes the ${text.includes("subject") ? "subject (主旨)" : "body"}, but ${why}.`);
}
