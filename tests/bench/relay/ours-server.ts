// Our agency server in its own process, for the relay benchmark: exactly what the integration tests
// run (tests/integration/support/agency-server.ts `startAgency()`: SQLite store in a temp dir, an
// initialised agency, every person enrolled and logged in, real tokens, every update through the
// ingest rules). Sends the port, the people's tokens and the routing plan to the parent over IPC.
// Env: BENCH_LIMITS — JSON of server limits (e.g. {"idleMs":2000}); BENCH_WINDOW_PROF — a folder for
// a CPU profile and an allocation profile of the measured window only (window-prof.ts).
import { rmSync } from "node:fs";
import { windowProfiler } from "./window-prof.ts";
import { CODE, startAgency, type Who } from "../../integration/support/agency-server.ts";

const limits = JSON.parse(process.env.BENCH_LIMITS || "{}") as Record<string, number>;
const a = await startAgency(limits);

export interface OursReady {
  type: "ready";
  port: number;
  code: string;
  tokens: Record<Who, string>;
  plan: ReturnType<typeof a.plan>;
}

const tokens = Object.fromEntries(Object.entries(a.people).map(([who, m]) => [who, m.token])) as Record<Who, string>;
process.send!({ type: "ready", port: a.port, code: CODE, tokens, plan: a.plan() } satisfies OursReady);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    await a.stop();
  } finally {
    rmSync(a.dir, { recursive: true, force: true });
    process.exit(0);
  }
}
const prof = windowProfiler(process.env.BENCH_WINDOW_PROF, "ours");
process.on("message", (m: { type?: string }) => {
  if (m?.type === "stop") void stop();
  if (m?.type === "window-start") void prof.start();
  if (m?.type === "window-end") void prof.stop();
});
process.on("SIGTERM", () => void stop());
process.on("disconnect", () => void stop());
