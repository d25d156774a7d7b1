import { existsSync, statSync, type Stats } from "node:fs";
import { join } from "node:path";
import { fail, ok, type Result } from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";
import { openSqliteStore } from "../storage/sqlite.ts";
import type { Actor } from "../directory/directory.ts";
import type { Io } from "./io.ts";

/** The database inside a data directory (`countersign init --data DIR`). */
export const DB_FILE = "countersign.db";
export const dbPath = (dir: string): string => join(dir, DB_FILE);

/**
 * The command line acts as the machine's administrator: whoever can run it on the server can read
 * the database file anyway, so it is not a logged-in person and needs no token.
 */
export const SYSTEM: Actor = { system: true };

/**
 * Files this program creates are its owner's only (0600, directories 0700): the data directory holds
 * the agency's sealed keys, its directory and every document, and backups are all of that. Called
 * by every command that writes into a data directory or a backup.
 */
export function ownerOnly(): void {
  process.umask(0o077);
}

/** The passphrase file `init` writes into a data directory (identity/passphrase.ts PASSPHRASE_FILE). */
const PASSPHRASE_IN_DIR = "ca-passphrase";

/**
 * Refuses a data directory that someone other than the running user could tamper with or read the
 * keys from, before the server opens anything in it (`serve --data`):
 * - the directory, and its database, WAL and passphrase file where present, must belong to the user
 *   running the server (as root too: a directory made for the `countersign` service user is refused
 *   to root, since files root's process created there would lock the service out of its own store);
 * - the directory must not be writable by group or others: they could replace the database or the
 *   passphrase file by renaming, whatever the files' own modes;
 * - the passphrase file must not be readable or writable by group or others: with it, a copy of the
 *   database opens the agency CA's key.
 * The database's own mode is not checked: opening the store makes it and its WAL 0600 (storage/sqlite).
 * Read and search bits on the directory are allowed (a backup agent's group may list it); every file in
 * it is the owner's only. A directory that does not exist passes: the caller says it holds no agency.
 * On Windows, modes and owners mean something else; nothing is checked there.
 */
export function checkDataDir(dir: string, uid: number | undefined = process.getuid?.()): Result<void> {
  if (process.platform === "win32" || uid === undefined) return ok(undefined);
  const at = (name: string): Stats | undefined => {
    try {
      return statSync(name === "" ? dir : join(dir, name));
    } catch {
      return undefined;
    }
  };
  const top = at("");
  if (!top) return ok(undefined);
  for (const name of ["", DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`, PASSPHRASE_IN_DIR]) {
    const st = at(name);
    if (st && st.uid !== uid) {
      const what = name === "" ? `The data directory ${dir}` : `${join(dir, name)} in the data directory`;
      return fail("data-dir.owner", `${what} belongs to uid ${st.uid}, not to uid ${uid} running the server; run it as the owner, or chown -R the directory to that user.`);
    }
  }
  if ((top.mode & 0o022) !== 0)
    return fail("data-dir.mode", `The data directory ${dir} is mode ${octal(top.mode)}: group or others could replace the database in it; chmod 700 ${dir}.`);
  const pass = at(PASSPHRASE_IN_DIR);
  if (pass && (pass.mode & 0o077) !== 0)
    return fail("data-dir.mode", `${join(dir, PASSPHRASE_IN_DIR)} is mode ${octal(pass.mode)}: group or others could read the passphrase of the agency's keys; chmod 600 it.`);
  return ok(undefined);
}

const octal = (mode: number): string => (mode & 0o777).toString(8).padStart(4, "0");

/** A usage error: exit 2 with the reason. */
export class UsageError extends Error {}

export function required(values: Record<string, unknown>, cmd: string, ...names: string[]): void {
  for (const n of names) if (typeof values[n] !== "string" || values[n] === "") throw new UsageError(`${cmd}: --${n} is required`);
}

/** A flag's value parsed as an id (crdt-model's parseXxx): a bad one is a usage error naming the flag. */
export function idFlag<T>(parse: (s: unknown) => Result<T>, value: string, cmd: string, flag: string): T {
  const r = parse(value);
  if (!r.ok) throw new UsageError(`${cmd}: --${flag}: ${r.reason}`);
  return r.value;
}

/**
 * Opens the store of an initialized data directory and closes it after `fn`. A missing database is
 * a refusal rather than an empty new one: a mistyped --data must not silently create a store.
 */
export async function withStore(dir: string, io: Io, fn: (store: Store) => Promise<number>): Promise<number> {
  ownerOnly();
  if (!existsSync(dbPath(dir))) {
    io.err(`There is no Countersign data in ${dir} (run countersign init --data ${dir} first).`);
    return 1;
  }
  const store = openSqliteStore(dbPath(dir));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Prints a refusal (one line on stderr, exit 1) or hands the value on (exit 0). */
export function report<T>(r: Result<T>, io: Io, onOk: (value: T) => void): number {
  if (!r.ok) {
    io.err(r.reason);
    return 1;
  }
  onOk(r.value);
  return 0;
}
