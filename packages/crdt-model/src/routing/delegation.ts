import { z } from "zod";
import type { AgencyCode } from "../ids.ts";
import { agencyCodeSchema } from "../schema/metadata.ts";
import { fail, ok, type Result } from "../result.ts";
import { issueSentence } from "../schema/reason.ts";

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
}

export const delegationTableSchema = z.object({
  v: z.literal(1),
  agency: agencyCodeSchema,
  levels: z.array(z.object({ level: z.number().int().min(1).max(20), title: z.string().min(1) })),
  rules: z.array(z.object({ category: z.string().min(1), level: z.number().int().min(1).max(20) })),
  defaultLevel: z.number().int().min(1).max(20),
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
