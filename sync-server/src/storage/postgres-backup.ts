import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { once } from "node:events";
import { finished } from "node:stream/promises";
import path from "node:path";
import type pg from "pg";
import { SCHEMA_VERSION, seqOf } from "./postgres-schema.ts";

export const BACKUP_FORMAT = "countersign-postgres-backup";

/**
 * A consistent dump, taken while serving: `readTx` is one REPEATABLE READ, READ ONLY transaction that
 * reads every table, so the file is one instant of the store (writers go on meanwhile). The format,
 * JSON lines:
 *   line 1: {"format":"countersign-postgres-backup","version":1,"schemaVersion":N,"takenAt":ISO}
 *   then one line per row: {"table":NAME,"row":{column: value, …}} with the store's own column
 *   names and values (people.active a boolean; participants, holders, roles, docs and
 *   revoked_serials the JSON text the store keeps; seq and size numbers); BYTEA (updates, blobs,
 *   envelopes and outbox data) is base64. Tables come in BACKUP_TABLES order, rows in primary-key
 *   order; the last line is {"end":true,"rows":COUNT}, so a truncated file is evident.
 * Written beside the target and renamed into place, so a failed backup leaves no partial file.
 */
export async function writeBackup(readTx: <T>(fn: (c: pg.PoolClient) => Promise<T>) => Promise<T>, toFile: string): Promise<void> {
  const target = path.resolve(toFile);
  const partial = `${target}.partial-${process.pid}`;
  const out = createWriteStream(partial, { flags: "wx", mode: 0o600 });
  // A write error is kept on the stream (out.errored) and surfaced by write() or finished().
  out.on("error", () => undefined);
  const write = async (obj: unknown): Promise<void> => {
    if (out.errored) throw out.errored;
    if (!out.write(JSON.stringify(obj) + "\n")) await once(out, "drain");
  };
  try {
    await once(out, "open");
    await readTx(async (c) => {
      await write({ format: BACKUP_FORMAT, version: 1, schemaVersion: SCHEMA_VERSION, takenAt: new Date().toISOString() });
      const rows = await dumpRows(c, (table, row) => write({ table, row }));
      await write({ end: true, rows });
    });
    out.end();
    await finished(out);
    await rename(partial, target);
  } catch (e) {
    out.destroy();
    await rm(partial, { force: true });
    throw e;
  }
}

/** Rows fetched per backup query: bounded memory whatever the size of the store. */
const BACKUP_PAGE = 500;
/** For tables of attachment-sized rows (up to the blob limit each), far fewer at a time. */
const BACKUP_PAGE_BYTES = 8;

/**
 * Every table with the columns that order it, in the order a backup writes them. Ordered by the
 * primary key so that a page query can resume after the last row (keyset paging).
 */
export const BACKUP_TABLES: readonly { table: string; key: readonly string[]; page?: number }[] = [
  { table: "settings", key: ["key"] },
  { table: "units", key: ["id"] },
  { table: "people", key: ["id"] },
  { table: "deputies", key: ["principal", "deputy", "from_at"] },
  { table: "certificates", key: ["serial"] },
  { table: "enrollments", key: ["code_hash"] },
  { table: "challenges", key: ["nonce"] },
  { table: "doc_index", key: ["doc"] },
  { table: "doc_keys", key: ["doc", "kind", "key"] },
  { table: "doc_blobs", key: ["doc", "sha256"] },
  { table: "doc_clients", key: ["doc", "client"] },
  { table: "receipts", key: ["entry"] },
  { table: "updates", key: ["seq"] },
  { table: "peers", key: ["code"] },
  { table: "exchanges", key: ["seq"] },
  { table: "exchange_docs", key: ["doc", "seq"] },
  { table: "assignments", key: ["seq"] },
  { table: "archive_views", key: ["seq"] },
  { table: "audit_log", key: ["seq"] },
  { table: "time_facts", key: ["doc"] },
  { table: "time_extensions", key: ["doc", "request"] },
  { table: "calendar_years", key: ["year"] },
  { table: "calendar_days", key: ["day"] },
  { table: "blobs", key: ["sha256"], page: BACKUP_PAGE_BYTES },
  { table: "envelopes", key: ["envelope"], page: BACKUP_PAGE_BYTES },
  { table: "outbox", key: ["envelope"], page: BACKUP_PAGE_BYTES },
];

/**
 * Hands every row of every table to `emit`, in BACKUP_TABLES order and primary-key order, as plain
 * JSON values (BYTEA as base64, seq as a number); returns how many. Pages by key rather than by
 * OFFSET, so each page is an index range scan; consistency comes from the caller's transaction.
 */
export async function dumpRows(c: pg.ClientBase, emit: (table: string, row: Record<string, unknown>) => Promise<void>): Promise<number> {
  let rows = 0;
  for (const { table, key, page: pageSize = BACKUP_PAGE } of BACKUP_TABLES) {
    const cols = key.join(", ");
    const placeholders = key.map((_, i) => `$${i + 1}`).join(", ");
    let after: unknown[] | undefined;
    for (;;) {
      const page = await c.query<Record<string, unknown>>(
        `SELECT * FROM ${table} ${after ? `WHERE (${cols}) > (${placeholders})` : ""} ORDER BY ${cols} LIMIT ${pageSize}`,
        after ?? [],
      );
      for (const row of page.rows) {
        const plain: Record<string, unknown> = {};
        // Every BIGINT column is a seq or a size, far below 2^53: a number, as SQLite gives it.
        for (const [k, v] of Object.entries(row)) plain[k] = Buffer.isBuffer(v) ? v.toString("base64") : k === "seq" || k === "size" ? seqOf(v as string) : v;
        await emit(table, plain);
      }
      rows += page.rows.length;
      if (page.rows.length < pageSize) break;
      const last = page.rows[page.rows.length - 1]!;
      after = key.map((k) => last[k]);
    }
  }
  return rows;
}
