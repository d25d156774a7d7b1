import { parseArgs } from "node:util";
import type { Io } from "./io.ts";
import { addUnit, listUnits } from "../directory/directory.ts";
import { SYSTEM, UsageError, report, required, withStore } from "./data-dir.ts";

/** countersign unit add|list --data DIR … */
export async function runUnit(sub: string | undefined, argv: string[], io: Io): Promise<number> {
  if (sub === "add") {
    const { values } = parseArgs({
      args: argv,
      options: { data: { type: "string" }, id: { type: "string" }, name: { type: "string" }, parent: { type: "string" } },
    });
    required(values, "unit add", "data", "id", "name");
    return withStore(values.data!, io, async (store) =>
      report(await addUnit(store, SYSTEM, { id: values.id!, name: values.name!, parent: values.parent ?? null }), io, (u) =>
        io.out(`unit ${u.id} (${u.name})${u.parent ? ` under ${u.parent}` : ""}`),
      ),
    );
  }
  if (sub === "list") {
    const { values } = parseArgs({ args: argv, options: { data: { type: "string" }, json: { type: "boolean" } } });
    required(values, "unit list", "data");
    return withStore(values.data!, io, async (store) => {
      const units = await listUnits(store);
      if (values.json) io.out(JSON.stringify(units, null, 2));
      else for (const u of units) io.out(`${u.id}\t${u.name}\t${u.parent ?? "-"}`);
      return 0;
    });
  }
  throw new UsageError(`unit: unknown sub-command "${sub ?? ""}" (add, list)`);
}
