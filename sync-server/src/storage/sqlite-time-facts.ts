import type Database from "better-sqlite3";
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
import type { GroupCommit } from "./sqlite-group-commit.ts";
import type { FollowUpQuery, StoredCalendarYear, TimeFactsStore } from "./types.ts";

type Stmt = Database.Statement<unknown[], unknown>;

const marks = (n: number): string => Array.from({ length: n }, () => "?").join(", ");

function statements(db: Database.Database) {
  const p = (sql: string): Stmt => db.prepare(sql);
  const upsert = TIME_FACTS_COLUMNS.filter((c) => c !== "doc")
    .map((c) => `${c} = excluded.${c}`)
    .join(", ");
  return {
    putFacts: p(`INSERT INTO time_facts (${TIME_FACTS_COLUMNS.join(", ")}) VALUES (${marks(TIME_FACTS_COLUMNS.length)})
      ON CONFLICT (doc) DO UPDATE SET ${upsert}`),
    clearExtensions: p("DELETE FROM time_extensions WHERE doc = ?"),
    putExtension: p(`INSERT OR REPLACE INTO time_extensions (${EXTENSION_COLUMNS.join(", ")}) VALUES (${marks(EXTENSION_COLUMNS.length)})`),
    getFacts: p("SELECT * FROM time_facts WHERE doc = ?"),
    extensionsOf: p("SELECT * FROM time_extensions WHERE doc = ? ORDER BY requested_at, request"),
    missing: p(`SELECT i.doc FROM doc_index i WHERE i.doc > ? AND NOT EXISTS (SELECT 1 FROM time_facts f WHERE f.doc = i.doc)
      ORDER BY i.doc LIMIT ?`),
    open: p("SELECT doc FROM time_facts WHERE doc > ? AND close_day IS NULL ORDER BY doc LIMIT ?"),
    years: p("SELECT year, imported_at, source FROM calendar_years ORDER BY year"),
    daysBetween: p("SELECT day, off, note FROM calendar_days WHERE day >= ? AND day <= ? ORDER BY day"),
    clearYear: p("DELETE FROM calendar_days WHERE day >= ? AND day <= ?"),
    putDay: p("INSERT OR REPLACE INTO calendar_days (day, off, note) VALUES (?, ?, ?)"),
    putYear: p("INSERT OR REPLACE INTO calendar_years (year, imported_at, source) VALUES (?, ?, ?)"),
  };
}

/**
 * Time facts and the office calendar in the SQLite store (migration 8). Time facts go through the
 * group commit, so the rows a room writes with its receipts and index row share their transaction.
 */
export class SqliteTimeFacts implements TimeFactsStore {
  private readonly s: ReturnType<typeof statements>;
  /** One statement per combination of filters. */
  private readonly queries = new Map<string, Stmt>();

  constructor(
    private readonly db: Database.Database,
    private readonly writes: GroupCommit,
  ) {
    this.s = statements(db);
  }

  /** One savepoint of one group commit: every row written, or none. */
  putTimeFacts(rows: TimeFacts[]): Promise<void> {
    if (!rows.length) return Promise.resolve();
    return this.writes.write(() => {
      for (const f of lastPerDoc(rows)) {
        this.s.putFacts.run(...timeFactsColumns(f));
        this.s.clearExtensions.run(f.doc);
        for (const e of f.extensions) this.s.putExtension.run(...extensionColumns(f.doc, e));
      }
    });
  }

  async getTimeFacts(doc: DocId): Promise<TimeFacts | undefined> {
    const r = this.s.getFacts.get(doc) as TimeFactsDbRow | undefined;
    if (!r) return undefined;
    return toTimeFacts(r, (this.s.extensionsOf.all(doc) as ExtensionDbRow[]).map(toExtension));
  }

  async followUpFacts(q: FollowUpQuery): Promise<TimeFacts[]> {
    const where = ["close_day IS NULL", "controlled = 1"];
    const args: unknown[] = [];
    if (q.units) {
      where.push(`unit IN (SELECT value FROM json_each(?))`);
      args.push(JSON.stringify(q.units));
    }
    for (const [col, v] of [["case_officer", q.officer], ["speed", q.speed], ["kind", q.kind], ["origin", q.origin]] as const) {
      if (v === undefined) continue;
      where.push(`${col} = ?`);
      args.push(v);
    }
    if (q.dueOnOrBefore !== undefined) {
      where.push("due <= ?");
      args.push(q.dueOnOrBefore);
    }
    const sql = `SELECT * FROM time_facts WHERE ${where.join(" AND ")} ORDER BY due IS NULL, due, doc LIMIT ?`;
    let stmt = this.queries.get(sql);
    if (!stmt) this.queries.set(sql, (stmt = this.db.prepare(sql)));
    const rows = stmt.all(...args, Math.max(0, Math.floor(q.limit))) as TimeFactsDbRow[];
    return rows.map((r) => toTimeFacts(r, this.extensions(r.doc)));
  }

  private extensions(doc: string): ExtensionFact[] {
    return (this.s.extensionsOf.all(doc) as ExtensionDbRow[]).map(toExtension);
  }

  async timeFactsWork(q: { kind: "missing" | "open"; after: string; limit: number }): Promise<DocId[]> {
    const stmt = q.kind === "missing" ? this.s.missing : this.s.open;
    return (stmt.all(q.after, Math.max(0, Math.floor(q.limit))) as { doc: string }[]).map((r) => uncheckedFromStore.doc(r.doc));
  }

  async calendarYears(): Promise<StoredCalendarYear[]> {
    return (this.s.years.all() as { year: number; imported_at: string; source: string }[]).map((y) => ({
      year: y.year,
      importedAt: y.imported_at,
      source: y.source,
      days: (this.s.daysBetween.all(`${y.year}-01-01`, `${y.year}-12-31`) as { day: string; off: number; note: string }[]).map(toCalendarDay),
    }));
  }

  /** One immediate transaction (after whatever the group commit holds): every year, or none. */
  async putCalendar(years: StoredCalendarYear[]): Promise<void> {
    this.writes.flush();
    this.db
      .transaction(() => {
        for (const y of years) {
          this.s.clearYear.run(`${y.year}-01-01`, `${y.year}-12-31`);
          for (const d of y.days) {
            if (!d.day.startsWith(`${y.year}-`)) throw new Error(`Day ${d.day} is not in year ${y.year}.`);
            this.s.putDay.run(d.day, d.off ? 1 : 0, d.note);
          }
          this.s.putYear.run(y.year, y.importedAt, y.source);
        }
      })
      .immediate();
  }
}
