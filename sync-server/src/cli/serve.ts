import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { pino, type BaseLogger } from "pino";
import type { Io } from "./io.ts";
import { openSqliteStore } from "../storage/sqlite.ts";
import { isPostgresUrl, openPostgresStore, redactUrl } from "../storage/postgres.ts";
import type { Store } from "../storage/types.ts";
import { RedisFanout } from "../fanout/redis.ts";
import { SETTINGS, loadAgency } from "../identity/agency.ts";
import { PASSPHRASE_ENV, resolvePassphrase } from "../identity/passphrase.ts";
import { AgencyServer, type AppHandler, type Limits } from "../http/server.ts";
import { readDemoCodes } from "../http/demo.ts";
import { installProcessGuard } from "./process-guard.ts";
import { checkDataDir, ownerOnly } from "./data-dir.ts";
import { parseSmtpUrl, redactSmtpUrl } from "../mail/transport.ts";
import type { MailOptions } from "../mail/setup.ts";
import { mailConfig } from "../mail/config.ts";
import { serveTlsOptions } from "../tls/serve-options.ts";
import { RedirectServer } from "../tls/redirect.ts";
import { machineOf, nodeStateOf, planHeap } from "./heap.ts";

/** Where `npm run build` puts the web app; served by the agency server when present. */
const APP_HANDLER = resolve(import.meta.dirname, "../../../build/handler.js");

