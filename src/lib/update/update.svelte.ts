// The page's view of new versions: asks the server which app build it serves (GET /api/version),
// announces another one, stops writing when the protocols do not meet, and reloads onto the new
// service worker without losing work. One instance per page load (`update`).
//
// What must stay true:
// - `blocking` is true whenever this page must not write (an incompatible protocol, a local database
//   newer than this build); the sync (app.svelte.ts) checks it before every run.
// - reload() waits for the writes in progress (a running sync, anything held by hold.ts holdReload) before it
//   leaves the page: unsent changes are in IndexedDB, and a write cut short is the only way to lose one.
// - This module imports neither the app nor the local store (they import it): no cycle.
import { version } from "$app/environment";
import { MIN_PROTOCOL, PROTOCOL, PROTOCOL_HEADER, ROUTES, schemas } from "@countersign/contract";
import { verdictOf, type Verdict } from "./version.ts";
import { onLocalNewer, type LocalNewer } from "./local-newer.ts";
import { heldCount, heldSettled } from "./hold.ts";

/** How long reload() waits for writes in progress before it reloads anyway (a hung write must not trap the page). */
export const SETTLE_MAX_MS = 15_000;
/** Checks at most this often (each sync, the link coming back and the timer all ask). */
const CHECK_MIN_GAP_MS = 5_000;
/** Without any other reason to ask (no one enrolled, no sync), every this often. */
const CHECK_EVERY_MS = 5 * 60_000;

export class UpdateState {
  /** The last verdict on the server's version (null before the first answer). */
  verdict = $state.raw<Verdict | null>(null);
  /** Set when the local store finds a database written by a newer build (local-newer.ts). */
  localNewer = $state.raw<LocalNewer | null>(null);
  /** The protocol refused this page (http.outdated-client from the API or the relay). */
  refused = $state(false);
  /** reload() is under way: "settling" while writes finish, then "reloading". */
  phase = $state<"idle" | "settling" | "reloading">("idle");
  /** The person put the non-blocking banner away (it comes back with the next different version). */
  dismissed = $state<string | null>(null);

  #lastCheck = 0;
  #checking: Promise<void> | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #trailing: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    onLocalNewer((n) => (this.localNewer = n));
  }

  /** A version is being announced (another build is served) and not put away. */
  get available(): boolean {
    const v = this.verdict;
    return v?.kind === "available" && this.dismissed !== v.served;
  }

  /**
   * A local database newer than this build blocks the page until a reload brings the newer build —
   * unless the server answers that it serves this very build: then no build exists that reads it, it
   * is a foreign or damaged copy, and a reload would only find it again. The recovery panel
   * (src/lib/recovery, 從伺服器重新下載) takes it then, as any index this build cannot use.
   */
  get localNewerBlocks(): boolean {
    return this.localNewer !== null && this.verdict?.kind !== "current";
  }

  /** This page must not write until reloaded. */
  get blocking(): boolean {
    return this.refused || this.localNewerBlocks || this.verdict?.kind === "incompatible";
  }

  /** Starts asking (now, every few minutes, on coming online); returns the stop. */
  start(): () => void {
    if (typeof document !== "undefined") document.documentElement.dataset.appVersion = version;
    const online = () => void this.check(true);
    window.addEventListener("online", online);
    this.#timer = setInterval(() => void this.check(), CHECK_EVERY_MS);
    void this.check(true);
    return () => {
      window.removeEventListener("online", online);
      clearInterval(this.#timer);
      clearTimeout(this.#trailing);
      this.#trailing = undefined;
    };
  }

  /**
   * Asks the server (at most every few seconds unless `force`). Unreachable or an unexpected answer
   * changes nothing: offline the page keeps working with what it runs.
   */
  check(force = false): Promise<void> {
    if (this.#checking) return this.#checking;
    const since = Date.now() - this.#lastCheck;
    if (!force && since < CHECK_MIN_GAP_MS) {
      // Asked again too soon: ask once when the gap ends instead of dropping it. A server that came
      // back within the gap (a quick restart onto a new build) answers only after the page's own start
      // check, and nothing else asks again for minutes.
      this.#trailing ??= setTimeout(() => {
        this.#trailing = undefined;
        void this.check();
      }, CHECK_MIN_GAP_MS - since);
      return Promise.resolve();
    }
    this.#lastCheck = Date.now();
    this.#checking = this.#ask().finally(() => (this.#checking = null));
    return this.#checking;
  }

  async #ask(): Promise<void> {
    let body: unknown;
    try {
      const res = await fetch(ROUTES.version.path, { cache: "no-store", headers: { [PROTOCOL_HEADER]: String(PROTOCOL) }, signal: AbortSignal.timeout(10_000) });
      if (!res.ok) return; // an older server without the route (404): nothing to compare
      body = await res.json();
    } catch {
      return; // offline or unreachable
    }
    const parsed = schemas.server.version.safeParse(body);
    if (!parsed.success) return;
    const verdict = verdictOf({ app: version, protocol: PROTOCOL, minProtocol: MIN_PROTOCOL }, parsed.data);
    this.verdict = verdict;
    // Fetch the new service worker now, so it has the new build cached when the person reloads.
    if (verdict.kind !== "current") void navigator.serviceWorker?.getRegistration().then((r) => r?.update().catch(() => undefined));
  }

  /** The server refused this app's protocol (http.outdated-client): block, and learn what it serves. */
  noteRefused(): void {
    this.refused = true;
    void this.check(true);
  }

  /**
   * Reloads onto the new version: waits for writes in progress (`busy()` and anything held), lets
   * the waiting service worker take over (skip-waiting, then its controllerchange), and reloads.
   */
  async reload(busy: () => boolean = () => false): Promise<void> {
    if (this.phase !== "idle") return;
    this.phase = "settling";
    const until = Date.now() + SETTLE_MAX_MS;
    while (Date.now() < until && (busy() || heldCount() > 0)) {
      await Promise.race([heldSettled(), delay(200)]);
    }
    this.phase = "reloading";
    await activateWaitingWorker();
    location.reload();
  }
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Fetches the service worker again and, when a new one is installed and waiting, tells it to take
 * over and waits until it controls the page (at most a few seconds: a reload works without it, only
 * with the old worker's cache until it is closed).
 */
async function activateWaitingWorker(): Promise<void> {
  const sw = typeof navigator !== "undefined" ? navigator.serviceWorker : undefined;
  const reg = await sw?.getRegistration().catch(() => undefined);
  if (!sw || !reg) return;
  await reg.update().catch(() => undefined);
  const waiting = reg.waiting ?? (await installed(reg.installing, 20_000));
  if (!waiting || !sw.controller) return;
  const changed = new Promise<void>((r) => sw.addEventListener("controllerchange", () => r(), { once: true }));
  waiting.postMessage({ type: "skip-waiting" });
  await Promise.race([changed, delay(10_000)]);
}

/** The worker once installed (waiting), or null if it fails or takes longer than `ms`. */
function installed(worker: ServiceWorker | null, ms: number): Promise<ServiceWorker | null> {
  if (!worker) return Promise.resolve(null);
  return new Promise((resolve) => {
    const done = () => {
      if (worker.state === "installed" || worker.state === "activating" || worker.state === "activated") resolve(worker);
      else if (worker.state === "redundant") resolve(null);
    };
    worker.addEventListener("statechange", done);
    setTimeout(() => resolve(null), ms);
    done();
  });
}

export const update = new UpdateState();
