// Runs `countersign serve` as a real child process on a prepared data directory.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "@countersign/sync-server";
import { PASSPHRASE, populate, until, type Member, type Who } from "./agency-server.ts";

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A data directory with an agency, its people enrolled, and a passphrase file. */
export async function preparedDataDir(): Promise<{ dir: string; people: Record<Who, Member> }> {
  const dir = mkdtempSync(join(tmpdir(), "countersign-proc-"));
  const store = openSqliteStore(join(dir, "countersign.db"));
  const { people } = await populate(store);
  await store.close();
  writeFileSync(join(dir, "pass"), PASSPHRASE + "\n", { mode: 0o600 });
  return { dir, people };
}

export async function serveProcess(dir: string, port: number, extra: string[] = [], nodeFlags: string[] = []): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [...nodeFlags, "bin/countersign.js", "serve", "--data", dir, "--port", String(port), "--host", "127.0.0.1", "--no-app", "--passphrase-file", join(dir, "pass"), ...extra],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  await until(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok === true, 20_000, "server up");
  return child;
}

/** Resident and peak resident memory of a process, in MiB, from /proc. */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? "0");
  return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
}
