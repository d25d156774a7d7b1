// Refusals as they reach the app — a relay message, a JSON answer, a thrown error — turned into one
// `Refusal` ({ ok:false, code, reason }). The app decides by the code only; the sentence is kept as
// the detail shown small under the explanation. Nothing here reads the sentence.
import { isCode, type Code, type Refusal } from "@countersign/crdt-model";
import { ApiError, Unreachable } from "$lib/api/client.ts";

const refusal = (code: Code, reason: string): Refusal => ({ ok: false, code, reason });

/** A code received from elsewhere; one this version does not know (or none) becomes `unknown`. */
export const codeFrom = (s: unknown, unknown: Code = "http.unrecognised"): Code => (isCode(s) ? s : unknown);

/**
 * The relay's auth permission-denied text: JSON `{"v":1,"code":"…","reason":"…"}`
 * (sync-server/src/relay/protocol.ts). Text that is not that (an older relay, a damaged frame) is
 * "relay.unreadable", with the text kept as the reason.
 */
export function decodeRelayRefusal(text: string): Refusal {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return refusal("relay.unreadable", text);
  }
  if (typeof j !== "object" || j === null || !("v" in j) || j.v !== 1) return refusal("relay.unreadable", text);
  const reason = "reason" in j && typeof j.reason === "string" ? j.reason : text;
  return refusal(codeFrom("code" in j ? j.code : undefined, "relay.unreadable"), reason);
}

/**
 * A refusal from a JSON answer or one of its parts (`{ ok:false, code, reason }`: an HTTP error body,
 * a batch sync's per-document answer, an envelope import). `fallback` is the reason when it has none.
 */
export function refusalFromBody(body: unknown, fallback: string): Refusal {
  const b = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const reason = typeof b.reason === "string" ? b.reason : typeof b.error === "string" ? b.error : fallback;
  return refusal(codeFrom(b.code), reason);
}

/**
 * IndexedDB / Dexie failures that mean the local database cannot be used as it is (as opposed to a
 * transient "busy"): a wrong schema, a missing store, data it cannot read.
 */
const LOCAL_DB_ERRORS = new Set(["OpenFailedError", "VersionError", "UpgradeError", "InvalidTableError", "SchemaError", "NotFoundError", "DataError", "DataCloneError", "UnknownError", "InvalidStateError"]);

/** What a thrown error means, as a refusal: the server's code, or the app's own class of failure. */
export function refusalOf(e: unknown): Refusal {
  if (e instanceof Unreachable) return refusal("net.unreachable", e.message);
  if (e instanceof ApiError) return refusal(e.code, e.reason);
  if (e instanceof Error && e.name === "DamagedLocalCopy") return refusal("local.doc-damaged", e.message);
  if (e instanceof Error && LOCAL_DB_ERRORS.has(e.name)) return refusal("local.db", `${e.name}: ${e.message}`);
  return refusal("local.browser", e instanceof Error ? e.message : String(e));
}

/** A change refused in a batch sync, as kept in the local queue; one stored before codes is "relay.unreadable". */
export function storedRefusal(row: { refused?: string; refusedCode?: Code } | undefined): Refusal | null {
  if (row?.refused === undefined) return null;
  return refusal(row.refusedCode ?? "relay.unreadable", row.refused);
}
