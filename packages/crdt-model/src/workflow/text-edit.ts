import { fail, ok, type Result } from "../result.ts";
import type { DocumentPart } from "../schema/parts.ts";
import type { WorkflowState } from "./derive.ts";
import type { Transition } from "./ingest.ts";

/** The parts a plain text edit writes: 主旨 and the body. */
const TEXT_ONLY: ReadonlySet<DocumentPart> = new Set<DocumentPart>(["subject", "body"]);

/**
 * What `checkTransition` decides on an update of an existing document that writes only its text
 * (主旨, body: `touched`, e.g. from `updateParts`), told from the state before it alone — without the
 * copy the update was applied to. Nothing signed, no metadata and no plan can change in such an
 * update, so: refused when the document is archived, taken as it stands while nothing is decided.
 * Undefined when the full check is needed: another part is touched, or the document is decided or
 * recorded on paper (then the content's hash decides, which needs the updated copy).
 * What must stay true: wherever this answers, it answers exactly what checkTransition does
 * (text-edit.test.ts compares the two).
 */
export function checkTextEdit(before: WorkflowState, touched: ReadonlySet<DocumentPart>): Result<Transition> | undefined {
  for (const p of touched) if (!TEXT_ONLY.has(p)) return undefined;
  if (before.status === "archived" && touched.size > 0) return fail("update.archived", "The update changes an archived document; after 歸檔 nothing in it changes.");
  if (before.decision || before.paperRecord) return undefined;
  return ok({ added: [], state: before });
}
