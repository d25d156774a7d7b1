import { defineConfig } from "vitest/config";

// Browser end-to-end tests: kept out of the default `vitest run` (they need a build and Chromium).
export default defineConfig({
  test: {
    include: ["tests/e2e/**/*.e2e.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two files at a time, each with its own server on a free port, its own copy of the demo agency
    // and its own Chromium: a browser test mostly waits (pages settling, servers answering, timers),
    // so one file at a time kept CI's two cores about a third busy. Tests that measure how fast the
    // page follows the real state (sync-status, update) allow for a busy machine already.
    fileParallelism: true,
    maxWorkers: 2,
    // At most three tests of one file side by side (the English sweep's people).
    maxConcurrency: 3,
    // The demo agency is made once per run and copied per file (tests/e2e/global-setup.ts).
    globalSetup: ["tests/e2e/global-setup.ts"],
  },
});
