import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { pino, type BaseLogger } from "pino";
import type { Io } from "./main.ts";
import { openSqliteStore } from "../storage/sqlite.ts";
import { loadAgency } from "../identity/agency.ts";
import { resolvePassphrase } from "../identity/passphrase.ts";
import { AgencyServer, type AppHandler, type Limits } from "../http/server.ts";

/** Where `npm run build` puts the web app; served by the agency server when present. */
const APP_HANDLER = resolve(import.meta.dirname, "../../../build/handler.js");

export async function runServe(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      "passphrase-file": { type: "string" },
      "no-app": { type: "boolean" },
      "max-loaded": { type: "string" },
      "idle-ms": { type: "string" },
    },
  });
  if (!values.data) {
    io.err("countersign serve: --data DIR is required");
    return 2;
  }
  const port = Number(values.port ?? process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err("countersign serve: --port must be a port number");
    return 2;
  }
  const dbFile = join(values.data, "countersign.db");
  if (!existsSync(dbFile)) {
    io.err(`countersign serve: ${values.data} holds no agency; run countersign init first`);
    return 1;
  }
  const log = pino({ base: { service: "countersign" } });
  const store = openSqliteStore(dbFile);
  const pass = await resolvePassphrase({ dataDir: values.data, file: values["passphrase-file"] });
  if (!pass.ok) {
    io.err(pass.reason);
    await store.close();
    return 1;
  }
  const agency = await loadAgency(store, pass.value.passphrase);
  if (!agency.ok) {
    io.err(agency.reason);
    await store.close();
    return 1;
  }
  const app = values["no-app"] ? undefined : await loadApp(log);
  const limits: Partial<Limits> = {};
  if (values["max-loaded"]) limits.maxLoaded = Number(values["max-loaded"]);
  if (values["idle-ms"]) limits.idleMs = Number(values["idle-ms"]);
  if (Object.values(limits).some((v) => !Number.isInteger(v) || v < 1)) {
    io.err("countersign serve: --max-loaded and --idle-ms must be positive integers");
    await store.close();
    return 2;
  }
  const server = new AgencyServer({ store, agency: agency.value, log, port, host: values.host, app, limits });
  const bound = await server.start();
  io.out(`Countersign ${agency.value.name} (${agency.value.code}) on http://localhost:${bound}`);

  // Graceful shutdown: finish in-flight updates, close storage, then exit.
  await new Promise<void>((resolveStop) => {
    const stop = (signal: string) => {
      log.info({ signal }, "shutting down");
      void server.stop().then(resolveStop);
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  return 0;
}

async function loadApp(log: BaseLogger): Promise<AppHandler | undefined> {
  if (!existsSync(APP_HANDLER)) {
    log.warn({ expected: APP_HANDLER }, "the web app is not built (npm run build); serving the API only");
    return undefined;
  }
  const mod = (await import(pathToFileURL(APP_HANDLER).href)) as { handler: AppHandler };
  return mod.handler;
}
