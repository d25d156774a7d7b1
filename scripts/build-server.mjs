// `npm run build:server`: compiles packages/crdt-model, packages/contract and sync-server to their
// dist/, the JavaScript that `countersign` runs in production (bin/countersign.js), so the server
// needs neither tsx nor TypeScript at run time.
//
// Each workspace's tsconfig.build.json says how: tsc emits file by file (`noCheck`, `noResolve`: the
// types are checked from sources by `npm run check`, and every module is compiled on its own already —
// `isolatedModules`, `verbatimModuleSyntax`) and rewrites the sources' `./x.ts` imports to `./x.js`
// (`rewriteRelativeImportExtensions`). The files the server reads beside its modules (the DI DTDs,
// the demo calendar, …) are copied as they are.
//
// What must stay true: a dist/ is never seen half-written. Other processes (tests, a running
// `countersign`) may start while a build runs, so each package is emitted into a temporary
// directory and renamed into place, with its BUILD_STAMP, whose mtime is the time this build started:
// a source saved during the build is newer than the stamp and the build counts as stale.
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { ROOT, SERVER_PACKAGES, STAMP } from "./build-state.mjs";

const started = new Date();
const t0 = performance.now();

/** Emits one workspace into `outDir`; returns the error messages, if any. */
function emit(pkg, outDir) {
  const errors = [];
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => errors.push(d) };
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, pkg, "tsconfig.build.json"), { outDir }, host);
  if (!config) return errors.map(format);
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, configFileParsingDiagnostics: config.errors });
  const result = program.emit();
  const diagnostics = [...config.errors, ...program.getOptionsDiagnostics(), ...program.getSyntacticDiagnostics(), ...result.diagnostics];
  return diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).map(format);
}

const format = (d) => ts.formatDiagnostic(d, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => "\n" }).trim();

/** Copies what is neither TypeScript nor documentation (the server reads it beside its modules). */
function copyAssets(from, to) {
  for (const e of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, e.name);
    if (e.isDirectory()) copyAssets(src, join(to, e.name));
    else if (!e.name.endsWith(".ts") && e.name !== "README.md") {
      mkdirSync(to, { recursive: true });
      copyFileSync(src, join(to, e.name));
    }
  }
}

/**
 * Puts the new dist/ in place by renaming, not copying: a reader sees the old dist/ or the new one,
 * never a mixture (between the two renames there is none for an instant, and bin/countersign.js then
 * runs the sources with tsx). Another build in the same checkout (tests run `npm run build`) may
 * install its own between the two renames: it is set aside too, and this one, built later, stays.
 */
function install(tmp, dist) {
  const aside = [];
  for (let attempt = 0; ; attempt++) {
    const old = `${dist}.old-${process.pid}-${attempt}`;
    try {
      renameSync(dist, old);
      aside.push(old);
    } catch (e) {
      if (e.code !== "ENOENT") throw e;
    }
    try {
      renameSync(tmp, dist);
      break;
    } catch (e) {
      if ((e.code !== "ENOTEMPTY" && e.code !== "EEXIST") || attempt === 10) throw e;
    }
  }
  for (const old of aside) rmSync(old, { recursive: true, force: true });
}

let failed = false;
for (const pkg of SERVER_PACKAGES) {
  const dist = join(ROOT, pkg, "dist");
  const tmp = `${dist}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const errors = emit(pkg, tmp);
  if (errors.length > 0) {
    console.error(`${pkg}: the build failed\n${errors.join("\n")}`);
    rmSync(tmp, { recursive: true, force: true });
    failed = true;
    break;
  }
  copyAssets(join(ROOT, pkg, "src"), tmp);
  writeFileSync(join(tmp, STAMP), `${JSON.stringify({ builtAt: started.toISOString() })}\n`);
  utimesSync(join(tmp, STAMP), started, started);
  install(tmp, dist);
}
if (failed) process.exit(1);
console.log(`server built: ${SERVER_PACKAGES.map((p) => `${p}/dist`).join(", ")} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
