// Issue 16, bad input: `countersign serve --data DIR` refuses, in one line and without starting, a data
// directory with the wrong owner or a mode that lets others tamper with it or read the keys.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, chownSync, cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../index.ts";
import type { Io } from "./io.ts";
import { checkDataDir } from "./data-dir.ts";

function capture(): Io & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

const uid = process.getuid!();
const NOBODY = 65534;
const root = mkdtempSync(join(tmpdir(), "countersign-datadir-"));
/** An initialized data directory (init writes DIR/ca-passphrase, 0600), copied afresh for each case. */
const template = join(root, "template");

beforeAll(async () => {
  const io = capture();
  expect(await runCli(["init", "--data", template, "--agency-code", "A-DIRS", "--agency-name", "測試機關"], io), io.errors.join("\n")).toBe(0);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function copy(): string {
  const dir = join(root, `case-${++n}`);
  cpSync(template, dir, { recursive: true });
  return dir;
}

/** Runs serve on the directory: it must refuse with exit 1, one line naming the code's cause, and never say it serves. */
async function refusedServe(dir: string): Promise<string> {
  const io = capture();
  const code = await runCli(["serve", "--data", dir, "--port", "0", "--host", "127.0.0.1", "--no-app"], io);
  expect(code).toBe(1);
  expect(io.lines).toEqual([]); // never "Countersign … on http://…"
  expect(io.errors).toHaveLength(1);
  expect(io.errors[0]).not.toContain("\n");
  return io.errors[0]!;
}

describe("serve --data refuses an unsafe data directory", () => {
  it("passes what init made (0700, passphrase 0600), and a directory others may only list (0755)", () => {
    expect(checkDataDir(template)).toEqual({ ok: true, value: undefined });
    const dir = copy();
    chmodSync(dir, 0o755);
    expect(checkDataDir(dir).ok).toBe(true);
    // A directory that does not exist is the caller's to report ("holds no agency").
    expect(checkDataDir(join(root, "absent")).ok).toBe(true);
  });

  it("refuses a directory group or others can write", async () => {
    for (const mode of [0o770, 0o707, 0o777]) {
      const dir = copy();
      chmodSync(dir, mode);
      const r = checkDataDir(dir);
      expect(r.ok || r.code).toBe("data-dir.mode");
      expect(await refusedServe(dir)).toMatch(/^countersign serve: The data directory .* is mode 0[0-7]{3}: group or others could replace the database in it; chmod 700/);
    }
  });

  it("refuses a passphrase file group or others can read", async () => {
    const dir = copy();
    chmodSync(join(dir, "ca-passphrase"), 0o640);
    const r = checkDataDir(dir);
    expect(r.ok || r.code).toBe("data-dir.mode");
    expect(await refusedServe(dir)).toMatch(/ca-passphrase is mode 0640: group or others could read the passphrase/);
  });

  it("refuses a directory that belongs to another user (as root too: the owner must be the running user)", async () => {
    if (uid === 0) {
      const dir = copy();
      chownSync(dir, NOBODY, NOBODY);
      const r = checkDataDir(dir);
      expect(r.ok || r.code).toBe("data-dir.owner");
      expect(await refusedServe(dir)).toMatch(new RegExp(`The data directory .* belongs to uid ${NOBODY}, not to uid 0 running the server`));
      // The directory alone is not enough: its files are still root's. chown -R makes it right for its owner.
      expect(checkDataDir(dir, NOBODY).ok).toBe(false);
      for (const f of ["", "countersign.db", "ca-passphrase"]) chownSync(join(dir, f), NOBODY, NOBODY);
      expect(checkDataDir(dir, NOBODY).ok).toBe(true);
    } else {
      // Not root: no chown, but the root directory belongs to root, not to this user.
      const r = checkDataDir("/");
      expect(r.ok || r.code).toBe("data-dir.owner");
      expect(await refusedServe("/")).toMatch(new RegExp(`belongs to uid 0, not to uid ${uid}`));
    }
  });

  it.runIf(uid === 0)("refuses a database or WAL left by another user (an admin command run as root on the service's directory)", async () => {
    const dir = copy();
    chownSync(dir, NOBODY, NOBODY);
    chownSync(join(dir, "ca-passphrase"), NOBODY, NOBODY);
    chownSync(join(dir, "countersign.db"), NOBODY, NOBODY);
    writeFileSync(join(dir, "countersign.db-wal"), "", { mode: 0o600 }); // root's
    const r = checkDataDir(dir, NOBODY);
    expect(r.ok || r.reason).toMatch(/countersign\.db-wal in the data directory belongs to uid 0, not to uid 65534/);
    expect(r.ok || r.code).toBe("data-dir.owner");
  });
});
