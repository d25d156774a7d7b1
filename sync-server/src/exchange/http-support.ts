// Helpers shared by the exchange's HTTP routes (http-routes.ts: the server-to-server endpoint and
// the registration; http-api.ts: the app's exchange API).
import type { IncomingMessage } from "node:http";
import type { ApiContext } from "../http/context.ts";
import { HttpError } from "../http/json.ts";
import { ACCEPTED_MEDIA_TYPES, ENCRYPTED_MEDIA_TYPE, ENVELOPE_EXTENSION, ENVELOPE_MEDIA_TYPE } from "./http-contract.ts";

export type { DeliveryContext, ExchangePort } from "./http-delivery.ts";

/** What the exchange's routes use: the server's context (its delivery is always there). */
export type ExchangeCtx = ApiContext;

/** How fast a body must keep arriving: at least `minBytesPerSecond` on average once `graceMs` has passed. */
export interface BodyRate {
  minBytesPerSecond: number;
  graceMs: number;
}

/**
 * Reads a raw body of at most `limit` bytes within `ms`, and, with `rate`, no slower than its
 * minimum; 413 / 408 with a sentence otherwise. A sender cut off gets its answer, and then the
 * connection is closed (its body is not read further).
 */
export async function readBytes(req: IncomingMessage, limit: number, ms: number, rate?: BodyRate): Promise<Uint8Array> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) throw new HttpError(413, "http.body-too-large", `The envelope is larger than ${limit} bytes, the most this server takes over HTTP; import it with the countersign command instead.`);
  const started = Date.now();
  let size = 0;
  let stop!: (e: HttpError) => void;
  const stopped = new Promise<never>((_, reject) => (stop = reject));
  const timer = setTimeout(() => stop(new HttpError(408, "http.body-timeout", `The envelope did not arrive within ${Math.round(ms / 1000)} s.`)), ms);
  // Checked on a clock, not per chunk: a sender that sends nothing at all must be cut off too.
  const pace = rate
    ? setInterval(
        () => {
          const elapsed = Date.now() - started;
          if (elapsed >= rate.graceMs && (size * 1000) / elapsed < rate.minBytesPerSecond)
            stop(new HttpError(408, "http.body-timeout", `The envelope arrived slower than ${rate.minBytesPerSecond} bytes a second; send it again over a faster link or as a file.`));
        },
        Math.max(10, Math.min(1000, rate.graceMs / 4)),
      )
    : undefined;
  const body = (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new HttpError(413, "http.body-too-large", `The envelope is larger than ${limit} bytes, the most this server takes over HTTP; import it with the countersign command instead.`);
      chunks.push(chunk as Buffer);
    }
    const b = Buffer.concat(chunks);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  })();
  try {
    return await Promise.race([body, stopped]);
  } catch (e) {
    // Stop reading; the answer goes out, then the connection is closed for good.
    req.pause();
    setTimeout(() => req.destroy(), 1000).unref();
    body.catch(() => {});
    if (e instanceof HttpError) throw e;
    throw new HttpError(408, "http.body-timeout", `The envelope did not arrive whole (${(e as Error).message}).`);
  } finally {
    clearTimeout(timer);
    clearInterval(pace);
  }
}

/** An envelope file's media type: a ZIP is a plain envelope, anything else the encrypted form. */
export const envelopeMediaType = (b: Uint8Array): string => (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04 ? ENVELOPE_MEDIA_TYPE : ENCRYPTED_MEDIA_TYPE);

export function requireEnvelopeType(req: IncomingMessage): void {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (!ACCEPTED_MEDIA_TYPES.includes(type))
    throw new HttpError(415, "http.unsupported-media-type", `Send the envelope's bytes as ${ENVELOPE_MEDIA_TYPE} (or ${ENCRYPTED_MEDIA_TYPE} when encrypted).`);
}

/** The file name a downloaded envelope gets. */
export const envelopeFileName = (id: string): string => `${id}${ENVELOPE_EXTENSION}`;
