// A WebSocket that asks for a single-use ticket before each connection, for the stock y-websocket
// provider (`WebSocketPolyfill`). The relay takes no login token in the URL — access logs keep URLs
// — but a ticket from `POST /api/sync/ticket` (login token in the Authorization header), good for 30
// seconds and one connection. The provider builds a new WebSocket for every (re)connection, so each
// one fetches a fresh ticket and the provider itself stays unchanged.
//
// Pure and framework-free: the app (doc/live-doc.svelte.ts) and the Node tests and benchmarks use it.
import { isCode, type Code } from "@countersign/crdt-model";
import { PROTOCOL, PROTOCOL_PARAM, ROUTES } from "@countersign/contract";

/** What asking for a ticket gave: a ticket, or why not — `refused` when logging in cannot help (4401). */
export type TicketAnswer = { ok: true; ticket: string } | { ok: false; refused: boolean; code: Code; reason: string };

/** The relay's close code for a refused login; the provider does not retry it. */
export const CLOSE_UNAUTHORIZED = 4401;
/** "Abnormal closure": the network failed before a connection; the provider retries. */
const CLOSE_ABNORMAL = 1006;

type Handler<E> = ((ev: E) => void) | null;
type CloseLike = { code: number; reason: string; wasClean: boolean };
type WebSocketLike = {
  readyState: number;
  bufferedAmount: number;
  binaryType: string;
  onopen: Handler<unknown>;
  onmessage: Handler<unknown>;
  onerror: Handler<unknown>;
  onclose: Handler<unknown>;
  send(data: unknown): void;
  close(code?: number, reason?: string): void;
};
type WebSocketClass = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** Asks the server for a ticket with a login token (`fetchImpl` for tests; the page's fetch by default). */
export async function fetchTicket(base: string, token: string, fetchImpl: typeof fetch = fetch): Promise<TicketAnswer> {
  let res: Response;
  try {
    res = await fetchImpl(`${base}/api/sync/ticket`, { method: "POST", headers: { authorization: `Bearer ${token}` }, cache: "no-store" });
  } catch {
    return { ok: false, refused: false, code: "net.unreachable", reason: "The agency server cannot be reached." };
  }
  const body = (await res.json().catch(() => null)) as { ticket?: unknown; code?: unknown; reason?: unknown; error?: unknown } | null;
  // The answer's shape is the contract's (@countersign/contract); anything else is no ticket.
  const answer = res.ok ? ROUTES.ticket.response.json.safeParse(body) : undefined;
  if (answer?.success) return { ok: true, ticket: answer.data.ticket };
  const reason = typeof body?.reason === "string" ? body.reason : typeof body?.error === "string" ? body.error : `HTTP ${res.status}`;
  // Decided by the status and the code, never by the sentence.
  const code: Code = body === null || res.ok ? "http.unexpected-answer" : isCode(body.code) ? body.code : "http.unrecognised";
  return { ok: false, refused: res.status === 401 || res.status === 403, code, reason };
}

/**
 * A WebSocket class whose instances first get a ticket (`ticket()`), then open `url` with
 * `?ticket=…` on `Base`. Until then it is CONNECTING; a refusal closes it with 4401 (final for the
 * provider), an unreachable server with 1006 (retried with back-off).
 */
export function ticketedWebSocket(Base: WebSocketClass, ticket: () => Promise<TicketAnswer>): WebSocketClass {
  return class TicketedWebSocket implements WebSocketLike {
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    static readonly CLOSING = 2;
    static readonly CLOSED = 3;
    readonly CONNECTING = 0;
    readonly OPEN = 1;
    readonly CLOSING = 2;
    readonly CLOSED = 3;
    binaryType = "arraybuffer";
    onopen: Handler<unknown> = null;
    onmessage: Handler<unknown> = null;
    onerror: Handler<unknown> = null;
    onclose: Handler<unknown> = null;
    #ws: WebSocketLike | null = null;
    #closed = false;
    /** close() was called before the ticket came: the connection is never opened. */
    #abandoned = false;

    constructor(url: string, protocols?: string | string[]) {
      ticket().then(
        (t) => {
          if (this.#closed || this.#abandoned) return;
          if (!t.ok) return this.#fail(t.refused ? CLOSE_UNAUTHORIZED : CLOSE_ABNORMAL, t.reason);
          const u = new URL(url);
          u.searchParams.delete("token");
          u.searchParams.set("ticket", t.ticket);
          // The protocol this build speaks: a relay that no longer takes it closes with 4426 (http.outdated-client).
          u.searchParams.set(PROTOCOL_PARAM, String(PROTOCOL));
          const ws = new Base(u.toString(), protocols);
          ws.binaryType = this.binaryType;
          ws.onopen = (e) => this.onopen?.(e);
          ws.onmessage = (e) => this.onmessage?.(e);
          ws.onerror = (e) => this.onerror?.(e);
          ws.onclose = (e) => {
            this.#closed = true;
            this.onclose?.(e);
          };
          this.#ws = ws;
        },
        (e: unknown) => this.#fail(CLOSE_ABNORMAL, e instanceof Error ? e.message : String(e)),
      );
    }

    get readyState(): number {
      if (this.#ws) return this.#ws.readyState;
      return this.#closed ? 3 : this.#abandoned ? 2 : 0;
    }

    get bufferedAmount(): number {
      return this.#ws?.bufferedAmount ?? 0;
    }

    send(data: unknown): void {
      if (!this.#ws) throw new Error("The WebSocket is not open yet.");
      this.#ws.send(data);
    }

    close(code?: number, reason?: string): void {
      if (this.#ws) return this.#ws.close(code, reason);
      // Still waiting for its ticket: closed now, reported as a WebSocket would (asynchronously).
      if (this.#closed || this.#abandoned) return;
      this.#abandoned = true;
      setTimeout(() => this.#fail(CLOSE_ABNORMAL, "closed before it connected"), 0);
    }

    #fail(code: number, reason: string): void {
      if (this.#closed) return;
      this.#closed = true;
      const ev: CloseLike = { code, reason, wasClean: false };
      this.onclose?.(ev);
    }
  } as unknown as WebSocketClass;
}
