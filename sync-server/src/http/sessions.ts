// What ties the relay's sockets to logins: the ticket check at the WebSocket upgrade, and the
// periodic re-read of the certificates behind open sockets.
import type { BaseLogger as Logger } from "pino";
import type { Result } from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";
import type { Agency } from "../identity/agency.ts";
import { STANDING_REFUSALS, checkStanding, directoryKey, standingRefusal } from "../identity/standing.ts";
import { TICKET_REFUSALS, redeemTicket } from "../identity/ticket.ts";
import type { Principal } from "../relay/authz.ts";
import type { OpenSockets, SocketSession } from "../relay/sessions.ts";

/**
 * The relay's `authenticate`: a single-use ticket (identity/ticket.ts) whose certificate is still in
 * force. A login token in the URL is refused even when valid: access logs keep URLs.
 */
export function relayAuthenticator(
  store: Store,
  agency: Agency,
  log: Logger,
): (q: URLSearchParams) => Promise<Result<Principal & SocketSession> | { ok: false; reason: string; retry: true }> {
  return async (q) => {
    if (q.has("token")) return { ok: false, code: "ticket.token-in-url", reason: TICKET_REFUSALS.tokenInUrl };
    try {
      const s = await redeemTicket(store, agency, q.get("ticket"));
      if (!s.ok) return s;
      const standing = await checkStanding(store, s.value);
      if (!standing.ok) return standing;
      const v = standing.value;
      return { ok: true, value: { person: v.person, unit: v.unit, agency: v.agency, roles: v.roles, cert: v.cert, expiresAt: v.expiresAt, directory: directoryKey(v) } };
    } catch (e) {
      // The store could not be read or written (spending the ticket is a write): not a refusal of
      // this person — the socket closes as "come back later" (4503) and the client retries.
      log.warn({ err: (e as Error).message }, "could not check a WebSocket ticket");
      return { ok: false, reason: "The server cannot check logins at the moment; try again shortly.", retry: true };
    }
  };
}

/**
 * Re-reads the standing of every certificate behind an open socket (one query) and closes the
 * sockets of those revoked or whose person was deactivated, with 4401 — and those admitted as the
 * person was before a change of unit, level or roles, so they are admitted again as the person is now. Runs every `standingMs`
 * (http/server.ts): the bound for revocations made by the CLI or another server process. A store
 * that cannot be read is logged and tried again next time (sockets stay: the store is the authority).
 */
export class StandingSweep {
  private running = false;

  constructor(
    private readonly store: Store,
    private readonly sockets: OpenSockets,
    private readonly log: Logger,
  ) {}

  async run(): Promise<void> {
    const open = this.sockets.certs();
    if (!open.length || this.running) return;
    this.running = true;
    try {
      const standings = await this.store.certificateStandings(open.map((o) => o.cert));
      for (const { cert, person } of open) {
        const standing = standings.get(cert);
        const refusal = standingRefusal(standing, person);
        if (refusal) this.log.info({ cert, person, closed: this.sockets.closeCert(cert, refusal) }, "sessions ended");
        else if (standing?.current) {
          const closed = this.sockets.closeAdmittedOtherwise(cert, directoryKey(standing.current), STANDING_REFUSALS.changed);
          if (closed) this.log.info({ cert, person, closed }, "sessions re-admitted after a directory change");
        }
      }
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, "could not re-check the certificates of open sockets");
    } finally {
      this.running = false;
    }
  }
}
