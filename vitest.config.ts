import { defineConfig } from "vitest/config";

export default defineConfig({
  // The app's modules import each other as $lib/… (SvelteKit's alias); unit tests beside them need it too.
  resolve: { alias: { $lib: new URL("./src/lib", import.meta.url).pathname } },
  test: {
    include: ["packages/*/tests/**/*.test.ts", "packages/*/src/**/*.test.ts", "sync-server/**/*.test.ts", "tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
