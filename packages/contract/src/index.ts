// @countersign/contract: the agency server's HTTP API as data, shared by the server (which validates
// requests with it) and the app (which parses answers with it). Imports the model and zod only.
export { ROUTES, type Routes, type RouteKey, type Answer, type AnswerInput, type BodyInput } from "./routes.ts";
export { route, matchRoute, pathPattern, paramNames, openApiPath, type RouteSpec, type Method, type Auth, type BodyLimit, type RequestBody, type ResponseSpec } from "./route.ts";
export { refusal, type WireRefusal } from "./errors.ts";
export { openApiDocument, openApiText } from "./openapi.ts";
export { apiMarkdown } from "./api-md.ts";
export * as ids from "./ids.ts";
export * as schemas from "./schemas/index.ts";
export type * from "./types.ts";
export { PROTOCOL, MIN_PROTOCOL, PROTOCOL_HEADER, PROTOCOL_PARAM, outdatedClient, RELAY_ACK_PARAM, RELAY_ACK_MESSAGE, RELAY_ACK_VERSION } from "./protocol.ts";
