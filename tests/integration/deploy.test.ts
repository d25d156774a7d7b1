// Issue 16: the reverse-proxy configurations of docs/deploy.md, as shipped in deploy/, really run in
// front of a real `countersign serve`: Debian's nginx and Caddy, unprivileged, on ephemeral ports,
// with a throw-away certificate for "localhost". Through each: /healthz and /, plain HTTP redirected,
// HSTS, a WebSocket reaching the relay (authenticated: it syncs; without a ticket: the relay's own
// 4401), and every body class at the server's limit passing while one byte more is refused with the
// server's refusal shape. The files are used as they are, with only their documented placeholders
// (name, ports, certificate paths, upstream) replaced; a placeholder that is gone fails the test.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync, execFileSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { DEFAULT_LIMITS } from "@countersign/sync-server";
import { ROUTES, type BodyLimit } from "@countersign/contract";
import { loginOverHttp, until } from "./support/agency-server.ts";
import { freePort, preparedDataDir } from "./support/serve-process.ts";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const NGINX_CONF = join(ROOT, "deploy/nginx/countersign.conf");
const CADDYFILE = join(ROOT, "deploy/caddy/Caddyfile");
const UNIT = join(ROOT, "deploy/systemd/countersign.service");
const LOGROTATE = join(ROOT, "deploy/logrotate/countersign");

/** A binary on PATH or at Debian's place for it; undefined when not installed. */
function binary(name: string, debianPath: string): string | undefined {
  if (existsSync(debianPath)) return debianPath;
  try {
    return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}
const NGINX = binary("nginx", "/usr/sbin/nginx");
const CADDY = binary("caddy", "/usr/bin/caddy");
const SYSTEMD_ANALYZE = binary("systemd-analyze", "/usr/bin/systemd-analyze");
const LOGROTATE_BIN = binary("logrotate", "/usr/sbin/logrotate");
for (const [name, bin, pkg] of [
  ["nginx", NGINX, "nginx"],
  ["caddy", CADDY, "caddy"],
  ["systemd-analyze", SYSTEMD_ANALYZE, "systemd"],
  ["logrotate", LOGROTATE_BIN, "logrotate"],
] as const)
  if (!bin) console.warn(`deploy.test: ${name} is not installed here, so what it checks is not tested (apt-get install ${pkg}; .ci/run installs it).`);

/**
 * The server's body limit of each class (sync-server/src/http/server.ts) and a route of that class
 * (packages/contract/src/routes.ts). 128 MiB is the server's default `delivery.envelopeBytes`.
 */
const ENVELOPE_BYTES = 128 * 1024 * 1024;
const LIMIT_OF: Record<BodyLimit, number> = { json: DEFAULT_LIMITS.json, batch: DEFAULT_LIMITS.batch, blob: DEFAULT_LIMITS.blob, envelope: ENVELOPE_BYTES };
/**
 * Sent through each proxy: one byte over the limit for every class (refused), and exactly at it for
 * the JSON class and an attachment (taken; the attachment really stored). At-limit bodies of the
 * 64 and 128 MiB classes would cost seconds each through a buffering proxy; the static test below
 * checks their proxy limits equal the server's exactly.
 */
const CLASSES = [
  { name: "json", atLimit: true, method: "POST", path: () => "/api/login", type: "application/json" },
  { name: "batch", atLimit: false, method: "POST", path: () => "/api/sync", type: "application/json" },
  { name: "blob", atLimit: true, method: "PUT", path: (body: Buffer) => `/api/blobs/${createHash("sha256").update(body).digest("hex")}`, type: "application/octet-stream" },
  { name: "envelope", atLimit: false, method: "POST", path: () => "/api/exchange/envelopes", type: "application/vnd.countersign.envelope+zip" },
] as const;

// Running as root (this sandbox, CI containers), the proxies still run as an ordinary user.
const AS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

let ca: Buffer;

/**
 * One request, with the test certificate trusted for https. A body is written in 1 MiB chunks.
 * `declaredFirst` sends "Expect: 100-continue" and the body only once the proxy asks for it, as curl
 * and servers uploading large files do: a proxy refusing a body by its declared length answers 413
 * at once and never asks. (A browser sends the body regardless; nginx reads and drops what it refused
 * and answers, while Caddy — Go's server — may reset such a connection: docs/deploy.md.)
 * `chunked` sends no Content-Length at all, so the length shows only as the body arrives.
 */
function send(url: string, o: { method?: string; headers?: Record<string, string>; body?: Buffer; declaredFirst?: boolean; chunked?: boolean } = {}): Promise<Answer> {
  const u = new URL(url);
  const body = o.body;
  const headers: Record<string, string> = { ...o.headers };
  if (body && !o.chunked) headers["content-length"] = String(body.length);
  if (body && o.declaredFirst) headers.expect = "100-continue";
  const options = { method: o.method ?? "GET", headers, agent: false as const };
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = (u.protocol === "https:" ? httpsRequest(u, { ...options, ca }) : httpRequest(u, options)).on("response", (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") });
        req.destroy();
      });
      res.on("error", reject);
    });
    req.on("error", (e) => answered || reject(e));
    if (!body) return void req.end();
    const write = async () => {
      const CHUNK = 1 << 20;
      for (let at = 0; at < body.length; at += CHUNK) {
        if (answered || req.destroyed) return;
        if (!req.write(body.subarray(at, at + CHUNK))) await new Promise((r) => req.once("drain", r).once("close", r));
      }
      req.end();
    };
    if (o.declaredFirst) req.once("continue", () => void write());
    else void write();
  });
}

