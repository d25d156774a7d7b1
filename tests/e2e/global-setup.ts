// One demo agency for the whole browser-test run: `countersign demo` (six months of signed history,
// ~10 s of CPU) runs once here, and each test file serves a copy of it (support.ts `demoDataDir`).
// What must stay true: the template is never served itself — a copy's one-time enrollment codes are
// fresh because no server ever used the template's — and it is removed when the run ends.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    demoTemplate: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), "countersign-e2e-template-"));
  execFileSync(process.execPath, ["bin/countersign.js", "demo", "--data", dir], { stdio: "ignore" });
  project.provide("demoTemplate", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
