import adapter from "@sveltejs/adapter-node";
import { vitePreprocess } from "@sveltejs/vite-plugin-svelte";

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  compilerOptions: {
    // Our own components are runes-only (legacy syntax is a compile error); libraries in
    // node_modules keep whatever mode they were written in.
    runes: ({ filename }) => (filename.split(/[/\\]/).includes("node_modules") ? undefined : true),
  },
  kit: {
    // adapter-node writes a standalone server to build/ that honours PORT; `npm start` runs it.
    adapter: adapter(),
    // Absolute asset paths: the service worker serves one cached shell for every page, so "./_app/…"
    // would resolve against the page's own path (/docs/x → /docs/_app/…) and miss.
    paths: { relative: false },
    // The build's version (src/lib/update/): $app/environment's `version`, the _app/version.json the
    // server reports at GET /api/version, and the service worker's cache key. COUNTERSIGN_VERSION
    // names a release; without it SvelteKit's default (the build's time) keeps every build distinct.
    ...(process.env.COUNTERSIGN_VERSION ? { version: { name: process.env.COUNTERSIGN_VERSION } } : {}),
    // Content-Security-Policy of every page (issue 12): SvelteKit adds the hash of its one inline
    // start-up script, so no other inline script runs, and sends the policy as a header (the pages
    // are rendered per request), where frame-ancestors works: the signing page is never framed.
    // Styles may be inline (Svelte writes style attributes); images and PDF previews come from the
    // blob: URLs the app makes of attachments it has checked; the relay is same-origin (ws: 'self').
    // connect-src takes blob: as well, so the page may read back (fetch) the bytes behind a blob: URL it
    // made — what a viewer shows, as the attachments e2e checks. A blob: URL is readable only by the
    // origin that made it and receives nothing, so this opens no way out of the page.
    csp: {
      mode: "hash",
      directives: {
        "default-src": ["self"],
        "script-src": ["self"],
        "style-src": ["self", "unsafe-inline"],
        "img-src": ["self", "blob:", "data:"],
        "font-src": ["self"],
        "connect-src": ["self", "blob:"],
        "worker-src": ["self"],
        "manifest-src": ["self"],
        "object-src": ["blob:"],
        "frame-src": ["blob:"],
        "base-uri": ["none"],
        "form-action": ["self"],
        "frame-ancestors": ["none"],
      },
    },
  },
};