const json = (a: Answer): { ok?: boolean; code?: string; reason?: string } => {
  try {
    return JSON.parse(a.body) as { ok?: boolean; code?: string; reason?: string };
  } catch {
    return {};
  }
};

/** A WebSocket through the proxy: what it got before closing, or its first frame. */
function openSocket(url: string): Promise<{ opened: boolean; firstFrame?: Uint8Array; close?: { code: number; reason: string } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ca });
    let opened = false;
    ws.on("open", () => (opened = true));
    ws.on("message", (data) => {
      resolve({ opened, firstFrame: new Uint8Array(data as Buffer) });
      ws.close();
    });
    ws.on("close", (code, reason) => resolve({ opened, close: { code, reason: reason.toString() } }));
    ws.on("unexpected-response", (_req, res) => reject(new Error(`the upgrade was answered with HTTP ${res.statusCode}`)));
    ws.on("error", reject);
  });
}

/** Replaces each placeholder of a shipped file, failing if one is no longer in it. */
function fill(file: string, text: string, subs: [string, string][]): string {
  for (const [from, to] of subs) {
    if (!text.includes(from)) throw new Error(`${file} no longer contains ${JSON.stringify(from)}, which the deploy test replaces`);
    text = text.split(from).join(to);
  }
  return text;
}

/** Makes a throw-away prefix usable by the unprivileged proxy process. */
function handOver(dir: string): void {
  if (!AS_ROOT) return;
  chownSync(dir, NOBODY, NOBODY);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) handOver(join(dir, e.name));
    else chownSync(join(dir, e.name), NOBODY, NOBODY);
  }
}

