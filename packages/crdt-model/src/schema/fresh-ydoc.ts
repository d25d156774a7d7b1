import * as Y from "yjs";

/**
 * A new Y.Doc with its guid drawn in one call. Yjs draws its own guid 4 bits at a time from
 * getRandomValues: about a quarter of a millisecond per document where a server loads and copies
 * thousands (a batch of 500 new documents spent half a second there). Yjs's own draw where
 * randomUUID is missing (a page outside a secure context). The guid only names sub-documents,
 * which Countersign does not use; it is not part of any update.
 */
export function freshYDoc(o: { gc?: boolean } = {}): Y.Doc {
  return new Y.Doc(typeof crypto.randomUUID === "function" ? { ...o, guid: crypto.randomUUID() } : o);
}
