import type { WebsocketProvider } from "y-websocket";

/**
 * Reconnection with jittered exponential back-off ("full jitter": a random delay between 0 and
 * min(max, base·2^attempt)). The stock provider backs off deterministically, so after a server
 * restart every client of an agency would come back in the same few instants; spreading them keeps
 * a restarted server from being knocked over again. Refusals (close codes 4400–4499: bad token, no
 * access) are final and are not retried — except one 4401 after a working connection: the relay
 * closes a socket when its login token expires, and the next connection's ticket logs in again (if
 * that login is refused, the ticket socket closes with 4401 before syncing, and that one is final).
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 15_000 };

export function jitteredDelay(attempt: number, o: BackoffOptions = DEFAULT_BACKOFF): number {
  const cap = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(attempt, 20));
  return Math.floor((o.random ?? Math.random)() * cap);
}

/** Options to pass to `new WebsocketProvider(…)` so that `attachJitteredReconnect` is in charge. */
export const providerOptions = {
  // The provider's own reconnect stays off for server closes; ours schedules them with jitter.
  shouldReconnect: () => false,
} as const;

/** Detaches the reconnection (call it); `now()` reconnects at once, forgetting the back-off. */
export interface Reconnection {
  (): void;
  /**
   * The server answers again (the app's status saw it answer): reconnect now rather than after a
   * back-off that grew while it was down (up to `maxMs`). Does nothing after a refusal (final) or
   * while connected or connecting.
   */
  now(): void;
}

/** Takes over reconnection of a provider created with `providerOptions`; returns a detach function. */
export function attachJitteredReconnect(provider: WebsocketProvider, o: BackoffOptions = DEFAULT_BACKOFF): Reconnection {
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Whether the connection synced since the last 4401: a session that ended, worth one new login. */
  let syncedSince401 = false;
  /** The server refused the connection (4400–4499): only a deliberate connect() tries again. */
  let refused = false;
  const onClosed = ({ code }: { code: number }) => {
    if (code === 4401 && syncedSince401) syncedSince401 = false;
    else if (code >= 4400 && code < 4500) return void (refused = true); // a deliberate refusal: reconnecting cannot help
    clearTimeout(timer);
    timer = setTimeout(() => provider.connect(), jitteredDelay(attempt++, o));
  };
  const onSync = (synced: boolean) => {
    if (!synced) return;
    attempt = 0;
    refused = false;
    syncedSince401 = true;
  };
  provider.on("closed", onClosed);
  provider.on("sync", onSync);
  const detach = () => {
    clearTimeout(timer);
    provider.off("closed", onClosed);
    provider.off("sync", onSync);
  };
  return Object.assign(detach, {
    now: () => {
      if (refused || provider.ws !== null) return;
      clearTimeout(timer);
      attempt = 0;
      provider.connect();
    },
  });
}
