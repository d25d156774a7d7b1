import { parseArgs } from "node:util";
import type { Io } from "./io.ts";
import { listAudit } from "../directory/directory.ts";
import { auditCsv } from "../directory/audit.ts";
import type { AuditRecord, Store } from "../storage/types.ts";
import { SYSTEM, UsageError, required, withStore } from "./data-dir.ts";

/**
 * countersign audit list|csv --data DIR: the audit log (稽核紀錄) of changes to the directory,
 * certificates and the trust list, newest first — what /admin shows, for the machine's administrator.
 */
export async function runAudit(sub: string | undefined, argv: string[], io: Io): Promise<number> {
  if (sub !== "list" && sub !== "csv") throw new UsageError(`audit: unknown sub-command "${sub ?? ""}" (list, csv)`);
  const { values } = parseArgs({ args: argv, options: { data: { type: "string" }, limit: { type: "string" }, json: { type: "boolean" } } });
  required(values, `audit ${sub}`, "data");
  if (values.limit !== undefined && !/^[1-9]\d{0,5}$/.test(values.limit)) throw new UsageError("audit: --limit must be a whole number from 1 to 999999");
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  return withStore(values.data!, io, async (store) => {
    const rows = await readAll(store, limit);
    if (sub === "csv") io.out(auditCsv(rows).replace(/\r\n$/, ""));
    else if (values.json) io.out(JSON.stringify(rows, null, 2));
    else for (const r of rows) io.out([r.seq, r.at, r.actor, r.action, r.target].join("\t"));
    return 0;
  });
}

/** Every row (or the newest `limit`), read page by page. */
async function readAll(store: Store, limit?: number): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for (let before: number | undefined; limit === undefined || out.length < limit; ) {
    const page = await listAudit(store, SYSTEM, { before, limit: Math.min(500, (limit ?? Infinity) - out.length) });
    if (!page.ok || page.value.length === 0) break;
    out.push(...page.value);
    before = page.value[page.value.length - 1]!.seq;
  }
  return out;
}
