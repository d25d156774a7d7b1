// Every schema of the contract, by feature.
export * as identity from "./identity.ts";
export * as docs from "./docs.ts";
export * as directory from "./directory.ts";
export * as registry from "./registry.ts";
export * as blobs from "./blobs.ts";
export * as exchange from "./exchange.ts";
export * as server from "./server.ts";
export * as filing from "./filing.ts";
export * as admin from "./admin.ts";
export * as deadline from "./deadline.ts";
export * as reports from "./reports.ts";
export * as mail from "./mail.ts";
