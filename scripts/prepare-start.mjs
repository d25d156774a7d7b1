// The first half of `npm start`: builds the web app (build/) and the compiled server (dist/) only when
// they are missing or older than their sources, and creates the demo agency when ./data holds none.
// `npm start` then runs `countersign serve --data data` itself, so signals reach the server directly.
//
// In a production install (devDependencies pruned) nothing can be built: a missing build is an
// error, a stale one is served as it is, with a line saying so.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT, appBuildState, serverBuildState } from "./build-state.mjs";

const DATA = join(ROOT, "data");

function step(what, command, args) {
  console.log(`npm start: ${what}`);
  const r = spawnSync(command, args, { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`npm start: ${what} failed`);
    process.exit(r.status ?? 1);
  }
}

/** Builds one part when stale and its builder is installed. */
function ensure(part, state, builder, command, args) {
  if (state.fresh) return;
  if (existsSync(join(ROOT, "node_modules", builder))) return step(`${state.reason}: building ${part}`, command, args);
  if (state.reason.includes("not built")) {
    console.error(`npm start: ${state.reason}, and ${builder} is not installed to build it: run npm ci && npm run build`);
    process.exit(1);
  }
  console.error(`npm start: ${state.reason}, and ${builder} is not installed (npm prune --omit=dev): serving ${part} as it is built`);
}

ensure("the app", appBuildState(), "vite", join(ROOT, "node_modules/.bin/vite"), ["build"]);
ensure("the server", serverBuildState(), "typescript", process.execPath, [join(ROOT, "scripts/build-server.mjs")]);
if (!existsSync(join(DATA, "countersign.db"))) step("./data holds no agency: creating the demo agency", process.execPath, [join(ROOT, "bin/countersign.js"), "demo", "--data", "data"]);
