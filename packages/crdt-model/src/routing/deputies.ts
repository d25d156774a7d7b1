import { z } from "zod";
import type { AgencyCode, PersonId } from "../ids.ts";
import { agencyCodeSchema, personIdSchema } from "../schema/metadata.ts";
import { fail, ok, type Result } from "../result.ts";
import { issueSentence } from "../schema/reason.ts";
import type { Deputy } from "./plan.ts";

/**
 * The agency's deputy table (職務代理人名冊): who acts for whom, and when. It is administered by the
 * agency (`countersign deputy add`, `POST /api/deputies`) and reaches every replica the way the
 * delegation table does — in the trust store, from the agency's own server — never from the document:
 * a routing plan's own `deputies` list grants nothing (see routing/README.md).
 *
 * It holds every arrangement ever made, ended ones too: a deputy who signed within their period must
 * still verify after it ended.
 */
export interface DeputyTable {
  v: 1;
  agency: AgencyCode;
  deputies: Deputy[];
}

const instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "a time must be an ISO 8601 instant");

export const deputyTableSchema = z
  .object({
    v: z.literal(1),
    agency: agencyCodeSchema,
    deputies: z.array(z.object({ principal: personIdSchema, deputy: personIdSchema, from: instant, until: instant }).strict()).max(100_000),
  })
  .strict();

export function parseDeputyTable(input: unknown): Result<DeputyTable> {
  const r = deputyTableSchema.safeParse(input);
  if (!r.success) return fail("routing.deputies", issueSentence("The deputy table", r.error));
  return ok(r.data as DeputyTable);
}

/**
 * Whether `deputy` acts for `principal` at `at` under the table: an arrangement naming both whose
 * period holds `at` (from inclusive, until exclusive, as the directory stores them). A person is never
 * their own deputy.
 */
export function actsFor(table: DeputyTable | undefined, principal: PersonId, deputy: PersonId, at: Date): boolean {
  if (!table || principal === deputy) return false;
  const t = at.getTime();
  return table.deputies.some((d) => d.principal === principal && d.deputy === deputy && Date.parse(d.from) <= t && t < Date.parse(d.until));
}

/** The arrangements whose principal is one of `principals` (for indexing who may reach a document). */
export function deputiesOf(table: DeputyTable | undefined, principals: ReadonlySet<string>): Deputy[] {
  return table ? table.deputies.filter((d) => principals.has(d.principal)) : [];
}
