import type { AttachmentAdder, AttachmentEntry } from "../schema/content.ts";
import { fail, ok, type Result } from "../result.ts";

/**
 * Who added an attachment, and who may remove it. One rule for the app (whether the remove button is
 * offered, and why not) and the relay (which plain Yjs edits of the attachments it takes): the relay
 * calls `checkAttachmentChanges` with the sender's login and the attachments before and after the
 * update, so a modified client gains nothing.
 *
 * - Every attachment entry names who added it (`addedBy`: person id and the role they added it in).
 *   An update may add (or rewrite) an entry only naming its own sender, in one of the sender's roles
 *   (`update.attachment-adder`).
 * - A scan the registry desk registered (收文登記, 線上補登 by the desk: added in the role `registry`,
 *   登記桌) is removed, or rewritten, only by the registry desk (`update.attachment-remover`): the
 *   case officer works with the incoming document as it was received.
 * - Entries written before adders were recorded have none: they read as added by the document's case
 *   officer (`LEGACY_ADDER_ROLE`), which is what every earlier screen let the case officer do, so
 *   those documents keep verifying and loading, and their attachments stay the case officer's to
 *   remove. An update may still add an entry without an adder, only when its sender is the case
 *   officer (the implied adder is then true).
 * - The adder is not part of the signed content (content.ts keeps sha256, name, size and mime): a
 *   signature covers the files, not who attached them.
 * Whether the document may change at all (decided, archived …) is checkTransition's; this rule only
 * says who, among those who may change it.
 */

/** The role the registry desk (登記桌) adds its scans in. */
export const DESK_ROLE = "registry";

/** The role an entry without a recorded adder is read as added in (by the case officer). */
export const LEGACY_ADDER_ROLE = "case-officer";

export interface AttachmentWriter {
  person: string;
  roles: readonly string[];
}

/** Who added `entry`: its recorded adder, or (an entry from before adders were recorded) the case officer. */
export function adderOf(entry: Pick<AttachmentEntry, "addedBy">, caseOfficer: string): AttachmentAdder & { implied: boolean } {
  return entry.addedBy ? { ...entry.addedBy, implied: false } : { person: caseOfficer, role: LEGACY_ADDER_ROLE, implied: true };
}

/** Whether `entry` is a scan the registry desk registered (removed only by the desk). */
export function isDeskScan(entry: Pick<AttachmentEntry, "addedBy">): boolean {
  return entry.addedBy?.role === DESK_ROLE;
}

/**
 * The adder a person's new attachment records: the registry desk adds as the desk to another
 * officer's document (its scans), everyone else — and a desk member on their own document — in their
 * first role. Undefined: a person with no role adds nothing the relay would take.
 */
export function adderFor(who: AttachmentWriter, caseOfficer: string): AttachmentAdder | undefined {
  if (who.roles.includes(DESK_ROLE) && who.person !== caseOfficer) return { person: who.person, role: DESK_ROLE };
  const role = who.roles[0];
  return role ? { person: who.person, role } : undefined;
}

/** Whether `who` may remove `entry` (the app hides the button, the relay refuses the removal). */
export function mayRemoveAttachment(entry: Pick<AttachmentEntry, "addedBy" | "name">, who: AttachmentWriter): Result<void> {
  if (!isDeskScan(entry) || who.roles.includes(DESK_ROLE)) return ok(undefined);
  return fail("update.attachment-remover", `The attachment 「${entry.name}」 is a scan the registry desk (登記桌) registered; only the registry desk removes or changes it.`);
}

/** Whether an entry this update writes names its sender truly as its adder. */
export function mayAddAttachment(entry: Pick<AttachmentEntry, "addedBy" | "name">, who: AttachmentWriter, caseOfficer: string): Result<void> {
  const adder = adderOf(entry, caseOfficer);
  if (adder.person === who.person && (adder.implied || who.roles.includes(adder.role))) return ok(undefined);
  const claimed = adder.implied ? "records no adder, which reads as the case officer" : `names ${adder.person} (${adder.role}) as who added it`;
  return fail("update.attachment-adder", `The attachment 「${entry.name}」 ${claimed}, but the update was sent by ${who.person}: an attachment names the person who added it, in one of their roles.`);
}

/**
 * The relay's check of an update's attachments, from the entries before and after it: each entry
 * gone or rewritten must be one the sender may remove, each entry new or rewritten must name the
 * sender as its adder (`caseOfficer`: the document's after the update, for entries without an
 * adder). The first refusal, or ok.
 */
export function checkAttachmentChanges(
  before: readonly AttachmentEntry[],
  after: readonly AttachmentEntry[],
  who: AttachmentWriter,
  caseOfficer: string,
): Result<void> {
  const was = new Map(before.map((e) => [e.sha256 as string, e]));
  const now = new Map(after.map((e) => [e.sha256 as string, e]));
  for (const [sha, old] of was) {
    const next = now.get(sha);
    if (next && sameEntry(old, next)) continue;
    const r = mayRemoveAttachment(old, who);
    if (!r.ok) return r;
  }
  for (const [sha, entry] of now) {
    const old = was.get(sha);
    if (old && sameEntry(old, entry)) continue;
    const r = mayAddAttachment(entry, who, caseOfficer);
    if (!r.ok) return r;
  }
  return ok(undefined);
}

function sameEntry(a: AttachmentEntry, b: AttachmentEntry): boolean {
  return a.name === b.name && a.size === b.size && a.mime === b.mime && a.addedBy?.person === b.addedBy?.person && a.addedBy?.role === b.addedBy?.role;
}
