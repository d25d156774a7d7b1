/**
 * Whether an error means the storage cannot be written right now (a read-only file, directory or
 * disk, a full disk, an I/O error; PostgreSQL in read-only mode or out of space) rather than a bug or
 * a bad request: answered 503 (try again) and reported by /healthz, never 500.
 */
export function cannotWrite(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return false;
  // SQLite (better-sqlite3's SqliteError.code), extended codes included.
  if (/^SQLITE_(READONLY|CANTOPEN|IOERR|FULL)/.test(code)) return true;
  // PostgreSQL SQLSTATE: read_only_sql_transaction, disk_full, insufficient_resources, io_error.
  return code === "25006" || code === "53100" || code === "53000" || code === "58030";
}
