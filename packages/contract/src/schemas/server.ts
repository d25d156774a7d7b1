// The server's own endpoints: health (/healthz) and Prometheus metrics (/metrics).
import { z } from "zod";

/** 200 when the store can be written (a real write, cached for a second); the same shape with 503 when not. */
export const health = z.object({
  ok: z.boolean(),
  agency: z.string(),
  store: z.string(),
  writable: z.boolean(),
  /** Why not, when the store cannot be written (then also `code`). */
  reason: z.string().optional(),
  code: z.string().optional(),
  rooms: z.number().int(),
});

/** GET /api/version: the app build this server serves, and the API protocol it speaks (contract protocol.ts). */
export const version = z.object({
  /** The version of the web app served (SvelteKit's build version), or null when it serves no app. */
  app: z.string().nullable(),
  /** The protocol this server speaks. */
  protocol: z.number().int(),
  /** The oldest client protocol it still takes (older clients are refused with http.outdated-client). */
  minProtocol: z.number().int(),
});
