import type { z } from "zod";

/** A zod error as the sentence our results carry: "<what> <verb>: <first issue> (at <path>)." */
export function issueSentence(what: string, error: z.ZodError, verb = "is malformed"): string {
  const issue = error.issues[0];
  const where = issue && issue.path.length ? ` (at ${issue.path.join(".")})` : "";
  return `${what} ${verb}: ${issue?.message ?? "invalid"}${where}.`;
}
