// @countersign/sync-server: one agency's server and the `countersign` command line.
// What other packages may use: the command line (bin/countersign.js), the server with its store,
// and the steps that set an agency up (its CA, directory, enrollment, login) — what the integration
// tests, the benchmarks and the scaled-out demo drive it with. Everything else is internal to the
// folders below; a test that checks an internal imports it by path, and says why.
//   cli/        the command line         http/      the JSON API, static app, health and metrics
//   relay/      y-websocket rooms        storage/   SQLite and PostgreSQL stores
//   identity/   CA, enrollment, login    directory/ units, people, deputies, delegation
//   exchange/   envelopes between agencies, DI export   fanout/  Redis, for several serve processes

// The command line.
export { main as runCli, version } from "./cli/main.ts";
export type { Io } from "./cli/io.ts";
export { dbPath } from "./cli/data-dir.ts";
export { DEMO_AGENCY, DEMO_PEOPLE, addDemoDirectory } from "./cli/demo-directory.ts";
export { createDemoDocuments } from "./cli/demo-docs.ts";

// The server.
export { AgencyServer, DEFAULT_LIMITS, type DeliveryOptions, type Limits, type ServerOptions } from "./http/server.ts";
export { RedisFanout, type RedisFanoutOptions } from "./fanout/redis.ts";
export { Rooms } from "./relay/rooms.ts";

// Stores.
export { openSqliteStore } from "./storage/sqlite.ts";
export { openPostgresStore } from "./storage/postgres.ts";
export type { DocIndexRow, EntryReceipt, Store } from "./storage/types.ts";

// The agency: its CA and keys, its directory, who enrolls and logs in.
export { initAgency, loadAgency, type Agency } from "./identity/agency.ts";
export { resolvePassphrase } from "./identity/passphrase.ts";
export { buildTrustStore } from "./identity/trust.ts";
export { x509 } from "./identity/x509.ts";
export { enroll, issueEnrollmentCode } from "./identity/enrollment.ts";
export { challenge, login, loginMessage, signToken, verifyToken } from "./identity/login.ts";
export type { Session } from "./identity/session.ts";
export { issueTicket } from "./identity/ticket.ts";
export { signReceipt } from "./identity/receipts.ts";
export { addPerson, addUnit, getDeputyTable, profileOf, setDelegation, updatePerson, type Actor } from "./directory/directory.ts";
