// One backup format for both stores, so an agency can move between SQLite and PostgreSQL: a backup
// is a Countersign SQLite store file. From SQLite it is SQLite's online backup of the live file; from
// PostgreSQL it is every table read in one REPEATABLE READ snapshot and written into a fresh SQLite
// store of the same schema version (the two stores share their migration numbers, tables and
// columns: postgres-schema.ts). A restore copies the file into place (SQLite) or every table into an
// empty PostgreSQL schema in one transaction.
//
// What must stay true:
// - The file says what made it, in its settings: `schema_version` (the migration number, as every
//   store), and BACKUP_KEYS (format version, release, source engine, when). A backup whose schema or
//   format version is newer than this program is refused before anything is written.
// - A backup is one instant of the store: nothing committed after its snapshot, nothing missing that
//   was committed before it.
// - Identity/AUTOINCREMENT counters travel with the rows (sqlite_sequence ↔ the identity sequences):
//   a restored store never hands out a seq it already used (clients keep "seen up to seq" cursors).
// - Written beside the target and renamed into place; a failed restore into PostgreSQL rolls back
//   the schema too (DDL is transactional there), so nothing is half-applied either way.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { prepareDatabase as prepareSqlite, SCHEMA_VERSION as SQLITE_SCHEMA_VERSION, SCHEMA_VERSION_KEY, storedSchemaVersion } from "./sqlite-schema.ts";
import { applyMigrationsWithin, SCHEMA_VERSION as PG_SCHEMA_VERSION, storedSchemaVersion as storedPgSchemaVersion } from "./postgres-schema.ts";
import { redactUrl } from "./postgres.ts";

/** The version of this backup format (the keys below and the file being an SQLite store). */
export const BACKUP_FORMAT_VERSION = 1;

/** Settings a backup file carries beside schema_version; a restored store keeps them (where it came from). */
export const BACKUP_KEYS = {
  format: "backup.format",
  release: "backup.release",
  source: "backup.source",
  takenAt: "backup.taken_at",
} as const;

export interface BackupInfo {
  schemaVersion: number;
  format: number;
  release: string | null;
  source: string | null;
  takenAt: string | null;
}

/** Owner-only: a backup is the whole agency. */
const PRIVATE_FILE = 0o600;
/** Rows per PostgreSQL page read (keyset paging) and per multi-row INSERT. */
const PAGE = 500;
/** Tables of attachment-sized rows: fewer at a time, so memory stays bounded. */
const BIG_ROW_TABLES = new Set(["blobs", "envelopes", "outbox"]);
const BIG_PAGE = 8;

/** Marks a backup file (SQLite, or one just written from PostgreSQL) with what made it. */
export function stampBackup(file: string, o: { release: string; source: "sqlite" | "postgres"; takenAt: string }): void {
  const db = new Database(file);
  try {
    const put = db.prepare("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    db.transaction(() => {
      put.run(BACKUP_KEYS.format, String(BACKUP_FORMAT_VERSION));
      put.run(BACKUP_KEYS.release, o.release);
      put.run(BACKUP_KEYS.source, o.source);
      put.run(BACKUP_KEYS.takenAt, o.takenAt);
    })();
    // One self-contained file: no WAL beside it.
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.pragma("journal_mode = DELETE");
  } finally {
    db.close();
  }
}

/**
 * What a backup file says about itself, or a sentence why it cannot be restored by this program
 * (not a Countersign store, or made by a newer release). Reads only; never changes the file.
 */
