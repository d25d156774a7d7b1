// PostgreSQL and Redis for tests, started from the installed server binaries in a temp dir on a free
// loopback port, and removed again by stop(). COUNTERSIGN_TEST_PG_URL / COUNTERSIGN_TEST_REDIS_URL
// point the tests at servers you run yourself instead (the PostgreSQL user must be allowed to
// CREATE DATABASE: each test file makes its own databases there and drops them afterwards).
//
// Missing binaries are a failure with the package to install, never a skip: a suite that quietly
// skips its database tests passes on a machine that cannot run them. On Debian: postgresql,
// redis-server.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { accessSync, chownSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export interface Service {
  url: string;
  stop(): Promise<void>;
}

export const PG_URL_ENV = "COUNTERSIGN_TEST_PG_URL";
export const REDIS_URL_ENV = "COUNTERSIGN_TEST_REDIS_URL";

/**
 * Cleanups still owed, run synchronously if the test process ends without calling stop(): at exit,
 * and on SIGTERM/SIGINT (vitest ends its worker processes with SIGTERM, and 'exit' never fires for a
 * signal), after which the signal is raised again so the process still ends as it would have.
 */
const owed = new Set<() => void>();
const payOwed = (): void => {
  // Newest first: a later service may depend on an earlier one.
  for (const f of [...owed].reverse()) f();
  owed.clear();
};
process.once("exit", payOwed);
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.once(sig, () => {
    payOwed();
    process.kill(process.pid, sig);
  });
}

/** SIGKILLs the child if the test process ends (even by a signal) while the child still runs. */
export function killOnExit(child: ChildProcess): void {
  const f = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  owed.add(f);
  child.once("exit", () => owed.delete(f));
}

/** A port nobody listens on now (the OS picks it; the short race until the server binds is accepted). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", resolve);
  });
  const addr = srv.address();
  await new Promise((r) => srv.close(r));
  if (addr === null || typeof addr === "string") throw new Error("No free port could be found.");
  return addr.port;
}

// ---- PostgreSQL --------------------------------------------------------------------------------------

function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const bin = join(root, v, "bin");
    if (["initdb", "pg_ctl", "postgres"].every((b) => executable(join(bin, b)))) return bin;
  }
  throw new Error(
    `PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found under ${root}/*/bin. ` +
      `Install the Debian package "postgresql", or set ${PG_URL_ENV} to a server the tests may create databases on.`,
  );
}

const executable = (f: string): boolean => {
  try {
    accessSync(f, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The first executable `name` on PATH or in the usual system directories. */
function which(name: string): string | undefined {
  const dirs = (process.env.PATH ?? "").split(":").concat(["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"]);
  return dirs.filter(Boolean).map((d) => join(d, name)).find(executable);
}

/** PostgreSQL refuses to run as root: then its commands run as the "postgres" user. */
function asPostgres(cmd: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [cmd, args];
  if (spawnSync("id", ["-u", "postgres"]).status !== 0) {
    throw new Error('Running as root, PostgreSQL needs a "postgres" user to run as (the Debian package "postgresql" creates it).');
  }
  const runuser = which("runuser");
  if (!runuser) throw new Error("Running as root, PostgreSQL must run as the postgres user, and runuser (util-linux) was not found.");
  return [runuser, ["-u", "postgres", "--", cmd, ...args]];
}

function run(cmd: string, args: string[], what: string): void {
  const [c, a] = asPostgres(cmd, args);
  const r = spawnSync(c, a, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${what} failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr || r.stdout}`);
}

/**
 * A throw-away PostgreSQL cluster: initdb with trust auth in a temp dir, the server on a free
 * loopback port with its unix socket in that dir, and a database "countersign_test"; the URL names
 * that database as the superuser "postgres".
 */
