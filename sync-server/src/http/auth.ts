// Who is calling: the one place a login token is read from a request and checked.
import type { IncomingMessage } from "node:http";
import { fail, type Result } from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";
import type { Agency } from "../identity/agency.ts";
import { verifyToken, type Session } from "../identity/login.ts";
import { checkStanding } from "../identity/standing.ts";
import { requestAddress } from "../tls/forwarded.ts";

/** The token of "Authorization: Bearer …", or null. WebSockets use a ticket instead (http/sessions.ts). */
export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  return header?.startsWith("Bearer ") ? header.slice(7) : null;
}

/**
 * Verifies a bearer token, and that the certificate it was issued on is still in force: a revoked
 * certificate or a deactivated person ends the session at once, not when the token expires.
 */
export async function authenticate(ctx: { agency: Agency; store: Store }, token: string | null | undefined): Promise<Result<Session>> {
  if (!token) return fail("http.unauthenticated", "A login token is required.");
  const s = await verifyToken(ctx.agency, token);
  return s.ok ? checkStanding(ctx.store, s.value) : s;
}

/**
 * The client's address for rate limits: the TCP peer's, or behind a proxy given to `serve
 * --trust-proxy` the one its X-Forwarded-For names (tls/forwarded.ts; worked out once per request by
 * the server). X-Forwarded-For from anyone else is ignored: anyone can send it.
 */
export function addressOf(req: IncomingMessage): string {
  return requestAddress(req);
}
