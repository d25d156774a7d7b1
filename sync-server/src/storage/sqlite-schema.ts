import type BetterSqlite3 from "better-sqlite3";

/** The setting that marks a file as a Countersign store and tells which migrations it has had. */
export const SCHEMA_VERSION_KEY = "schema_version";

/**
 * MIGRATIONS[i] brings a store from version i to i + 1. Append, never edit: a store in the field
 * records only its number, so a changed step would never be re-run on it.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE IF NOT EXISTS settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );

  -- AUTOINCREMENT, not a bare rowid: compaction deletes rows and a bare rowid would hand out the
  -- largest deleted seq again, so a client's "seen up to seq" cursor could skip a new update.
  CREATE TABLE IF NOT EXISTS updates (
    seq  INTEGER PRIMARY KEY AUTOINCREMENT,
    doc  TEXT NOT NULL,
    data BLOB NOT NULL,
    at   TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS updates_doc_seq ON updates (doc, seq);

  -- participants and holders are kept twice: as JSON to give back the row exactly as put, and as
  -- doc_keys rows so that "any of these keys" is an index lookup instead of a scan of every document.
  CREATE TABLE IF NOT EXISTS doc_index (
    doc          TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    subject      TEXT NOT NULL,
    status       TEXT NOT NULL,
    secrecy      TEXT NOT NULL,
    unit         TEXT,
    case_officer TEXT,
    due_date     TEXT,
    participants TEXT NOT NULL,
    holders      TEXT NOT NULL,
    updated_at   TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS doc_index_status ON doc_index (status, updated_at);
  CREATE INDEX IF NOT EXISTS doc_index_updated ON doc_index (updated_at);

  CREATE TABLE IF NOT EXISTS doc_keys (
    doc  TEXT NOT NULL REFERENCES doc_index (doc) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('holder', 'participant')),
    key  TEXT NOT NULL,
    PRIMARY KEY (doc, kind, key)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS doc_keys_by_key ON doc_keys (kind, key, doc);

  CREATE TABLE IF NOT EXISTS receipts (
    entry       TEXT PRIMARY KEY,
    doc         TEXT NOT NULL,
    received_at TEXT NOT NULL,
    signature   TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS receipts_doc ON receipts (doc, received_at);

  -- No foreign keys between units and people: an import may bring a child before its parent, and
  -- the directory module validates the tree as a whole.
  CREATE TABLE IF NOT EXISTS units (
    id     TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    parent TEXT
  );

  CREATE TABLE IF NOT EXISTS people (
    id     TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    unit   TEXT NOT NULL,
    level  INTEGER NOT NULL,
    roles  TEXT NOT NULL,
    active INTEGER NOT NULL CHECK (active IN (0, 1))
  );

  CREATE TABLE IF NOT EXISTS deputies (
    principal TEXT NOT NULL,
    deputy    TEXT NOT NULL,
    from_at   TEXT NOT NULL,
    until_at  TEXT NOT NULL,
    PRIMARY KEY (principal, deputy, from_at)
  );

  CREATE TABLE IF NOT EXISTS certificates (
    serial     TEXT PRIMARY KEY,
    person     TEXT NOT NULL,
    cert       TEXT NOT NULL,
    issued_at  TEXT NOT NULL,
    revoked_at TEXT,
    origin     TEXT NOT NULL CHECK (origin IN ('issued', 'registered'))
  );
  CREATE INDEX IF NOT EXISTS certificates_person ON certificates (person, issued_at);

  CREATE TABLE IF NOT EXISTS enrollments (
    code_hash  TEXT PRIMARY KEY,
    person     TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
  );

  CREATE TABLE IF NOT EXISTS challenges (
    nonce      TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
  );
  `,
  // 2: attachments and the envelope exchange (issue 5).
  `
  -- Content-addressed: the key is the SHA-256 of the bytes, checked before every insert.
  CREATE TABLE IF NOT EXISTS blobs (
    sha256     TEXT PRIMARY KEY,
    data       BLOB NOT NULL,
    size       INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );

  CREATE TABLE IF NOT EXISTS peers (
    code            TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    ca_pem          TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,
    url             TEXT,
    delegation      TEXT,
    revoked_serials TEXT NOT NULL,
    added_at        TEXT NOT NULL,
    removed_at      TEXT
  );

  -- The exchange log, append-only. An envelope id is imported at most once: the partial unique index
  -- is what makes a second import (even a concurrent one, from another process) a duplicate.
  CREATE TABLE IF NOT EXISTS exchanges (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    envelope  TEXT,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    peer      TEXT,
    purpose   TEXT,
    answers   TEXT,
    docs      TEXT NOT NULL,
    sha256    TEXT NOT NULL,
    size      INTEGER NOT NULL,
    status    TEXT NOT NULL CHECK (status IN ('imported', 'duplicate', 'refused', 'queued', 'delivered', 'failed', 'exported')),
    detail    TEXT,
    at        TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS exchanges_envelope ON exchanges (envelope, seq);
  CREATE INDEX IF NOT EXISTS exchanges_peer ON exchanges (peer, seq);
  CREATE UNIQUE INDEX IF NOT EXISTS exchanges_imported_once ON exchanges (envelope) WHERE direction = 'in' AND status = 'imported';
  -- docs is kept as JSON to give the record back as logged, and here so "the log of a document" is an index lookup.
  CREATE TABLE IF NOT EXISTS exchange_docs (
    doc TEXT NOT NULL,
    seq INTEGER NOT NULL REFERENCES exchanges (seq) ON DELETE CASCADE,
    PRIMARY KEY (doc, seq)
  ) WITHOUT ROWID;

  -- The bytes of envelopes we imported or sent, by envelope id.
  CREATE TABLE IF NOT EXISTS envelopes (
    envelope TEXT PRIMARY KEY,
    sha256   TEXT NOT NULL,
    data     BLOB NOT NULL,
    at       TEXT NOT NULL
  );

  CREATE TABLE IF NOT EXISTS outbox (
    envelope        TEXT PRIMARY KEY,
    peer            TEXT NOT NULL,
    data            BLOB NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    created_at      TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS outbox_status ON outbox (status, next_attempt_at);

  -- 分文, as a history: the row with the largest seq per document is the current assignment.
  CREATE TABLE IF NOT EXISTS assignments (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    doc      TEXT NOT NULL,
    person   TEXT NOT NULL,
    assigned_by TEXT NOT NULL,
    at       TEXT NOT NULL,
    envelope TEXT
  );
  CREATE INDEX IF NOT EXISTS assignments_doc ON assignments (doc, seq);
  CREATE INDEX IF NOT EXISTS assignments_person ON assignments (person, seq);
  `,
  // 3: which documents reference which attachment (issue 12): a blob is served only to someone who
  // may read a document referencing it. Written with the document's index row.
  `
  CREATE TABLE IF NOT EXISTS doc_blobs (
    doc    TEXT NOT NULL REFERENCES doc_index (doc) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (doc, sha256)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS doc_blobs_by_blob ON doc_blobs (sha256, doc);
  `,
  // 4: who writes under each Yjs client id of a document (issue 12): the relay refuses a struct
  // under a client id bound to someone else, so nobody pre-empts another writer's next clock.
  `
  CREATE TABLE IF NOT EXISTS doc_clients (
    doc    TEXT NOT NULL,
    client INTEGER NOT NULL,
    owner  TEXT NOT NULL,
    PRIMARY KEY (doc, client)
  ) WITHOUT ROWID;
  `,
  // 5: a refused envelope's refusal code (issue 13) beside its sentence (detail), so the exchange log
  // is explained by code, never by matching the sentence. NULL for rows written before, and for others.
  `
  ALTER TABLE exchanges ADD COLUMN code TEXT;
  `,
  // 6: administration in the app (issue 9): a person's e-mail address, and the audit log of every
  // change to the directory, certificates and the trust list (who, when, what, before and after).
  // Append-only: nothing updates or deletes a row.
  `
  ALTER TABLE people ADD COLUMN email TEXT;

  CREATE TABLE IF NOT EXISTS audit_log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT
  );
  `,
  // 7: 發文 and 歸檔 (issue 9): the index row's numbers and dates (文號/發文字號, 收文號, 檔號, 保存年限,
  // when decided, dispatched, archived), NULL until the document is indexed again; and every 調閱
  // (an archives person opening an archived document: who, which, when), append-only.
  `
  ALTER TABLE doc_index ADD COLUMN doc_number TEXT;
  ALTER TABLE doc_index ADD COLUMN receipt_number TEXT;
  ALTER TABLE doc_index ADD COLUMN file_number TEXT;
  ALTER TABLE doc_index ADD COLUMN retention TEXT;
  ALTER TABLE doc_index ADD COLUMN decided_at TEXT;
  ALTER TABLE doc_index ADD COLUMN dispatched_at TEXT;
  ALTER TABLE doc_index ADD COLUMN archived_at TEXT;

  CREATE TABLE IF NOT EXISTS archive_views (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    doc    TEXT NOT NULL,
    person TEXT NOT NULL,
    at     TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS archive_views_doc ON archive_views (doc, person, at);
  `,
  // 8: 時效管制 (issue 10): every document's time facts (crdt-model's TimeFacts, one row per document,
  // written with its index row), its 展期 history, and the imported office calendar. Booleans are
  // INTEGER 0/1 in both stores, so one SQL text serves reports on both. Days are YYYY-MM-DD text,
  // times ISO 8601 UTC text: both compare as text.
  `
  CREATE TABLE IF NOT EXISTS time_facts (
    doc             TEXT PRIMARY KEY,
    unit            TEXT,
    case_officer    TEXT,
    kind            TEXT NOT NULL,
    speed           TEXT NOT NULL,
    secrecy         TEXT NOT NULL,
    origin          TEXT NOT NULL CHECK (origin IN ('received', 'created')),
    incoming        TEXT CHECK (incoming IN ('exchange', 'paper')),
    outgoing        TEXT CHECK (outgoing IN ('exchange', 'paper')),
    started_at      TEXT NOT NULL,
    start_day       TEXT NOT NULL,
    controlled      INTEGER NOT NULL CHECK (controlled IN (0, 1)),
    base_due        TEXT,
    due             TEXT,
    extension_count INTEGER NOT NULL,
    extension_days  INTEGER NOT NULL,
    project_control INTEGER NOT NULL CHECK (project_control IN (0, 1)),
    closed_at       TEXT,
    close_day       TEXT,
    closing         TEXT CHECK (closing IN ('dispatch', 'close', 'archive')),
    mode            TEXT NOT NULL CHECK (mode IN ('online', 'paper')),
    days_used       INTEGER,
    overdue         INTEGER NOT NULL CHECK (overdue IN (0, 1)),
    late_reason     TEXT,
    updated_at      TEXT NOT NULL
  );
  -- The follow-up desk: open controlled documents by due date.
  CREATE INDEX IF NOT EXISTS time_facts_open_due ON time_facts (due) WHERE close_day IS NULL AND controlled = 1;

  CREATE TABLE IF NOT EXISTS time_extensions (
    doc          TEXT NOT NULL REFERENCES time_facts (doc) ON DELETE CASCADE,
    request      TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    request_day  TEXT NOT NULL,
    reason       TEXT NOT NULL,
    until        TEXT NOT NULL,
    project      INTEGER NOT NULL CHECK (project IN (0, 1)),
    decision     TEXT,
    decided_by   TEXT,
    decided_at   TEXT,
    approved     INTEGER CHECK (approved IN (0, 1)),
    PRIMARY KEY (doc, request)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS time_extensions_day ON time_extensions (request_day);

  -- The imported office calendar: every published day of each imported year (replaced as a whole).
  CREATE TABLE IF NOT EXISTS calendar_days (
    day  TEXT PRIMARY KEY,
    off  INTEGER NOT NULL CHECK (off IN (0, 1)),
    note TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS calendar_years (
    year        INTEGER PRIMARY KEY,
    imported_at TEXT NOT NULL,
    source      TEXT NOT NULL
  );
  `,
  // 9: the reports' indexes (issue 10, sync-server/src/reports/README.md): every report reads a range
  // of start days (收文/創稿 in the period), a range of close days (辦結 in the period) or the
  // documents open at a day; these keep each to an index range instead of a scan of every document.
  // The start and close indexes also carry every column the grouped counts read, so those queries
  // never visit the table (a year's report reads 10 % of the documents: random row lookups cost
  // more than the index itself). time_facts_close also answers "open at the end of the period"
  // (close day after it, started on or before it).
  `
  CREATE INDEX IF NOT EXISTS time_facts_start ON time_facts (start_day, unit, origin, secrecy, incoming, speed, close_day, days_used, extension_count);
  CREATE INDEX IF NOT EXISTS time_facts_close ON time_facts (close_day, start_day, unit, overdue, days_used, mode, outgoing, origin, controlled, project_control, due);
  CREATE INDEX IF NOT EXISTS time_facts_open_start ON time_facts (start_day) WHERE close_day IS NULL;
  CREATE INDEX IF NOT EXISTS time_extensions_doc_day ON time_extensions (request_day, doc);
  `,
  // 10: mail (issue 10, sync-server/src/mail/): the queue of messages sent over SMTP with retries. A
  // dedupe key (a reminder per person per day, a weekly notice per unit per week) is queued once.
  `
  CREATE TABLE IF NOT EXISTS mail_queue (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe          TEXT UNIQUE,
    to_addrs        TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    person          TEXT,
    unit            TEXT,
    docs            TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    sent_at         TEXT,
    created_at      TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS mail_queue_due ON mail_queue (status, next_attempt_at);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Sets the connection up for durability and brings the schema up to date; idempotent. */
