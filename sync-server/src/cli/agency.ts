import { parseArgs } from "node:util";
import type { Io } from "./io.ts";
import { agencyCaPem } from "../identity/agency.ts";
import { runExtensionPolicy } from "./extension-policy.ts";
import { dispatchPrefix, setDispatchPrefix } from "../dispatch/numbers.ts";
import { SYSTEM, UsageError, report, required, withStore } from "./data-dir.ts";
import { describeMailConfig, mailConfig, setMailConfig } from "../mail/config.ts";

/**
 * countersign agency ca --data DIR: prints the CA certificate (PEM) for `openssl verify -CAfile`.
 * countersign agency dispatch-prefix --data DIR [--set 代字]: prints (or sets) the 代字 of the
 * agency's 發文字號 (dispatch/numbers.ts); unset, the first two characters of the agency's name.
 * countersign agency smtp --data DIR [--set smtp://… [--from ADDR] | --clear]: prints (or sets, or
 * clears) the agency's stored SMTP setting (mail/config.ts).
 */
export async function runAgency(sub: string | undefined, argv: string[], io: Io): Promise<number> {
  if (sub === "extension-policy") return runExtensionPolicy(argv, io);
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
  if (sub === "smtp") {
    const { values } = parseArgs({ args: argv, options: { data: { type: "string" }, set: { type: "string" }, from: { type: "string" }, clear: { type: "boolean" } } });
    required(values, "agency smtp", "data");
    if (values.clear && values.set !== undefined) throw new UsageError("agency smtp: --set and --clear exclude each other");
    if (values.from !== undefined && values.set === undefined) throw new UsageError("agency smtp: --from goes with --set");
    return withStore(values.data!, io, async (store) => {
      if (values.set === undefined && !values.clear) {
        io.out(describeMailConfig(await mailConfig(store)));
        return 0;
      }
      return report(await setMailConfig(store, SYSTEM, { smtp: values.clear ? null : (values.set ?? null), from: values.from }), io, (c) => io.out(describeMailConfig(c)));
    });
  }
  throw new UsageError(`agency: unknown sub-command "${sub ?? ""}" (ca, dispatch-prefix, smtp)`);
}
