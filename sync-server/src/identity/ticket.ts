// Single-use tickets for opening a WebSocket. A browser cannot set headers on a WebSocket, and a
// login token in the URL ends up in proxies' and servers' access logs, where it would stay usable for
// its 15 minutes. The app asks `POST /api/sync/ticket` (login token in the Authorization header) for
// a ticket and opens `/sync/<doc>?ticket=…` with it: good for 30 seconds and for one connection,
// so a logged URL is worthless by the time anyone reads it.
//
// Format: "t1." base64url(UTF-8 JSON payload) "." base64url(HMAC-SHA-256(token key, "countersign-ticket:"
// + the payload part)). The prefix in the MAC keeps a ticket from passing for a token and back.
// Payload: { n: nonce, exp: seconds, s: the session }. Single use across server processes: the nonce
// is a row of the store's challenges table ("ticket:" + nonce), deleted atomically when used.
import { isAgencyCode, isPersonId, isUnitId, fail, fromUtf8, ok, utf8, ROLES, type Code, type Result, type Role } from "@countersign/crdt-model";
import type { IdentityStore } from "../storage/types.ts";
import type { Agency } from "./agency.ts";
import { base64url } from "./login.ts";
import type { Session } from "./session.ts";
import { copy } from "./sealed.ts";

export const TICKET_TTL_MS = 30_000;
const PREFIX = "t1.";
const MAC_DOMAIN = "countersign-ticket:";

export const TICKET_REFUSALS = {
  missing: "A ticket is required: ask POST /api/sync/ticket (with the login token) and open /sync/<document>?ticket=….",
  tokenInUrl: "A login token may not travel in the URL (access logs keep it); ask POST /api/sync/ticket for a ticket instead.",
  malformed: "The ticket is malformed.",
  signature: "The ticket's signature does not verify.",
  expired: "The ticket has expired; ask for a new one.",
  used: "The ticket was already used or has expired; ask for a new one.",
  agency: "The ticket was issued for another agency.",
} as const;

/** Each ticket refusal's code (the catalogue's ticket.*): what the app decides by. */
export const TICKET_CODES = {
  missing: "ticket.missing",
  tokenInUrl: "ticket.token-in-url",
  malformed: "ticket.invalid",
  signature: "ticket.invalid",
  expired: "ticket.expired",
  used: "ticket.used",
  agency: "ticket.invalid",
} as const satisfies Record<keyof typeof TICKET_REFUSALS, Code>;

const refuse = (k: keyof typeof TICKET_REFUSALS) => fail<never>(TICKET_CODES[k], TICKET_REFUSALS[k]);

interface TicketPayload {
  n: string;
  exp: number;
  s: Session;
}

async function mac(agency: Agency, body: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", agency.tokenKey, copy(utf8(MAC_DOMAIN + body))));
}

/** A fresh ticket for this session, valid for 30 seconds (never past the session itself). */
export async function issueTicket(
  store: Pick<IdentityStore, "putChallenge">,
  agency: Agency,
  session: Session,
  now: Date = new Date(),
): Promise<{ ticket: string; expiresAt: string }> {
  const nonce = base64url(crypto.getRandomValues(new Uint8Array(24)));
  const exp = Math.min(now.getTime() + TICKET_TTL_MS, new Date(session.expiresAt).getTime());
  const expiresAt = new Date(exp).toISOString();
  await store.putChallenge(`ticket:${nonce}`, expiresAt);
  const body = base64url(utf8(JSON.stringify({ n: nonce, exp: Math.floor(exp / 1000), s: session } satisfies TicketPayload)));
  return { ticket: `${PREFIX}${body}.${base64url(await mac(agency, body))}`, expiresAt };
}

/** Checks the ticket and spends it (atomically, in the store): the session it was issued for. */
export async function redeemTicket(
  store: Pick<IdentityStore, "takeChallenge">,
  agency: Agency,
  ticket: string | null,
  now: Date = new Date(),
): Promise<Result<Session>> {
  if (!ticket) return refuse("missing");
  if (ticket.length > 4096 || !ticket.startsWith(PREFIX)) return refuse("malformed");
  const parts = ticket.slice(PREFIX.length).split(".");
  if (parts.length !== 2 || !parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p))) return refuse("malformed");
  const [body, macText] = parts as [string, string];
  const expected = Buffer.from(macText, "base64url");
  if (!(await crypto.subtle.verify("HMAC", agency.tokenKey, copy(new Uint8Array(expected)), copy(utf8(MAC_DOMAIN + body)))))
    return refuse("signature");
  const payload = parsePayload(body);
  if (!payload) return refuse("malformed");
  if (payload.s.agency !== agency.code) return refuse("agency");
  if (now.getTime() >= payload.exp * 1000) return refuse("expired");
  if (!(await store.takeChallenge(`ticket:${payload.n}`, now.toISOString()))) return refuse("used");
  return ok(payload.s);
}

function parsePayload(body: string): TicketPayload | undefined {
  let j: unknown;
  try {
    j = JSON.parse(fromUtf8(new Uint8Array(Buffer.from(body, "base64url"))));
  } catch {
    return undefined;
  }
  if (typeof j !== "object" || j === null) return undefined;
  const p = j as { n?: unknown; exp?: unknown; s?: Record<string, unknown> };
  const s = p.s;
  if (typeof p.n !== "string" || !Number.isSafeInteger(p.exp) || typeof s !== "object" || s === null) return undefined;
  const str = (k: string) => typeof s[k] === "string";
  const { person, unit, agency } = s;
  if (!isPersonId(person) || !isUnitId(unit) || !isAgencyCode(agency) || !str("cert") || !str("expiresAt") || !Number.isSafeInteger(s.level)) return undefined;
  const roles = s.roles;
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === "string" && (ROLES as readonly string[]).includes(r))) return undefined;
  return {
    n: p.n,
    exp: p.exp as number,
    s: {
      person,
      unit,
      roles: roles as Role[],
      level: s.level as number,
      agency,
      cert: s.cert as string,
      expiresAt: s.expiresAt as string,
    },
  };
}