function startProxy(bin: string, args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; log: () => string } {
  let log = "";
  const child = spawn(bin, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH, ...env },
    ...(AS_ROOT ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  child.stdout!.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  return { child, log: () => log };
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

const dirs: string[] = [];
let server: ChildProcess | undefined;
let upstream = 0;
let token = "";
let direct: Answer;
let tlsDir = "";
const bodies = new Map<string, Buffer>();

/** deploy/systemd/countersign.service's ExecStart, as argv, with its paths and port made the test's. */
function execStart(o: { dir: string; passphraseFile: string; port: number }): string[] {
  const line = /^ExecStart=(.*)$/m.exec(readFileSync(UNIT, "utf8"))?.[1];
  if (!line) throw new Error(`${UNIT} has no ExecStart=`);
  const filled = fill(UNIT, line, [
    ["/usr/bin/node ", `${process.execPath} `],
    ["/opt/countersign/", `${ROOT}/`],
    ["--data /var/lib/countersign ", `--data ${o.dir} `],
    ["${CREDENTIALS_DIRECTORY}/passphrase", o.passphraseFile],
    ["--port 8080 ", `--port ${o.port} `],
  ]);
  return filled.split(/\s+/);
}

/**
 * Where the web app is not built (npm test runs this before npm run build), a stand-in for its
 * handler serves `/` with a page's worth of headers: SvelteKit's pages carry over 4 KiB of them
 * (Link preloads, the CSP with its hashes), which nginx's default header buffer does not hold (502).
 * With the build present the real app is served instead.
 */
function standInApp(): string {
  const dir = mkdtempSync(join(tmpdir(), "countersign-deploy-app-"));
  dirs.push(dir);
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  const preloads = Array.from({ length: 100 }, (_, i) => `</_app/immutable/chunks/chunk-${String(i).padStart(4, "0")}.js>; rel="modulepreload"`).join(", ");
  writeFileSync(
    join(dir, "handler.js"),
    `export function handler(req, res, next) {
  if (req.url !== "/") return next();
  res.setHeader("content-type", "text/html");
  res.setHeader("link", ${JSON.stringify(preloads)});
  res.end("<!doctype html><html lang=\\"zh-Hant-TW\\"><body>stand-in</body></html>");
}
`,
  );
  return dir;
}

async function startServer(): Promise<void> {
  const { dir, people } = await preparedDataDir();
  dirs.push(dir);
  upstream = await freePort();
  // Exactly the systemd unit's command line, with its paths and port replaced by the test's.
  const [bin, ...args] = execStart({ dir, passphraseFile: join(dir, "pass"), port: upstream });
  if (!existsSync(join(ROOT, "build/handler.js"))) args.push("--app", standInApp());
  server = spawn(bin!, args, { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, NODE_ENV: "production" } });
  const started = server;
  await until(
    async () => {
      if (started.exitCode !== null) throw new Error(`countersign serve exited with ${started.exitCode} (its stderr is above)`);
      return (await fetch(`http://127.0.0.1:${upstream}/healthz`).catch(() => undefined))?.ok === true;
    },
    60_000,
    "countersign serve up",
  );
  token = await loginOverHttp(`http://127.0.0.1:${upstream}`, people.officer);
  direct = await send(`http://127.0.0.1:${upstream}/`);

  // A certificate for "localhost", as `countersign tls issue` or the agency's provider would give.
  tlsDir = mkdtempSync(join(tmpdir(), "countersign-deploy-tls-"));
  dirs.push(tlsDir);
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", join(tlsDir, "server.key"), "-out", join(tlsDir, "server.crt"),
  ], { stdio: "ignore" });
  ca = readFileSync(join(tlsDir, "server.crt"));

  // Each class's body at the limit; one byte more is the same bytes plus one.
  for (const c of CLASSES) {
    const size = LIMIT_OF[c.name] + 1;
    // JSON classes: a JSON object padded with spaces (valid JSON at any length); others: random bytes.
    const body = c.type === "application/json" ? Buffer.alloc(size, 0x20) : randomBytes(size);
    if (c.type === "application/json") body.write("{}", 0);
    bodies.set(c.name, body);
  }
}

