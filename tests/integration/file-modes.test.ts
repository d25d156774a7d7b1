// Issue 12, "also found": the data directory, the database and its WAL, backups and restored stores
// are their owner's only — 0700 for directories, 0600 for files.
import { describe, expect, it } from "vitest";
import { chmodSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli as main, type Io, openSqliteStore } from "@countersign/sync-server";

function capture(): Io & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

const mode = (f: string) => (statSync(f).mode & 0o777).toString(8);

describe("file modes", () => {
  it("init, backup and restore leave directories 0700 and the database, its WAL and backups 0600", async () => {
    // As an administrator's shell would have it: files 0644 and directories 0755 unless told otherwise.
    const before = process.umask(0o022);
    try {
      const root = mkdtempSync(join(tmpdir(), "countersign-modes-"));
      const data = join(root, "data");
      const pass = join(root, "pass.txt");
      writeFileSync(pass, "file modes test passphrase\n", { mode: 0o600 });
      const init = capture();
      expect(await main(["init", "--data", data, "--agency-code", "A-MODES", "--agency-name", "測試機關", "--passphrase-file", pass], init)).toBe(0);
      expect(mode(data)).toBe("700");
      expect(mode(join(data, "countersign.db"))).toBe("600");
      for (const f of ["countersign.db-wal", "countersign.db-shm"]) {
        try {
          expect(mode(join(data, f)), f).toBe("600");
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e; // checkpointed away on close
        }
      }

      process.umask(0o022);
      const out = join(root, "cs.backup");
      expect(await main(["backup", "--data", data, "--out", out], capture())).toBe(0);
      expect(mode(out)).toBe("600");

      process.umask(0o022);
      const restored = join(root, "restored");
      const r = capture();
      expect(await main(["restore", "--data", restored, out], r)).toBe(0);
      expect(mode(restored)).toBe("700");
      expect(mode(join(restored, "countersign.db"))).toBe("600");
    } finally {
      process.umask(before);
    }
  });

  it("opening a store whose database was left 0644 makes it 0600, with its WAL", async () => {
    const root = mkdtempSync(join(tmpdir(), "countersign-modes-"));
    const file = join(root, "countersign.db");
    const first = openSqliteStore(file);
    await first.setSetting("x", "1");
    await first.close();
    chmodSync(file, 0o644);
    const store = openSqliteStore(file);
    await store.setSetting("y", "2");
    expect(mode(file)).toBe("600");
    expect(mode(`${file}-wal`)).toBe("600");
    expect(mode(`${file}-shm`)).toBe("600");
    await store.close();
  });
});
