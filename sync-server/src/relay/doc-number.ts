// 文號 of this agency's own 簽 / 稿 (issue 15). The agency server writes it into the document's
// metadata when it first stores the document, under the server's own Yjs client id, so it reaches
// every device with the document (index row, facts panel, search, print and DI all read it there) and
// is signed with the content by every later signer. A document made offline gets its number when it
// first reaches the server; until then the app says 「尚未編號」.
//
// What must stay true:
// - the number is the agency's: 代字 + 字第 + ROC year + serial, taken from the same counter and
//   recorded the same way as the 發文字號 (dispatch/numbers.ts reserveDispatchNumber), so no two
//   documents of the agency share a 文號 or a 發文字號, across every server process on the store; and
//   the 發文字號 the mail room later reserves for the document is its 文號 (一文一號);
// - no client writes or changes a document's 文號: a client update that changes metadata.docNumber of
//   an existing document is refused (relay.doc-number); what a creation carries there is replaced by
//   the server's number. A registered incoming document (收文號, 來文) is identified by its 收文號 and
//   gets no 文號 here;
// - the server writes it only before anything is decided (決行, 線上補登, 發文, 歸檔): a decided
//   content hash never changes under the signers.
import type { AgencyCode, CountersignDocument, Metadata, Refusal, WorkflowState } from "@countersign/crdt-model";

/**
 * Whether the server gives this document a 文號 now (the document as it stands, its derived state):
 * at its creation (whatever the creator wrote there is replaced), or later while it still has none
 * and is still a draft (a number that could not be taken at creation, or a draft stored before 文號
 * were assigned). Never once it is out for signing: a signer offline could then sign a version
 * without the number and, once decided, their decision would no longer match the content.
 */
export function needsDocNumber(meta: Metadata, state: WorkflowState, agency: AgencyCode | undefined, creating: boolean): boolean {
  if (!agency || meta.agency !== agency) return false; // another agency's document carries its own
  if (!creating && (meta.docNumber !== null || state.status !== "draft")) return false; // numbered, or past drafting
  if (meta.receiptNumber !== null || meta.incoming !== undefined) return false; // 收文: its 收文號 identifies it
  if (state.decision || state.paperRecord || state.dispatch || state.archive) return false;
  return true;
}

/**
 * The refusal of a client's update that changes the 文號 of an existing document (`before` as the room
 * holds it, `after` with the update), if it does. A creation is not refused: the server numbers it.
 */
export function docNumberRefusal(before: CountersignDocument, after: CountersignDocument): Refusal | undefined {
  if (before.id === "") return undefined;
  const was = before.metadata();
  const now = after.metadata();
  if (!was.ok || !now.ok || was.value.docNumber === now.value.docNumber) return undefined;
  return {
    ok: false,
    code: "relay.doc-number",
    reason: "The update changes the document's 文號; only the agency server assigns it, when it first stores the document.",
  };
}
