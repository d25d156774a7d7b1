import { parseArgs } from "node:util";
import type { ExtensionPolicy } from "@countersign/crdt-model";
import type { Io } from "./io.ts";
import { SYSTEM, UsageError, report, required, withStore } from "./data-dir.ts";
import { extensionPolicy, setExtensionPolicy } from "../deadline/policy.ts";

/**
 * countersign agency extension-policy --data DIR [--approver-level N] [--max-count N] [--max-days N]:
 * prints the 展期 policy, or sets the values given (deadline/policy.ts: kept in the delegation table,
 * audited); a bad value is refused with one line and nothing changes.
 */
export async function runExtensionPolicy(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { data: { type: "string" }, "approver-level": { type: "string" }, "max-count": { type: "string" }, "max-days": { type: "string" } },
  });
  required(values, "agency extension-policy", "data");
  const change: Partial<ExtensionPolicy> = {};
  for (const [flag, key] of [["approver-level", "approverLevel"], ["max-count", "maxCount"], ["max-days", "maxDays"]] as const) {
    const v = values[flag];
    if (v === undefined) continue;
    if (!/^\d+$/.test(v)) throw new UsageError(`agency extension-policy: --${flag} must be a whole number, not "${v}"`);
    change[key] = Number(v);
  }
  const print = (p: ExtensionPolicy) => io.out(`展期 policy: approved at level ${p.approverLevel}; at most ${p.maxCount} extensions and ${p.maxDays} days in all, beyond that 專案管制.`);
  return withStore(values.data!, io, async (store) =>
    report(Object.keys(change).length ? await setExtensionPolicy(store, SYSTEM, change) : await extensionPolicy(store), io, print),
  );
}
