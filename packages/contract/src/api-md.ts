// docs/api.md: the list of routes, made from the same table as the OpenAPI document.
import { ROUTES } from "./routes.ts";
import type { RouteSpec } from "./route.ts";

const TAGS: Record<string, string> = {
  identity: "The agency and logging in",
  demo: "The demo agency",
  docs: "Documents",
  directory: "The directory",
  registry: "The registry desk (登記桌)",
  admin: "Administration (/admin): people, deputies, the trust list, the audit log",
  dispatch: "The mail room (收發文): 發文字號, 待發文, paper dispatch files",
  archive: "The archives (檔案室): 待歸檔, 檔案查詢, 調閱",
  blobs: "Attachments",
  exchange: "Envelope exchange (公文交換)",
  "follow-up": "The follow-up desk (稽催管制): 時效管制 listings and the 稽催通知單",
  reports: "時效管制 reports: the SOP's eight reports (JSON, CSV, ODS) and the KPIs",
  tls: "The agency CA, for devices to trust the agency's own HTTPS server (/ca)",
  server: "The server itself",
};

export function apiMarkdown(): string {
  const out = [
    "# The agency server's HTTP API",
    "",
    "Generated from `packages/contract/src/routes.ts` (`npm run docs:api`); do not edit. The schemas of every",
    "request and answer are in [openapi.json](openapi.json), also served at `GET /api/openapi.json`.",
    "",
    "- **Auth**: `session` needs `Authorization: Bearer <token>` (the token of `POST /api/login`); `none` does not.",
    "- **Body**: the body and its limit class (`json` 1 MiB, `batch` 64 MiB, `blob` 50 MiB, `envelope` 128 MiB by default).",
    "- **Refusals**: every JSON answer that is not 2xx is `{ ok: false, code, reason }`: decide by `code`",
    "  (packages/crdt-model/src/refusal/), show people `reason`. A path with the wrong method answers 405 with `Allow`.",
    "",
  ];
  const routes = Object.entries(ROUTES) as [string, RouteSpec][];
  for (const [tag, title] of Object.entries(TAGS)) {
    const mine = routes.filter(([, r]) => r.tag === tag);
    if (!mine.length) continue;
    out.push(`## ${title}`, "", "| method | path | auth | body | answer | what |", "|---|---|---|---|---|---|");
    for (const [, r] of mine) {
      const body = !r.body ? "" : r.body.kind === "json" ? `JSON (${r.body.limit})` : `bytes (${r.body.limit})`;
      const answer = [r.response.json ? "JSON" : "", r.response.bytes ? `\`${r.response.bytes.split(";")[0]}\`` : ""].filter(Boolean).join(" or ");
      out.push(`| ${r.method} | \`${r.path}\` | ${r.auth} | ${body} | ${answer} | ${r.summary.replaceAll("|", "\\|")} |`);
    }
    out.push("");
  }
  return out.join("\n");
}
