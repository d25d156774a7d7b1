/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
// The app starts with no network: the build and static files are precached per version, and every
// page is served the one app shell (pages render in the browser: see routes/+layout.ts). The API,
// the relay and the server's own endpoints are network-only — their answers must never be stale.
import { build, files, version } from "$service-worker";

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `countersign-${version}`;
const SHELL = "/";
const ASSETS = new Set([...build, ...files]);
const NETWORK_ONLY = /^\/(api|sync)\/|^\/(healthz|metrics)$/;

sw.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll([...ASSETS, SHELL])));
  // No skipWaiting: a page running the old version may still lazy-load the old chunks, which the new
  // version's activation would delete. The new version takes over once the old pages are closed.
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
    // The cached shell first: instant on a weak uplink and offline; the network only if it is missing.
    event.respondWith(
      (async () => {
        const hit = await caches.match(SHELL);
        if (hit) return hit;
        const res = await fetch(req);
        if (res.ok) await (await caches.open(CACHE)).put(SHELL, res.clone());
        return res;
      })(),
    );
  }
});
