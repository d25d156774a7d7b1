// The demo agency scaled out, for the chaos test: its units, people, delegation table and 36 documents
// in PostgreSQL (`countersign init --store`, then the demo's directory and documents written through
// the server's own functions, since `countersign demo` writes SQLite only), served with the built app
// by two `countersign serve --store … --fanout redis://…` processes that share rooms through Redis.
// A process can be SIGKILLed and started again on its port, so the browsers' origins stay the same.
// The data directory holds the passphrase and demo-codes.txt (the home page's demo people, read by
// serve through --data), nothing else: the agency lives in PostgreSQL.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, freshDatabase, killOnExit, startPostgres, startRedis, type Service } from "../support/services.ts";
import { openPostgresStore, type Store, loadAgency, createDemoDocuments, DEMO_AGENCY, DEMO_PEOPLE, addDemoDirectory } from "@countersign/sync-server";
import { runInit } from "../../sync-server/src/cli/init.ts";

const PASSPHRASE = "chaos-test-passphrase-0123456789";
/** The demo agency of `countersign demo`, with the same directory (sync-server/src/cli/demo-directory.ts). */
export const AGENCY = DEMO_AGENCY;

export interface ServeProcess {
  readonly port: number;
  readonly base: string;
  readonly child: ChildProcess;
  /** The last few kilobytes it wrote (stdout and stderr), for failure messages. */
  output(): string;
}

export interface ScaledOutDemo {
  /** The test's own connection to the agency's PostgreSQL store (read what the servers committed). */
  readonly store: Store;
  readonly servers: ServeProcess[];
  /** SIGKILLs server `i` and resolves once it is gone. */
  kill(i: number): Promise<void>;
  /** Starts server `i` again on its port; resolves once /healthz answers. */
  restart(i: number): Promise<ServeProcess>;
  stop(): Promise<void>;
}

function must<T>(r: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

/** PostgreSQL and Redis started, the demo agency written, two serve processes up (seconds on a quiet machine, 40 s on a busy one). */
export async function startScaledOutDemo(onPhase: (what: string, ms: number) => void = () => {}): Promise<ScaledOutDemo> {
  let t = Date.now();
  const phase = (what: string) => {
    onPhase(what, Date.now() - t);
    t = Date.now();
  };
  const started: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const f of started.reverse()) await f().catch(() => undefined);
    started.length = 0;
  };
  try {
    const [pgSettled, redisSettled] = await Promise.allSettled([startPostgres(), startRedis()]);
    for (const s of [pgSettled, redisSettled]) if (s.status === "fulfilled") started.push(() => (s.value as Service).stop());
    if (pgSettled.status === "rejected") throw pgSettled.reason;
    if (redisSettled.status === "rejected") throw redisSettled.reason;
    const db = await freshDatabase(pgSettled.value.url);
    started.push(() => db.drop());
    phase("PostgreSQL and Redis");
    const redisUrl = redisSettled.value.url;
    const dir = mkdtempSync(join(tmpdir(), "countersign-chaos-"));
    started.push(async () => rmSync(dir, { recursive: true, force: true }));
    const pass = join(dir, "pass");
    writeFileSync(pass, PASSPHRASE + "\n", { mode: 0o600 });

    // The command line's own init, in this process (a tsx process start costs seconds on a busy machine).
    let said = "";
    const io = { out: (l: string) => void (said += l + "\n"), err: (l: string) => void (said += l + "\n") };
    const init = await runInit(["--store", db.url, "--data", dir, "--agency-code", AGENCY.code, "--agency-name", AGENCY.name, "--passphrase-file", pass], io);
    if (init !== 0) throw new Error(`countersign init --store failed: ${said}`);
    phase("countersign init --store");
    const store = await openPostgresStore(db.url);
    started.push(() => store.close());
    const codes: string[] = [`# ${AGENCY.name} (${AGENCY.code}) on PostgreSQL — demo enrollment codes, one use each`];
    codes.push(...must(await addDemoDirectory(store, AGENCY.code)));
    writeFileSync(join(dir, "demo-codes.txt"), codes.join("\n") + "\n", { mode: 0o600 });
    phase("the demo agency's directory");

    // Every child ever started, so stop() ends the ones a failed start left running too.
    const children: ChildProcess[] = [];
    const gone = async (child: ChildProcess, signal: NodeJS.Signals) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill(signal);
      await exited;
    };
    started.push(async () => {
      for (const c of children) await gone(c, "SIGTERM");
    });
    const serve = async (port: number): Promise<ServeProcess> => {
      const child = spawn(
        process.execPath,
        ["bin/countersign.js", "serve", "--store", db.url, "--fanout", redisUrl, "--data", dir, "--passphrase-file", pass, "--port", String(port), "--host", "127.0.0.1"],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      killOnExit(child);
      children.push(child);
      let output = "";
      const keep = (d: Buffer) => (output = (output + d.toString()).slice(-6000));
      child.stdout!.on("data", keep);
      child.stderr!.on("data", keep);
      const base = `http://localhost:${port}`;
      // A process start takes 2 s on a quiet machine and over 20 s on a busy one.
      const until = Date.now() + 60_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`serve on ${port} exited: ${output}`);
        const r = await fetch(`${base}/healthz`).catch(() => undefined);
        if (r?.ok && ((await r.json()) as { store?: string }).store === "postgres") break;
        if (Date.now() > until) throw new Error(`serve on ${port} did not answer /healthz within 60 s: ${output}`);
        await new Promise((res) => setTimeout(res, 100));
      }
      return { port, base, child, output: () => output };
    };
    // The documents are written while the processes start: they read the demo codes when they start
    // and documents only when asked, so nothing is served before it is complete — the browsers come later.
    const agency = must(await loadAgency(store, PASSPHRASE));
    const [servers] = await Promise.all([
      Promise.all([freePort().then(serve), freePort().then(serve)]),
      createDemoDocuments(store, agency, DEMO_PEOPLE),
    ]);
    phase("36 demo documents and two serve processes");
    return {
      store,
      servers,
      kill: (i) => gone(servers[i]!.child, "SIGKILL"),
      restart: async (i) => (servers[i] = await serve(servers[i]!.port)),
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
