import type pg from "pg";
import { indexNumbers, toReceipt, type ReceiptDbRow } from "./rows.ts";
import type { DocIndexRow, EntryReceipt } from "./types.ts";

/**
 * Index rows and receipts in the PostgreSQL store, any number per round trip: an envelope import
 * writes a thousand documents' rows with a handful of statements and one commit, not a thousand.
 */

/**
 * Upserts the rows and replaces their keys, on the caller's connection inside its transaction. The
 * upsert locks the rows first, in doc order, so two transactions indexing the same documents take
 * turns without deadlocking, and each document's keys belong to the row that won.
 */
export async function upsertIndexRows(c: pg.ClientBase, given: readonly DocIndexRow[]): Promise<void> {
  // A document listed twice keeps its last row: one statement must not update a row twice.
  const rows = [...new Map(given.map((r) => [r.doc, r])).values()];
  if (!rows.length) return;
  const col = <T>(f: (r: DocIndexRow) => T): T[] => rows.map(f);
  const numbers = rows.map(indexNumbers);
  const num = <K extends keyof (typeof numbers)[number]>(k: K) => numbers.map((n) => n[k]);
  await c.query(
    `INSERT INTO doc_index (doc, kind, subject, status, secrecy, unit, case_officer, due_date, participants, holders, updated_at,
       doc_number, receipt_number, file_number, retention, decided_at, dispatched_at, archived_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
       $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[])
     ORDER BY 1
     ON CONFLICT (doc) DO UPDATE SET kind = excluded.kind, subject = excluded.subject, status = excluded.status,
       secrecy = excluded.secrecy, unit = excluded.unit, case_officer = excluded.case_officer, due_date = excluded.due_date,
       participants = excluded.participants, holders = excluded.holders, updated_at = excluded.updated_at,
       doc_number = excluded.doc_number, receipt_number = excluded.receipt_number, file_number = excluded.file_number,
       retention = excluded.retention, decided_at = excluded.decided_at, dispatched_at = excluded.dispatched_at,
       archived_at = excluded.archived_at`,
    [
      col((r) => r.doc),
      col((r) => r.kind),
      col((r) => r.subject),
      col((r) => r.status),
      col((r) => r.secrecy),
      col((r) => r.unit),
      col((r) => r.caseOfficer),
      col((r) => r.dueDate),
      col((r) => JSON.stringify(r.participants)),
      col((r) => JSON.stringify(r.holders)),
      col((r) => r.updatedAt),
      num("docNumber"),
      num("receiptNumber"),
      num("fileNumber"),
      num("retention"),
      num("decidedAt"),
      num("dispatchedAt"),
      num("archivedAt"),
    ],
  );
  const docs = col((r) => r.doc);
  await c.query("DELETE FROM doc_keys WHERE doc = ANY($1::text[])", [docs]);
  const keys: { doc: string[]; kind: string[]; key: string[] } = { doc: [], kind: [], key: [] };
  const add = (doc: string, kind: string, key: string) => {
    keys.doc.push(doc);
    keys.kind.push(kind);
    keys.key.push(key);
  };
  for (const r of rows) {
    for (const k of r.holders) add(r.doc, "holder", k);
    for (const k of r.participants) add(r.doc, "participant", k);
  }
  if (keys.doc.length) {
    await c.query("INSERT INTO doc_keys (doc, kind, key) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING", [
      keys.doc,
      keys.kind,
      keys.key,
    ]);
  }
  // Attachment references: replaced for rows that carry them, left alone for rows that do not.
  const withRefs = rows.filter((r) => r.attachments !== undefined);
  if (withRefs.length) {
    await c.query("DELETE FROM doc_blobs WHERE doc = ANY($1::text[])", [withRefs.map((r) => r.doc)]);
    const refs = withRefs.flatMap((r) => r.attachments!.map((h) => [r.doc, h] as const));
    if (refs.length)
      await c.query("INSERT INTO doc_blobs (doc, sha256) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING", [
        refs.map((r) => r[0]),
        refs.map((r) => r[1]),
      ]);
  }
}

/**
 * Two statements, each committed: the INSERT is the one transaction that records every first
 * sighting (a concurrent first sighting of an entry makes it wait for that one and then skip it;
 * entries go in sorted, so two such batches cannot deadlock), and the SELECT — a fresh snapshot
 * under READ COMMITTED — returns whichever row won. A second sighting in the list keeps the first.
 */
export async function insertReceipts(pool: pg.Pool, rs: readonly EntryReceipt[]): Promise<EntryReceipt[]> {
  if (!rs.length) return [];
  const first = new Map<string, EntryReceipt>();
  for (const r of rs) if (!first.has(r.entry)) first.set(r.entry, r);
  const uniq = [...first.values()];
  await pool.query(
    `INSERT INTO receipts (entry, doc, received_at, signature)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) ORDER BY 1
     ON CONFLICT (entry) DO NOTHING`,
    [uniq.map((r) => r.entry), uniq.map((r) => r.doc), uniq.map((r) => r.receivedAt), uniq.map((r) => r.signature)],
  );
  const got = await pool.query<ReceiptDbRow>("SELECT entry, doc, received_at, signature FROM receipts WHERE entry = ANY($1::text[])", [
    uniq.map((r) => r.entry),
  ]);
  const kept = new Map(got.rows.map((row) => [row.entry, toReceipt(row)]));
  return rs.map((r) => kept.get(r.entry)!);
}
