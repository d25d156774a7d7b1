// Issue 16, HTTPS where the school is: `countersign tls issue` makes a server certificate from the
// agency CA that openssl and curl trust with that CA alone; `serve --tls-cert --tls-key` serves HTTPS
// and WSS with it, and refuses a bad pair in one line without starting; /api/ca and /ca.crt give
// devices the CA; --trust-proxy makes rate limits and logs take X-Forwarded-For from those proxies
// only. Real openssl, curl, sockets and SQLite; nothing mocked.
import { X509Certificate, createPrivateKey } from "node:crypto";
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { WebSocket, type ClientOptions } from "ws";
import { runCli as main, type Io, openSqliteStore, loadAgency, AgencyServer, type Agency, type Store } from "@countersign/sync-server";
import { issueServerCertificate } from "../../sync-server/src/tls/issue.ts";
import { loadTlsMaterial } from "../../sync-server/src/tls/load.ts";
import { TrustedProxies } from "../../sync-server/src/tls/forwarded.ts";

function capture(): Io & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

const root = mkdtempSync(join(tmpdir(), "countersign-tls-"));
const data = join(root, "data");
const certFile = join(root, "server.crt");
const keyFile = join(root, "server.key");
const caFile = join(root, "ca.pem");
const HOST = "countersign.school.test";

let store: Store;
let agency: Agency;

beforeAll(async () => {
  expect(await main(["init", "--data", data, "--agency-code", "A-TLS", "--agency-name", "示範國民小學"], capture())).toBe(0);
  const io = capture();
  const code = await main(["tls", "issue", "--data", data, "--host", HOST, "--host", "*.school.test", "--ip", "127.0.0.1", "--ip", "::1", "--cert", certFile, "--key", keyFile], io);
  expect(io.errors).toEqual([]);
  expect(code).toBe(0);
  const ca = capture();
  expect(await main(["agency", "ca", "--data", data], ca)).toBe(0);
  writeFileSync(caFile, ca.lines.join("\n") + "\n");
  store = openSqliteStore(join(data, "countersign.db"));
  const pass = readFileSync(join(data, "ca-passphrase"), "utf8").trim();
  const loaded = await loadAgency(store, pass);
  if (!loaded.ok) throw new Error(loaded.reason);
  agency = loaded.value;
});

afterAll(async () => {
  await store?.close();
});

