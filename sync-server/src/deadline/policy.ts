// The 展期 policy (who approves an extension, how many and how many days in all before 專案管制):
// kept in the agency's delegation table (its optional `extensions`), so it reaches every replica the
// way the table does and the model's checks read it there (ChainContext, through the TrustStore).
// Set through PUT /api/admin/extension-policy or `countersign agency extension-policy`.
//
// What must stay true: only an administrator (or the command line) sets it; the change is the
// delegation table's, validated and audited as one ("delegation.set", before and after); a refused
// change stores nothing.
import { extensionPolicyOf, fail, type ExtensionPolicy, type Result } from "@countersign/crdt-model";
import { getDelegation, isAdmin, setDelegation, type Actor } from "../directory/directory.ts";
import type { Store } from "../storage/types.ts";

/** The policy in force: the table's, else the model's default (approved at the table's highest level). */
export async function extensionPolicy(store: Store): Promise<Result<ExtensionPolicy>> {
  const table = await getDelegation(store);
  if (!table.ok) return table;
  return { ok: true, value: extensionPolicyOf(table.value) };
}

const whole = (n: unknown, min: number, max: number): boolean => typeof n === "number" && Number.isInteger(n) && n >= min && n <= max;

/** Replaces the policy; fields left out keep their value in force. */
export async function setExtensionPolicy(store: Store, actor: Actor, change: Partial<ExtensionPolicy>): Promise<Result<ExtensionPolicy>> {
  if (!isAdmin(actor)) return fail("directory.not-admin", "Only an administrator may set the 展期 policy.");
  const table = await getDelegation(store);
  if (!table.ok) return table;
  if (!table.value) return fail("deadline.no-delegation", "The 展期 policy is kept in the delegation table, and none is set: set the delegation table first (countersign delegation set).");
  const next: ExtensionPolicy = { ...extensionPolicyOf(table.value), ...change };
  if (!whole(next.approverLevel, 1, 20) || !whole(next.maxCount, 0, 100) || !whole(next.maxDays, 0, 3650))
    return fail("deadline.policy", "The approving level must be 1–20, the count 0–100 and the days 0–3650, whole numbers.");
  const saved = await setDelegation(store, actor, { ...table.value, extensions: next });
  if (!saved.ok) return saved;
  return { ok: true, value: extensionPolicyOf(saved.value) };
}
