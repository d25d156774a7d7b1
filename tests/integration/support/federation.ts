// Several real agency servers in one test run (separate SQLite data directories and ports) that
// trust each other: each adds the others' CA certificates, delegation tables and — when delivery is
// over HTTP — server addresses to its federation trust list, as `countersign trust add` would.
// Plus what clients and registry desks do in the exchange flows, over the real HTTP API only.
import { join } from "node:path";
import { pino } from "pino";
import * as Y from "yjs";
import {
  CountersignDocument,
  asDocId,
  asPersonId,
  derive,
  fromBase64,
  signAction,
  toBase64,
  type Action,
  type DocId,
  type Metadata,
  type StepId,
  type TrustStore,
  type WorkflowState,
} from "@countersign/crdt-model";
import { openSqliteStore, loadAgency, buildTrustStore, AgencyServer, type DeliveryOptions } from "@countersign/sync-server";
import { PASSPHRASE, must, startAgency, testMetadata, until, type RunningAgency, type Who } from "./agency-server.ts";

/** Quick retries so a test never sleeps long: back-off from 20 ms, capped at 150 ms, polled every 25 ms. */
export const FAST_DELIVERY: DeliveryOptions = { outbox: { backoff: { baseMs: 20, maxMs: 150 }, pollMs: 25, timeoutMs: 5000 } };

export const AGENCIES = {
  A: { code: "A-TN-EDU", name: "臺南市政府教育局" },
  B: { code: "B-KH-EDU", name: "高雄市政府教育局" },
  C: { code: "C-CY-EDU", name: "嘉義市政府教育處" },
  S: { code: "S-MOE", name: "教育部" },
} as const;
export type AgencyKey = keyof typeof AGENCIES;

export async function startAgencies<K extends AgencyKey>(keys: readonly K[], delivery: DeliveryOptions = FAST_DELIVERY): Promise<Record<K, RunningAgency>> {
  const started = await Promise.all(keys.map((k) => startAgency({}, { ...AGENCIES[k], delivery })));
  return Object.fromEntries(keys.map((k, i) => [k, started[i]!])) as Record<K, RunningAgency>;
}

/** Every agency trusts every other; with `urls`, also knows its server address (HTTP delivery). */
export async function federate(agencies: readonly RunningAgency[], o: { urls: boolean }): Promise<void> {
  for (const x of agencies)
    for (const y of agencies) {
      if (x === y) continue;
      const delegation = (await y.store.delegation()) ?? null;
      must(await x.server.exchange.addPeer({ ca: y.agency.caPem, url: o.urls ? y.http : null, delegation }));
    }
}

/**
 * Stops an agency's server (its store closes with it), as an outage would. `restart` brings it back on
 * the same port with the same data directory; tokens stay valid (same agency secret).
 */
export async function stopServer(a: RunningAgency): Promise<void> {
  await a.server.stop();
}

export async function restartServer(a: RunningAgency, delivery: DeliveryOptions = FAST_DELIVERY): Promise<void> {
  const store = openSqliteStore(join(a.dir, "countersign.db"));
  const agency = must(await loadAgency(store, PASSPHRASE));
  const server = new AgencyServer({ store, agency, log: pino({ level: "silent" }), port: a.port, host: "127.0.0.1", delivery, checkAnswers: true });
  await server.start();
  Object.assign(a, { store, agency, server, stop: () => server.stop() });
}

// ---- what a client does, over HTTP -----------------------------------------------------------------

