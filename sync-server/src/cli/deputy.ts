import { parseArgs } from "node:util";
import type { Io } from "./io.ts";
import { addDeputy, getDeputyTable } from "../directory/directory.ts";
import { SYSTEM, UsageError, report, required, withStore } from "./data-dir.ts";

/**
 * countersign deputy add --data DIR --principal ID --deputy ID --from ISO --until ISO
 * countersign deputy show --data DIR   (the whole deputy table as JSON, what `chain verify --deputies` takes)
 */
export async function runDeputy(sub: string | undefined, argv: string[], io: Io): Promise<number> {
  if (sub === "show") {
    const { values } = parseArgs({ args: argv, options: { data: { type: "string" } } });
    required(values, "deputy show", "data");
    return withStore(values.data!, io, async (store) => report(await getDeputyTable(store), io, (t) => io.out(JSON.stringify(t, null, 2))));
  }
  if (sub !== "add") throw new UsageError(`deputy: unknown sub-command "${sub ?? ""}" (add, show)`);
  const { values } = parseArgs({
    args: argv,
    options: { data: { type: "string" }, principal: { type: "string" }, deputy: { type: "string" }, from: { type: "string" }, until: { type: "string" } },
  });
  required(values, "deputy add", "data", "principal", "deputy", "from", "until");
  return withStore(values.data!, io, async (store) =>
    report(
      await addDeputy(store, SYSTEM, { principal: values.principal!, deputy: values.deputy!, from: values.from!, until: values.until! }),
      io,
      (d) => io.out(`${d.deputy} acts for ${d.principal} from ${d.from} until ${d.until}`),
    ),
  );
}
