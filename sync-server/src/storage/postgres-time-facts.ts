import type pg from "pg";
import { uncheckedFromStore, type DocId, type ExtensionFact, type TimeFacts } from "@countersign/crdt-model";
import {
  EXTENSION_COLUMNS,
  TIME_FACTS_COLUMNS,
  extensionColumns,
  lastPerDoc,
  timeFactsColumns,
  toCalendarDay,
  toExtension,
  toTimeFacts,
  type ExtensionDbRow,
  type TimeFactsDbRow,
} from "./time-facts-rows.ts";
import type { FollowUpQuery, StoredCalendarYear, TimeFactsStore } from "./types.ts";

type Tx = <T>(fn: (c: pg.PoolClient) => Promise<T>) => Promise<T>;

/** The SQL type of each column, for unnest's arrays (INTEGER columns as int[], the rest text[]). */
const INTEGER_COLUMNS = new Set(["controlled", "extension_count", "extension_days", "project_control", "days_used", "overdue", "project", "approved"]);
const arrays = (cols: readonly string[]): string => cols.map((c, i) => `$${i + 1}::${INTEGER_COLUMNS.has(c) ? "int" : "text"}[]`).join(", ");
/** Rows as unnest's arrays: one array per column. */
const transpose = (rows: unknown[][], width: number): unknown[][] => Array.from({ length: width }, (_, i) => rows.map((r) => r[i]));

/**
 * Time facts and the office calendar in the PostgreSQL store (migration 8): any number of rows per
 * round trip, one transaction per call (all or none), rows locked in doc order so two writers of the
 * same documents take turns without deadlocking.
 */
export class PostgresTimeFacts implements TimeFactsStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly tx: Tx,
  ) {}

  async putTimeFacts(given: TimeFacts[]): Promise<void> {
    const rows = lastPerDoc(given).sort((a, b) => (a.doc < b.doc ? -1 : a.doc > b.doc ? 1 : 0));
    if (!rows.length) return;
    const upsert = TIME_FACTS_COLUMNS.filter((c) => c !== "doc")
      .map((c) => `${c} = excluded.${c}`)
      .join(", ");
    const extensions = rows.flatMap((f) => f.extensions.map((e) => extensionColumns(f.doc, e)));
    await this.tx(async (c) => {
      await c.query(
        `INSERT INTO time_facts (${TIME_FACTS_COLUMNS.join(", ")}) SELECT * FROM unnest(${arrays(TIME_FACTS_COLUMNS)}) ORDER BY 1
         ON CONFLICT (doc) DO UPDATE SET ${upsert}`,
        transpose(rows.map(timeFactsColumns), TIME_FACTS_COLUMNS.length),
      );
      await c.query("DELETE FROM time_extensions WHERE doc = ANY($1::text[])", [rows.map((r) => r.doc)]);
      if (extensions.length) {
        await c.query(
          `INSERT INTO time_extensions (${EXTENSION_COLUMNS.join(", ")}) SELECT * FROM unnest(${arrays(EXTENSION_COLUMNS)})
           ON CONFLICT (doc, request) DO NOTHING`,
          transpose(extensions, EXTENSION_COLUMNS.length),
        );
      }
    });
  }

  async getTimeFacts(doc: DocId): Promise<TimeFacts | undefined> {
    const r = await this.pool.query<TimeFactsDbRow>("SELECT * FROM time_facts WHERE doc = $1", [doc]);
    const row = r.rows[0];
    if (!row) return undefined;
    return toTimeFacts(row, (await this.extensionsOf([doc])).get(doc) ?? []);
  }

  private async extensionsOf(docs: string[]): Promise<Map<string, ExtensionFact[]>> {
    const out = new Map<string, ExtensionFact[]>();
    if (!docs.length) return out;
    const r = await this.pool.query<ExtensionDbRow>("SELECT * FROM time_extensions WHERE doc = ANY($1::text[]) ORDER BY doc, requested_at, request", [docs]);
    for (const e of r.rows) {
      const list = out.get(e.doc) ?? [];
      list.push(toExtension(e));
      out.set(e.doc, list);
    }
    return out;
  }

  async followUpFacts(q: FollowUpQuery): Promise<TimeFacts[]> {
    const where = ["close_day IS NULL", "controlled = 1"];
    const args: unknown[] = [];
    const arg = (v: unknown): string => {
      args.push(v);
      return `$${args.length}`;
    };
    if (q.units) where.push(`unit = ANY(${arg(q.units)}::text[])`);
    for (const [col, v] of [["case_officer", q.officer], ["speed", q.speed], ["kind", q.kind], ["origin", q.origin]] as const) {
      if (v !== undefined) where.push(`${col} = ${arg(v)}`);
    }
    if (q.dueOnOrBefore !== undefined) where.push(`due <= ${arg(q.dueOnOrBefore)}`);
    const r = await this.pool.query<TimeFactsDbRow>(
      `SELECT * FROM time_facts WHERE ${where.join(" AND ")} ORDER BY due IS NULL, due, doc LIMIT ${arg(Math.max(0, Math.floor(q.limit)))}`,
      args,
    );
    const ext = await this.extensionsOf(r.rows.map((x) => x.doc));
    return r.rows.map((row) => toTimeFacts(row, ext.get(row.doc) ?? []));
  }

  async timeFactsWork(q: { kind: "missing" | "open"; after: string; limit: number }): Promise<DocId[]> {
    const sql =
      q.kind === "missing"
        ? `SELECT i.doc FROM doc_index i WHERE i.doc > $1 AND NOT EXISTS (SELECT 1 FROM time_facts f WHERE f.doc = i.doc) ORDER BY i.doc LIMIT $2`
        : `SELECT doc FROM time_facts WHERE doc > $1 AND close_day IS NULL ORDER BY doc LIMIT $2`;
    const r = await this.pool.query<{ doc: string }>(sql, [q.after, Math.max(0, Math.floor(q.limit))]);
    return r.rows.map((x) => uncheckedFromStore.doc(x.doc));
  }

  async calendarYears(): Promise<StoredCalendarYear[]> {
    const years = await this.pool.query<{ year: number; imported_at: string; source: string }>("SELECT year, imported_at, source FROM calendar_years ORDER BY year");
    const days = await this.pool.query<{ day: string; off: number; note: string }>("SELECT day, off, note FROM calendar_days ORDER BY day");
    return years.rows.map((y) => ({
      year: Number(y.year),
      importedAt: y.imported_at,
      source: y.source,
      days: days.rows.filter((d) => d.day.startsWith(`${y.year}-`)).map(toCalendarDay),
    }));
  }

  async putCalendar(years: StoredCalendarYear[]): Promise<void> {
    await this.tx(async (c) => {
      for (const y of years) {
        for (const d of y.days) if (!d.day.startsWith(`${y.year}-`)) throw new Error(`Day ${d.day} is not in year ${y.year}.`);
        await c.query("DELETE FROM calendar_days WHERE day >= $1 AND day <= $2", [`${y.year}-01-01`, `${y.year}-12-31`]);
        await c.query("INSERT INTO calendar_days (day, off, note) SELECT * FROM unnest($1::text[], $2::int[], $3::text[])", [
          y.days.map((d) => d.day),
          y.days.map((d) => (d.off ? 1 : 0)),
          y.days.map((d) => d.note),
        ]);
        await c.query(
          "INSERT INTO calendar_years (year, imported_at, source) VALUES ($1, $2, $3) ON CONFLICT (year) DO UPDATE SET imported_at = excluded.imported_at, source = excluded.source",
          [y.year, y.importedAt, y.source],
        );
      }
    });
  }
}
