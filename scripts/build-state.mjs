// Whether the compiled server (each workspace's dist/) and the built app (build/) are up to date with
// their sources. Read by bin/countersign.js on every command (it runs dist/ only when it is up to
// date) and by scripts/start.mjs (it builds only what is missing or stale), so it must stay cheap: it
// stats files, it reads none. Plain JavaScript: it runs before anything can compile TypeScript.
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/** The workspaces compiled to dist/, in dependency order. */
export const SERVER_PACKAGES = ["packages/crdt-model", "packages/contract", "sync-server"];

/** Written last into each dist/ by scripts/build-server.mjs; its mtime is the time the build started. */
export const STAMP = "BUILD_STAMP";

/** A test or a README changes nothing that runs. */
const inert = (name) => name.endsWith(".test.ts") || name === "README.md";

/**
 * The newest mtime (ms) under a path. Directories count too: a deleted or renamed source leaves
 * nothing newer behind but changes its directory's mtime.
 */
export function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of readdirSync(path, { withFileTypes: true })) {
    if (inert(e.name)) continue;
    newest = Math.max(newest, newestMtime(join(path, e.name)));
  }
  return newest;
}

/**
 * The compiled server: `{ fresh: true }` when every workspace's dist/ was built after its sources
 * last changed, else the first reason it is not.
 */
export function serverBuildState(root = ROOT) {
  for (const pkg of SERVER_PACKAGES) {
    const stamp = join(root, pkg, "dist", STAMP);
    if (!existsSync(stamp)) return { fresh: false, reason: `${pkg}/dist is not built` };
    const sources = Math.max(newestMtime(join(root, pkg, "src")), newestMtime(join(root, pkg, "tsconfig.build.json")));
    if (sources > statSync(stamp).mtimeMs) return { fresh: false, reason: `${pkg}/src is newer than ${pkg}/dist` };
  }
  return { fresh: true, reason: "" };
}

/** Whether every workspace has a dist/ at all, up to date or not. */
export const serverBuilt = (root = ROOT) => SERVER_PACKAGES.every((pkg) => existsSync(join(root, pkg, "dist", STAMP)));

/**
 * The web app (build/, SvelteKit's adapter-node output): up to date when build/handler.js is newer
 * than the app's sources, the two packages it imports, its configuration and the lock file.
 */
export function appBuildState(root = ROOT) {
  const out = join(root, "build", "handler.js");
  if (!existsSync(out)) return { fresh: false, reason: "build/ is not built" };
  const sources = Math.max(
    ...["src", "static", "packages/crdt-model/src", "packages/contract/src"].map((d) => newestMtime(join(root, d))),
    ...["vite.config.ts", "svelte.config.js", "package-lock.json"].map((f) => newestMtime(join(root, f))),
  );
  if (sources > statSync(out).mtimeMs) return { fresh: false, reason: "the app's sources are newer than build/" };
  return { fresh: true, reason: "" };
}