describe("countersign tls issue", () => {
  it("issues a certificate openssl verifies with the agency CA alone, for each name and address", () => {
    for (const check of [["-verify_hostname", HOST], ["-verify_hostname", "other.school.test"], ["-verify_ip", "127.0.0.1"]]) {
      const out = execFileSync("openssl", ["verify", "-CAfile", caFile, "-purpose", "sslserver", ...check, certFile], { encoding: "utf8" });
      expect(out.trim()).toBe(`${certFile}: OK`);
    }
    // A name it was not issued for fails: the SAN is what is checked.
    const wrong = spawnSync("openssl", ["verify", "-CAfile", caFile, "-verify_hostname", "evil.example", certFile], { encoding: "utf8" });
    expect(wrong.status).not.toBe(0);
  });

  it("is a serverAuth-only, non-CA, P-256 certificate with the names in subjectAltName, valid at most 398 days", () => {
    const cert = new X509Certificate(readFileSync(certFile));
    expect(cert.subjectAltName).toBe("DNS:countersign.school.test, DNS:*.school.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1");
    expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]); // node names the extended key usages here
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(new X509Certificate(readFileSync(caFile)))).toBe(true);
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    expect(days).toBeGreaterThan(396);
    expect(days).toBeLessThanOrEqual(398);
    const key = createPrivateKey(readFileSync(keyFile));
    expect(key.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(cert.checkPrivateKey(key)).toBe(true);
    const text = execFileSync("openssl", ["x509", "-in", certFile, "-noout", "-text"], { encoding: "utf8" });
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s*\n\s+TLS Web Server Authentication\n/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
  });

  it("writes the key for its owner only, and logs the issue in the audit log", async () => {
    expect(execFileSync("stat", ["-c", "%a", keyFile], { encoding: "utf8" }).trim()).toBe("600");
    const io = capture();
    expect(await main(["audit", "list", "--data", data], io)).toBe(0);
    const row = io.lines.find((l) => l.includes("tls.issue"));
    expect(row).toBeDefined();
    expect(row).toContain(new X509Certificate(readFileSync(certFile)).serialNumber.toLowerCase());
    expect(row).not.toContain("PRIVATE KEY");
  });

  it("refuses a bad --host, --ip or --days in one line, exit 1, writing nothing", async () => {
    const cases: [string[], RegExp][] = [
      [["--host", "bad_name.school.test"], /^--host "bad_name\.school\.test" is not a DNS name: the label "bad_name" is not letters/],
      [["--host", "192.168.1.10"], /^--host 192\.168\.1\.10 is an IP address; give it as --ip 192\.168\.1\.10\.$/],
      [["--host", "*.tw"], /is not a DNS name: a wildcard needs at least two labels/],
      [["--host", "ok.test", "--ip", "192.168.1.300"], /^--ip "192\.168\.1\.300" is not an IPv4 or IPv6 address\.$/],
      [["--host", "ok.test", "--days", "400"], /^--days must be a whole number from 1 to 398/],
      [[], /^Name the server with at least one --host NAME or --ip ADDRESS\.$/],
    ];
    for (const [flags, reason] of cases) {
      const cert = join(root, "refused.crt");
      const key = join(root, "refused.key");
      const io = capture();
      expect(await main(["tls", "issue", "--data", data, ...flags, "--cert", cert, "--key", key], io), flags.join(" ")).toBe(1);
      expect(io.errors).toHaveLength(1);
      expect(io.errors[0]).toMatch(reason);
      expect(existsSync(cert) || existsSync(key)).toBe(false);
    }
  });
});

/** Whether something listens on the port (the refused server must not). */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