export function inspectBackup(file: string): { ok: true; value: BackupInfo } | { ok: false; code: string; reason: string } {
  if (!fs.existsSync(file)) return { ok: false, code: "backup.missing", reason: `The backup ${file} does not exist.` };
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    return { ok: false, code: "backup.unreadable", reason: `${file} cannot be opened as a Countersign backup: ${(e as Error).message}.` };
  }
  try {
    let version: number | undefined;
    let get: (k: string) => string | null = () => null;
    try {
      version = storedSchemaVersion(db);
      const q = db.prepare("SELECT value FROM settings WHERE key = ?");
      get = (k) => (q.get(k) as { value: string } | undefined)?.value ?? null;
    } catch {
      version = undefined;
    }
    if (version === undefined) return { ok: false, code: "backup.not-countersign", reason: `${file} is not a Countersign backup (it has no schema_version setting).` };
    const format = Number(get(BACKUP_KEYS.format) ?? BACKUP_FORMAT_VERSION);
    const release = get(BACKUP_KEYS.release);
    if (version > SQLITE_SCHEMA_VERSION || !(format <= BACKUP_FORMAT_VERSION)) {
      const by = release ? ` by release ${release}` : "";
      return {
        ok: false,
        code: "backup.newer",
        reason: `${file} was made${by} with schema version ${version} (backup format ${format}), newer than this program knows (schema ${SQLITE_SCHEMA_VERSION}, format ${BACKUP_FORMAT_VERSION}); upgrade the program before restoring it.`,
      };
    }
    return { ok: true, value: { schemaVersion: version, format, release, source: get(BACKUP_KEYS.source), takenAt: get(BACKUP_KEYS.takenAt) } };
  } finally {
    db.close();
  }
}

/** Tables of an SQLite store in creation order (parents before the tables that reference them). */
function sqliteTables(db: Database.Database): { table: string; columns: { name: string; type: string; pk: number }[] }[] {
  const names = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid").pluck().all() as string[];
  return names.map((table) => ({ table, columns: db.prepare(`PRAGMA table_info(${JSON.stringify(table)})`).all() as { name: string; type: string; pk: number }[] }));
}

const quote = (id: string): string => `"${id.replace(/"/g, '""')}"`;

/**
 * PostgreSQL → a backup file: every table of the store read in one REPEATABLE READ, READ ONLY
 * transaction (one instant; writers go on meanwhile) into a fresh SQLite store of the same schema.
 */
