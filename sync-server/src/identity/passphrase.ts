import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fail, ok, toBase64, type Result } from "@countersign/crdt-model";

/**
 * Where the agency passphrase comes from, in order:
 *   1. `--passphrase-file F` — a file the operator controls (a mounted secret, a tmpfs file);
 *   2. the environment variable COUNTERSIGN_PASSPHRASE (systemd credentials, a container secret);
 *   3. `DIR/ca-passphrase`, which `countersign init` writes (mode 0600) when neither was given.
 *
 * The trade-off of (3): it lets `npm start` and the demo run with no operator at the keyboard, but
 * the passphrase then sits in the same directory as the database it protects, so whoever copies the
 * whole data directory (a backup, a stolen disk) gets the CA key too. The sealing still protects a
 * database file copied alone (e.g. `countersign backup` output) and keeps the key out of the DB in
 * clear. A production agency should move the file elsewhere (or use 1/2) and delete it from DIR.
 */
export const PASSPHRASE_ENV = "COUNTERSIGN_PASSPHRASE";
export const PASSPHRASE_FILE = "ca-passphrase";

export type PassphraseSource = "file" | "env" | "data-dir";

export async function readPassphraseFile(file: string): Promise<Result<string>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    return fail("passphrase.file", `The passphrase file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}).`);
  }
  // Editors and `echo` add a final newline; it is never part of the passphrase.
  const pass = text.replace(/\r?\n$/, "");
  return pass.length > 0 ? ok(pass) : fail("passphrase.empty", `The passphrase file ${file} is empty.`);
}

export async function resolvePassphrase(opts: {
  dataDir: string;
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
}): Promise<Result<{ passphrase: string; source: PassphraseSource }>> {
  if (opts.file !== undefined) {
    const r = await readPassphraseFile(opts.file);
    return r.ok ? ok({ passphrase: r.value, source: "file" }) : r;
  }
  const fromEnv = (opts.env ?? process.env)[PASSPHRASE_ENV];
  if (fromEnv) return ok({ passphrase: fromEnv, source: "env" });
  const inDir = join(opts.dataDir, PASSPHRASE_FILE);
  try {
    await stat(inDir);
  } catch {
    return fail("passphrase.missing", `No passphrase: give --passphrase-file, set ${PASSPHRASE_ENV}, or keep ${inDir}.`);
  }
  const r = await readPassphraseFile(inDir);
  return r.ok ? ok({ passphrase: r.value, source: "data-dir" }) : r;
}

/** Writes a random passphrase (256 bits) to DIR/ca-passphrase, mode 0600, never over an existing file. */
export async function createDataDirPassphrase(dataDir: string): Promise<Result<{ passphrase: string; file: string }>> {
  const file = join(dataDir, PASSPHRASE_FILE);
  const passphrase = toBase64(crypto.getRandomValues(new Uint8Array(32)));
  try {
    await writeFile(file, passphrase + "\n", { mode: 0o600, flag: "wx" });
  } catch (e) {
    return fail("passphrase.file", `Cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)}).`);
  }
  return ok({ passphrase, file });
}
