import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { Io } from "./io.ts";
import { getDelegation, setDelegation } from "../directory/directory.ts";
import { SYSTEM, UsageError, report, required, withStore } from "./data-dir.ts";

/** countersign delegation set --data DIR FILE.json | delegation show --data DIR */
export async function runDelegation(sub: string | undefined, argv: string[], io: Io): Promise<number> {
  if (sub === "set") {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { data: { type: "string" } } });
    required(values, "delegation set", "data");
    const file = positionals[0];
    if (!file || positionals.length !== 1) throw new UsageError("delegation set: exactly one FILE.json is required");
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, "utf8"));
    } catch (e) {
      io.err(`The delegation table file ${file} cannot be read as JSON (${e instanceof Error ? e.message : String(e)}).`);
      return 1;
    }
    return withStore(values.data!, io, async (store) =>
      report(await setDelegation(store, SYSTEM, json), io, (t) =>
        io.out(`delegation table of ${t.agency}: ${t.rules.length} rule(s), default level ${t.defaultLevel}`),
      ),
    );
  }
  if (sub === "show") {
    const { values } = parseArgs({ args: argv, options: { data: { type: "string" } } });
    required(values, "delegation show", "data");
    return withStore(values.data!, io, async (store) =>
      report(await getDelegation(store), io, (t) => io.out(t ? JSON.stringify(t, null, 2) : "no delegation table has been set")),
    );
  }
  throw new UsageError(`delegation: unknown sub-command "${sub ?? ""}" (set, show)`);
}
