// The app's side of the exchange API (sync-server/src/exchange/http-api.ts): JSON calls go through
// the identity's token-refreshing `api`; envelope files go up and down as raw bytes.
import { ApiError, Unreachable, apiErrorOf, parseAnswer } from "$lib/api/client.ts";
import type { Code, Purpose } from "@countersign/crdt-model";
import type { Assignment, IncomingDoc, LogRecord, OutboxRow, PeerList, PeopleList, SendResult } from "@countersign/contract";
import { refusalFromBody } from "$lib/refusals/decode.ts";

export const ENVELOPE_MEDIA_TYPE = "application/vnd.countersign.envelope+zip";
/** Accepted by the upload box; the server checks what the file really is. */
export const ENVELOPE_ACCEPT = ".csenv,.p7m,.zip,application/vnd.countersign.envelope+zip,application/pkcs7-mime";

export type Api = <T>(path: string, o?: { method?: "GET" | "POST"; body?: unknown }) => Promise<T>;

// The wire types come from the contract, the one module the server validates with and the app
// parses answers with; a purpose stays a plain string there (purposeLabel shows an unknown one as is).
export type { Peer, OutboxRow, LogRecord, IncomingDoc, Assignment, SendResult } from "@countersign/contract";

/** What uploading an envelope file did, as the page shows it. */
export type ImportResult =
  | { status: "imported"; envelope: string; from: string; purpose: Purpose; docs: string[]; pushed: boolean; receipt: { envelope: string | null; file: string | null; base64?: string | null } }
  | { status: "duplicate"; envelope: string; firstAt: string }
  | { status: "refused"; code: Code; reason: string };

export const exchangeApi = {
  peers: (api: Api) => api<PeerList>("/api/exchange/peers"),
  outbox: (api: Api) => api<{ items: OutboxRow[] }>("/api/exchange/outbox"),
  retry: (api: Api, envelope: string) => api<{ ok: true }>(`/api/exchange/outbox/${encodeURIComponent(envelope)}/retry`, { method: "POST", body: {} }),
  log: (api: Api, q: { doc?: string; peer?: string } = {}) => {
    const p = new URLSearchParams();
    if (q.doc) p.set("doc", q.doc);
    if (q.peer) p.set("peer", q.peer);
    const s = p.toString();
    return api<{ records: LogRecord[] }>(`/api/exchange/log${s ? `?${s}` : ""}`);
  },
  incoming: (api: Api) => api<{ docs: IncomingDoc[] }>("/api/exchange/incoming"),
  assign: (api: Api, doc: string, person: string) => api<{ assignment: Assignment }>("/api/exchange/assign", { body: { doc, person } }),
  send: (api: Api, o: { docs: string[]; to: string; purpose: Purpose; answers?: string | null; encrypt?: boolean }) => api<SendResult>("/api/exchange/send", { body: o }),
  people: (api: Api) => api<PeopleList>("/api/people"),
};

async function raw(path: string, token: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(path, { ...init, headers: { ...init.headers, authorization: `Bearer ${token}` }, cache: "no-store", signal: AbortSignal.timeout(120_000) });
  } catch {
    throw new Unreachable();
  }
}

/** Uploads an envelope file; a refused envelope is an answer (with its reason), not an error. */
export async function importEnvelopeFile(token: () => Promise<string>, bytes: ArrayBuffer): Promise<ImportResult> {
  const res = await raw("/api/exchange/import", await token(), { method: "POST", headers: { "content-type": ENVELOPE_MEDIA_TYPE }, body: bytes });
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw res.ok ? new Unreachable("The server's answer is not JSON.") : new ApiError(res.status, `HTTP ${res.status}`);
  }
  const b = body as { status?: string; reason?: string; error?: string };
  if (res.ok) return parseAnswer("importEnvelope", res.status, body);
  // Refused by the importer's checks: the code says why (decided by the code, never the sentence).
  if (b.status === "refused") {
    const { code, reason } = refusalFromBody(b, `HTTP ${res.status}`);
    return { status: "refused", code, reason };
  }
  // Over the web import's size limit: the command line can still import it (envelope.too-large says so).
  if (res.status === 413) return { status: "refused", code: "envelope.too-large", reason: refusalFromBody(b, `HTTP ${res.status}`).reason };
  throw apiErrorOf(res.status, b);
}

/** Fetches an envelope file with the login token and hands it to the browser as a download. */
export async function downloadEnvelope(token: () => Promise<string>, path: string, name: string): Promise<void> {
  const res = await raw(path, await token(), { method: "GET" });
  if (!res.ok) {
    throw apiErrorOf(res.status, await res.json().catch(() => null));
  }
  saveBytes(await res.blob(), name);
}

export function saveBytes(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function base64ToBlob(b64: string): Blob {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type: ENVELOPE_MEDIA_TYPE });
}

export const envelopeFileName = (id: string) => `${id}.csenv`;
