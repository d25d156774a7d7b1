import { defineConfig } from "vitest/config";

export default defineConfig({
  // The app's modules import each other as $lib/… (SvelteKit's alias); unit tests beside them need it too.
  resolve: { alias: { $lib: new URL("./src/lib", import.meta.url).pathname } },
  test: {
    include: ["packages/*/tests/**/*.test.ts", "packages/*/src/**/*.test.ts", "sync-server/**/*.test.ts", "tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two files at a time, also on a 2-core machine (vitest's default there is one): most files wait
    // on servers, PostgreSQL and sockets rather than on the CPU, so two overlap well.
    maxWorkers: 2,
  },
});
