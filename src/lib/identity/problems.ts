// What went wrong, in words a clerk can act on. The server answers with a code and an English
// sentence (for logs and scripts); the app shows the code's zh-TW explanation (src/lib/refusals)
// and its way out, with the sentence small below it. Nothing here reads the sentence.
import type { Code } from "@countersign/crdt-model";
import { refusalOf } from "$lib/refusals/decode.ts";
import { messageOf } from "$lib/refusals/table.ts";
import type { WayOut } from "$lib/refusals/types.ts";

export type { WayOut };

export interface Problem {
  code: Code;
  wayOut: WayOut;
  /** The server's own sentence (or the local error), shown small for whoever supports the user. */
  detail?: string;
}

/**
 * The problem a code names, with the way out its message gives. On these screens "redownload" means
 * downloading everything again, which only this device's own damage calls for; a document the
 * server refuses is handled on its own page.
 */
export function problemFor(code: Code, detail?: string): Problem {
  const way = messageOf(code).way;
  const p: Problem = { code, wayOut: way === "redownload" && !code.startsWith("local.") ? "none" : way };
  if (detail !== undefined) p.detail = detail;
  return p;
}

export function problemOf(e: unknown): Problem {
  const r = refusalOf(e);
  // Being unreachable needs no technical detail: the explanation says it all.
  return problemFor(r.code, r.code === "net.unreachable" ? undefined : r.reason);
}