export async function backupPostgres(url: string, toFile: string, o: { release: string; now?: () => Date }): Promise<{ rows: number }> {
  const target = path.resolve(toFile);
  if (fs.existsSync(target)) throw new Error(`Refusing to overwrite ${toFile}.`);
  if (PG_SCHEMA_VERSION !== SQLITE_SCHEMA_VERSION) throw new Error(`This program's stores disagree (PostgreSQL schema ${PG_SCHEMA_VERSION}, SQLite ${SQLITE_SCHEMA_VERSION}); no portable backup can be made.`);
  const partial = `${target}.partial-${process.pid}`;
  const client = new pg.Client({ connectionString: url, application_name: "countersign backup" });
  client.on("error", () => undefined);
  let out: Database.Database | undefined;
  try {
    try {
      await client.connect();
    } catch (e) {
      throw new Error(`The PostgreSQL store at ${redactUrl(url)} cannot be reached: ${(e as Error).message}`, { cause: e });
    }
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const takenAt = (o.now ?? (() => new Date()))().toISOString();
    const version = await storedPgSchemaVersion(client);
    if (version === undefined) throw new Error(`${redactUrl(url)} holds no Countersign store.`);
    if (version > PG_SCHEMA_VERSION) throw new Error(`The store has schema version ${version}, newer than this program knows (${PG_SCHEMA_VERSION}); upgrade the program.`);
    if (version < PG_SCHEMA_VERSION) throw new Error(`The store has schema version ${version}, older than this program's ${PG_SCHEMA_VERSION}: let \`countersign serve\` migrate it first, or back it up with the release that serves it.`);

    fs.rmSync(partial, { force: true });
    fs.closeSync(fs.openSync(partial, "wx", PRIVATE_FILE));
    out = new Database(partial);
    prepareSqlite(out);
    let rows = 0;
    const pgColumns = await columnsOf(client);
    for (const { table, columns } of sqliteTables(out)) {
      const have = pgColumns.get(table);
      if (!have) throw new Error(`The PostgreSQL store has no table ${table}; it does not match this program's schema.`);
      const missing = columns.filter((c) => !have.has(c.name)).map((c) => c.name);
      if (missing.length) throw new Error(`The PostgreSQL table ${table} lacks ${missing.join(", ")}; it does not match this program's schema.`);
      const names = columns.map((c) => c.name);
      const key = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
      const order = (key.length ? key : names).map(quote).join(", ");
      const integer = new Set(columns.filter((c) => /INT/i.test(c.type)).map((c) => c.name));
      const insert = out.prepare(`INSERT INTO ${quote(table)} (${names.map(quote).join(", ")}) VALUES (${names.map(() => "?").join(", ")}) ON CONFLICT DO UPDATE SET ${names.map((n) => `${quote(n)} = excluded.${quote(n)}`).join(", ")}`);
      const size = BIG_ROW_TABLES.has(table) ? BIG_PAGE : PAGE;
      const keyCols = key.length ? key : names;
      let after: unknown[] | undefined;
      for (;;) {
        const page = await client.query<Record<string, unknown>>({
          text: `SELECT ${names.map(quote).join(", ")} FROM ${quote(table)} ${after ? `WHERE (${keyCols.map(quote).join(", ")}) > (${keyCols.map((_, i) => `$${i + 1}`).join(", ")})` : ""} ORDER BY ${order} LIMIT ${size}`,
          values: after ?? [],
        });
        const write = out.transaction((list: Record<string, unknown>[]) => {
          for (const r of list) insert.run(names.map((n) => toSqliteValue(r[n], integer.has(n))));
        });
        write(page.rows);
        rows += page.rows.length;
        if (page.rows.length < size) break;
        const last = page.rows[page.rows.length - 1]!;
        after = keyCols.map((k) => last[k]);
      }
    }
    // The identity counters: what PostgreSQL would hand out next, never less than the rows' own seqs.
    const ids = await client.query<{ table_name: string; seq: string | null }>(
      "SELECT table_name, pg_get_serial_sequence(quote_ident(table_name), column_name) AS seq FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'",
    );
    const seqs: { table_name: string; last: string | null }[] = [];
    for (const r of ids.rows) {
      if (!r.seq) continue;
      const s = await client.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text AS last_value, is_called FROM ${r.seq}`);
      seqs.push({ table_name: r.table_name, last: s.rows[0]?.is_called ? s.rows[0].last_value : null });
    }
    const hasSeq = out.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_sequence'").get() !== undefined;
    if (hasSeq) {
      const setSeq = out.prepare("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?");
      const addSeq = out.prepare("INSERT INTO sqlite_sequence (name, seq) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?)");
      for (const s of seqs) {
        if (s.last === null) continue;
        setSeq.run(Number(s.last), s.table_name);
        addSeq.run(s.table_name, Number(s.last), s.table_name);
      }
    }
    await client.query("COMMIT");
    out.close();
    out = undefined;
    stampBackup(partial, { release: o.release, source: "postgres", takenAt });
    fs.chmodSync(partial, PRIVATE_FILE);
    if (fs.existsSync(target)) throw new Error(`Refusing to overwrite ${toFile}: it appeared during the backup.`);
    fs.renameSync(partial, target);
    return { rows };
  } finally {
    out?.close();
    for (const f of [partial, `${partial}-wal`, `${partial}-shm`, `${partial}-journal`]) fs.rmSync(f, { force: true });
    await client.end().catch(() => undefined);
  }
}

/** PostgreSQL's value as SQLite keeps it: BIGINT text as a number, booleans as 0/1, bytes as bytes. */
function toSqliteValue(v: unknown, integer: boolean): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (integer && typeof v === "string" && /^-?\d+$/.test(v)) return Number(v);
  return v;
}

/** Every table of the current schema with its columns and their types. */
async function columnsOf(c: pg.ClientBase): Promise<Map<string, Map<string, string>>> {
  const r = await c.query<{ table_name: string; column_name: string; data_type: string }>(
    "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema()",
  );
  const m = new Map<string, Map<string, string>>();
  for (const row of r.rows) {
    let t = m.get(row.table_name);
    if (!t) m.set(row.table_name, (t = new Map()));
    t.set(row.column_name, row.data_type);
  }
  return m;
}

/**
 * A backup file → an empty PostgreSQL database: the schema and every row in ONE transaction (nothing
 * is left if any of it fails), then the identity sequences past every restored seq. `file` must be
 * at this program's schema version (restore migrates an older one first: backup.ts).
 */
export async function restoreIntoPostgres(file: string, url: string): Promise<{ rows: number }> {
  const src = new Database(file, { readonly: true, fileMustExist: true });
  const client = new pg.Client({ connectionString: url, application_name: "countersign restore" });
  client.on("error", () => undefined);
  try {
    const version = storedSchemaVersion(src);
    if (version !== PG_SCHEMA_VERSION) throw new Error(`${file} has schema version ${version ?? "none"}; this program restores version ${PG_SCHEMA_VERSION} into PostgreSQL.`);
    try {
      await client.connect();
    } catch (e) {
      throw new Error(`The PostgreSQL database at ${redactUrl(url)} cannot be reached: ${(e as Error).message}`, { cause: e });
    }
    await client.query("BEGIN");
    try {
      const existing = await client.query("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LIMIT 1");
      if (existing.rowCount) throw new Error(`Refusing to restore into ${redactUrl(url)}: its schema already holds tables (restore only into an empty database).`);
      await applyMigrationsWithin(client);
      const pgColumns = await columnsOf(client);
      let rows = 0;
      for (const { table, columns } of sqliteTables(src)) {
        const have = pgColumns.get(table);
        if (!have) throw new Error(`This program's PostgreSQL schema has no table ${table}.`);
        const names = columns.map((c) => c.name);
        const missing = names.filter((n) => !have.has(n));
        if (missing.length) throw new Error(`This program's PostgreSQL table ${table} lacks ${missing.join(", ")}.`);
        const bool = new Set(names.filter((n) => have.get(n) === "boolean"));
        // The settings row schema_version is the migration's own; every other setting comes from the backup.
        const conflict = table === "settings" ? `ON CONFLICT (key) DO UPDATE SET value = excluded.value` : "";
        const iter = src.prepare(`SELECT ${names.map(quote).join(", ")} FROM ${quote(table)}`).raw().iterate() as IterableIterator<unknown[]>;
        let batch: unknown[][] = [];
        const size = BIG_ROW_TABLES.has(table) ? BIG_PAGE : PAGE;
        const flush = async () => {
          if (!batch.length) return;
          const values: unknown[] = [];
          const tuples = batch.map((r) => `(${r.map((v, i) => {
            values.push(bool.has(names[i]!) && v !== null ? v === 1 || v === "1" || v === true : v);
            return `$${values.length}`;
          }).join(", ")})`);
          await client.query(`INSERT INTO ${quote(table)} (${names.map(quote).join(", ")}) OVERRIDING SYSTEM VALUE VALUES ${tuples.join(", ")} ${conflict}`, values);
          rows += batch.length;
          batch = [];
        };
        for (const r of iter) {
          batch.push(r);
          if (batch.length >= size) await flush();
        }
        await flush();
      }
      // Identity sequences past every restored seq and past what SQLite had handed out (sqlite_sequence).
      const counters = new Map<string, number>();
      if (src.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_sequence'").get() !== undefined)
        for (const r of src.prepare("SELECT name, seq FROM sqlite_sequence").all() as { name: string; seq: number }[]) counters.set(r.name, Number(r.seq));
      const ids = await client.query<{ table_name: string; column_name: string }>(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'",
      );
      for (const { table_name: t, column_name: c } of ids.rows) {
        const max = await client.query<{ m: string | null }>(`SELECT max(${quote(c)})::text AS m FROM ${quote(t)}`);
        const top = Math.max(Number(max.rows[0]?.m ?? 0), counters.get(t) ?? 0);
        if (top > 0) await client.query(`SELECT setval(pg_get_serial_sequence($1, $2), $3, true)`, [quote(t), c, top]);
      }
      await client.query(`INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [SCHEMA_VERSION_KEY, String(PG_SCHEMA_VERSION)]);
      await client.query("COMMIT");
      return { rows };
    } catch (e) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw e;
    }
  } finally {
    src.close();
    await client.end().catch(() => undefined);
  }
}
