// The PostgreSQL store's earlier backup format (JSON lines, postgres-backup.ts), converted into the
// portable format (a Countersign SQLite store file, portable-backup.ts) so `countersign restore`
// reads backups agencies took before the portable format existed.
//
// What must stay true: a file that is not that format, is truncated (no end line, or a row count
// that differs), or comes from a newer schema is refused with a sentence, and nothing is left.
import fs from "node:fs";
import readline from "node:readline";
import Database from "better-sqlite3";
import { prepareDatabase, SCHEMA_VERSION } from "./sqlite-schema.ts";
import { BACKUP_FORMAT as LEGACY_FORMAT } from "./postgres-backup.ts";
import { stampBackup } from "./portable-backup.ts";

type Refusal = { ok: false; code: string; reason: string };

export async function importLegacyJsonLines(file: string, out: string): Promise<{ ok: true; value: { rows: number } } | Refusal> {
  const refuse = (code: string, reason: string): Refusal => ({ ok: false, code, reason });
  const lines = readline.createInterface({ input: fs.createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let db: Database.Database | undefined;
  let done = false;
  try {
    let header: { format?: unknown; version?: unknown; schemaVersion?: unknown; takenAt?: unknown } | undefined;
    let rows = 0;
    let ended: number | undefined;
    const inserts = new Map<string, { stmt: Database.Statement; cols: string[]; blob: Set<string> }>();
    for await (const line of lines) {
      if (line === "") continue;
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return refuse("backup.not-countersign", `${file} is not a Countersign backup (neither an SQLite store nor the PostgreSQL store's JSON lines).`);
      }
      if (!header) {
        header = o;
        if (o.format !== LEGACY_FORMAT) return refuse("backup.not-countersign", `${file} is not a Countersign backup (neither an SQLite store nor the PostgreSQL store's JSON lines).`);
        const v = Number(o.schemaVersion);
        if (o.version !== 1 || !Number.isInteger(v) || v > SCHEMA_VERSION)
          return refuse("backup.newer", `${file} was made with schema version ${String(o.schemaVersion)} (JSON-lines format ${String(o.version)}), newer than this program knows (schema ${SCHEMA_VERSION}, format 1); upgrade the program before restoring it.`);
        if (v < SCHEMA_VERSION) return refuse("backup.old-legacy", `${file} is a JSON-lines backup of schema version ${v}; restore it with the release that made it, then back that store up again.`);
        db = new Database(out);
        prepareDatabase(db);
        db.exec("BEGIN");
        continue;
      }
      if (ended !== undefined) return refuse("backup.corrupt", `${file} has lines after its end line.`);
      if (o.end === true) {
        ended = Number(o.rows);
        continue;
      }
      const table = o.table;
      const row = o.row as Record<string, unknown> | undefined;
      if (typeof table !== "string" || !row || typeof row !== "object") return refuse("backup.corrupt", `${file} has a line that is neither a row nor the end.`);
      let ins = inserts.get(table);
      if (!ins) {
        const info = db!.prepare(`PRAGMA table_info(${JSON.stringify(table)})`).all() as { name: string; type: string }[];
        if (!info.length) return refuse("backup.corrupt", `${file} has rows of a table this program does not know (${table}).`);
        const cols = info.map((c) => c.name);
        const q = (s: string) => `"${s}"`;
        ins = {
          cols,
          blob: new Set(info.filter((c) => /BLOB/i.test(c.type)).map((c) => c.name)),
          stmt: db!.prepare(`INSERT INTO ${q(table)} (${cols.map(q).join(", ")}) VALUES (${cols.map(() => "?").join(", ")}) ON CONFLICT DO UPDATE SET ${cols.map((c) => `${q(c)} = excluded.${q(c)}`).join(", ")}`),
        };
        inserts.set(table, ins);
      }
      const { cols, blob, stmt } = ins;
      stmt.run(cols.map((c) => {
        const v = row[c];
        if (v === undefined || v === null) return null;
        if (blob.has(c) && typeof v === "string") return Buffer.from(v, "base64");
        if (typeof v === "boolean") return v ? 1 : 0;
        return v;
      }));
      rows++;
    }
    if (!header) return refuse("backup.not-countersign", `${file} is empty: not a Countersign backup.`);
    if (ended === undefined || ended !== rows) return refuse("backup.truncated", `${file} is truncated: it holds ${rows} rows and ${ended === undefined ? "no end line" : `an end line saying ${ended}`}.`);
    db!.exec("COMMIT");
    db!.close();
    db = undefined;
    stampBackup(out, { release: "json-lines", source: "postgres", takenAt: typeof header.takenAt === "string" ? header.takenAt : "" });
    done = true;
    return { ok: true, value: { rows } };
  } catch (e) {
    return refuse("backup.corrupt", `${file} cannot be read as a Countersign backup: ${(e as Error).message}.`);
  } finally {
    lines.close();
    db?.close();
    if (!done) for (const f of [out, `${out}-wal`, `${out}-shm`]) fs.rmSync(f, { force: true });
  }
}
