import { z } from "zod";
import type { AgencyCode } from "../ids.ts";
import { agencyCodeSchema } from "../schema/metadata.ts";
import { fail, ok, type Result } from "../result.ts";
import { issueSentence } from "../schema/reason.ts";
import type { ExtensionPolicy } from "../deadline/types.ts";

/**
 * The delegation table (分層負責明細表): for each category of business, the level that decides.
 * Levels are numbers where a larger number is a higher office (e.g. 1 承辦人, 2 股長, 3 科長/單位主管,
 * 4 主任秘書/副首長, 5 機關首長); `levels` gives their titles for display.
 */
export interface DelegationTable {
  v: 1;
  agency: AgencyCode;
  levels: { level: number; title: string }[];
  rules: { category: string; level: number }[];
  /** Level for categories the table does not list: the head of the agency decides. */
  defaultLevel: number;
  /**
   * 展期 policy (時效管制): who approves an extension and the limits past which a document goes to
   * 專案管制. Optional: a table without it has `extensionPolicyOf`'s default.
   */
  extensions?: ExtensionPolicy;
}

export const delegationTableSchema = z.object({
  v: z.literal(1),
  agency: agencyCodeSchema,
  levels: z.array(z.object({ level: z.number().int().min(1).max(20), title: z.string().min(1) })),
  rules: z.array(z.object({ category: z.string().min(1), level: z.number().int().min(1).max(20) })),
  defaultLevel: z.number().int().min(1).max(20),
  extensions: z
    .object({
      approverLevel: z.number().int().min(1).max(20),
      maxCount: z.number().int().min(0).max(100),
      maxDays: z.number().int().min(0).max(3650),
    })
    .strict()
    .optional(),
});

export function parseDelegationTable(input: unknown): Result<DelegationTable> {
  const r = delegationTableSchema.safeParse(input);
  if (!r.success) return fail("routing.delegation", issueSentence("The delegation table", r.error));
  return ok(r.data as DelegationTable);
}

/**
 * The level that must decide a category. A category is a dotted path ("教育.學生事務.獎懲"); the most
 * specific rule that is a prefix of it wins, so a table can set a default for a whole branch.
 */
export function requiredLevel(table: DelegationTable, category: string): number {
  let best: { len: number; level: number } | undefined;
  for (const rule of table.rules) {
    const match = category === rule.category || category.startsWith(rule.category + ".");
    if (match && (!best || rule.category.length > best.len)) best = { len: rule.category.length, level: rule.level };
  }
  return best ? best.level : table.defaultLevel;
}

export function levelTitle(table: DelegationTable, level: number): string {
  return table.levels.find((l) => l.level === level)?.title ?? `第${level}層`;
}

/**
 * The default 展期 policy (經機關首長核准): approved at the table's highest level (the agency head),
 * at most 2 extensions and 30 calendar days in all beyond the first due date. `approverLevel` 5 is
 * the head in the usual 1–5 scale, used only when there is no table at all.
 */
export const DEFAULT_EXTENSION_POLICY: Readonly<ExtensionPolicy> = { approverLevel: 5, maxCount: 2, maxDays: 30 };

/** The agency's 展期 policy: its table's `extensions`, else the default with the table's highest level as approver. */
export function extensionPolicyOf(table: DelegationTable | null | undefined): ExtensionPolicy {
  if (!table) return { ...DEFAULT_EXTENSION_POLICY };
  if (table.extensions) return { ...table.extensions };
  const highest = Math.max(table.defaultLevel, ...table.levels.map((l) => l.level), ...table.rules.map((r) => r.level));
  return { ...DEFAULT_EXTENSION_POLICY, approverLevel: highest };
}
