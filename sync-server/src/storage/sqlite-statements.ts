import type Database from "better-sqlite3";

type Stmt = Database.Statement<unknown[], unknown>;

// Timestamps arrive as ISO 8601 with any offset; comparing them as text would misorder "+08:00"
// against "Z", so expiry is compared as instants. An unparseable time gives NULL and so never passes.
export const instant = (sqlExpr: string): string => `unixepoch(${sqlExpr}, 'subsec')`;

/** Prepared once per connection; SQL lives here so the methods read as what they do. */
export function statements(db: Database.Database) {
  const p = (sql: string): Stmt => db.prepare(sql);
  return {
    append: p("INSERT INTO updates (doc, data, at) VALUES (?, ?, ?)"),
    read: p("SELECT seq, data FROM updates WHERE doc = ? ORDER BY seq"),
    latestSeqs: p("SELECT doc, max(seq) AS seq FROM updates WHERE doc IN (SELECT value FROM json_each(?)) GROUP BY doc"),
    maxSeqUpTo: p("SELECT max(seq) AS seq FROM updates WHERE doc = ? AND seq <= ?"),
    deleteUpTo: p("DELETE FROM updates WHERE doc = ? AND seq <= ?"),
    insertAt: p("INSERT INTO updates (seq, doc, data, at) VALUES (?, ?, ?, ?)"),
    hasDoc: p("SELECT 1 FROM updates WHERE doc = ? LIMIT 1"),
    putIndex: p(`INSERT INTO doc_index (doc, kind, subject, status, secrecy, unit, case_officer, due_date, participants, holders, updated_at,
        doc_number, receipt_number, file_number, retention, decided_at, dispatched_at, archived_at)
      VALUES (@doc, @kind, @subject, @status, @secrecy, @unit, @caseOfficer, @dueDate, @participants, @holders, @updatedAt,
        @docNumber, @receiptNumber, @fileNumber, @retention, @decidedAt, @dispatchedAt, @archivedAt)
      ON CONFLICT (doc) DO UPDATE SET kind = excluded.kind, subject = excluded.subject, status = excluded.status,
        secrecy = excluded.secrecy, unit = excluded.unit, case_officer = excluded.case_officer, due_date = excluded.due_date,
        participants = excluded.participants, holders = excluded.holders, updated_at = excluded.updated_at,
        doc_number = excluded.doc_number, receipt_number = excluded.receipt_number, file_number = excluded.file_number,
        retention = excluded.retention, decided_at = excluded.decided_at, dispatched_at = excluded.dispatched_at,
        archived_at = excluded.archived_at`),
    recordView: p("INSERT INTO archive_views (doc, person, at) VALUES (?, ?, ?)"),
    clearKeys: p("DELETE FROM doc_keys WHERE doc = ?"),
    putKey: p("INSERT OR IGNORE INTO doc_keys (doc, kind, key) VALUES (?, ?, ?)"),
    clearBlobRefs: p("DELETE FROM doc_blobs WHERE doc = ?"),
    putBlobRef: p("INSERT OR IGNORE INTO doc_blobs (doc, sha256) VALUES (?, ?)"),
    blobDocs: p("SELECT doc FROM doc_blobs WHERE sha256 = ? ORDER BY doc"),
    claimClient: p("INSERT OR IGNORE INTO doc_clients (doc, client, owner) VALUES (?, ?, ?)"),
    clientOwner: p("SELECT owner FROM doc_clients WHERE doc = ? AND client = ?"),
    getIndex: p("SELECT * FROM doc_index WHERE doc = ?"),
    putReceipt: p("INSERT OR IGNORE INTO receipts (entry, doc, received_at, signature) VALUES (?, ?, ?, ?)"),
    getReceipt: p("SELECT entry, doc, received_at, signature FROM receipts WHERE entry = ?"),
    receipts: p("SELECT entry, doc, received_at, signature FROM receipts WHERE doc = ? ORDER BY received_at, entry"),
    putUnit: p("INSERT INTO units (id, name, parent) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, parent = excluded.parent"),
    units: p("SELECT id, name, parent FROM units ORDER BY id"),
    putPerson: p(`INSERT INTO people (id, name, unit, level, roles, active, email) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, unit = excluded.unit, level = excluded.level,
        roles = excluded.roles, active = excluded.active, email = excluded.email`),
    appendAudit: p("INSERT INTO audit_log (at, actor, action, target, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?)"),
    auditLog: p("SELECT * FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT ?"),
    person: p("SELECT * FROM people WHERE id = ?"),
    people: p("SELECT * FROM people ORDER BY id"),
    putDeputy: p(`INSERT INTO deputies (principal, deputy, from_at, until_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (principal, deputy, from_at) DO UPDATE SET until_at = excluded.until_at`),
    deputies: p("SELECT principal, deputy, from_at, until_at FROM deputies ORDER BY principal, from_at, deputy"),
    getSetting: p("SELECT value FROM settings WHERE key = ?"),
    setSetting: p("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
    nextCounter: p(
      "INSERT INTO settings (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) RETURNING value",
    ),
    // A revocation is final: putting the certificate again (say, re-registering it) must not lift it.
    putCert: p(`INSERT INTO certificates (serial, person, cert, issued_at, revoked_at, origin) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (serial) DO UPDATE SET person = excluded.person, cert = excluded.cert, issued_at = excluded.issued_at,
        origin = excluded.origin, revoked_at = coalesce(certificates.revoked_at, excluded.revoked_at)`),
    certs: p("SELECT * FROM certificates ORDER BY issued_at, serial"),
    certsOf: p("SELECT * FROM certificates WHERE person = ? ORDER BY issued_at, serial"),
    revoke: p("UPDATE certificates SET revoked_at = ? WHERE serial = ? AND revoked_at IS NULL"),
    standings: p(`SELECT c.serial, c.person, c.revoked_at, p.active, p.unit, p.level, p.roles FROM certificates c LEFT JOIN people p ON p.id = c.person
      WHERE c.serial IN (SELECT value FROM json_each(?))`),
    // Likewise a used code stays used if the same hash is put again.
    putEnrollment: p(`INSERT INTO enrollments (code_hash, person, expires_at, used_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (code_hash) DO UPDATE SET person = excluded.person, expires_at = excluded.expires_at,
        used_at = coalesce(enrollments.used_at, excluded.used_at)`),
    useEnrollment: p(`UPDATE enrollments SET used_at = @at
      WHERE code_hash = @codeHash AND used_at IS NULL AND ${instant("expires_at")} > ${instant("@at")}
      RETURNING code_hash, person, expires_at, used_at`),
    putChallenge: p("INSERT INTO challenges (nonce, expires_at) VALUES (?, ?) ON CONFLICT (nonce) DO UPDATE SET expires_at = excluded.expires_at"),
    takeChallenge: p(`DELETE FROM challenges WHERE nonce = @nonce RETURNING ${instant("expires_at")} > ${instant("@at")} AS live`),
    // Unanswered challenges would pile up forever; the caller's clock decides what is stale.
    // Tickets (identity/ticket.ts, "ticket:…") share the table but not the login challenges' cap.
    countChallenges: p("SELECT count(*) AS n FROM challenges WHERE nonce NOT LIKE 'ticket:%'"),
    purgeChallenges: p(`DELETE FROM challenges WHERE ${instant("expires_at")} <= ${instant("@at")} OR ${instant("expires_at")} IS NULL`),
  };
}
