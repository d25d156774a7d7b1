// One linter for the whole repository (issue 13): ESLint's and typescript-eslint's recommended rules,
// and eslint-plugin-svelte's for the app's components. Not type-aware: the type checks are tsc's and
// svelte-check's (`npm run check`), and the syntactic rules keep `npm run lint` fast.
// No formatting rules: formatting is left as it is until one formatter is chosen for the codebase.
import js from "@eslint/js";
import svelte from "eslint-plugin-svelte";
import globals from "globals";
import ts from "typescript-eslint";
import svelteConfig from "./svelte.config.js";

// The branded ids of packages/crdt-model/src/ids.ts (and the envelope's).
const BRANDED = "/^(DocId|EntryId|AgencyCode|UnitId|PersonId|StepId|ItemId|Sha256Hex|EnvelopeId)$/";

export default ts.config(
  {
    ignores: ["**/node_modules/", ".svelte-kit/", "build/", "dist/", "**/dist/", "**/dist.tmp-*/", "**/dist.old-*/", "test-results/", "playwright-report/", "data/", ".tmp/", "coverage/"],
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // `_name` marks an argument or binding kept on purpose (a callback's shape, a rest-omit).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      // The type checker already reports undefined names, and knows the DOM and Node globals better.
      "no-undef": "off",
      // Validation of untrusted text matches control characters on purpose (file names, DI text).
      "no-control-regex": "off",
      // zh-TW comments quote official forms, whose full-width space (U+3000) is part of the text.
      "no-irregular-whitespace": ["error", { skipComments: true }],
    },
  },
  {
    // Ids are parsed once (packages/crdt-model/src/ids.ts): a value enters a brand only through its
    // parser, never by a cast. Tests may cast, to build the bad input they test with.
    files: ["**/*.ts", "**/*.svelte"],
    ignores: ["packages/crdt-model/src/ids.ts", "**/*.test.ts", "**/*.e2e.ts", "tests/**", "packages/*/tests/**", "sync-server/tests/**"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          // An empty array literal holds no id, so `[] as DocId[]` only names its element type.
          selector: `:matches(TSAsExpression, TSTypeAssertion):not([expression.type="ArrayExpression"][expression.elements.length=0]) > .typeAnnotation Identifier[name=${BRANDED}]`,
          message: "Do not cast to a branded id: parse it with parseXxx (a Result) at the boundary, or use asXxx for a literal (ids.ts).",
        },
      ],
    },
  },
  {
    // XML 1.0's Name production names U+200C–U+200D in a range; the rule takes them for a joined pair.
    files: ["packages/crdt-model/src/di/xml.ts"],
    rules: { "no-misleading-character-class": "off" },
  },
  {
    files: ["**/*.svelte", "**/*.svelte.ts"],
    languageOptions: {
      parserOptions: { parser: ts.parser, extraFileExtensions: [".svelte"], svelteConfig },
    },
    rules: {
      // The app has no base path (svelte.config.js sets none), so a plain "/docs/…" href is right.
      "svelte/no-navigation-without-resolve": "off",
      // Plain Map/Set/Date are used on purpose for non-reactive bookkeeping (timers, caches, a value
      // built and returned, a Date replaced whole); the rule cannot tell these from reactive state.
      "svelte/prefer-svelte-reactivity": "off",
    },
  },
);
