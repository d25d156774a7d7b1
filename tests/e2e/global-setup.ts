// The demo agency for the whole browser-test run: `countersign demo` runs once here, and each test
// file serves a copy of it (support.ts `demoDataDir`). Two templates: the default with four weeks of
// history — every enrolled person first syncs the agency's documents, so a smaller history keeps each
// file's start short — and the full six months (~10 s of CPU) for the pages that are about history
// (reports, KPIs, 稽催), asked for with `history: "full"`. Both are made at once, one per core.
// What must stay true: a template is never served itself — a copy's one-time enrollment codes are
// fresh because no server ever used the template's — and both are removed when the run ends.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    demoTemplate: string;
    demoTemplateFull: string;
  }
}

/** Days of history in the default template (the full one has the demo's default, six months). */
export const SHORT_HISTORY_DAYS = 28;

export default async function setup(project: TestProject): Promise<() => void> {
  const short = mkdtempSync(join(tmpdir(), "countersign-e2e-template-"));
  const full = mkdtempSync(join(tmpdir(), "countersign-e2e-template-full-"));
  const run = promisify(execFile);
  await Promise.all([
    run(process.execPath, ["bin/countersign.js", "demo", "--data", short, "--history-days", String(SHORT_HISTORY_DAYS)]),
    run(process.execPath, ["bin/countersign.js", "demo", "--data", full]),
  ]);
  project.provide("demoTemplate", short);
  project.provide("demoTemplateFull", full);
  return () => {
    rmSync(short, { recursive: true, force: true });
    rmSync(full, { recursive: true, force: true });
  };
}