export async function startPostgres(): Promise<Service> {
  const given = process.env[PG_URL_ENV];
  if (given) return { url: given, stop: async () => undefined };

  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), "countersign-pg-"));
  const data = join(dir, "data");
  const log = join(dir, "server.log");
  if (process.getuid?.() === 0) {
    const uid = Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout);
    const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout);
    if (Number.isInteger(uid) && Number.isInteger(gid)) chownSync(dir, uid, gid);
  }
  // Synchronous and quick, because it may run in a signal handler with little time left (vitest
  // SIGKILLs a worker soon after its SIGTERM): SIGQUIT is PostgreSQL's "immediate shutdown" (the
  // cluster is thrown away, so no checkpoint is worth waiting for), and the files can go at once.
  const postmaster = (): number => Number(readTail(join(data, "postmaster.pid")).split("\n")[0]);
  const cleanup = (): void => {
    const pid = postmaster();
    if (Number.isInteger(pid) && pid > 0) {
      try {
        process.kill(pid, "SIGQUIT");
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  owed.add(cleanup);
  try {
    // --no-sync and fsync=off: nothing here must survive a power cut, only a killed process. Commits
    // stay synchronous (synchronous_commit is on): the WAL is written to the kernel before COMMIT
    // returns, so a SIGKILLed server or client loses nothing it acknowledged — the durability the
    // tests check. Only the flush to disk is skipped, which a test cannot observe short of a power
    // cut, and which made every CREATE DATABASE and commit wait on the disk (postgres.test: 139 s,
    // 106 s without, at load 18).
    run(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"], "initdb");
    const port = await freePort();
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off`;
    run(join(bin, "pg_ctl"), ["start", "-D", data, "-l", log, "-w", "-t", "60", "-o", opts], "starting PostgreSQL");
    const url = `postgres://postgres@127.0.0.1:${port}/countersign_test`;
    await createDatabase(`postgres://postgres@127.0.0.1:${port}/postgres`, "countersign_test");
    return {
      url,
      stop: async () => {
        owed.delete(cleanup);
        const pid = postmaster();
        cleanup();
        // Not in a hurry here: wait, so the port and the processes are free when stop() resolves.
        if (Number.isInteger(pid) && pid > 0) await waitGone(pid, 10_000);
      },
    };
  } catch (e) {
    owed.delete(cleanup);
    const tail = readTail(log);
    cleanup();
    throw new Error(`${(e as Error).message}${tail ? `\nserver log:\n${tail}` : ""}`, { cause: e });
  }
}

/** Resolves once the process is gone, or after `ms`. */
async function waitGone(pid: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (Date.now() > end) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

function readTail(file: string): string {
  try {
    return readFileSync(file, "utf8").slice(-2000);
  } catch {
    return "";
  }
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const ident = (name: string): string => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Unsafe database name ${name}.`);
  return name;
};

async function createDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${ident(name)}`));
}

let databases = 0;

/**
 * A new empty database on the server `url` points at, and a function that drops it. One per test
 * keeps the tests from seeing each other's rows without a server per test.
 */
export async function freshDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cs_${process.pid}_${++databases}_${Date.now().toString(36)}`;
  await createDatabase(url, name);
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    // FORCE: a store a failing test left open must not keep the database (and the server) busy.
    drop: () => withClient(url, (c) => c.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`)).then(() => undefined),
  };
}

// ---- Redis -------------------------------------------------------------------------------------------

function redisBin(): string {
  const bin = which("redis-server");
  if (!bin) throw new Error(`redis-server was not found. Install the Debian package "redis-server", or set ${REDIS_URL_ENV}.`);
  return bin;
}

/** Resolves once the server answers PING with PONG, or rejects after `ms`. */
async function waitForPong(port: number, ms: number, exited: () => string | undefined): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const why = exited();
    if (why !== undefined) throw new Error(why);
    const pong = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1");
      s.setTimeout(500, () => s.destroy());
      s.once("connect", () => s.write("PING\r\n"));
      s.once("data", (d) => {
        resolve(d.toString().startsWith("+PONG"));
        s.destroy();
      });
      s.once("error", () => resolve(false));
      s.once("close", () => resolve(false));
    });
    if (pong) return;
    if (Date.now() > end) throw new Error(`redis-server did not answer on port ${port} within ${ms} ms.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A throw-away Redis: no persistence, loopback only, on a free port. */
export async function startRedis(): Promise<Service> {
  const given = process.env[REDIS_URL_ENV];
  if (given) return { url: given, stop: async () => undefined };

  const bin = redisBin();
  const dir = mkdtempSync(join(tmpdir(), "countersign-redis-"));
  const port = await freePort();
  const child: ChildProcess = spawn(bin, ["--port", String(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1", "--dir", dir], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-2000)));
  child.stderr?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-2000)));
  let exit: string | undefined;
  child.once("exit", (code, signal) => (exit = `redis-server exited (${signal ?? `code ${code}`}): ${output}`));
  child.once("error", (e) => (exit = `redis-server could not start: ${e.message}`));
  const cleanup = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  owed.add(cleanup);
  try {
    await waitForPong(port, 15_000, () => exit);
  } catch (e) {
    owed.delete(cleanup);
    cleanup();
    throw e;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      owed.delete(cleanup);
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      }
      cleanup();
    },
  };
}

/**
 * A new database made as a copy of one that `prepare` has set up once per server and process (for
 * the store tests: a database the store has migrated and closed), so each test starts from the same
 * state without running the migrations again. PostgreSQL copies a template in one statement; the
 * template is never opened again after `prepare`, as CREATE DATABASE … TEMPLATE requires.
 */
export async function copiedDatabase(url: string, key: string, prepare: (url: string) => Promise<void>): Promise<{ url: string; drop(): Promise<void> }> {
  let template = templates.get(`${url} ${key}`);
  if (!template) {
    template = freshDatabase(url).then(async (db) => {
      await prepare(db.url);
      return new URL(db.url).pathname.slice(1);
    });
    templates.set(`${url} ${key}`, template);
  }
  const from = await template;
  const name = `cs_${process.pid}_${++databases}_${Date.now().toString(36)}`;
  await withClient(url, (c) => c.query(`CREATE DATABASE ${ident(name)} TEMPLATE ${ident(from)}`));
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: () => withClient(url, (c) => c.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`)).then(() => undefined),
  };
}

/** Template databases by server and purpose, made once per test process (they go with the cluster). */
const templates = new Map<string, Promise<string>>();
