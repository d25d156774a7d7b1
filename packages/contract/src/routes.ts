// Every route of the agency server, in one table: the server registers a handler for each key
// (sync-server http/router.ts refuses to start with one missing), the app finds the schema of each
// answer here, and docs/openapi.json and docs/api.md are made from it.
//
// What must stay true: a route is added here first, then handled; routes.test.ts fails when the
// server answers a route this table lacks or lacks one it has, and when the checked-in documents are
// older than this table.
import { z } from "zod";
import { route, type RouteSpec } from "./route.ts";
import * as id from "./schemas/identity.ts";
import * as docs from "./schemas/docs.ts";
import * as dir from "./schemas/directory.ts";
import * as reg from "./schemas/registry.ts";
import * as blobs from "./schemas/blobs.ts";
import * as ex from "./schemas/exchange.ts";
import * as server from "./schemas/server.ts";

const ENVELOPE = "application/vnd.countersign.envelope+zip";

export const ROUTES = {
  // ---- the agency and logging in ----------------------------------------------------------------
  agency: route({
    method: "GET",
    path: "/api/agency",
    auth: "none",
    tag: "identity",
    summary: "The agency's public facts: code, name, CA certificate and receipt key (what the app pins).",
    response: { json: id.agencyInfo },
  }),
  demo: route({
    method: "GET",
    path: "/api/demo",
    auth: "none",
    tag: "demo",
    summary: "The demo agency's people and their one-time enrollment codes (404 on a real agency).",
    response: { json: id.demoListing },
  }),
  demoEnvelope: route({
    method: "GET",
    path: "/api/demo/envelope",
    auth: "none",
    tag: "demo",
    summary: "The demo peer agency's envelope file, to import at the registry desk (404 on a real agency).",
    response: { bytes: ENVELOPE },
  }),
  loginChallenge: route({
    method: "POST",
    path: "/api/login/challenge",
    auth: "none",
    tag: "identity",
    summary: "A fresh nonce to sign for logging in (rate-limited per address).",
    response: { json: id.challenge },
    refusals: [429, 503],
  }),
  login: route({
    method: "POST",
    path: "/api/login",
    auth: "none",
    tag: "identity",
    summary: "Log in with the signed challenge and the person's certificate: a token for 15 minutes and the session.",
    body: { kind: "json", schema: id.loginRequest, limit: "json" },
    response: { json: id.loginAnswer },
    refusals: [401],
  }),
  enroll: route({
    method: "POST",
    path: "/api/enroll",
    auth: "none",
    tag: "identity",
    summary: "Spend a one-time enrollment code on a certificate request (PKCS #10): the person's certificate.",
    body: { kind: "json", schema: id.enrollRequest, limit: "json" },
    response: { json: id.enrolled },
    refusals: [429],
  }),
  me: route({
    method: "GET",
    path: "/api/me",
    auth: "session",
    tag: "identity",
    summary: "Who the token speaks for, as the directory says now.",
    response: { json: id.session },
  }),
  ticket: route({
    method: "POST",
    path: "/api/sync/ticket",
    auth: "session",
    tag: "identity",
    summary: "A single-use ticket for opening one WebSocket to the relay (valid 30 s).",
    response: { json: id.ticket },
    refusals: [429],
  }),
  revokeCertificate: route({
    method: "POST",
    path: "/api/certificates/:serial/revoke",
    auth: "session",
    tag: "identity",
    summary: "Revoke a certificate (administrators): its sessions and open sockets end at once.",
    params: id.serialParams,
    response: { json: id.revoked },
    refusals: [403],
  }),

  // ---- documents ----------------------------------------------------------------------------------
  inbox: route({
    method: "GET",
    path: "/api/inbox",
    auth: "session",
    tag: "docs",
    summary: "One page of the documents waiting on this person, their unit, agency or roles.",
    query: docs.pageQuery,
    response: { json: docs.indexPage },
  }),
  docs: route({
    method: "GET",
    path: "/api/docs",
    auth: "session",
    tag: "docs",
    summary: "One page of the documents this person, their unit or agency takes part in.",
    query: docs.pageQuery,
    response: { json: docs.indexPage },
  }),
  receipts: route({
    method: "GET",
    path: "/api/docs/:id/receipts",
    auth: "session",
    tag: "docs",
    summary: "The server's signed receipts of a document's chain entries (when each was first seen).",
    params: docs.docParams,
    response: { json: docs.receipts },
  }),
  sync: route({
    method: "POST",
    path: "/api/sync",
    auth: "session",
    tag: "docs",
    summary: "Batch sync: push pending updates and state vectors for many documents, get back what is missing.",
    body: { kind: "json", schema: docs.batchRequest, limit: "batch" },
    response: { json: docs.batchResponse },
  }),

  // ---- the directory ------------------------------------------------------------------------------
  units: route({
    method: "GET",
    path: "/api/units",
    auth: "session",
    tag: "directory",
    summary: "The agency's units.",
    response: { json: dir.units },
  }),
  addUnit: route({
    method: "POST",
    path: "/api/units",
    auth: "session",
    tag: "directory",
    summary: "Add or rename a unit (administrators).",
    body: { kind: "json", schema: dir.unitRequest, limit: "json" },
    response: { json: dir.unit },
    refusals: [403],
  }),
  people: route({
    method: "GET",
    path: "/api/people",
    auth: "session",
    tag: "directory",
    summary: "The agency's people.",
    response: { json: dir.people },
  }),
  addPerson: route({
    method: "POST",
    path: "/api/people",
    auth: "session",
    tag: "directory",
    summary: "Add a person (administrators; the registry desk within its unit and grantable roles) and get their first enrollment code.",
    body: { kind: "json", schema: dir.personRequest, limit: "json" },
    response: { json: dir.personAdded },
    refusals: [403],
  }),
  registryRoles: route({
    method: "GET",
    path: "/api/directory/registry-roles",
    auth: "session",
    tag: "directory",
    summary: "The roles the registry desk may grant when it adds people.",
    response: { json: dir.registryRoles },
  }),
  setRegistryRoles: route({
    method: "PUT",
    path: "/api/directory/registry-roles",
    auth: "session",
    tag: "directory",
    summary: "Set the roles the registry desk may grant (administrators).",
    body: { kind: "json", schema: dir.registryRolesRequest, limit: "json" },
    response: { json: dir.registryRoles },
    refusals: [403],
  }),
  deputies: route({
    method: "GET",
    path: "/api/deputies",
    auth: "session",
    tag: "directory",
    summary: "Deputy arrangements (職務代理人) in force or to come.",
    response: { json: dir.deputies },
  }),
  addDeputy: route({
    method: "POST",
    path: "/api/deputies",
    auth: "session",
    tag: "directory",
    summary: "Arrange a deputy for a period (administrators).",
    body: { kind: "json", schema: dir.deputyRequest, limit: "json" },
    response: { json: dir.deputy },
    refusals: [403],
  }),
  deputyTable: route({
    method: "GET",
    path: "/api/deputies/table",
    auth: "session",
    tag: "directory",
    summary: "The whole deputy table, ended arrangements too: what replicas verify deputies' signatures with.",
    response: { json: dir.deputyTableAnswer },
  }),
  delegation: route({
    method: "GET",
    path: "/api/delegation",
    auth: "session",
    tag: "directory",
    summary: "The delegation table (分層負責明細表), or null when none is set.",
    response: { json: dir.delegationAnswer },
  }),
  setDelegation: route({
    method: "PUT",
    path: "/api/delegation",
    auth: "session",
    tag: "directory",
    summary: "Replace the delegation table (administrators).",
    body: { kind: "json", schema: dir.delegationTable, limit: "json" },
    response: { json: dir.delegationTable },
    refusals: [403],
  }),

  // ---- the registry desk (登記桌) ------------------------------------------------------------------
  nextReceiptNumber: route({
    method: "GET",
    path: "/api/registry/receipt-numbers/next",
    auth: "session",
    tag: "registry",
    summary: "The receipt number (收文號) the next registration would get, not reserved (registry desk).",
    response: { json: reg.nextReceiptNumber },
    refusals: [403],
  }),
  reserveReceiptNumber: route({
    method: "POST",
    path: "/api/registry/receipt-numbers",
    auth: "session",
    tag: "registry",
    summary: "Reserve the agency's next receipt number (registry desk).",
    response: { json: reg.reservedReceiptNumber },
    refusals: [403, 409],
  }),
  registryDocs: route({
    method: "GET",
    path: "/api/registry/docs",
    auth: "session",
    tag: "registry",
    summary: "The index rows of the registry desk's unit's documents (for 分文 and 改分).",
    response: { json: reg.registryDocs },
    refusals: [403],
  }),

  // ---- attachments --------------------------------------------------------------------------------
  blobsMissing: route({
    method: "POST",
    path: "/api/blobs/missing",
    auth: "session",
    tag: "blobs",
    summary: "Which of these attachments the server lacks (as far as this person may know).",
    body: { kind: "json", schema: blobs.missingRequest, limit: "json" },
    response: { json: blobs.missingAnswer },
  }),
  putBlob: route({
    method: "PUT",
    path: "/api/blobs/:sha256",
    auth: "session",
    tag: "blobs",
    summary: "Upload an attachment's bytes under their SHA-256: 201 stored now, 200 already here.",
    params: blobs.blobParams,
    body: { kind: "bytes", media: ["application/octet-stream"], limit: "blob" },
    response: { json: blobs.blobStored, statuses: [201] },
  }),
  getBlob: route({
    method: "GET",
    path: "/api/blobs/:sha256",
    auth: "session",
    tag: "blobs",
    summary: "Download an attachment, for someone who may read a document referencing it (404 to anyone else).",
    params: blobs.blobParams,
    query: blobs.blobQuery,
    response: { bytes: "application/octet-stream", statuses: [304] },
  }),

  // ---- envelope exchange (公文交換) ----------------------------------------------------------------
  deliver: route({
    method: "POST",
    path: "/api/exchange/envelopes",
    auth: "none",
    tag: "exchange",
    summary: "Another agency's server delivers an envelope (no login: its signature authenticates it); answered with the receipt's bytes, or JSON.",
    body: { kind: "bytes", media: ex.ENVELOPE_MEDIA_TYPES, limit: "envelope" },
    response: { json: ex.deliveryAnswer, bytes: ENVELOPE },
    refusals: [408, 415, 429, 503],
  }),
  send: route({
    method: "POST",
    path: "/api/exchange/send",
    auth: "session",
    tag: "exchange",
    summary: "Send documents to another agency: an envelope queued for its server, or a file to hand over.",
    body: { kind: "json", schema: ex.sendRequest, limit: "json" },
    response: { json: ex.sent },
    refusals: [403],
  }),
  envelopeFile: route({
    method: "GET",
    path: "/api/exchange/envelopes/:id/file",
    auth: "session",
    tag: "exchange",
    summary: "Download an envelope sent or received, for someone who may handle its documents.",
    params: ex.envelopeParams,
    response: { bytes: ENVELOPE },
    refusals: [409],
  }),
  importEnvelope: route({
    method: "POST",
    path: "/api/exchange/import",
    auth: "session",
    tag: "exchange",
    summary: "Import an envelope file brought by hand (registry desk, mail room, administrator).",
    body: { kind: "bytes", media: ex.ENVELOPE_MEDIA_TYPES, limit: "envelope" },
    response: { json: ex.imported },
    refusals: [403, 408],
  }),
  outbox: route({
    method: "GET",
    path: "/api/exchange/outbox",
    auth: "session",
    tag: "exchange",
    summary: "The envelopes waiting to be pushed to other agencies' servers (desk roles).",
    response: { json: ex.outbox },
    refusals: [403],
  }),
  retryDelivery: route({
    method: "POST",
    path: "/api/exchange/outbox/:id/retry",
    auth: "session",
    tag: "exchange",
    summary: "Push an undelivered envelope again now (desk roles).",
    params: ex.outboxParams,
    response: { json: ex.retried },
    refusals: [403],
  }),
  exchangeLog: route({
    method: "GET",
    path: "/api/exchange/log",
    auth: "session",
    tag: "exchange",
    summary: "The exchange log (交換紀錄): all of it for the desk roles, per document for those who handle it.",
    query: ex.logQuery,
    response: { json: ex.log },
    refusals: [403],
  }),
  peers: route({
    method: "GET",
    path: "/api/exchange/peers",
    auth: "session",
    tag: "exchange",
    summary: "The agencies in the federation trust list, with their CA certificates and delegation tables.",
    response: { json: ex.peers },
  }),
  assign: route({
    method: "POST",
    path: "/api/exchange/assign",
    auth: "session",
    tag: "exchange",
    summary: "Assign (分文) an incoming document to an officer (registry desk).",
    body: { kind: "json", schema: ex.assignRequest, limit: "json" },
    response: { json: ex.assigned },
    refusals: [403],
  }),
  incoming: route({
    method: "GET",
    path: "/api/exchange/incoming",
    auth: "session",
    tag: "exchange",
    summary: "Documents other agencies sent us: all for the desk roles, those assigned to them for officers.",
    response: { json: ex.incoming },
  }),

  // ---- the server itself --------------------------------------------------------------------------
  health: route({
    method: "GET",
    path: "/healthz",
    auth: "none",
    tag: "server",
    summary: "Health: whether the store can be written (a real write); 503 with the same shape when not.",
    response: { json: server.health },
    refusals: [503],
  }),
  openapi: route({
    method: "GET",
    path: "/api/openapi.json",
    auth: "none",
    tag: "server",
    summary: "This API as an OpenAPI 3.1 document (the same as docs/openapi.json).",
    response: { json: z.looseObject({ openapi: z.literal("3.1.0"), paths: z.record(z.string(), z.unknown()) }) },
  }),
  metrics: route({
    method: "GET",
    path: "/metrics",
    auth: "none",
    tag: "server",
    summary: "Prometheus metrics.",
    response: { bytes: "text/plain; version=0.0.4" },
  }),
} as const satisfies Record<string, RouteSpec>;

export type Routes = typeof ROUTES;
export type RouteKey = keyof Routes;

type JsonOf<R> = R extends { response: { json: infer S extends z.ZodType } } ? S : never;
/** The parsed JSON answer of a route (what the app gets). */
export type Answer<K extends RouteKey> = z.output<JsonOf<Routes[K]>>;
/** The JSON answer as written on the wire (what the server's handler returns). */
export type AnswerInput<K extends RouteKey> = z.input<JsonOf<Routes[K]>>;
/** The JSON body a route takes, as sent. */
export type BodyInput<K extends RouteKey> = Routes[K] extends { body: { kind: "json"; schema: infer S extends z.ZodType } } ? z.input<S> : never;
