import type { Store } from "../storage/types.ts";
import type { Session } from "../identity/login.ts";
import { access } from "../relay/authz.ts";
import { principalOf } from "./context.ts";
import { HttpError } from "./json.ts";
import type { Router } from "./router.ts";
import { rocYear } from "./taipei.ts";

export { rocYear } from "./taipei.ts";

/**
 * The registry desk's routes (登記桌), contract tag "registry":
 *   GET  /api/registry/receipt-numbers/next  the 收文號 the next registration would get (not reserved)
 *   POST /api/registry/receipt-numbers       reserves the next 收文號 of this agency: ROC year (3 digits)
 *                                            + a 7-digit sequence that restarts each ROC year
 *   GET  /api/registry/docs                  the index rows of my unit's documents (for 分文 / 改分)
 * Only people with the registry role may call them.
 */

const SEQ_DIGITS = 7;

/** 收文號: "115" + "0000042" — sortable, and unique per agency within the ROC year. */
export function formatReceiptNumber(year: number, seq: number): string {
  return `${String(year).padStart(3, "0")}${String(seq).padStart(SEQ_DIGITS, "0")}`;
}

const seqKey = (year: number) => `registry:receipt-seq:${year}`;

async function lastSeq(store: Store, year: number): Promise<number> {
  const raw = await store.getSetting(seqKey(year));
  const n = raw === undefined ? 0 : Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

/** Takes the next 收文號: the store's atomic counter, so no two requests — in any process — share one. */
export async function reserveReceiptNumber(store: Store, now: Date): Promise<{ receiptNumber: string; year: number; seq: number }> {
  const year = rocYear(now);
  const seq = await store.nextCounter(seqKey(year));
  if (seq >= 10 ** SEQ_DIGITS) throw new HttpError(409, "http.conflict", `All ${10 ** SEQ_DIGITS - 1} receipt numbers of ROC year ${year} are used.`);
  return { receiptNumber: formatReceiptNumber(year, seq), year, seq };
}

function registryOnly(s: Session): Session {
  if (!s.roles.includes("registry")) throw new HttpError(403, "http.forbidden", "Only the registry desk may do this.");
  return s;
}

export function registerRegistryRoutes(r: Router, ctx: { store: Store }): void {
  r.add("nextReceiptNumber", async ({ session }) => {
    registryOnly(session);
    const year = rocYear(new Date());
    return { receiptNumber: formatReceiptNumber(year, (await lastSeq(ctx.store, year)) + 1) };
  });

  r.add("reserveReceiptNumber", async ({ session }) => {
    registryOnly(session);
    return reserveReceiptNumber(ctx.store, new Date());
  });

  r.add("registryDocs", async ({ session }) => {
    const who = registryOnly(session);
    // The index has no unit column to query by; a unit's documents are read and filtered here.
    const rows = await ctx.store.queryIndex({ limit: 20_000 });
    return { docs: rows.filter((row) => row.unit === who.unit && access(principalOf(who), row) === "edit") };
  });
}