afterAll(async () => {
  await stopChild(server);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Every API route of the contract that takes a body, with the server's limit for it (its class). */
const API_ROUTES = Object.values(ROUTES).flatMap((r) => {
  const body = (r as { body?: { limit: BodyLimit } }).body;
  return body ? [{ name: `${r.method} ${r.path}`, path: r.path.replace(/:[A-Za-z0-9_]+/g, "x"), limit: LIMIT_OF[body.limit] }] : [];
});

/** nginx's size syntax: 1m is 1 MiB. */
function nginxSize(text: string): number | undefined {
  const m = /client_max_body_size\s+(\d+)([kKmMgG]?);/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * ({ "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as Record<string, number>)[m[2]!.toLowerCase()]!;
}

describe("the body limits in deploy/ equal the server's, route by route", () => {
  it("nginx: the location nginx picks for each API route has the server's limit for it", () => {
    const conf = readFileSync(NGINX_CONF, "utf8");
    const tls = conf.slice(conf.indexOf("listen 443 ssl;"));
    const locations = [...tls.matchAll(/location\s+(=\s+)?(\/\S*)\s*\{([^}]*)\}/g)].map((m) => ({ exact: Boolean(m[1]), path: m[2]!, size: nginxSize(m[3]!) }));
    const serverWide = nginxSize(tls.replace(/location[^{]*\{[^}]*\}/g, ""));
    expect(serverWide).toBe(LIMIT_OF.json);
    for (const r of API_ROUTES) {
      // nginx: an exact location first, else the longest prefix location.
      const exact = locations.find((l) => l.exact && l.path === r.path);
      const prefix = locations.filter((l) => !l.exact && r.path.startsWith(l.path)).sort((a, b) => b.path.length - a.path.length)[0];
      expect((exact ?? prefix)?.size ?? serverWide, r.name).toBe(r.limit);
    }
  });

  it.skipIf(!CADDY)("Caddy: the request_body limits and the Content-Length check that apply to each API route come to the server's limit for it", () => {
    const adapted = JSON.parse(execFileSync(CADDY!, ["adapt", "--config", CADDYFILE, "--adapter", "caddyfile"], { encoding: "utf8", env: { PATH: process.env.PATH, HOME: tmpdir() } })) as unknown;
    type PathMatch = { path?: string[]; not?: { path?: string[] }[]; expression?: string };
    const limits: { match: PathMatch[]; size: number }[] = [];
    const declared: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!node || typeof node !== "object") return;
      const o = node as { handle?: { handler?: string; max_size?: number; status_code?: number }[]; match?: PathMatch[] };
      for (const h of o.handle ?? []) {
        if (h.handler === "request_body" && h.max_size) limits.push({ match: o.match ?? [], size: h.max_size });
        // The Content-Length check: error 413 when the declared length is over the route's table entry.
        if (h.handler === "error" && h.status_code === 413) declared.push(...(o.match ?? []).flatMap((m) => (m.expression ? [m.expression] : [])));
      }
      Object.values(o).forEach(walk);
    };
    walk(adapted);
    const glob = (pattern: string, path: string) => (pattern.endsWith("*") ? path.startsWith(pattern.slice(0, -1)) : path === pattern);
    const matches = (m: PathMatch, path: string): boolean =>
      (m.path === undefined || m.path.some((p) => glob(p, path))) && (m.not ?? []).every((n) => !(n.path ?? []).some((p) => glob(p, path)));
    // The expression's table: path("a", "b") ? N : … : DEFAULT)
    expect(declared).toHaveLength(1);
    const table = [...declared[0]!.matchAll(/path\(([^)]*)\)\s*\?\s*(\d+)/g)].map((m) => ({ patterns: [...m[1]!.matchAll(/"([^"]+)"/g)].map((q) => q[1]!), size: Number(m[2]) }));
    const fallback = Number(/:\s*(\d+)\s*\)\s*$/.exec(declared[0]!)?.[1]);
    for (const r of API_ROUTES) {
      const applying = limits.filter((l) => l.match.length === 0 || l.match.some((m) => matches(m, r.path))).map((l) => l.size);
      expect(applying.length, `${r.name} has a body limit`).toBeGreaterThan(0);
      expect(Math.min(...applying), r.name).toBe(r.limit);
      const byLength = table.find((t) => t.patterns.some((p) => glob(p, r.path)))?.size ?? fallback;
      expect(byLength, `${r.name}: the Content-Length check`).toBe(r.limit);
    }
  });
});

interface Proxy {
  https: string;
  http: string;
  stop: () => Promise<void>;
}

/** What both proxies must do in front of the server. */
function behaves(name: string, bin: string | undefined, drains: boolean, start: () => Promise<Proxy>): void {
  describe.skipIf(!bin)(`${name} in front of countersign serve`, () => {
    let proxy: Proxy;
    beforeAll(async () => {
      if (!server) await startServer(); // one server for both proxies
      proxy = await start();
    }, 120_000);
    afterAll(async () => proxy?.stop());

    it("serves /healthz and / over HTTPS with HSTS, and redirects plain HTTP there", async () => {
      const health = await send(`${proxy.https}/healthz`);
      expect(health.status).toBe(200);
      expect(health.headers["strict-transport-security"]).toBe("max-age=31536000");
      // The server's own security headers pass through.
      expect(health.headers["x-content-type-options"]).toBe("nosniff");

      const page = await send(`${proxy.https}/`);
      expect(page.status).toBe(direct.status);
      expect(page.headers["content-type"]).toBe(direct.headers["content-type"]);
      // The app's page when it is built (npm run build), else the server's own 404: as the server answers.
      if (String(direct.headers["content-type"]).startsWith("text/html")) expect(page.body).toContain("<html");
      else expect(page.body).toBe(direct.body);

      const plain = await send(`${proxy.http}/docs/demo-001?x=1`);
      expect([301, 308]).toContain(plain.status);
      // nginx names the port it was given; Caddy names none (in production both are 443).
      const to = new URL(plain.headers.location ?? "");
      expect([to.protocol, to.hostname, to.pathname + to.search]).toEqual(["https:", "localhost", "/docs/demo-001?x=1"]);
      expect(["", new URL(proxy.https).port]).toContain(to.port);

      // /metrics is for the machine itself, not through the proxy.
      const metrics = await send(`${proxy.https}/metrics`);
      expect(metrics.status).toBe(404);
      expect(json(metrics).code).toBe("http.not-found");
    });

    it("passes the WebSocket upgrade to the relay: refused there without a ticket (4401), synced with one", async () => {
      const wss = proxy.https.replace(/^https/, "wss");
      const refused = await openSocket(`${wss}/sync/deploy-doc-1`);
      expect(refused.opened).toBe(true); // the upgrade went through the proxy: the relay itself closes it
      expect(refused.close?.code).toBe(4401);

      const ticket = await send(`${proxy.https}/api/sync/ticket`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
      expect(ticket.status).toBe(200);
      const t = (JSON.parse(ticket.body) as { ticket: string }).ticket;
      const synced = await openSocket(`${wss}/sync/deploy-doc-1?ticket=${encodeURIComponent(t)}`);
      expect(synced.opened).toBe(true);
      // y-websocket: the relay's first frame is its sync step 1 (message type 0, sub-type 0).
      expect([...synced.firstFrame!.subarray(0, 2)]).toEqual([0, 0]);
    });

    it("takes each body class at the server's limit and refuses one byte more as the server does (413, http.body-too-large)", async () => {
      for (const c of CLASSES) {
        const limit = LIMIT_OF[c.name];
        const over = bodies.get(c.name)!;
        const headers = { "content-type": c.type, authorization: `Bearer ${token}` };
        if (c.atLimit) {
          const at = over.subarray(0, limit);
          const taken = await send(`${proxy.https}${c.path(at)}`, { method: c.method, headers, body: at });
          expect(taken.status, `${c.name} at ${limit} bytes: ${taken.body.slice(0, 200)}`).not.toBe(413);
          expect(json(taken).code, c.name).not.toBe("http.body-too-large");
          if (c.name === "blob") expect([200, 201]).toContain(taken.status); // really stored
        }
        const refused = await send(`${proxy.https}${c.path(over)}`, { method: c.method, headers, body: over, declaredFirst: true });
        expect(refused.status, `${c.name} at ${limit + 1} bytes`).toBe(413);
        expect(json(refused), c.name).toMatchObject({ ok: false, code: "http.body-too-large" });
        expect(refused.headers["content-type"], c.name).toMatch(/^application\/json/);
      }
      // A JSON body one byte over sent chunked (its length known only as it arrives), and — through
      // nginx, which reads and drops a refused body — as a browser sends it (the body regardless):
      // refused the same way. Caddy (Go) may reset a connection whose refused body keeps coming
      // (docs/deploy.md), so that case is nginx's only.
      for (const how of drains ? [{}, { chunked: true }] : [{ chunked: true }]) {
        const r = await send(`${proxy.https}/api/login`, { method: "POST", headers: { "content-type": "application/json" }, body: bodies.get("json")!, ...how });
        expect(r.status, JSON.stringify(how)).toBe(413);
        expect(json(r), JSON.stringify(how)).toMatchObject({ ok: false, code: "http.body-too-large" });
      }
    });
  });
}

behaves("nginx", NGINX, true, async () => {
  const prefix = mkdtempSync(join(tmpdir(), "countersign-deploy-nginx-"));
  dirs.push(prefix);
  const [https, http] = [await freePort(), await freePort()];
  for (const f of ["server.crt", "server.key"]) writeFileSync(join(prefix, f), readFileSync(join(tlsDir, f)));
  const site = fill(NGINX_CONF, readFileSync(NGINX_CONF, "utf8"), [
    ["server 127.0.0.1:8080;", `server 127.0.0.1:${upstream};`],
    ["listen 80;", `listen 127.0.0.1:${http};`],
    ["listen [::]:80;", `listen [::1]:${http};`],
    ["listen 443 ssl;", `listen 127.0.0.1:${https} ssl;`],
    ["listen [::]:443 ssl;", `listen [::1]:${https} ssl;`],
    ["server_name countersign.example.edu.tw;", "server_name localhost;"],
    ["/etc/countersign/tls/server.crt", join(prefix, "server.crt")],
    ["/etc/countersign/tls/server.key", join(prefix, "server.key")],
  ]);
  // The redirect names the HTTPS port: in production it is 443 and $host carries no port.
  writeFileSync(join(prefix, "countersign.conf"), site.replace("return 301 https://$host$request_uri;", `return 301 https://$host:${https}$request_uri;`));
  for (const d of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(prefix, d));
  // What Debian's /etc/nginx/nginx.conf puts around conf.d/*.conf, reduced to what a test needs.
  writeFileSync(
    join(prefix, "nginx.conf"),
    [
      "worker_processes 1;",
      `pid ${join(prefix, "nginx.pid")};`,
      `error_log ${join(prefix, "error.log")} warn;`,
      "events { worker_connections 256; }",
      "http {",
      "  default_type application/octet-stream;",
      `  access_log ${join(prefix, "access.log")};`,
      ...["body", "proxy", "fastcgi", "uwsgi", "scgi"].map((d) => `  ${d === "body" ? "client_body" : d}_temp_path ${join(prefix, d)};`),
      `  include ${join(prefix, "countersign.conf")};`,
      "}",
    ].join("\n"),
  );
  handOver(prefix);
  const args = ["-e", "stderr", "-p", prefix, "-c", join(prefix, "nginx.conf")];
  // `nginx -t` first: a configuration error is then the test's message, not a timeout.
  const check = startProxy(NGINX!, [...args, "-t"]);
  const code = await new Promise((r) => check.child.once("exit", r));
  if (code !== 0) throw new Error(`nginx -t refused deploy/nginx/countersign.conf:\n${check.log()}`);
  const p = startProxy(NGINX!, [...args, "-g", "daemon off;"]);
  await until(async () => (await send(`https://localhost:${https}/healthz`).catch(() => undefined))?.status === 200, 20_000, `nginx up (${p.log()})`);
  return { https: `https://localhost:${https}`, http: `http://localhost:${http}`, stop: () => stopChild(p.child) };
});

behaves("Caddy", CADDY, false, async () => {
  const prefix = mkdtempSync(join(tmpdir(), "countersign-deploy-caddy-"));
  dirs.push(prefix);
  const [https, http] = [await freePort(), await freePort()];
  for (const f of ["server.crt", "server.key"]) writeFileSync(join(prefix, f), readFileSync(join(tlsDir, f)));
  // Global options a test needs in front of the shipped file: no admin endpoint (several tests may
  // run Caddy at once), its ports, loopback only, nothing installed into the machine's trust store.
  const globals = `{\n\tadmin off\n\thttp_port ${http}\n\thttps_port ${https}\n\tdefault_bind 127.0.0.1\n\tskip_install_trust\n}\n`;
  writeFileSync(join(prefix, "Caddyfile"), globals + readFileSync(CADDYFILE, "utf8"));
  handOver(prefix);
  const env = {
    HOME: prefix,
    XDG_DATA_HOME: join(prefix, "data"),
    XDG_CONFIG_HOME: join(prefix, "config"),
    // The shipped file's own variables (docs/deploy.md).
    COUNTERSIGN_HOST: "localhost",
    COUNTERSIGN_TLS_CERT: join(prefix, "server.crt"),
    COUNTERSIGN_TLS_KEY: join(prefix, "server.key"),
    COUNTERSIGN_UPSTREAM: `127.0.0.1:${upstream}`,
  };
  const p = startProxy(CADDY!, ["run", "--config", join(prefix, "Caddyfile"), "--adapter", "caddyfile"], env);
  await until(
    async () => {
      if (p.child.exitCode !== null) throw new Error(`caddy exited:\n${p.log()}`);
      return (await send(`https://localhost:${https}/healthz`).catch(() => undefined))?.status === 200;
    },
    20_000,
    "caddy up",
  );
  return { https: `https://localhost:${https}`, http: `http://localhost:${http}`, stop: () => stopChild(p.child) };
});

/** Runs a command; its exit code and everything it printed. */
function run(bin: string, args: string[]): { code: number; output: string } {
  const r = spawnSync(bin, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return { code: r.status ?? 1, output: `${r.stdout}${r.stderr}` };
}

describe("running as a service", () => {
  const unit = readFileSync(UNIT, "utf8");
  const settings = new Map<string, string[]>();
  for (const m of unit.matchAll(/^([A-Za-z]+)=(.*)$/gm)) settings.set(m[1]!, [...(settings.get(m[1]!) ?? []), m[2]!]);
  const one = (key: string) => settings.get(key)?.at(-1);

  it.skipIf(!SYSTEMD_ANALYZE)("systemd-analyze verify passes the unit without a warning, and does catch a typo in it", () => {
    const dir = mkdtempSync(join(tmpdir(), "countersign-deploy-unit-"));
    dirs.push(dir);
    // The unit as shipped; only node's path is the test's when node is not at Debian's /usr/bin/node
    // (verify checks that ExecStart's program exists, not the rest of the line).
    const shipped = existsSync("/usr/bin/node") ? unit : fill(UNIT, unit, [["ExecStart=/usr/bin/node ", `ExecStart=${process.execPath} `]]);
    const file = join(dir, "countersign.service");
    writeFileSync(file, shipped);
    const verify = (f: string) => run(SYSTEMD_ANALYZE!, ["verify", "--man=no", f]);
    const clean = verify(file);
    expect(clean, clean.output).toEqual({ code: 0, output: "" });

    // The same check must notice a misspelt hardening key and a program that is not there.
    writeFileSync(file, shipped.replace("NoNewPrivileges=yes", "NoNewPrivilege=yes"));
    expect(verify(file).output).toMatch(/Unknown key 'NoNewPrivilege'/);
    writeFileSync(file, shipped.replace(/^ExecStart=\S+/m, "ExecStart=/nonexistent/node"));
    const missing = verify(file);
    expect(missing.code).not.toBe(0);
    expect(missing.output).toMatch(/\/nonexistent\/node is not executable/);
  });

  it.skipIf(!SYSTEMD_ANALYZE)("systemd-analyze security rates the unit's exposure at most 2.0 of 10 (\"OK\"; it is 1.4)", () => {
    const r = run(SYSTEMD_ANALYZE!, ["security", "--offline=true", "--threshold=20", UNIT]);
    expect(r.code, r.output.split("\n").filter((l) => l.includes("Overall")).join("")).toBe(0);
  });

  it("runs as its own user with the hardening of docs/deploy.md, writing only its data directory", () => {
    expect([one("User"), one("Group"), one("DynamicUser")]).toEqual(["countersign", "countersign", "no"]);
    for (const [key, value] of [
      ["NoNewPrivileges", "yes"],
      ["ProtectSystem", "strict"],
      ["ProtectHome", "yes"],
      ["PrivateTmp", "yes"],
      ["PrivateDevices", "yes"],
      ["CapabilityBoundingSet", ""],
      ["AmbientCapabilities", ""],
      ["RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6"],
      ["UMask", "0077"],
      ["StandardOutput", "journal"],
    ] as const)
      expect(one(key), key).toBe(value);
    expect(settings.has("MemoryDenyWriteExecute"), "V8 needs writable code memory").toBe(false);
    // The one writable path is the directory ExecStart serves.
    const data = /--data (\S+)/.exec(one("ExecStart") ?? "")?.[1];
    expect(settings.get("ReadWritePaths")).toEqual([data]);
    // Listens on loopback behind the proxy, and believes only the proxy's X-Forwarded-For.
    expect(one("ExecStart")).toMatch(/--host 127\.0\.0\.1 .*--trust-proxy 127\.0\.0\.1,::1/);
  });

  it.skipIf(!LOGROTATE_BIN)("the logrotate file (for logs written to a file instead of the journal) rotates by copying and truncating", () => {
    const dir = mkdtempSync(join(tmpdir(), "countersign-deploy-logrotate-"));
    dirs.push(dir);
    const log = join(dir, "countersign.log");
    const me = execFileSync("id", ["-un"], { encoding: "utf8" }).trim();
    const group = execFileSync("id", ["-gn"], { encoding: "utf8" }).trim();
    const conf = fill(LOGROTATE, readFileSync(LOGROTATE, "utf8"), [
      ["/var/log/countersign/countersign.log", log],
      ["su countersign adm", `su ${me} ${group}`],
    ]);
    writeFileSync(join(dir, "logrotate.conf"), conf, { mode: 0o644 });
    const line = `${JSON.stringify({ level: 30, time: Date.now(), service: "countersign", msg: "serving" })}\n`;
    writeFileSync(log, line);
    const r = run(LOGROTATE_BIN!, ["--force", "--state", join(dir, "state"), join(dir, "logrotate.conf")]);
    expect(r, r.output).toEqual({ code: 0, output: "" });
    // The server's file is still the same one, now empty; yesterday's lines are in .1 (compressed from the next rotation on).
    expect(readFileSync(log, "utf8")).toBe("");
    expect(readFileSync(`${log}.1`, "utf8")).toBe(line);
  });
});
