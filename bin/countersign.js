#!/usr/bin/env node
// The `countersign` command. The workspace ships TypeScript source; tsx compiles it on load so the
// command needs no build step.
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("@countersign/sync-server");
process.exitCode = await runCli(process.argv.slice(2));
