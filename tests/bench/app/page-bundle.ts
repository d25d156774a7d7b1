// Builds page/entry.ts into one browser script (esbuild, the bundler vite and tsx already bring):
// the app's local-store sources (imported as "app-lib/…", and their own `$lib` imports) resolved to src/lib, Yjs, y-websocket, Dexie and
// the model, as the app's own build resolves them.
import { build } from "esbuild";
import { join } from "node:path";
import { ROOT } from "./common.ts";

export async function pageBundle(): Promise<string> {
  const out = await build({
    entryPoints: [join(ROOT, "tests/bench/app/page/entry.ts")],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "es2022",
    alias: { $lib: join(ROOT, "src/lib"), "app-lib": join(ROOT, "src/lib") },
    conditions: ["browser", "module", "import"],
    logLevel: "silent",
  });
  return out.outputFiles[0]!.text;
}
