import { parseEntryId, type EntryId } from "../ids.ts";
import type { CountersignDocument, DocumentPart } from "../schema/document.ts";

const SIGNED_PARTS: readonly DocumentPart[] = ["chain", "versions", "receipts", "plan", "other"];
import type { TrustStore } from "../identity/trust.ts";
import { fail, ok, type Result } from "../result.ts";
import type { Metadata } from "../schema/metadata.ts";
import { deriveFromReport, type AccessFields, type WorkflowState } from "./derive.ts";
import { verify, type VerifyCache } from "./verify.ts";

export interface Transition {
  /** Entries the update adds, all valid. */
  added: EntryId[];
  state: WorkflowState;
}

/**
 * The rules a relay enforces on an incoming update, given the document before and after it (the
 * relay applies the update to a shadow copy first). Refused, with the reason to tell the sender:
 * - an update that alters or removes a signed entry, a signed version or a receipt;
 * - an update that adds an entry that does not verify;
 * - an update that changes the content of a decided document, or of a paper document after its
 *   線上補登;
 * - any update that changes an archived document (歸檔 closes the record for everyone);
 * - an update that changes the routing plan in force without a signed amendment;
 * - an update that writes a receipt (only the server does);
 * - an update that changes the document id;
 * - an update that changes who may see or route the document — its secrecy (密等), unit or case
 *   officer — without a valid signed entry that makes that change (reclassify, reassign), or whose
 *   first signed entry signs another creation than the document has; its agency never changes;
 * - an update that leaves readable metadata unreadable (access would then rest on nothing).
 * Problems already present before the update (e.g. an invalid entry stored by an older server) do
 * not block updates that do not make them worse; `verify` still reports them to every reader.
 */
export async function checkTransition(
  before: CountersignDocument,
  after: CountersignDocument,
  trust: TrustStore,
  opts: { cache?: VerifyCache; beforeState?: WorkflowState; touched?: ReadonlySet<DocumentPart> } = {},
): Promise<Result<Transition>> {
  if (before.id !== "" && after.id !== before.id) return fail("update.doc-id", "The update changes the document id.");
  // A new document's first state is its creation: whatever its creator wrote. After that, the fields
  // that decide access and routing change only through signed entries.
  const existing = before.id !== "";
  const beforeMeta = before.metadata();
  const afterMeta = after.metadata();
  if (existing && beforeMeta.ok && !afterMeta.ok) return fail("update.malformed", `The update leaves the metadata unreadable: ${afterMeta.reason}`, afterMeta);
  const changed = existing && beforeMeta.ok && afterMeta.ok ? ACCESS_FIELDS.filter((k) => beforeMeta.value[k] !== afterMeta.value[k]) : [];
  // A plain edit (text, other metadata, attachments) of a document not yet decided cannot break a
  // rule: nothing signed changed and the plan in force is untouched. Skip verification for it.
  if (opts.beforeState?.status === "archived" && (opts.touched === undefined || opts.touched.size > 0)) return fail("update.archived", ARCHIVED);
  const t = opts.touched;
  if (t && opts.beforeState && !opts.beforeState.decision && !opts.beforeState.paperRecord && !SIGNED_PARTS.some((p) => t.has(p))) {
    // The live metadata may catch up with a change already signed (the entry came in an earlier update).
    const before = opts.beforeState;
    const ahead = afterMeta.ok ? changed.find((k) => afterMeta.value[k] !== effective(before, k)) : changed[0];
    if (ahead) return fail("update.access-field", UNSIGNED_CHANGE[ahead]);
    return ok({ added: [], state: before });
  }

  const altered = changedKey(before.rawEntries(), after.rawEntries());
  if (altered) return fail("update.alters-signed", `The update alters or removes the signed entry ${altered}.`);
  const version = changedKey(before.rawVersions(), after.rawVersions());
  if (version) return fail("update.alters-signed", `The update alters or removes the signed version ${version}.`);
  const receipts = before.rawReceipts();
  const receipt = changedKey(receipts, after.rawReceipts());
  if (receipt) return fail("update.receipt", `The update alters or removes the receipt for ${receipt}.`);
  for (const key of after.rawReceipts().keys()) if (!receipts.has(key)) return fail("update.receipt", "Only the agency server writes receipts.");

  const had = before.rawEntries();
  const added: EntryId[] = [];
  for (const k of after.rawEntries().keys()) {
    if (had.has(k)) continue;
    const id = parseEntryId(k);
    // A key that is no entry id cannot be the hash of the entry under it: refused like a bad entry.
    if (!id.ok) return fail("update.invalid-entry", `The update adds a chain entry under ${JSON.stringify(k.slice(0, 80))}, which is not an entry id.`);
    added.push(id.value);
  }
  const report = await verify(after, trust, opts);
  for (const id of added) {
    const e = report.entries.find((x) => x.id === id);
    if (!e || !e.valid) {
      const why = e?.reason ?? "it could not be read.";
      return fail("update.invalid-entry", `The update adds an invalid entry: ${why}`, { ok: false, code: "entry.invalid", reason: why });
    }
  }
  const state = deriveFromReport(after, report);
  const prior = opts.beforeState ?? deriveFromReport(before, await verify(before, trust, opts));

  const beforeHash = hashOf(before);
  const afterHash = hashOf(after);
  if (prior.status === "archived" && (added.length > 0 || afterHash !== beforeHash || planText(before) !== planText(after) || metaText(before) !== metaText(after)))
    return fail("update.archived", ARCHIVED);
  if (state.decision && afterHash !== state.decision.content && afterHash !== beforeHash)
    return fail("update.decided", "The update changes the content of a decided document.");
  if (state.paperRecord && afterHash !== state.paperRecord.content && afterHash !== beforeHash)
    return fail("update.decided", "The update changes the content of a paper document after its 線上補登.");
  const planFinding = "The routing plan was changed without a signed amendment.";
  if (state.findings.includes(planFinding) && (!prior.findings.includes(planFinding) || planText(before) !== planText(after)))
    return fail("update.plan", "The update changes the routing plan without a signed amendment.");
  // The live metadata may follow a signed change (in the same update or later), never run ahead of it.
  if (afterMeta.ok) for (const k of changed) if (afterMeta.value[k] !== effective(state, k)) return fail("update.access-field", UNSIGNED_CHANGE[k]);
  // The creation the chain starts from must be the document's: a first signed entry (or a second
  // root) cannot sign a case officer, unit or secrecy the document did not have.
  if (existing && beforeMeta.ok && state.origin) {
    const base: AccessFields = prior.origin ?? pick(beforeMeta.value);
    if (ACCESS_FIELDS.some((k) => state.origin![k] !== base[k]))
      return fail("update.access-field", "The update's signed entry starts from another creation (agency, unit, case officer or secrecy) than the document has.");
  }
  return ok({ added, state });
}

