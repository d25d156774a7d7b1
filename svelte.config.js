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
  },
};
