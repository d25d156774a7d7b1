// `countersign backup` and `countersign restore`: one portable backup format for both stores (a
// Countersign SQLite store file marked with its schema version, format version and release:
// storage/portable-backup.ts), so a backup of either restores into either.
//
// What must stay true:
// - A backup is written beside its target and renamed into place: a failed one leaves no file.
// - `--keep N` deletes only files this command made: named as it names them (countersign-<UTC
//   time>.backup) AND marked inside as a Countersign backup; anything else in the folder is kept.
// - A restore refuses, in one line and before writing anything, a backup from a newer release, a
//   file that is not a backup, and a target that is not empty.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, renameSync, chmodSync, openSync, readSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Io } from "./io.ts";
import { dbPath, ownerOnly } from "./data-dir.ts";
import { openSqliteStore, restoreSqliteStore } from "../storage/sqlite.ts";
import { isPostgresUrl, redactUrl } from "../storage/postgres.ts";
import { backupPostgres, inspectBackup, restoreIntoPostgres, stampBackup } from "../storage/portable-backup.ts";
import { importLegacyJsonLines } from "../storage/portable-backup-legacy.ts";
import { SCHEMA_VERSION } from "../storage/sqlite-schema.ts";

/** The release that writes the backup, from sync-server/package.json (as `countersign --version`). */
function release(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}

/** How `--dir` names a backup: sortable by name, so the newest is last. */
const BACKUP_NAME = /^countersign-(\d{8}T\d{6}\d{3}Z)(-\d+)?\.backup$/;
export function backupName(at: Date): string {
  return `countersign-${at.toISOString().replace(/[-:.]/g, "")}.backup`;
}

/**
 * `countersign backup (--data DIR | --store postgres://…) (--out FILE | --dir DIR [--keep N])`:
 * consistent while serving (SQLite's online backup; one PostgreSQL snapshot).
 */
export async function runBackup(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { data: { type: "string" }, store: { type: "string" }, out: { type: "string" }, dir: { type: "string" }, keep: { type: "string" } },
  });
  const usage = "countersign backup: --data DIR (or --store postgres://…) and --out FILE (or --dir DIR [--keep N]) are required";
  if ((!values.data && !values.store) || (values.data && values.store) || (!values.out && !values.dir) || (values.out && values.dir)) {
    io.err(usage);
    return 2;
  }
  if (values.store !== undefined && !isPostgresUrl(values.store)) {
    io.err("countersign backup: --store must be a PostgreSQL URL (postgres://user@host:port/database)");
    return 2;
  }
  let keep: number | undefined;
  if (values.keep !== undefined) {
    keep = Number(values.keep);
    if (!values.dir || !Number.isInteger(keep) || keep < 1) {
      io.err("countersign backup: --keep N needs --dir DIR and a whole number N of at least 1 (the newest N backups in DIR are kept)");
      return 2;
    }
  }
  if (values.data && !existsSync(dbPath(values.data))) {
    io.err(`${values.data} holds no agency store.`);
    return 1;
  }
  ownerOnly();
  let out: string;
  if (values.dir) {
    mkdirSync(values.dir, { recursive: true, mode: 0o700 });
    const base = backupName(new Date());
    out = join(values.dir, base);
    // Two backups in the same millisecond: the second gets a suffix (still sorted after the first).
    for (let n = 1; existsSync(out); n++) out = join(values.dir, base.replace(/\.backup$/, `-${n}.backup`));
  } else {
    out = values.out!;
  }
  if (existsSync(out)) {
    io.err(`Refusing to overwrite ${out}.`);
    return 1;
  }
  const from = values.store ? redactUrl(values.store) : dbPath(values.data!);
  try {
    if (values.store) {
      await backupPostgres(values.store, out, { release: release() });
    } else {
      await backupSqlite(dbPath(values.data!), out);
    }
  } catch (e) {
    io.err((e as Error).message);
    return 1;
  }
  // The passphrase is deliberately not in the backup: a copied backup alone does not open the CA key.
  io.out(`backed up ${from} to ${out} (schema ${SCHEMA_VERSION}, release ${release()}; the CA passphrase is not included)`);
  if (values.dir && keep !== undefined) {
    for (const f of rotate(values.dir, keep)) io.out(`removed old backup ${f}`);
  }
  return 0;
}

