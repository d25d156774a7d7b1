/**
 * A CPU profile of the crdt-model lifecycle alone (not a benchmark: a tool for finding where its
 * time goes beyond its signatures).  npx tsx tests/bench/model/profile-lifecycle.ts out.cpuprofile
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { TrustStore } from "../../../packages/crdt-model/src/index.ts";
import { createSampleAgency } from "../../../packages/crdt-model/src/sample/agency.ts";
import { envInt, log, newPhases, newReplicaCaches, now, phaseTotal, round } from "./common.ts";
import { modelLifecycle } from "./crdt-model-side.ts";

const docs = envInt("BENCH_DOCS", 100, 1);
const a = await createSampleAgency();
const trust = new TrustStore({ cas: [a.ca.cert], delegation: [a.delegation] });
const caches = newReplicaCaches();
for (let i = 0; i < 20; i++) await modelLifecycle(a, trust, caches, newPhases());
const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.start");
const t = newPhases();
const t0 = now();
for (let i = 0; i < docs; i++) await modelLifecycle(a, trust, caches, t);
const { profile } = await session.post("Profiler.stop");
log(`${docs} documents in ${round(now() - t0, 0)} ms; phases ${JSON.stringify(t)} total ${round(phaseTotal(t), 0)}`);
writeFileSync(process.argv[2] ?? "lifecycle.cpuprofile", JSON.stringify(profile));
