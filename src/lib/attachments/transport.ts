// The blob routes through the current identity: a fresh token for each call, and one silent
// re-login when the server says the token is no longer good (it restarted, or the token expired).
import { ApiError, getBlob, putBlob } from "$lib/api/client.ts";
import type { Identity } from "$lib/identity/identity.svelte.ts";
import type { BlobTransport } from "./blobs.ts";

/** `{ missing: [sha256…] }`, checked: an answer of another shape is refused, never guessed at. */
function readMissing(raw: unknown): string[] | null {
  if (typeof raw !== "object" || raw === null || !("missing" in raw) || !Array.isArray(raw.missing)) return null;
  return raw.missing.every((s): s is string => typeof s === "string") ? raw.missing : null;
}

export function identityTransport(identity: Identity): BlobTransport {
  async function withToken<T>(call: (token: string) => Promise<T>): Promise<T> {
    try {
      return await call(await identity.token());
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) throw e;
      return call(await identity.login());
    }
  }
  return {
    missing: async (sha256) => {
      const raw = await identity.api<unknown>("/api/blobs/missing", { body: { sha256 } });
      const missing = readMissing(raw);
      if (!missing) throw new ApiError(502, "The server's list of missing attachments is malformed.");
      return missing;
    },
    put: (sha256, bytes) => withToken((t) => putBlob(sha256, bytes, t)),
    get: (sha256, mime) => withToken((t) => getBlob(sha256, mime, t)),
  };
}
