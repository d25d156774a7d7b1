// Asking the agency server for a document this device does not hold, when the person opens it: the
// answer must tell a refusal (no such document for this person) from a network failure, so the
// page never says "connect and try again" to someone the server refused.
import type { Refusal } from "@countersign/crdt-model";
import type { LocalStore } from "$lib/local/local-store.ts";
import { pullDoc, type Api } from "$lib/local/sync.ts";
import { refusalOf } from "$lib/refusals/decode.ts";
import { reachedBy } from "$lib/sync/status.ts";

/**
 * pulled: the server sent what it has (the copy may now open); metadata: the document exists for
 * this person but only its summary (an archived one without a 調閱, say); refused: the server said
 * no, with its code and reason; unreachable: it could not be asked.
 */
export type Pulled = { kind: "pulled" } | { kind: "metadata" } | { kind: "refused"; refusal: Refusal } | { kind: "unreachable" };

const failed = (e: unknown): Pulled => (reachedBy(e) === false ? { kind: "unreachable" } : { kind: "refused", refusal: refusalOf(e) });

export async function pullForOpening(store: LocalStore, api: Api, doc: string): Promise<Pulled> {
  try {
    if ((await pullDoc(store, api, doc)) === "pulled") return { kind: "pulled" };
  } catch (e) {
    return failed(e);
  }
  // A batch sync's denial carries no reason. The document's receipts route answers with the
  // server's own refusal (404 http.not-found: no such document for this person), and the same
  // access rule, so what the page says is the server's word, not a guess.
  try {
    await api(`/api/docs/${encodeURIComponent(doc)}/receipts`);
    return { kind: "metadata" };
  } catch (e) {
    return failed(e);
  }
}
