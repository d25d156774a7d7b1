// The registry desk (登記桌): receipt numbers (收文號) and its unit's documents (sync-server http/registry-routes.ts).
import { z } from "zod";
import { indexRow } from "./docs.ts";

export const nextReceiptNumber = z.object({ receiptNumber: z.string() });
/** ROC year (3 digits) + a 7-digit sequence that restarts each ROC year. */
export const reservedReceiptNumber = z.object({ receiptNumber: z.string(), year: z.number().int(), seq: z.number().int() });
export const registryDocs = z.object({ docs: z.array(indexRow) });
