// The agency server's 時效管制 routes as the app calls them: the office calendar (GET /api/calendar for
// everyone signed in; POST /api/admin/calendar for administrators, the CSV as it was published) and
// the 展期 policy (GET/PUT /api/admin/extension-policy). Answers are parsed with the contract's schemas
// by callApi; what comes back is checked again before it reaches the calendar (calendar-cache.ts).
import type { CalendarYear, ExtensionPolicy } from "@countersign/crdt-model";
import { ApiError, Unreachable, apiErrorOf, type CallOptions } from "$lib/api/client.ts";

type Api = <T>(path: string, o?: Omit<CallOptions, "token">) => Promise<T>;

/** The imported years, every day of each (what the model's officeCalendar needs to call a year imported). */
export async function fetchCalendar(api: Api): Promise<CalendarYear[]> {
  const answer = await api<{ years: CalendarYear[] }>("/api/calendar");
  return answer.years;
}

/**
 * Imports a published office calendar CSV: all or nothing on the server (a refusal carries the
 * model's calendar.* code and the sentence naming the line). The body is the file's text as it is.
 */
export async function importCalendar(csv: string, token: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch("/api/admin/calendar", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "text/csv; charset=utf-8" },
      body: csv,
      cache: "no-store",
      signal: AbortSignal.timeout(30_000),
    });
  } catch {
    throw new Unreachable();
  }
  if (res.ok) return;
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // not JSON: the status says enough
  }
  throw apiErrorOf(res.status, body);
}

export async function fetchPolicy(api: Api): Promise<ExtensionPolicy> {
  return (await api<{ policy: ExtensionPolicy }>("/api/admin/extension-policy")).policy;
}

export async function savePolicy(api: Api, policy: ExtensionPolicy): Promise<ExtensionPolicy> {
  return (await api<{ policy: ExtensionPolicy }>("/api/admin/extension-policy", { method: "PUT", body: policy })).policy;
}

export { ApiError };
