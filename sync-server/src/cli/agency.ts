import { parseArgs } from "node:util";
import type { Io } from "./io.ts";
import { agencyCaPem } from "../identity/agency.ts";
import { dispatchPrefix, setDispatchPrefix } from "../dispatch/numbers.ts";
import { UsageError, report, required, withStore } from "./data-dir.ts";

/**
 * countersign agency ca --data DIR: prints the CA certificate (PEM) for `openssl verify -CAfile`.
 * countersign agency dispatch-prefix --data DIR [--set 代字]: prints (or sets) the 代字 of the
 * agency's 發文字號 (dispatch/numbers.ts); unset, the first two characters of the agency's name.
 */
export async function runAgency(sub: string | undefined, argv: string[], io: Io): Promise<number> {
  if (sub === "ca") {
    const { values } = parseArgs({ args: argv, options: { data: { type: "string" } } });
    required(values, "agency ca", "data");
    return withStore(values.data!, io, async (store) => report(await agencyCaPem(store), io, (pem) => io.out(pem.trim())));
  }
  if (sub === "dispatch-prefix") {
    const { values } = parseArgs({ args: argv, options: { data: { type: "string" }, set: { type: "string" } } });
    required(values, "agency dispatch-prefix", "data");
    return withStore(values.data!, io, async (store) => {
      if (values.set === undefined) {
        io.out(await dispatchPrefix(store));
        return 0;
      }
      return report(await setDispatchPrefix(store, values.set), io, (prefix) => io.out(prefix));
    });
  }
  throw new UsageError(`agency: unknown sub-command "${sub ?? ""}" (ca, dispatch-prefix)`);
}
