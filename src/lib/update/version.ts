// What the app makes of the server's GET /api/version beside its own build: nothing to say, a new
// version to announce (the page keeps working), or a protocol it does not speak (it stops writing
// until reloaded). Pure, so the rules are tested without a browser (version.test.ts).
//
// What must stay true: only the protocol numbers decide whether the app may write; the app version
// is an opaque build name (SvelteKit's), compared for equality only — a server rolled back to an
// older build is "another version" too, and reloading fetches the one it serves.

/** What the server says (contract: server.version). */
export interface ServerVersion {
  /** The app build it serves, or null when it serves none (the API alone, `vite dev`). */
  app: string | null;
  protocol: number;
  minProtocol: number;
}

/** What this page runs. */
export interface RunningVersion {
  app: string;
  /** The protocol this build speaks. */
  protocol: number;
  /** The oldest server protocol this build can still talk to (its own MIN_PROTOCOL). */
  minProtocol: number;
}

export type Verdict =
  /** The server serves this very build (or none): nothing to say. */
  | { kind: "current" }
  /** Another build is served and the protocols agree: announce it; the page keeps working and syncing. */
  | { kind: "available"; served: string }
  /** The protocols do not meet: stop writing, and only a reload helps. */
  | { kind: "incompatible"; served: string | null; why: "app-too-old" | "server-too-old" };

/** Decides what to show from the server's answer and the page's own build. */
export function verdictOf(running: RunningVersion, server: ServerVersion): Verdict {
  // The server no longer takes this app's protocol (its minimum was raised past it).
  if (running.protocol < server.minProtocol) return { kind: "incompatible", served: server.app, why: "app-too-old" };
  // The server speaks a protocol older than this app still talks to (a rollback of the server).
  if (server.protocol < running.minProtocol) return { kind: "incompatible", served: server.app, why: "server-too-old" };
  if (server.app !== null && server.app !== running.app) return { kind: "available", served: server.app };
  return { kind: "current" };
}

/**
 * A local database's schema version against the one this build knows (for src/lib/local/): a newer
 * one was written by a newer build, which may have changed its tables; opening it with this build's
 * schema could corrupt it, so it is left alone and the page asks for a reload (update-api: localNewer).
 */
export function localDatabaseNewer(found: number, known: number): boolean {
  return Number.isFinite(found) && Number.isFinite(known) && found > known;
}