export async function runServe(argv: string[], io: Io): Promise<number> {
  ownerOnly(); // what the server creates (the store's WAL and shared memory, …) is its owner's only
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: "string" },
      store: { type: "string" },
      fanout: { type: "string" },
      port: { type: "string" },
      "max-memory": { type: "string" },
      host: { type: "string" },
      "passphrase-file": { type: "string" },
      "no-app": { type: "boolean" },
      app: { type: "string" },
      "max-loaded": { type: "string" },
      "idle-ms": { type: "string" },
      smtp: { type: "string" },
      "mail-from": { type: "string" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      "http-redirect-port": { type: "string" },
      "trust-proxy": { type: "string" },
    },
  });
  if (!values.data && !values.store) {
    io.err("countersign serve: --data DIR or --store postgres://… is required");
    return 2;
  }
  if (values.store !== undefined && !isPostgresUrl(values.store)) {
    io.err("countersign serve: --store must be a PostgreSQL URL (postgres://user@host:port/database)");
    return 2;
  }
  if (values.fanout !== undefined && !/^rediss?:\/\//i.test(values.fanout)) {
    io.err("countersign serve: --fanout must be a Redis URL (redis://host:port)");
    return 2;
  }
  // With a PostgreSQL store there may be no data directory to hold the passphrase file.
  if (!values.data && values["passphrase-file"] === undefined && !process.env[PASSPHRASE_ENV]) {
    io.err(`countersign serve: with --store and no --data, give --passphrase-file F or set $${PASSPHRASE_ENV}`);
    return 2;
  }
  const port = Number(values.port ?? process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err("countersign serve: --port must be a port number");
    return 2;
  }
  // HTTPS, its redirect port and the trusted proxies (tls/): all checked before the store is opened,
  // so a bad certificate or key is one line and nothing starts.
  const tlsOpts = await serveTlsOptions(values);
  if (!tlsOpts.ok) {
    io.err(`countersign serve: ${tlsOpts.reason}`);
    return tlsOpts.code === "tls.usage" ? 2 : 1;
  }
  const { tls, redirectPort, trustProxy } = tlsOpts.value;
  // The heap bound (heap.ts): bin/countersign.js has started this process with it; here it is
  // checked once more (runServe may be called without the launcher) and reported.
  const heap = planHeap(values["max-memory"], nodeStateOf(), machineOf());
  if (!heap.ok) {
    io.err(`countersign serve: ${heap.reason}`);
    return 2;
  }
  const heapNote = heap.value.relaunch
    ? `heap bound ${Math.round(nodeStateOf().heapLimitMb)} MiB, as node started (--max-memory takes effect through bin/countersign.js)`
    : `heap bound ${heap.value.mb} MiB (${heap.value.why})`;
  // E-mail (mail/): with --smtp, else the agency's stored setting (countersign agency smtp); with
  // neither, nothing is ever queued.
  const smtp = values.smtp === undefined ? undefined : parseSmtpUrl(values.smtp);
  if (smtp && !smtp.ok) {
    io.err(`countersign serve: --smtp: ${smtp.reason}`);
    return 2;
  }
  if (values["mail-from"] !== undefined && !smtp) {
    io.err("countersign serve: --mail-from needs --smtp (a stored setting has its own: countersign agency smtp --from)");
    return 2;
  }
  // Before anything in it is opened: a data directory others could tamper with, or read the keys
  // from, is refused and the server does not start (data-dir.ts checkDataDir).
  if (values.data) {
    const safe = checkDataDir(values.data);
    if (!safe.ok) {
      io.err(`countersign serve: ${safe.reason}`);
      return 1;
    }
  }
  let store: Store;
  if (values.store) {
    // Several processes serve one agency from one database: its tables are the agency.
    try {
      store = await openPostgresStore(values.store);
    } catch (e) {
      io.err((e as Error).message);
      return 1;
    }
    if ((await store.getSetting(SETTINGS.code)) === undefined) {
      io.err(`countersign serve: ${redactUrl(values.store)} holds no agency; run countersign init --store URL first`);
      await store.close();
      return 1;
    }
  } else {
    const dbFile = join(values.data!, "countersign.db");
    if (!existsSync(dbFile)) {
      io.err(`countersign serve: ${values.data} holds no agency; run countersign init first`);
      return 1;
    }
    store = openSqliteStore(dbFile);
  }
  const log = pino({ base: { service: "countersign" } });
  installProcessGuard(log);
  const pass = await resolvePassphrase({ dataDir: values.data ?? ".", file: values["passphrase-file"] });
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
  // --app DIR: another build of the web app than build/ (a staged release; the update test serves two).
  const served = values["no-app"] ? undefined : await loadApp(log, values.app ? resolve(values.app, "handler.js") : APP_HANDLER);
  const app = served?.handler;
  const limits: Partial<Limits> = {};
  if (values["max-loaded"]) limits.maxLoaded = Number(values["max-loaded"]);
  if (values["idle-ms"]) limits.idleMs = Number(values["idle-ms"]);
  if (Object.values(limits).some((v) => !Number.isInteger(v) || v < 1)) {
    io.err("countersign serve: --max-loaded and --idle-ms must be positive integers");
    await store.close();
    return 2;
  }
  let fanout: RedisFanout | undefined;
  if (values.fanout) {
    fanout = new RedisFanout({ url: values.fanout, agency: agency.value.code, log, store });
    try {
      // Subscribed before serving: every room is loaded after this, so an update stored by another
      // process is either in the store when the room loads or arrives here as a message.
      await fanout.start();
    } catch (e) {
      io.err((e as Error).message);
      await store.close();
      return 1;
    }
  }
  const demo = values.data ? await readDemoCodes(values.data) : undefined;
  const stored = smtp ? null : await mailConfig(store);
  const mailUrl = smtp?.ok ? smtp.value : stored?.smtp;
  const mail: MailOptions | undefined = mailUrl
    ? { smtp: mailUrl, from: values["mail-from"] ?? stored?.from ?? `${agency.value.name} <countersign@${mailUrl.hostname}>` }
    : undefined;
  if (mail) log.info({ smtp: redactSmtpUrl(mail.smtp), from: mail.from }, "mail: sending over SMTP");
  const server = new AgencyServer({ store, agency: agency.value, log, port, host: values.host, app, appVersion: served?.version, limits, fanout, demo, mail, tls: tls && { cert: tls.cert, key: tls.key }, trustProxy });
  let bound: number;
  try {
    bound = await server.start();
  } catch (e) {
    // The Redis connections would otherwise keep the process alive after the refusal.
    io.err(`countersign serve: ${(e as Error).message}`);
    await fanout?.stop();
    await store.close();
    return 1;
  }
  // The plain-HTTP port that only redirects: started once HTTPS serves, and the server stops whole if it cannot bind.
  let redirect: RedirectServer | undefined;
  if (redirectPort !== undefined) {
    redirect = new RedirectServer(bound);
    try {
      const r = await redirect.start(redirectPort, values.host);
      log.info({ port: r, to: bound }, "redirecting plain HTTP to HTTPS");
    } catch (e) {
      io.err(`countersign serve: --http-redirect-port ${redirectPort}: ${(e as Error).message}`);
      await server.stop();
      return 1;
    }
  }
  if (tls) log.info({ subject: tls.leaf.subject.replace(/\n/g, ", "), validTo: tls.validTo.toISOString() }, "serving HTTPS");
  io.out(`Countersign ${agency.value.name} (${agency.value.code}) on ${tls ? "https" : "http"}://localhost:${bound}, ${heapNote}`);

  // Graceful shutdown: finish in-flight updates, close storage, then exit.
  await new Promise<void>((resolveStop) => {
    // Once, however many signals come: Ctrl-C reaches both the server and its launcher, which passes
    // it on (bin/countersign.js), and a second SIGINT must not kill a shutdown halfway.
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, "shutting down");
      void Promise.all([server.stop(), redirect?.stop()]).then(() => resolveStop());
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
  });
  return 0;
}

async function loadApp(log: BaseLogger, file: string): Promise<{ handler: AppHandler; version?: string } | undefined> {
  if (!existsSync(file)) {
    log.warn({ expected: file }, "the web app is not built (npm run build); serving the API only");
    return undefined;
  }
  const mod = (await import(pathToFileURL(file).href)) as { handler: AppHandler };
  return { handler: mod.handler, version: appVersionOf(dirname(file)) };
}

/** The build's version (SvelteKit writes client/_app/version.json), which GET /api/version reports. */
function appVersionOf(buildDir: string): string | undefined {
  try {
    const v = (JSON.parse(readFileSync(join(buildDir, "client/_app/version.json"), "utf8")) as { version?: unknown }).version;
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined; // an older build without it: the app is served, only no version is announced
  }
}
