#!/usr/bin/env node
// The `countersign` command. The workspace ships TypeScript source; tsx compiles it on load so the
// command needs no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../sync-server/src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
