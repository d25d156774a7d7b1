import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Result } from "@countersign/crdt-model";
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
