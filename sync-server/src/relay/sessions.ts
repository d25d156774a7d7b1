import { CLOSE_UNAUTHORIZED } from "./protocol.ts";

/** Who an open socket speaks for: the person, the certificate they logged in with, and until when. */
export interface SocketSession {
  person: string;
  cert: string;
  /** ISO 8601: the login token's expiry. */
  expiresAt: string;
  /** The person's unit, level and roles when admitted (identity/standing.ts `directoryKey`). */
  directory: string;
}

interface Entry {
  session: SocketSession;
  close: (code: number, reason: string) => void;
  timer?: ReturnType<typeof setTimeout>;
}

export const SESSION_ENDED = {
  expired: "The login token has expired; log in again and reconnect.",
} as const;

/** setTimeout's largest delay; a longer wait is re-armed in steps. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * The open relay sockets of one server, by certificate: so a revocation (or a deactivated person)
 * closes them at once with 4401, and each closes by itself when its login token expires. One per
 * AgencyServer, no module-level state.
 */
export class OpenSockets {
  private readonly byCert = new Map<string, Set<Entry>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Registers a socket; returns what to call when it closes. Already expired: closed at once. */
  add(session: SocketSession, close: (code: number, reason: string) => void): () => void {
    const entry: Entry = { session, close };
    const arm = () => {
      const left = new Date(session.expiresAt).getTime() - this.now();
      if (!(left > 0)) return this.end(entry, CLOSE_UNAUTHORIZED, SESSION_ENDED.expired);
      entry.timer = setTimeout(arm, Math.min(left, MAX_DELAY));
      entry.timer.unref?.();
    };
    let set = this.byCert.get(session.cert);
    if (!set) this.byCert.set(session.cert, (set = new Set()));
    set.add(entry);
    arm();
    return () => this.forget(entry);
  }

  /** The certificates behind open sockets, each with its person (what the periodic standing check reads). */
  certs(): { cert: string; person: string }[] {
    const out: { cert: string; person: string }[] = [];
    for (const [cert, set] of this.byCert) {
      const first = set.values().next().value;
      if (first) out.push({ cert, person: first.session.person });
    }
    return out;
  }

  get size(): number {
    let n = 0;
    for (const set of this.byCert.values()) n += set.size;
    return n;
  }

  /** Closes every socket opened with this certificate (4401 and the reason); returns how many. */
  closeCert(cert: string, reason: string): number {
    const set = this.byCert.get(cert);
    if (!set) return 0;
    const entries = [...set];
    for (const e of entries) this.end(e, CLOSE_UNAUTHORIZED, reason);
    return entries.length;
  }

  /**
   * Closes the sockets of this certificate admitted under another directory entry than `current`
   * (4401 and the reason: the client logs in again and is admitted as the person now is); returns how many.
   */
  closeAdmittedOtherwise(cert: string, current: string, reason: string): number {
    const stale = [...(this.byCert.get(cert) ?? [])].filter((e) => e.session.directory !== current);
    for (const e of stale) this.end(e, CLOSE_UNAUTHORIZED, reason);
    return stale.length;
  }

  /** Forgets every socket and its timer (the server is stopping; the relay closes the sockets). */
  clear(): void {
    for (const set of this.byCert.values()) for (const e of set) clearTimeout(e.timer);
    this.byCert.clear();
  }

  private end(e: Entry, code: number, reason: string): void {
    this.forget(e);
    e.close(code, reason);
  }

  private forget(e: Entry): void {
    clearTimeout(e.timer);
    const set = this.byCert.get(e.session.cert);
    if (!set) return;
    set.delete(e);
    if (!set.size) this.byCert.delete(e.session.cert);
  }
}
