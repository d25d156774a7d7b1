import { fail, ok, type Result } from "@countersign/crdt-model";
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

/** The refusal a standing calls for, or undefined when the certificate is in force. */
export function standingRefusal(s: CertificateStanding | undefined, person: string): string | undefined {
  if (!s || s.person !== person) return STANDING_REFUSALS.unknown;
  if (s.revoked) return STANDING_REFUSALS.revoked;
  if (!s.active) return STANDING_REFUSALS.inactive;
  return undefined;
}

/**
 * The session back when its certificate is in force, with the person's unit, level and roles as the
 * directory has them now (not as the token carried them: a person moved to another unit or stripped
 * of a role loses what came with it at once); the refusal otherwise.
 */
export async function checkStanding(store: Pick<IdentityStore, "certificateStandings">, session: Session): Promise<Result<Session>> {
  const standing = (await store.certificateStandings([session.cert])).get(session.cert);
  const refusal = standingRefusal(standing, session.person);
  if (refusal || !standing?.current) return fail(refusal ?? STANDING_REFUSALS.inactive);
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
