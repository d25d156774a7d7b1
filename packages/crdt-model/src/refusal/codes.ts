/**
 * The catalogue of refusal codes: every `{ ok: false }` the model, the server or the app produces
 * carries one of these. A code names a class of refusal a person can act on (what went wrong and what
 * to do); the sentence beside it gives the detail. The app maps codes to zh-TW and English messages
 * (src/lib/refusals/), and a test checks every code has both.
 *
 * What must stay true: codes are lower-case, dot-separated (`area.what`), unique across the lists,
 * and never renamed once shipped — old clients and scripts depend on them.
 */
import { MODEL_CODES } from "./codes-model.ts";
import { SERVER_CODES } from "./codes-server.ts";
import { HTTP_CODES } from "./codes-http.ts";
import { APP_CODES } from "./codes-app.ts";

export const CODES = [...MODEL_CODES, ...SERVER_CODES, ...HTTP_CODES, ...APP_CODES] as const;
export type Code = (typeof CODES)[number];

const KNOWN: ReadonlySet<string> = new Set(CODES);
/** Parses a code received from elsewhere (the wire, a stored record); an unknown one is not a Code. */
export const isCode = (s: unknown): s is Code => typeof s === "string" && KNOWN.has(s);