const ARCHIVED = "The update changes an archived document; after 歸檔 nothing in it changes.";

const ACCESS_FIELDS = ["agency", "unit", "caseOfficer", "secrecy"] as const;
type AccessField = (typeof ACCESS_FIELDS)[number];

const UNSIGNED_CHANGE: Record<AccessField, string> = {
  agency: "The update changes the document's agency.",
  unit: "The update changes the document's unit without a signed entry: only the registry desk moves a document (改分).",
  caseOfficer: "The update changes the case officer without a signed entry: only the registry desk re-assigns a document (改分).",
  secrecy:
    "The update changes the secrecy level (密等) without a signed entry: the case officer raises it and a supervisor lowers it, each by a signed 密等變更.",
};

function pick(m: Metadata): AccessFields {
  return { agency: m.agency, unit: m.unit, caseOfficer: m.caseOfficer, secrecy: m.secrecy };
}

function effective(s: WorkflowState, k: AccessField): string | null {
  switch (k) {
    case "agency":
      return s.origin?.agency ?? null;
    case "unit":
      return s.unit;
    case "caseOfficer":
      return s.caseOfficer;
    case "secrecy":
      return s.secrecy;
  }
}

/** The first key whose value differs or disappears from `before` to `after`. */
function changedKey(before: Map<string, unknown>, after: Map<string, unknown>): string | undefined {
  for (const [k, v] of before) if (after.get(k) !== v) return k;
  return undefined;
}

function hashOf(doc: CountersignDocument): string | null {
  const v = doc.currentVersion();
  return v.ok ? v.value.hash : null;
}

function metaText(doc: CountersignDocument): string {
  const m = doc.metadata();
  return m.ok ? JSON.stringify(m.value) : `invalid: ${m.reason}`;
}

function planText(doc: CountersignDocument): string {
  const p = doc.plan();
  return p.ok ? JSON.stringify(p.value) : `invalid: ${p.reason}`;
}
