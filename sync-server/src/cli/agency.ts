import { parseArgs } from "node:util";
import type { Io } from "./io.ts";
import { agencyCaPem } from "../identity/agency.ts";
import { UsageError, report, required, withStore } from "./data-dir.ts";

/** countersign agency ca --data DIR: prints the CA certificate (PEM) for `openssl verify -CAfile`. */
export async function runAgency(sub: string | undefined, argv: string[], io: Io): Promise<number> {
  if (sub !== "ca") throw new UsageError(`agency: unknown sub-command "${sub ?? ""}" (ca)`);
  const { values } = parseArgs({ args: argv, options: { data: { type: "string" } } });
  required(values, "agency ca", "data");
  return withStore(values.data!, io, async (store) => report(await agencyCaPem(store), io, (pem) => io.out(pem.trim())));
}
