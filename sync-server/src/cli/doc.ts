import { parseArgs } from "node:util";
import type { Io } from "./io.ts";
import { UsageError, required, withStore } from "./data-dir.ts";

/** countersign doc list --data DIR [--json]: the documents this agency holds, to find their ids. */
export async function runDoc(sub: string | undefined, argv: string[], io: Io): Promise<number> {
  if (sub !== "list") throw new UsageError(`doc: unknown sub-command "${sub ?? ""}" (list)`);
  const { values } = parseArgs({ args: argv, options: { data: { type: "string" }, json: { type: "boolean" } } });
  required(values, "doc list", "data");
  return withStore(values.data!, io, async (store) => {
    const rows = (await store.queryIndex({})).sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
    if (values.json) {
      io.out(JSON.stringify(rows.map((r) => ({ doc: r.doc, kind: r.kind, status: r.status, secrecy: r.secrecy, subject: r.subject, unit: r.unit, updatedAt: r.updatedAt })), null, 2));
      return 0;
    }
    for (const r of rows) io.out([r.doc, r.kind, r.status, r.updatedAt, r.subject].join("\t"));
    if (rows.length === 0) io.out("no documents");
    return 0;
  });
}
