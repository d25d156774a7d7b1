// The stock y-websocket server (@y/websocket-server's own src/server.js, unchanged: in-memory
// documents, no auth, no persistence) in its own process, so the benchmark can read its CPU time and
// RSS. The wrapper only adds a graceful exit on "stop"/SIGTERM, so `--cpu-prof` can write its profile,
// and tells the parent when it listens. Env: PORT (required), HOST (127.0.0.1), BENCH_WINDOW_PROF
// (profiles of the measured window, window-prof.ts).
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createConnection } from "node:net";
import { ROOT } from "./common.ts";
import { windowProfiler } from "./window-prof.ts";

const port = Number(process.env.PORT);
process.env.HOST ??= "127.0.0.1";
const exit = () => process.exit(0);
process.on("SIGTERM", exit);
const prof = windowProfiler(process.env.BENCH_WINDOW_PROF, "stock");
process.on("message", (m: { type?: string }) => {
  if (m?.type === "stop") exit();
  if (m?.type === "window-start") void prof.start();
  if (m?.type === "window-end") void prof.stop();
});
process.on("disconnect", exit);

await import(pathToFileURL(join(ROOT, "node_modules/@y/websocket-server/src/server.js")).href);

// server.js listens without telling anyone but its stdout; wait until the port answers.
for (;;) {
  const up = await new Promise<boolean>((res) => {
    const s = createConnection({ port, host: process.env.HOST }, () => (s.end(), res(true)));
    s.on("error", () => res(false));
  });
  if (up) break;
  await new Promise((r) => setTimeout(r, 20));
}
process.send?.({ type: "ready", port });
