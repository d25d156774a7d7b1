import { defineConfig } from "vitest/config";

// Browser end-to-end tests: kept out of the default `vitest run` (they need a build and Chromium).
export default defineConfig({
  test: {
    include: ["tests/e2e/**/*.e2e.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    // The demo agency is made once per run and copied per file (tests/e2e/global-setup.ts).
    globalSetup: ["tests/e2e/global-setup.ts"],
  },
});
