import { fail, ok, type Code, type Refusal, type Result } from "@countersign/crdt-model";
import type { CertificateStanding, IdentityStore } from "../storage/types.ts";
import type { Session } from "./session.ts";

/**
 * Whether a session's certificate still speaks for its person. A token's MAC only proves the server
 * issued it; revoking the certificate or deactivating the person must end the session at once, so
 * every request re-reads the certificate's row (one primary-key read, joined with the person) and the
 * relay re-reads those of its open sockets (http/server.ts).
 */
export const STANDING_REFUSALS = {
  revoked: "The certificate this session was opened with has been revoked.",
  inactive: "The person this session belongs to is no longer an active person of this agency.",
  unknown: "The certificate this session was opened with is no longer on record at this agency.",
  changed: "The person's unit, level or roles changed in the directory; log in again.",
} as const;

/** Each standing refusal's code (the catalogue's session.*). */
export const STANDING_CODES = {
  revoked: "session.revoked",
  inactive: "session.inactive",
  unknown: "session.unknown-cert",
  changed: "session.changed",
} as const satisfies Record<keyof typeof STANDING_REFUSALS, Code>;

/** Which refusal a standing calls for, or undefined when the certificate is in force. */
function standingKey(s: CertificateStanding | undefined, person: string): keyof typeof STANDING_REFUSALS | undefined {
  if (!s || s.person !== person) return "unknown";
  if (s.revoked) return "revoked";
  if (!s.active) return "inactive";
  return undefined;
}

/** The refusal (code and sentence) a standing calls for, or undefined when the certificate is in force. */
export function standingFailure(s: CertificateStanding | undefined, person: string): Refusal | undefined {
  const k = standingKey(s, person);
  return k && { ok: false, code: STANDING_CODES[k], reason: STANDING_REFUSALS[k] };
}

/** The sentence alone (a socket's close reason), or undefined when the certificate is in force. */
export function standingRefusal(s: CertificateStanding | undefined, person: string): string | undefined {
  const k = standingKey(s, person);
  return k && STANDING_REFUSALS[k];
}

/**
 * The session back when its certificate is in force, with the person's unit, level and roles as the
 * directory has them now (not as the token carried them: a person moved to another unit or stripped
 * of a role loses what came with it at once); the refusal otherwise.
 */
export async function checkStanding(store: Pick<IdentityStore, "certificateStandings">, session: Session): Promise<Result<Session>> {
  const standing = (await store.certificateStandings([session.cert])).get(session.cert);
  const refusal = standingFailure(standing, session.person);
  if (refusal) return refusal;
  if (!standing?.current) return fail(STANDING_CODES.inactive, STANDING_REFUSALS.inactive);
  return ok({ ...session, unit: standing.current.unit, level: standing.current.level, roles: standing.current.roles });
}

/**
 * What an open socket was admitted as (unit, level, roles): when the directory's entry no longer
 * reads the same, the socket is closed so that its next admission is decided on the person as they
 * are now.
 */
export function directoryKey(entry: { unit: string; level: number; roles: readonly string[] }): string {
  return JSON.stringify([entry.unit, entry.level, [...entry.roles].sort()]);
}
