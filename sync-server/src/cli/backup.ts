import { existsSync, mkdirSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Io } from "./io.ts";
import { dbPath, ownerOnly } from "./data-dir.ts";
import { openSqliteStore, restoreSqliteStore } from "../storage/sqlite.ts";

/** `countersign backup --data DIR --out FILE`: SQLite's online backup, consistent while serving. */
export async function runBackup(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { data: { type: "string" }, out: { type: "string" } } });
  if (!values.data || !values.out) {
    io.err("countersign backup: --data DIR and --out FILE are required");
    return 2;
  }
  if (!existsSync(dbPath(values.data))) {
    io.err(`${values.data} holds no agency store.`);
    return 1;
  }
  if (existsSync(values.out)) {
    io.err(`Refusing to overwrite ${values.out}.`);
    return 1;
  }
  ownerOnly();
  const store = openSqliteStore(dbPath(values.data));
  try {
    await store.backup(values.out);
  } finally {
    await store.close();
  }
  // The passphrase is deliberately not in the backup: a copied backup alone does not open the CA key.
  io.out(`backed up ${dbPath(values.data)} to ${values.out} (the CA passphrase is not included)`);
  return 0;
}

/** `countersign restore --data DIR FILE`: into an empty data directory only. */
export async function runRestore(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { data: { type: "string" } } });
  const file = positionals[0];
  if (!values.data || !file || positionals.length !== 1) {
    io.err("countersign restore: --data DIR and one backup FILE are required");
    return 2;
  }
  ownerOnly();
  mkdirSync(values.data, { recursive: true, mode: 0o700 });
  try {
    await restoreSqliteStore(file, dbPath(values.data));
  } catch (e) {
    io.err((e as Error).message);
    return 1;
  }
  io.out(`restored ${file} into ${dbPath(values.data)}; serve needs the agency passphrase (--passphrase-file or $COUNTERSIGN_PASSPHRASE)`);
  return 0;
}
