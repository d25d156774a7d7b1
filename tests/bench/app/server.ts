// The agency server under the app benchmark, started as tests/e2e/support.ts starts it for the
// browser tests: `countersign demo` into a temporary directory, the benchmark's documents seeded
// server-side (seed.ts), then `countersign serve` on a free port serving the built app. Also the
// "other client": a second device, enrolled over HTTP with a demo code like any device, that edits
// documents on the server while the browser is offline.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCertificate, signerFromKey, toBase64, type SignerProfile } from "@countersign/crdt-model";
import { x509 } from "@countersign/sync-server";
import { loginOverHttp } from "../../integration/support/agency-server.ts";
import { freePort } from "../../e2e/support.ts";
import { ROOT, log } from "./common.ts";
import { seed, type Seeded } from "./seed.ts";

export interface BenchServer {
  base: string;
  port: number;
  dir: string;
  pid: number;
  seeded: Seeded;
  /** One-time enrollment code of a demo person (each usable once). */
  code(person: string): string;
  /** A new one-time enrollment code for a demo person (`countersign user code`): their other device. */
  newCode(person: string): string;
  stop(): Promise<void>;
}

async function waitForHttp(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startBenchServer(docs: number): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), "countersign-bench-app-"));
  execFileSync(process.execPath, ["bin/countersign.js", "demo", "--data", dir], { cwd: ROOT, stdio: "ignore" });
  const seeded = await seed(dir, docs);
  const codes = new Map(
    readFileSync(join(dir, "demo-codes.txt"), "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => l.split("\t"))
      .map((f) => [f[0]!, f[3]!] as const),
  );
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ["bin/countersign.js", "serve", "--data", dir, "--port", String(port), "--host", "127.0.0.1"], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://localhost:${port}`;
  await waitForHttp(`${base}/healthz`, 180_000); // a loaded shared machine can take minutes to start it
  log(`agency server pid ${child.pid} on ${base} (data in ${dir})`);
  return {
    base,
    port,
    dir,
    pid: child.pid!,
    seeded,
    newCode: (person) => {
      const out = execFileSync(process.execPath, ["bin/countersign.js", "user", "code", "--data", dir, "--id", person], { cwd: ROOT, encoding: "utf8" });
      const code = out.trim().split("\n").at(-1)?.trim();
      if (!code) throw new Error(`no new enrollment code for ${person}: ${out}`);
      return code;
    },
    code: (person) => {
      const c = codes.get(person);
      if (!c) throw new Error(`no demo code for ${person}`);
      return c;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface BatchAnswer {
  v: 1;
  pushed: { doc: string; ok: boolean; reason?: string }[];
  docs: { doc: string; update: string }[];
  denied: string[];
}

/** A device of `person` in Node: enrolled with their one-time code (WebCrypto key → CSR → certificate), logged in. */
export async function otherDevice(base: string, code: string): Promise<{ sync(body: unknown): Promise<BatchAnswer> }> {
  const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: "CN=device", keys, signingAlgorithm: { name: "ECDSA", hash: "SHA-256" } });
  const res = await fetch(`${base}/api/enroll`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code, csr: csr.toString("pem") }) });
  const enrolled = (await res.json()) as { certificatePem?: string; profile?: SignerProfile; error?: string };
  if (!enrolled.certificatePem || !enrolled.profile) throw new Error(`enroll: ${enrolled.error ?? res.status}`);
  const cert = parseCertificate(enrolled.certificatePem);
  if (!cert.ok) throw new Error(cert.reason);
  const signer = signerFromKey(cert.value, enrolled.profile, "ES256", keys.privateKey);
  const token = await loginOverHttp(base, { signer });
  return {
    sync: async (body) => {
      const r = await fetch(`${base}/api/sync`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      const json = (await r.json()) as BatchAnswer & { error?: string };
      if (r.status !== 200) throw new Error(`POST /api/sync answered ${r.status}: ${json.error ?? "?"}`);
      return json;
    },
  };
}

export { toBase64 };
