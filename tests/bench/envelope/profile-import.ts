/**
 * A CPU profile of one server import (PROFILE_PHASE=verify|export: of that phase instead) (not a benchmark: a tool for finding where import time goes).
 *   BENCH_DOCS=300 npx tsx tests/bench/envelope/profile-import.ts /tmp/import.cpuprofile
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { createSampleExchange } from "../../../packages/crdt-model/src/index.ts";
import { envInt, log, round } from "../model/common.ts";
import { benchDocs } from "./generate.ts";
import { exportEnvelope, timed, verifyEnvelope } from "./phases.ts";
import { startServerImporter } from "./server-import.ts";

const out = process.argv[2] ?? "import.cpuprofile";
const count = envInt("BENCH_DOCS", 300, 1);
const x = await createSampleExchange();
const docs = await benchDocs(x.a, "prof", count, 100 * 1024);
const warmDocs = await benchDocs(x.a, "warm", 20, 100 * 1024, 1_000_000);
const server = await startServerImporter(x);
await server.importEnvelope((await exportEnvelope(x, warmDocs, server.code)).value, warmDocs);
const env = await exportEnvelope(x, docs, server.code);
log(`export ${round(env.ms, 0)} ms (CPU ${round(env.cpuMs, 0)} ms)`);
const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 200 });
await session.post("Profiler.start");
const phase = process.env["PROFILE_PHASE"] ?? "import";
const r =
  phase === "verify"
    ? await verifyEnvelope(x, env.value, docs, server.code)
    : phase === "export"
      ? await exportEnvelope(x, docs, server.code)
      : await timed(() => server.importEnvelope(env.value, docs));
const { profile } = await session.post("Profiler.stop");
log(`${phase} ${round(r.ms, 0)} ms (CPU ${round(r.cpuMs, 0)} ms)`);
writeFileSync(out, JSON.stringify(profile));
await server.stop();