export function prepareDatabase(db: BetterSqlite3.Database): void {
  // Another process (the CLI's backup, a second relay during a restart) may hold the write lock for
  // a moment; waiting beats failing an acknowledged-to-be update.
  db.pragma("busy_timeout = 5000");
  const mode = db.pragma("journal_mode = WAL", { simple: true });
  if (String(mode).toLowerCase() !== "wal") throw new Error(`The store could not switch to WAL mode (it is in ${String(mode)} mode).`);
  // FULL fsyncs the WAL on every commit: the relay acknowledges an update once appendUpdate resolves,
  // and NORMAL could lose the last commits on power loss.
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");

  // IMMEDIATE takes the write lock first, so two processes opening a new file do not both migrate.
  db.transaction(() => {
    const current = storedSchemaVersion(db) ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new Error(`The store has schema version ${current}, newer than this program knows (${SCHEMA_VERSION}); upgrade the program.`);
    }
    if (current === SCHEMA_VERSION) return;
    if (current === 0 && db.prepare("SELECT 1 FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' LIMIT 1").get() !== undefined) {
      // Someone pointed the server at another program's database: adding tables to it would be worse.
      throw new Error("The file is an SQLite database but not a Countersign store; refusing to change it.");
    }
    for (let v = current; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    db.prepare("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(
      SCHEMA_VERSION_KEY,
      String(SCHEMA_VERSION),
    );
  }).immediate();
}

/** The schema version recorded in an open database, or undefined when it is not a Countersign store. */
export function storedSchemaVersion(db: BetterSqlite3.Database): number | undefined {
  const hasSettings = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'settings'").get() !== undefined;
  if (!hasSettings) return undefined;
  const row = db.prepare("SELECT value FROM settings WHERE key = ?").get(SCHEMA_VERSION_KEY) as { value: string } | undefined;
  if (row === undefined) return undefined;
  const v = Number(row.value);
  return Number.isInteger(v) && v > 0 ? v : undefined;
}

