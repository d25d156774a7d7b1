/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
// The app starts with no network: the build and static files are precached per version, and every
// page is served the one app shell (pages render in the browser: see routes/+layout.ts). The API,
// the relay and the server's own endpoints are network-only — their answers must never be stale.
//
// New versions (src/lib/update/): the cache is keyed by the build's version; a page is asked of the
// network first, so an old worker never keeps serving an old app against a newer server that
// answers; and a new worker waits until the page, once its writes are done, tells it to take over
// ("skip-waiting"), so no running page loses the chunks it still loads.
import { build, files, version } from "$service-worker";

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `countersign-${version}`;
const SHELL = "/";
const ASSETS = new Set([...build, ...files]);
const NETWORK_ONLY = /^\/(api|sync)\/|^\/(healthz|metrics)$/;

sw.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll([...ASSETS, SHELL])));
  // No skipWaiting here: a page running the old version may still lazy-load the old chunks, which the
  // new version's activation would delete. The new version takes over when the page asks (below:
  // the update banner's reload) or once the old pages are closed.
});

// The update banner's reload, after the page's writes have settled (src/lib/update/update.svelte.ts).
sw.addEventListener("message", (event) => {
  const data = event.data as { type?: unknown } | null;
  if (data?.type === "skip-waiting") void sw.skipWaiting();
});

sw.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      // The very first install controls the page that registered it, so it works offline at once.
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== sw.location.origin || NETWORK_ONLY.test(url.pathname)) return;

  if (ASSETS.has(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit ?? fetch(req)));
    return;
  }
  if (req.mode === "navigate") {
    // The network first, so a newer server's app is the one that starts; the cached shell when the
    // device is offline, the server does not answer, or it takes longer than NAVIGATE_WAIT_MS (a weak
    // uplink starts from the cache at once and the update banner says when a new version is served).
    // The network's page is never put in this version's cache: it may be another version's shell,
    // whose chunks this cache does not hold.
    event.respondWith(navigate(req));
  }
});

/** How long a page waits for the network before the cached shell starts it. */
const NAVIGATE_WAIT_MS = 3000;

async function navigate(req: Request): Promise<Response> {
  const cached = () => caches.open(CACHE).then((c) => c.match(SHELL));
  if (!navigator.onLine) {
    const hit = await cached();
    if (hit) return hit;
  }
  const network = fetch(req).then((res) => (res.ok ? res : Promise.reject(new Error(`HTTP ${res.status}`))));
  const timeout = new Promise<null>((r) => setTimeout(() => r(null), NAVIGATE_WAIT_MS));
  const first = await Promise.race([network, timeout]).catch(() => null);
  if (first) return first;
  const hit = await cached();
  if (hit) {
    network.catch(() => undefined); // the slow answer is dropped
    return hit;
  }
  // Nothing cached (the first visit, being installed): the network's answer, whatever it is.
  return fetch(req);
}
