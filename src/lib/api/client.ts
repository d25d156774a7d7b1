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
