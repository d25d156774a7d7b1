// Attachments by the SHA-256 of their bytes (sync-server http/blobs.ts).
import { z } from "zod";
import { sha256Hex } from "../ids.ts";

/** At most this many hashes per "missing" question (inside the JSON body limit). */
export const MAX_MISSING_QUERY = 10_000;

export const blobParams = z.object({ sha256: z.string() });
/** The media type a download is labelled with (only a few are shown inline; anything else downloads). */
export const blobQuery = z.object({ type: z.string().optional() });
export const blobStored = z.object({ sha256: sha256Hex, size: z.number().int(), created: z.boolean() });
export const missingRequest = z.object({ sha256: z.array(z.string()).max(MAX_MISSING_QUERY) }).strict();
export const missingAnswer = z.object({ missing: z.array(sha256Hex) });
