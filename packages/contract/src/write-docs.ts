// npm run docs:api — writes docs/openapi.json and docs/api.md from the route table.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { openApiText } from "./openapi.ts";
import { apiMarkdown } from "./api-md.ts";

export const OPENAPI_FILE = fileURLToPath(new URL("../../../docs/openapi.json", import.meta.url));
export const API_MD_FILE = fileURLToPath(new URL("../../../docs/api.md", import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(OPENAPI_FILE, openApiText());
  writeFileSync(API_MD_FILE, apiMarkdown());
  console.log(`wrote ${OPENAPI_FILE} and ${API_MD_FILE}`);
}