export async function call<T = Record<string, unknown>>(a: RunningAgency, who: Who, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${a.http}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${a.people[who].token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}

async function batch(a: RunningAgency, who: Who, body: unknown): Promise<{ pushed: { doc: string; ok: boolean; reason?: string }[]; docs: { doc: string; update: string }[]; denied: string[] }> {
  const r = await call<{ pushed: { doc: string; ok: boolean; reason?: string }[]; docs: { doc: string; update: string }[]; denied: string[]; reason?: string }>(a, who, "/api/sync", body);
  if (r.status !== 200) throw new Error(r.json.reason ?? `batch sync answered ${r.status}`);
  return r.json;
}

/** The document as `who` gets it from the agency's server (batch sync from an empty device). */
export async function pull(a: RunningAgency, who: Who, doc: DocId): Promise<CountersignDocument> {
  const r = await batch(a, who, { v: 1, have: [{ doc, sv: toBase64(Y.encodeStateVector(new Y.Doc())) }] });
  if (r.denied.includes(doc)) throw new Error(`${who} at ${a.agency.code} may not open ${doc}`);
  const got = r.docs.find((d) => d.doc === doc);
  if (!got) throw new Error(`${a.agency.code} has no document ${doc}`);
  return must(CountersignDocument.fromUpdate(fromBase64(got.update)));
}

export async function push(a: RunningAgency, who: Who, doc: CountersignDocument, since?: Uint8Array): Promise<void> {
  const r = await batch(a, who, { v: 1, push: [{ doc: doc.id, update: toBase64(doc.encodeState(since)) }] });
  const p = r.pushed.find((x) => x.doc === doc.id);
  if (!p?.ok) throw new Error(p?.reason ?? `${who} may not push ${doc.id} to ${a.agency.code}`);
}

export const trustOf = async (a: RunningAgency): Promise<TrustStore> => must(await buildTrustStore(a.store));

/**
 * `who` at agency `a` signs an action on its copy, as the app does: pull, derive the heads under the
 * agency's trust, sign with the person's own certificate, push the change through batch sync (the
 * server's ingest rules decide). Returns the state the signer then sees.
 */
export async function act(a: RunningAgency, who: Who, doc: DocId, action: Action, step: string | null, opinion = ""): Promise<WorkflowState> {
  const copy = await pull(a, who, doc);
  const trust = await trustOf(a);
  const sv = copy.stateVector();
  must(await signAction(copy, a.people[who].signer, (await derive(copy, trust)).heads, { action, step: step as StepId | null, opinion }));
  await push(a, who, copy, sv);
  return derive(copy, trust);
}

/** The agency's own stored copy, derived under its own trust (what its server and officers see). */
export async function stateAt(a: RunningAgency, doc: DocId): Promise<WorkflowState> {
  const ydoc = new Y.Doc();
  for (const u of await a.store.readUpdates(doc)) Y.applyUpdate(ydoc, u.data);
  return derive(CountersignDocument.wrap(ydoc), await trustOf(a));
}

let serial = 0;
/** A's case officer drafts a 簽 with `plan`, submits it and syncs it to A's server. */
export async function draftAndSubmit(a: RunningAgency, plan: ReturnType<RunningAgency["plan"]>, subject: string, over: Partial<Metadata> = {}): Promise<DocId> {
  const id = asDocId(`xdoc-${process.pid}-${Date.now().toString(36)}-${serial++}`);
  const doc = must(CountersignDocument.create({ id, metadata: testMetadata({ agency: a.agency.code as never, ...over }), subject, plan }));
  const trust = await trustOf(a);
  must(await signAction(doc, a.people.officer.signer, (await derive(doc, trust)).heads, { action: { kind: "submit" }, step: null }));
  await push(a, "officer", doc);
  return id;
}

// ---- the exchange API ------------------------------------------------------------------------------

export interface Sent {
  envelope: string;
  delivery: "queued" | "file";
  file: string;
}

export async function send(a: RunningAgency, who: Who, body: { docs: string[]; to: string; purpose: string; answers?: string | null; encrypt?: boolean }): Promise<Sent> {
  const r = await call<Sent & { reason?: string }>(a, who, "/api/exchange/send", body);
  if (r.status !== 200) throw new Error(r.json.reason ?? `send answered ${r.status}`);
  return r.json;
}

export async function downloadFile(a: RunningAgency, who: Who, file: string): Promise<Uint8Array> {
  const res = await fetch(`${a.http}${file}`, { headers: { authorization: `Bearer ${a.people[who].token}` } });
  if (res.status !== 200) throw new Error(`download answered ${res.status}: ${await res.text()}`);
  return new Uint8Array(await res.arrayBuffer());
}

export type Uploaded =
  | { status: "imported"; envelope: string; from: string; purpose: string; docs: string[]; pushed: boolean; receipt: { envelope: string | null; file: string | null; base64?: string | null } }
  | { status: "duplicate"; envelope: string; firstAt: string }
  | { status: "refused"; reason: string };

/** The registry desk uploads an envelope file (the app's upload box). */
export async function upload(a: RunningAgency, who: Who, bytes: Uint8Array): Promise<{ status: number; json: Uploaded }> {
  const res = await fetch(`${a.http}/api/exchange/import`, {
    method: "POST",
    headers: { authorization: `Bearer ${a.people[who].token}`, "content-type": "application/vnd.countersign.envelope+zip" },
    body: bytes as Uint8Array<ArrayBuffer>,
  });
  return { status: res.status, json: (await res.json()) as Uploaded };
}

/** The receipt an upload answered with, as bytes to carry back to the sender. */
export async function receiptOf(a: RunningAgency, who: Who, u: Uploaded): Promise<Uint8Array> {
  if (u.status !== "imported") throw new Error(`no receipt for ${u.status}`);
  if (u.receipt.file) return downloadFile(a, who, u.receipt.file);
  if (u.receipt.base64) return fromBase64(u.receipt.base64);
  throw new Error("the import answered without a receipt");
}

export async function assign(a: RunningAgency, doc: DocId, person: Who, by: Who = "registry"): Promise<{ status: number; json: Record<string, unknown> }> {
  return call(a, by, "/api/exchange/assign", { doc, person: asPersonId(`P-${person}`) });
}

/** Waits until the sender's outbox says the envelope was delivered (the worker runs on its own). */
export async function delivered(a: RunningAgency, envelope: string, ms = 15_000): Promise<void> {
  await until(async () => (await a.store.outbox({ status: "delivered" })).some((i) => i.envelope === envelope), ms, `delivery of ${envelope}`);
}
