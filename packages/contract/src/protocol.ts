// The protocol version of the agency server's API and relay, shared by the app and the server.
//
// What must stay true: PROTOCOL changes only when an app of the previous protocol would write
// something the server can no longer take (or read it wrongly); a change the older app does not
// notice (a new route, a new optional field) keeps the number. MIN_PROTOCOL is the oldest protocol
// the server still takes: raising it makes every older app stop writing and ask to be reloaded.

/** The protocol this build speaks (the app announces it; the server answers with it in GET /api/version). */
export const PROTOCOL = 1;
/** The oldest protocol the server takes from a client; older ones are refused with `http.outdated-client` (426). */
export const MIN_PROTOCOL = 1;
/** The request header the app announces its protocol in (absent: a client before protocol versions, taken). */
export const PROTOCOL_HEADER = "x-countersign-protocol";
/** The relay's query parameter for the same (a WebSocket cannot set headers in the browser). */
export const PROTOCOL_PARAM = "protocol";

/**
 * Whether a client announcing `announced` is too old for a server that takes `min` and later. A missing
 * or unreadable announcement is taken (older clients never sent one, and refusing them would strand
 * their unsent changes before they can reload): only a number below `min` is refused.
 */
export function outdatedClient(announced: string | null | undefined, min: number = MIN_PROTOCOL): boolean {
  if (announced === null || announced === undefined || !/^\d{1,6}$/.test(announced.trim())) return false;
  return Number(announced.trim()) < min;
}

/**
 * The relay's acknowledgement of live updates (version 1), sent only to a client that asks for it
 * with `?ack=1` on its WebSocket URL: the stock y-websocket client never asks, so it never sees a
 * message type it does not know. For each sync frame carrying an update (sync step 2, or an update)
 * the client sent on this connection, in the order it sent them, the relay answers once the update
 * is stored and committed — or refused (the refusal itself comes first, as y-protocols' auth
 * message) — with: varuint RELAY_ACK_MESSAGE, varuint version (1), varuint n (1 for the
 * connection's first update frame, 2 for the next…), varuint 1 accepted / 0 refused.
 *
 * What must stay true: the message type and the version come first; a later version may append
 * fields, which a client of version 1 ignores; a client never clears a queued change on anything
 * but "accepted".
 */
export const RELAY_ACK_PARAM = "ack";
export const RELAY_ACK_MESSAGE = 100;
export const RELAY_ACK_VERSION = 1;