/** SQLite's online backup into a partial file, marked, then renamed into place. */
async function backupSqlite(file: string, out: string): Promise<void> {
  const target = resolve(out);
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { force: true });
  const store = openSqliteStore(file);
  try {
    const takenAt = new Date().toISOString();
    await store.backup(partial);
    stampBackup(partial, { release: release(), source: "sqlite", takenAt });
    chmodSync(partial, 0o600);
    if (existsSync(target)) throw new Error(`Refusing to overwrite ${out}: it appeared during the backup.`);
    renameSync(partial, target);
  } finally {
    await store.close();
    for (const f of [partial, `${partial}-wal`, `${partial}-shm`, `${partial}-journal`]) rmSync(f, { force: true });
  }
}

/** Keeps the newest `keep` backups this command made in `dir`; returns the files it removed. */
export function rotate(dir: string, keep: number): string[] {
  const ours = readdirSync(dir)
    .filter((f) => BACKUP_NAME.test(f))
    .filter((f) => madeByBackup(join(dir, f)))
    .sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)); // newest first
  const removed: string[] = [];
  for (const f of ours.slice(keep)) {
    rmSync(join(dir, f), { force: true });
    removed.push(join(dir, f));
  }
  return removed;
}

/** Whether a file is a backup this program wrote (an SQLite store with the backup's format mark). */
function madeByBackup(file: string): boolean {
  if (!isSqliteFile(file)) return false;
  const info = inspectBackup(file);
  // A newer release's backup is still ours to rotate; only the mark matters.
  if (!info.ok) return info.code === "backup.newer";
  return info.value.source !== null;
}

const SQLITE_MAGIC = "SQLite format 3\0";
function firstBytes(file: string, n: number): Buffer {
  const fd = openSync(file, "r");
  try {
    const b = Buffer.alloc(n);
    const got = readSync(fd, b, 0, n, 0);
    return b.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}
const isSqliteFile = (file: string): boolean => {
  try {
    return firstBytes(file, 16).toString("latin1") === SQLITE_MAGIC;
  } catch {
    return false;
  }
};

/**
 * `countersign restore (--data DIR | --store postgres://…) FILE`: into an empty data directory or an
 * empty PostgreSQL database. Reads the portable format (either store's backup) and, so that backups
 * taken before it still restore, the PostgreSQL store's earlier JSON-lines format.
 */
export async function runRestore(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { data: { type: "string" }, store: { type: "string" } } });
  const file = positionals[0];
  if ((!values.data && !values.store) || (values.data && values.store) || !file || positionals.length !== 1) {
    io.err("countersign restore: --data DIR (or --store postgres://…) and one backup FILE are required");
    return 2;
  }
  if (values.store !== undefined && !isPostgresUrl(values.store)) {
    io.err("countersign restore: --store must be a PostgreSQL URL (postgres://user@host:port/database)");
    return 2;
  }
  if (!existsSync(file)) {
    io.err(`The backup ${file} does not exist.`);
    return 1;
  }
  ownerOnly();
  // Work files (a legacy backup converted, an older backup migrated) go to a private temp folder.
  let work: string | undefined;
  const scratch = () => (work ??= mkdtempSync(join(tmpdir(), "countersign-restore-")));
  try {
    let source = file;
    if (!isSqliteFile(file)) {
      const converted = join(scratch(), "legacy.backup");
      const r = await importLegacyJsonLines(file, converted);
      if (!r.ok) {
        io.err(r.reason);
        return 1;
      }
      source = converted;
    }
    const info = inspectBackup(source);
    if (!info.ok) {
      io.err(info.reason);
      return 1;
    }
    if (values.data) {
      mkdirSync(values.data, { recursive: true, mode: 0o700 });
      await restoreSqliteStore(source, dbPath(values.data));
      io.out(`restored ${file} into ${dbPath(values.data)}; serve needs the agency passphrase (--passphrase-file or $COUNTERSIGN_PASSPHRASE)`);
      return 0;
    }
    // PostgreSQL takes this program's schema: an older backup is migrated in a private copy first.
    if (info.value.schemaVersion < SCHEMA_VERSION) {
      const migrated = join(scratch(), "migrated.db");
      await restoreSqliteStore(source, migrated);
      await openSqliteStore(migrated).close();
      source = migrated;
    }
    const { rows } = await restoreIntoPostgres(source, values.store!);
    io.out(`restored ${file} into ${redactUrl(values.store!)} (${rows} rows); serve needs the agency passphrase (--passphrase-file or $COUNTERSIGN_PASSPHRASE)`);
    return 0;
  } catch (e) {
    io.err((e as Error).message);
    return 1;
  } finally {
    if (work) rmSync(work, { recursive: true, force: true });
  }
}
