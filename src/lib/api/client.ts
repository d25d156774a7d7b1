// A thin fetch wrapper for the agency server's JSON API. Two kinds of failure matter to the app and
// are kept apart: the server answered "no" (ApiError, with its status and reason), or the server
// could not be reached at all (Unreachable) — the second means "work offline", never an error page.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export class Unreachable extends Error {
  constructor(message = "The agency server cannot be reached.") {
    super(message);
    this.name = "Unreachable";
  }
}

export interface CallOptions {
  method?: "GET" | "POST" | "PUT";
  body?: unknown;
  token?: string | null;
  /** Abort a call that hangs (a captive portal, a half-dead uplink) instead of waiting forever. */
  timeoutMs?: number;
}

export async function callApi<T>(path: string, o: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = {};
  if (o.body !== undefined) headers["content-type"] = "application/json";
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  let res: Response;
  try {
    res = await fetch(path, {
      method: o.method ?? (o.body === undefined ? "GET" : "POST"),
      headers,
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
      cache: "no-store",
      signal: AbortSignal.timeout(o.timeoutMs ?? 20_000),
    });
  } catch {
    throw new Unreachable();
  }
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    // A proxy's HTML error page or a truncated answer: the agency server did not really answer.
    throw res.ok ? new Unreachable("The server's answer is not JSON.") : new ApiError(res.status, `HTTP ${res.status}`);
  }
  if (!res.ok) {
    const reason = typeof json === "object" && json !== null && "error" in json && typeof json.error === "string" ? json.error : `HTTP ${res.status}`;
    throw new ApiError(res.status, reason);
  }
  return json as T;
}

// Attachment bytes (PUT/GET /api/blobs/<sha256>): raw bodies, not JSON. The server checks that the
// bytes hash to the name; the app checks again what it downloads (the relay is not trusted).

async function failure(res: Response): Promise<ApiError> {
  let reason = `HTTP ${res.status}`;
  try {
    const j: unknown = await res.json();
    if (typeof j === "object" && j !== null && "error" in j && typeof j.error === "string") reason = j.error;
  } catch {
    // not JSON: the status says enough
  }
  return new ApiError(res.status, reason);
}

/** Stores an attachment's bytes on the agency server (the same bytes again change nothing). */
export async function putBlob(sha256: string, bytes: Uint8Array, token: string, timeoutMs = 120_000): Promise<void> {
  let res: Response;
  try {
    res = await fetch(`/api/blobs/${sha256}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
      body: bytes as Uint8Array<ArrayBuffer>,
      cache: "no-store",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    throw new Unreachable();
  }
  if (!res.ok) throw await failure(res);
}

/** An attachment's bytes from the agency server, or null when it does not hold them (yet). */
export async function getBlob(sha256: string, mime: string, token: string, timeoutMs = 120_000): Promise<Uint8Array | null> {
  let res: Response;
  try {
    res = await fetch(`/api/blobs/${sha256}?type=${encodeURIComponent(mime)}`, {
      headers: { authorization: `Bearer ${token}` },
      cache: "no-store",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    throw new Unreachable();
  }
  if (res.status === 404) return null;
  if (!res.ok) throw await failure(res);
  try {
    return new Uint8Array(await res.arrayBuffer());
  } catch {
    throw new Unreachable("The attachment's download was cut off.");
  }
}

/** An authenticated call (the identity's `api`: token attached, one re-login on 401). */
export type AuthedCall = <T>(path: string, o?: Omit<CallOptions, "token">) => Promise<T>;

// The directory, as the routing-plan builder reads it. Shapes are checked by the caller
// (src/lib/draft/directory.ts): these return the server's lists as they came.
export const fetchPeople = async (call: AuthedCall): Promise<unknown> => (await call<{ people: unknown }>("/api/people")).people;
export const fetchUnits = async (call: AuthedCall): Promise<unknown> => (await call<{ units: unknown }>("/api/units")).units;
export const fetchDelegation = async (call: AuthedCall): Promise<unknown> => (await call<{ delegation: unknown }>("/api/delegation")).delegation;
/** 職務代理人 in force or to come: GET /api/deputies. */
export const fetchDeputies = async (call: AuthedCall): Promise<unknown> => (await call<{ deputies: unknown }>("/api/deputies")).deputies;
/** The agencies we exchange envelopes with: GET /api/exchange/peers. */
export const fetchPeers = (call: AuthedCall): Promise<unknown> => call<unknown>("/api/exchange/peers");
