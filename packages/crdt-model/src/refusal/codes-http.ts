/**
 * Refusal codes raised by http (see ./codes.ts). Codes are stable: never rename or reuse one; add a new
 * code instead, and give it a zh-TW and English message in the app (src/lib/refusals/).
 *
 * These are the agency server's HTTP layer (sync-server/src/http/router.ts) and the app's API client
 * (src/lib/api/client.ts): what went wrong with the request or the answer itself. A refusal that
 * comes from a service behind a route (login, enrollment, the directory, the exchange) keeps that
 * service's own code on the wire.
 */
export const HTTP_CODES = [
  "http.not-found", // no such route, or no such thing for you (a document, an attachment, an envelope): 404
  "http.method-not-allowed", // the route exists but not with this method (the answer's Allow lists those it has): 405
  "http.body-too-large", // the request body is larger than the route takes: 413
  "http.body-timeout", // the request body arrived too slowly or not whole: 408; send it again over a better link
  "http.unsupported-media-type", // the body's Content-Type is not one the route takes (an envelope's bytes): 415
  "http.malformed-json", // the request body is not valid JSON: 400
  "http.malformed-request", // the body, query or path does not have the shape the route needs (the sentence says where): 400
  "http.unauthenticated", // no login token, or one the server cannot read: 401; log in again
  "http.forbidden", // logged in, but this person's roles do not allow this: 403
  "http.conflict", // the request cannot be done in the server's present state (e.g. a year's receipt numbers are used up): 409
  "http.rate-limited", // too many requests from this address or person: 429 with Retry-After; wait and try again
  "http.unavailable", // the server cannot do it right now (busy, storage not writable, too many logins waiting): 503; try again shortly
  "http.internal", // the server failed; the error is logged there: 500
  "http.blob-mismatch", // an uploaded attachment's bytes do not hash to its name: the upload was changed or cut short
  "http.unknown-peer", // the agency to send to is not in this agency's federation trust list
  "http.unrecognised", // (app) the server answered a refusal without a code this app knows (an older or newer server)
  "http.unexpected-answer", // (app) the server's answer does not have the shape this app expects (an older or newer server)
  "http.outdated-client", // the app announced an API protocol older than the server takes: 426; reload the app to get the new version
] as const;
