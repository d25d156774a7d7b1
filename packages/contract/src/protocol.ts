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