describe("serve --tls-cert --tls-key refuses a pair that cannot serve, in one line, and starts nothing", () => {
  async function refused(files: { cert: string; key: string }, extra: string[] = []): Promise<{ code: number; errors: string[]; port: number }> {
    const port = await freePort();
    const io = capture();
    const code = await main(["serve", "--data", data, "--no-app", "--host", "127.0.0.1", "--port", String(port), "--tls-cert", files.cert, "--tls-key", files.key, ...extra], io);
    expect(await listening(port)).toBe(false);
    return { code, errors: io.errors, port };
  }

  async function write(name: string, pem: string): Promise<string> {
    const f = join(root, name);
    writeFileSync(f, pem, { mode: 0o600 });
    return f;
  }

  it("a key that is not the certificate's", async () => {
    const other = await issueServerCertificate(agency.ca, { dns: [HOST], ips: [] });
    if (!other.ok) throw new Error(other.reason);
    const r = await refused({ cert: certFile, key: await write("other.key", other.value.keyPem) });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([`countersign serve: The TLS key ${join(root, "other.key")} is not the key of the certificate ${certFile} (CN=${HOST}, O=A-TLS).`]);
  });

  it("an expired certificate, and one not valid yet", async () => {
    const day = 86_400_000;
    const old = await issueServerCertificate(agency.ca, { dns: [HOST], ips: [], days: 30, now: new Date(Date.now() - 60 * day) });
    const future = await issueServerCertificate(agency.ca, { dns: [HOST], ips: [], days: 30, now: new Date(Date.now() + 10 * day) });
    if (!old.ok || !future.ok) throw new Error("issue failed");
    const expired = await refused({ cert: await write("old.crt", old.value.certPem), key: await write("old.key", old.value.keyPem) });
    expect(expired.code).toBe(1);
    expect(expired.errors).toHaveLength(1);
    expect(expired.errors[0]).toMatch(/^countersign serve: The TLS certificate .*old\.crt expired on \d{4}-\d\d-\d\dT.*; issue a new one \(countersign tls issue\) or renew it\.$/);
    const early = await refused({ cert: await write("future.crt", future.value.certPem), key: await write("future.key", future.value.keyPem) });
    expect(early.code).toBe(1);
    expect(early.errors[0]).toMatch(/^countersign serve: The TLS certificate .*future\.crt is not valid before .* \(check this machine's clock\)\.$/);
  });

  it("unreadable or wrong files, and flags that do not fit together", async () => {
    const missing = await refused({ cert: join(root, "nope.crt"), key: keyFile });
    expect(missing).toMatchObject({ code: 1, errors: [`countersign serve: The TLS certificate file ${join(root, "nope.crt")} cannot be read (ENOENT).`] });
    const notCert = await refused({ cert: keyFile, key: keyFile });
    expect(notCert.errors).toEqual([`countersign serve: The TLS certificate file ${keyFile} holds no certificate (PEM or DER).`]);
    const notKey = await refused({ cert: certFile, key: certFile });
    expect(notKey.errors).toEqual([`countersign serve: The TLS key file ${certFile} holds no private key (PEM or DER).`]);
    const io = capture();
    expect(await main(["serve", "--data", data, "--no-app", "--tls-cert", certFile], io)).toBe(2);
    expect(io.errors).toEqual(["countersign serve: --tls-cert and --tls-key go together: give both files."]);
    const noTls = capture();
    expect(await main(["serve", "--data", data, "--no-app", "--http-redirect-port", "8080"], noTls)).toBe(2);
    expect(noTls.errors).toEqual(["countersign serve: --http-redirect-port redirects to HTTPS: it needs --tls-cert and --tls-key."]);
    const proxy = capture();
    expect(await main(["serve", "--data", data, "--no-app", "--trust-proxy", "proxy.lan"], proxy)).toBe(2);
    expect(proxy.errors).toEqual(['countersign serve: --trust-proxy: "proxy.lan" is not an IP address or CIDR range (e.g. 127.0.0.1, 10.0.0.0/8, ::1).']);
  });
});

describe("an agency server over HTTPS with the issued certificate", () => {
  let server: AgencyServer;
  let port: number;

  beforeAll(async () => {
    const tls = await loadTlsMaterial(certFile, keyFile);
    if (!tls.ok) throw new Error(tls.reason);
    server = new AgencyServer({ store, agency, log: pino({ level: "silent" }), port: 0, host: "127.0.0.1", tls: { cert: tls.value.cert, key: tls.value.key }, checkAnswers: true });
    port = await server.start();
  });
  afterAll(async () => {
    // stop() closes the store too; the later tests open their own.
    await server?.stop();
    store = openSqliteStore(join(data, "countersign.db"));
  });

  // Asynchronous: the server runs in this process, so a synchronous child would block its answer.
  const curl = (url: string, ...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile("curl", ["-sS", "--max-time", "30", "--resolve", `${HOST}:${port}:127.0.0.1`, ...args, url], { encoding: "utf8" }, (e, stdout, stderr) =>
        resolve({ status: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  it("is trusted by curl --cacert with the agency CA, by name and by address", async () => {
    const byName = await curl(`https://${HOST}:${port}/healthz`, "--cacert", caFile);
    expect(byName.stderr).toBe("");
    expect(JSON.parse(byName.stdout)).toMatchObject({ ok: true, agency: "A-TLS" });
    const byAddress = await curl(`https://127.0.0.1:${port}/healthz`, "--cacert", caFile);
    expect(JSON.parse(byAddress.stdout)).toMatchObject({ ok: true });
    // Without the agency CA, curl refuses the certificate (exit 60: not trusted).
    expect((await curl(`https://${HOST}:${port}/healthz`)).status).toBe(60);
  });

  it("serves the agency CA at /api/ca and /ca.crt without a login, with the fingerprint openssl computes", async () => {
    const info = JSON.parse((await curl(`https://${HOST}:${port}/api/ca`, "--cacert", caFile)).stdout) as Record<string, unknown>;
    const fingerprint = execFileSync("openssl", ["x509", "-in", caFile, "-noout", "-fingerprint", "-sha256"], { encoding: "utf8" }).trim().split("=")[1];
    expect(info).toMatchObject({ agency: { code: "A-TLS", name: "示範國民小學" }, sha256: fingerprint, download: "/ca.crt" });
    const der = join(root, "download.crt");
    const got = await curl(`https://${HOST}:${port}/ca.crt`, "--cacert", caFile, "-o", der, "-w", "%{content_type}");
    expect(got.stdout).toBe("application/x-x509-ca-cert");
    const pem = execFileSync("openssl", ["x509", "-inform", "DER", "-in", der], { encoding: "utf8" });
    expect(pem.trim()).toBe(readFileSync(caFile, "utf8").trim());
  });

  it("takes WebSocket upgrades over wss:// (the relay answers: no ticket, 4401)", async () => {
    // To 127.0.0.1, with the name the certificate is checked against (SNI and the host check).
    const ws = new WebSocket(`wss://127.0.0.1:${port}/sync/doc-1`, { ca: readFileSync(caFile), servername: HOST } as ClientOptions);
    const closed = await new Promise<number>((resolve, reject) => {
      ws.once("close", (code) => resolve(code));
      ws.once("error", reject);
    });
    expect(closed).toBe(4401);
  });
});

describe("--trust-proxy: rate limits and logs take X-Forwarded-For from those proxies only", () => {
  async function serve(trustProxy: TrustedProxies | undefined, lines: string[]): Promise<{ server: AgencyServer; url: string }> {
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) });
    const s = openSqliteStore(join(data, "countersign.db"));
    const server = new AgencyServer({ store: s, agency, log: pino({ level: "info" }, sink), port: 0, host: "127.0.0.1", trustProxy, gates: { challenge: { perAddressBurst: 2, perAddressPerSecond: 0.001 } } });
    return { server, url: `http://127.0.0.1:${await server.start()}` };
  }
  const challenge = async (url: string, xff?: string) => (await fetch(`${url}/api/login/challenge`, { method: "POST", headers: xff ? { "x-forwarded-for": xff } : {} })).status;

  it("behind a trusted proxy each client has its own bucket, and the log names the client", async () => {
    const trusted = TrustedProxies.parse("127.0.0.1");
    if (!trusted.ok) throw new Error(trusted.reason);
    const lines: string[] = [];
    const { server, url } = await serve(trusted.value, lines);
    try {
      expect([await challenge(url, "203.0.113.5"), await challenge(url, "203.0.113.5"), await challenge(url, "203.0.113.5")]).toEqual([200, 200, 429]);
      // Another client behind the same proxy is not limited by the first.
      expect(await challenge(url, "203.0.113.6")).toBe(200);
      // A client prepending an address of its own choosing does not escape its bucket.
      expect(await challenge(url, "198.51.100.77, 203.0.113.5")).toBe(429);
      const limited = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "rate limited");
      expect(limited.map((l) => l.address)).toEqual(["203.0.113.5", "203.0.113.5"]);
    } finally {
      await server.stop();
    }
  });

  it("without --trust-proxy, X-Forwarded-For is ignored: every request counts against the TCP peer", async () => {
    const lines: string[] = [];
    const { server, url } = await serve(undefined, lines);
    try {
      expect([await challenge(url, "203.0.113.1"), await challenge(url, "203.0.113.2"), await challenge(url, "203.0.113.3")]).toEqual([200, 200, 429]);
      const limited = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === "rate limited");
      expect(limited?.address).toBe("127.0.0.1");
    } finally {
      await server.stop();
    }
  });
});
