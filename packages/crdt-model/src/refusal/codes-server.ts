/**
 * Refusal codes raised by server (see ./codes.ts). Codes are stable: never rename or reuse one; add a new
 * code instead, and give it a zh-TW and English message in the app (src/lib/refusals/).
 *
 * These are the sync server's own classes, outside its HTTP layer (codes-http.ts): identity (login,
 * enrollment, tokens, tickets, certificates), the directory, the exchange of envelopes with other
 * agencies, and the relay's own checks on live updates. Where a server refusal is the same class as
 * one of the model's (a malformed id, a chain that does not verify), the server reuses the model's
 * code instead of adding one here.
 */
export const SERVER_CODES = [
  // ---- login (identity/login.ts LOGIN_REFUSALS): a person signing in with their certificate ----
  "login.challenge", // the login challenge is unknown, already used or expired: ask for a new one and sign again
  "login.algorithm", // the signature algorithm is not supported, or does not suit the certificate's key (a client fault)
  "login.malformed", // the login request is malformed (e.g. the signature is not base64)
  "login.signature", // the login signature does not verify against the certificate (wrong key for the certificate)
  "login.unknown-cert", // the certificate was not issued or registered by this agency: enroll again
  "login.revoked", // the certificate has been revoked: enroll again for a new one
  "login.expired", // the certificate is not valid at this time (expired or not yet valid): enroll again
  "login.inactive", // the certificate's holder is no longer an active person of this agency: ask the administrator

  // ---- login tokens and open sessions (identity/login.ts TOKEN_REFUSALS, identity/standing.ts) ----
  "token.invalid", // the login token is malformed, forged or for another agency: log in again
  "token.expired", // the login token has expired: log in again
  "session.revoked", // the certificate this session was opened with has been revoked: enroll again
  "session.inactive", // the person of this session is no longer active in this agency
  "session.unknown-cert", // the session's certificate is no longer on record at this agency: enroll again
  "session.changed", // the person's unit, level or roles changed in the directory: log in again

  // ---- relay connection tickets (identity/ticket.ts TICKET_REFUSALS) ----
  "ticket.missing", // the live connection came without a ticket (the app asks for one first)
  "ticket.token-in-url", // a login token was put in the URL instead of a ticket (refused: logs would keep it)
  "ticket.invalid", // the ticket is malformed, forged or for another agency
  "ticket.expired", // the ticket has expired: ask for a new one (the app reconnects)
  "ticket.used", // the ticket was already used: ask for a new one (the app reconnects)

  // ---- enrollment (identity/enrollment.ts ENROLL_REFUSALS): a person's first certificate ----
  "enroll.code", // the enrollment code is unknown, already used or expired: ask the registry desk for a new one
  "enroll.code-malformed", // the enrollment code is not 16 letters and digits in groups of four: check the typing
  "enroll.csr", // the certificate request does not parse or its signature does not verify (a client fault: retry)
  "enroll.key", // the certificate request's key is not ECDSA P-256 or RSA 2048–4096 bits
  "enroll.inactive", // the person the code was issued to is no longer an active person of this agency

  // ---- certificates registered from a file, revoked (identity/pkcs12.ts P12_REFUSALS, enrollment.ts);
  //      a key of the wrong kind reuses the model's cert.key ----
  "p12.parse", // the file is not a PKCS #12 file
  "p12.password", // the PKCS #12 file does not open with that password
  "p12.legacy", // the PKCS #12 file uses legacy RC2/3DES encryption: export it again with AES-256
  "p12.no-cert", // the PKCS #12 file holds no certificate
  "p12.ambiguous", // several certificates and no private key to tell which one is the person's
  "p12.key-mismatch", // the private key in the file matches none of its certificates
  "cert.not-valid", // the certificate is not valid at this time (expired or not yet valid)
  "cert.duplicate", // that very certificate is already registered
  "cert.serial-taken", // another certificate with the same serial number is already recorded
  "cert.unknown-serial", // no certificate in force has that serial (nothing to revoke)

  // ---- the agency itself: setup, keys, passphrase (identity/agency.ts, trust.ts, passphrase.ts) ----
  "agency.not-initialized", // the agency has not been set up yet (run countersign init)
  "agency.initialized", // the agency is already set up; it cannot be set up twice
  "agency.name", // the agency needs a name of 1 to 100 characters
  "agency.damaged", // the agency's stored settings, CA certificate or sealed keys are damaged (restore a backup)
  "passphrase.short", // the passphrase is too short
  "passphrase.wrong", // the passphrase does not open the agency's keys
  "passphrase.missing", // no passphrase was given (file, environment or data directory)
  "passphrase.empty", // the passphrase file is empty
  "passphrase.file", // the passphrase file cannot be read or written
  "data-dir.owner", // the data directory, its database or passphrase file belongs to another user than the one running the server (cli/data-dir.ts)
  "data-dir.mode", // the data directory can be written by group or others, or its passphrase file read by them (cli/data-dir.ts)

  // ---- the directory: units, people, deputies, delegation table (directory/directory.ts) ----
  "directory.not-admin", // only an administrator may do this
  "directory.not-permitted", // the registry desk may not do this (outside its unit, level or grantable roles; granting admin)
  "directory.name", // a unit or person needs a name of 1 to 100 characters
  "directory.no-unit", // the unit named does not exist
  "directory.no-person", // the person named does not exist
  "directory.person-inactive", // the person named is no longer active
  "directory.exists", // a unit or person with that id already exists
  "directory.unit-cycle", // a unit cannot be placed under itself or one of its own sub-units
  "directory.role", // a role that is not one of the known roles
  "directory.level", // a person's level must be a whole number from 1 to 20
  "directory.deputy", // a deputy entry is wrong (own deputy, dates that are not dates, a period that ends before it starts)
  "directory.delegation", // the delegation table names another agency
  "directory.damaged", // what the directory stores (e.g. the delegation table) no longer reads: restore or set it again
  "directory.other-unit", // the registry desk may manage its own unit's people only (add, edit, hand out codes)
  "directory.email", // an e-mail address that is not one (one @, no spaces, at most 254 characters)
  "directory.no-deputy", // no deputy arrangement in force or to come matches the one to end

  // ---- envelopes in (exchange/import.ts IMPORT_REFUSALS): a replay, a DTD, a missing base, a failure of
  //      ours reuse the model's envelope.replay, envelope.dtd, envelope.missing-base, envelope.internal ----
  "exchange.no-key", // this server process holds no key to decrypt envelopes
  "exchange.unencrypted", // a classified (密 or above) document arrived unencrypted: ask the sender to encrypt it
  // ---- envelopes out (exchange/export.ts EXPORT_REFUSALS; DI export keeps the model's di.* code) ----
  "exchange.request", // the export request is wrong: no documents, documents on a receipt, an unknown purpose
  "exchange.self", // an envelope cannot be addressed to this agency itself
  "exchange.no-doc", // there is no such document here
  "exchange.recipient-cert", // the recipient's CA certificate in the trust list does not parse
  // ---- what a peer agency may change (exchange/peer-rights.ts PEER_REFUSALS) ----
  "peer.self", // the envelope comes from this agency itself
  "peer.not-exchanged", // the document was never exchanged with that agency, so it may not change it
  "peer.not-own", // a new document that is not the sending agency's own
  "peer.purpose", // the envelope's purpose brings no new documents, yet it carries one this agency lacks
  "peer.not-decided", // a dispatch (發文) of a document that is not decided
  "peer.names-ours", // the document assigns a step directly to a person or unit of this agency (the registry desk assigns it)
  "peer.agency", // the envelope changes the agency the document belongs to
  "peer.parts", // the sending agency changes more than its own signed entries in a document not its own
  "peer.signer", // an entry was not signed by someone of the sending agency
  // ---- the trust list of other agencies (exchange/federation.ts FEDERATION_REFUSALS) ----
  "federation.not-cert", // the file is not a certificate
  "federation.not-ca", // the certificate is not a certificate authority's
  "federation.no-agency", // the certificate names no agency code in its organization (O)
  "federation.expired", // the certificate is not valid now (expired or not yet valid)
  "federation.signature", // the certificate's self-signature does not verify
  "federation.ours", // the certificate is this agency's own CA, or names this agency's own code
  "federation.delegation", // the peer's delegation table is refused (invalid, or another agency's)
  "federation.url", // the peer's server address is missing, not a plain http(s) URL, or redirects elsewhere
  "federation.unknown", // the agency is not in the trust list
  "federation.removed", // the agency was removed from the trust list
  "federation.serial", // a serial that is not a hexadecimal certificate serial
  "federation.fingerprint", // the fingerprint the administrator confirmed is not the pasted certificate's: nothing was added
  // ---- 分文: assigning an incoming document (exchange/assign.ts ASSIGN_REFUSALS) ----
  "assign.not-registry", // the assigner does not hold the registry (登記桌) role

  // ---- the relay's own checks on a live connection (relay/room.ts, authz.ts, presence.ts, protocol.ts, ws.ts);
  //      an update that does not apply or create this document reuses the model's update.* codes ----
  "relay.not-participant", // you do not take part in this document (or no longer do)
  "relay.foreign-doc", // a document created here must belong to this agency; other agencies' documents arrive as envelopes
  "relay.creator", // only a drafter (mayDraft) who is its case officer, or the registry desk, creates a document; this update names someone else, or its sender does not draft
  "relay.pending", // the update builds on changes the server does not have: reload the document and try again
  "relay.client-id", // the update writes under a Yjs client id of the server or of another writer
  "relay.frame", // a frame (message, state vector) is truncated, malformed or of an unknown type
  "relay.presence", // a presence (awareness) update is malformed, too large, or speaks for another connection
  "relay.store", // the server could not store the update: try again
  "relay.server", // the server failed while taking the update or handling the frame: try again
  "relay.dispatch-number", // a 發文 entry carries a 發文字號 this server did not reserve for that document
  "relay.doc-number", // the update changes a document's 文號, which only the agency server assigns
  "relay.read-only", // the person reads this archived document through 調閱 and may not change it

  // ---- 發文: the mail room's routes (dispatch/routes.ts, numbers.ts) ----
  "dispatch.forbidden", // only the mail room (收發文) may do this
  "dispatch.not-waiting", // the document is not a decided letter waiting for the mail room (or dispatched, for its files)
  "dispatch.no-recipients", // the letter names no recipients (受文者, 正本, 副本): its dispatch files cannot be addressed
  "dispatch.prefix", // the 代字 cannot make a 發文字號 (one to ten Han characters)

  // ---- 歸檔 and 調閱: the archives' routes (archive/routes.ts) ----
  "archive.forbidden", // only the archives (檔案室) may do this (the 調閱 record: also administrators)
  "archive.not-archived", // 調閱 is for archived documents; this one is not archived

  // ---- 時效管制 reports and KPIs (reports/: runReport, kpis, kpiSeries) ----
  "report.unknown", // no report has that id or word (1–8, or deadlines, reminders, timeliness, monthly, comparison, extensions, lateness, paper-online)
  "report.unit", // the unit named is not in the directory
  "report.day", // a day or month is malformed or not a real day (YYYY-MM-DD, ROC 115/11/30; months YYYY-MM or ROC 115-11)
  "report.range", // the range ends before it starts, or is longer than allowed (a report: 3 years; a KPI series: 36 months)

  // ---- mail: the 稽催通知單 by e-mail (sync-server mail/) ----
  "mail.not-configured", // the agency has not configured SMTP (serve --smtp): nothing can be mailed: 503
  "mail.forbidden", // only the follow-up officer (稽催管制) or an administrator may send a 稽催通知單: 403
  "mail.unknown-unit", // there is no such unit in the directory: 400
  "mail.no-recipients", // nobody concerned has an e-mail address in the directory: 409
  "mail.smtp-url", // the --smtp address is not smtp://user:pass@host:port (or smtps://…)

  // ---- 時效管制 on the server (sync-server deadline/): the follow-up listing and the 展期 policy ----
  "follow-up.forbidden", // only the follow-up officer (稽催管制) agency-wide, or a unit head over their unit, sees the follow-up list: 403
  "follow-up.unit", // the follow-up list was asked for a unit the directory does not have: 400
  "follow-up.filter", // a follow-up filter is not a known value (速別, 文別): 400
  "deadline.no-delegation", // the 展期 policy lives in the delegation table, and none is set yet: set it first (409)
  "deadline.policy", // a 展期 policy value is out of range (approving level 1–20, count and days whole numbers ≥ 0): 400
  "update.late-reason", // the relay refused a closing (發文, 存查, 歸檔) on a day after the due date in force with no 逾期原因: sign the reason with it

  // ---- HTTPS on the agency's own server (sync-server tls/: countersign tls issue, serve --tls-cert) ----
  "tls.host", // a --host is not a DNS name (RFC 1123 labels, optionally *.), or no name was given at all
  "tls.ip", // an --ip is not an IPv4 or IPv6 address
  "tls.days", // the validity asked for is not 1–398 days (browsers refuse a longer server certificate)
  "tls.ca-expired", // the agency CA has expired: it cannot issue a server certificate
  "tls.unreadable", // the TLS certificate or key file cannot be read
  "tls.cert-parse", // the TLS certificate file holds no certificate
  "tls.key-parse", // the TLS key file holds no private key, or an encrypted one
  "tls.key-mismatch", // the TLS key is not the key of the certificate
  "tls.cert-expired", // the TLS certificate has expired
  "tls.cert-not-yet-valid", // the TLS certificate is not valid yet (or the machine's clock is wrong)
  "tls.trust-proxy", // a --trust-proxy entry is not an IP address or CIDR range
  "tls.usage", // the TLS flags of serve do not fit together (--tls-cert without --tls-key, a redirect port without TLS)

  // ---- the server's own failures elsewhere ----
  "server.internal", // something failed on the server, not in what was sent (a bug or a broken setup)
  "server.max-memory", // serve --max-memory is not a size (512M, 2G), or is below what the server needs or above the machine's memory (cli/heap.ts)
] as const;
