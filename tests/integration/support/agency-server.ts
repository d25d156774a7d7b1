// Starts a real agency server for integration tests: SQLite store in a temp dir, an initialized
// agency, units and people in every role, each person enrolled (WebCrypto key → CSR → certificate)
// and logged in (challenge → signature → token). Nothing is mocked.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import * as Y from "yjs";
import { WebSocket } from "ws";
import { WebsocketProvider } from "y-websocket";
import {
  asPersonId,
  asStepId,
  asUnitId,
  parseCertificate,
  signerFromKey,
  toBase64,
  type DelegationTable,
  type Metadata,
  type Role,
  type RoutingPlan,
  type Signer,
  type SignerProfile,
} from "@countersign/crdt-model";
import { openSqliteStore, type Store, initAgency, loadAgency, type Agency, enroll, issueEnrollmentCode, challenge, login, loginMessage, x509, addPerson, addUnit, setDelegation, AgencyServer, type DeliveryOptions, type Limits } from "@countersign/sync-server";
import { fetchTicket, ticketedWebSocket } from "../../../src/lib/sync/ticket-socket.ts";
import type { GateLimits } from "../../../sync-server/src/http/gates.ts";

export const CODE = "A-TEST";
export const PASSPHRASE = "integration tests passphrase";
const SYSTEM = { system: true } as const;

export const PEOPLE = {
  officer: { unit: "U-STU", level: 1, roles: ["case-officer"] },
  chief: { unit: "U-STU", level: 3, roles: ["supervisor"] },
  registry: { unit: "U-STU", level: 1, roles: ["registry"] },
  personnel: { unit: "U-PER", level: 3, roles: ["supervisor"] },
  accounting: { unit: "U-ACC", level: 3, roles: ["supervisor"] },
  director: { unit: "U-HEAD", level: 5, roles: ["supervisor"] },
  mail: { unit: "U-SEC", level: 1, roles: ["mail-room"] },
  archivist: { unit: "U-SEC", level: 1, roles: ["archives"] },
  followup: { unit: "U-SEC", level: 2, roles: ["follow-up"] },
  outsider: { unit: "U-PER", level: 1, roles: ["case-officer"] },
} satisfies Record<string, { unit: string; level: number; roles: Role[] }>;
export type Who = keyof typeof PEOPLE;

export interface Member {
  signer: Signer;
  token: string;
  privateKey: CryptoKey;
}

export interface RunningAgency {
  dir: string;
  store: Store;
  agency: Agency;
  server: AgencyServer;
  port: number;
  http: string;
  ws: string;
  people: Record<Who, Member>;
  plan: () => RoutingPlan;
  stop: () => Promise<void>;
}

/** Another agency than the default A-TEST (exchange tests run several in one process). */
export interface AgencyIdentity {
  code?: string;
  name?: string;
}

/** Initialises an agency in `store`: units, delegation table, and every person enrolled. */
export async function populate(store: Store, id: AgencyIdentity = {}): Promise<{ agency: Agency; people: Record<Who, Member> }> {
  const code = id.code ?? CODE;
  const init = await initAgency(store, { code, name: id.name ?? "測試教育局", passphrase: PASSPHRASE });
  if (!init.ok) throw new Error(init.reason);
  const loaded = await loadAgency(store, PASSPHRASE);
  if (!loaded.ok) throw new Error(loaded.reason);
  const agency = loaded.value;
  for (const [id, name] of [["U-STU", "學務科"], ["U-PER", "人事室"], ["U-ACC", "會計室"], ["U-HEAD", "局長室"], ["U-SEC", "秘書室"]] as const)
    must(await addUnit(store, SYSTEM, { id, name, parent: null }));
  const delegation: DelegationTable = {
    v: 1,
    agency: code as DelegationTable["agency"],
    levels: [{ level: 5, title: "局長" }],
    rules: [{ category: "學務", level: 3 }],
    defaultLevel: 5,
  };
  must(await setDelegation(store, SYSTEM, delegation));

  const people = {} as Record<Who, Member>;
  await Promise.all(
    (Object.keys(PEOPLE) as Who[]).map(async (who) => {
      const p = PEOPLE[who];
      must(await addPerson(store, SYSTEM, { id: `P-${who}`, name: `測試${who}`, unit: p.unit, level: p.level, roles: [...p.roles] }));
      const code = must(await issueEnrollmentCode(store, SYSTEM, `P-${who}`));
      const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
      const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: "CN=x", keys, signingAlgorithm: { name: "ECDSA", hash: "SHA-256" } });
      const enrolled = must(await enroll(store, agency, { code: code.code, csrPem: csr.toString("pem") }));
      const cert = must(parseCertificate(enrolled.certificatePem));
      people[who] = { signer: signerFromKey(cert, enrolled.profile as SignerProfile, "ES256", keys.privateKey), token: "", privateKey: keys.privateKey };
    }),
  );
  return { agency, people };
}

/** Logs in over the HTTP API, as a device would: challenge, signature, token. */
export async function loginOverHttp(http: string, m: Pick<Member, "signer">): Promise<string> {
  const { nonce } = (await (await fetch(`${http}/api/login/challenge`, { method: "POST" })).json()) as { nonce: string };
  const signature = toBase64(await m.signer.sign(loginMessage(nonce)));
  const res = await fetch(`${http}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ nonce, certificate: toBase64(m.signer.certDer), signature, alg: "ES256" }),
  });
  const body = (await res.json()) as { token?: string; reason?: string };
  if (!body.token) throw new Error(body.reason ?? `login failed with ${res.status}`);
  return body.token;
}

export async function startAgency(limits: Partial<Limits> = {}, o: AgencyIdentity & { delivery?: DeliveryOptions; gates?: Partial<GateLimits> } = {}): Promise<RunningAgency> {
  const dir = mkdtempSync(join(tmpdir(), "countersign-srv-"));
  const store = openSqliteStore(join(dir, "countersign.db"));
  const { agency, people } = await populate(store, o);

  const server = new AgencyServer({ store, agency, log: pino({ level: "silent" }), port: 0, host: "127.0.0.1", limits, delivery: o.delivery, gates: o.gates, checkAnswers: true });
  const port = await server.start();
  for (const who of Object.keys(people) as Who[]) people[who].token = await tokenFor(store, agency, people[who]);

  const plan = (): RoutingPlan => ({
    v: 1,
    stages: [
      { kind: "single", step: { id: asStepId("review"), type: "review", assignee: { kind: "person", person: asPersonId("P-chief") } } },
      {
        kind: "parallel",
        steps: [
          { id: asStepId("cs-per"), type: "countersign", assignee: { kind: "unit", unit: asUnitId("U-PER") } },
          { id: asStepId("cs-acc"), type: "countersign", assignee: { kind: "unit", unit: asUnitId("U-ACC") } },
        ],
      },
      { kind: "single", step: { id: asStepId("decide"), type: "decide", assignee: { kind: "person", person: asPersonId("P-director") } } },
    ],
    decisionLevel: 5,
    deputies: [],
  });

  return {
    dir,
    store,
    agency,
    server,
    port,
    http: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}/sync`,
    people,
    plan,
    stop: () => server.stop(),
  };
}

export async function tokenFor(store: Store, agency: Agency, m: Pick<Member, "signer" | "privateKey">): Promise<string> {
  const { nonce } = await challenge(store);
  const sig = await m.signer.sign(loginMessage(nonce));
  const r = must(await login(store, agency, { nonce, certificate: toBase64(m.signer.certDer), signature: toBase64(sig), alg: "ES256" }));
  return r.token;
}

/**
 * A stock y-websocket provider in Node, exactly as an outside client would use it: the relay takes a
 * single-use ticket, not the login token, so each (re)connection first asks POST /api/sync/ticket
 * (src/lib/sync/ticket-socket.ts). Without a token it connects with no ticket (and is refused, 4401).
 */
export function provider(a: Pick<RunningAgency, "ws">, doc: string, token: string | null, ydoc = new Y.Doc()): WebsocketProvider {
  return new WebsocketProvider(a.ws, doc, ydoc, {
    WebSocketPolyfill: (token ? ticketedWebSocket(WebSocket as never, () => fetchTicket(httpOf(a.ws), token)) : WebSocket) as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
}

/** The relay's address for a document with a fresh single-use ticket (for raw WebSocket clients). */
export async function syncUrl(wsBase: string, doc: string, token: string | null): Promise<string> {
  const base = `${wsBase}/${encodeURIComponent(doc)}`;
  if (!token) return base;
  const t = await fetchTicket(httpOf(wsBase), token);
  if (!t.ok) throw new Error(t.reason);
  return `${base}?ticket=${encodeURIComponent(t.ticket)}`;
}

/** ws://host:port/sync → http://host:port */
export function httpOf(wsBase: string): string {
  return wsBase.replace(/^ws/, "http").replace(/\/sync$/, "");
}

/** Metadata of a 簽 drafted by the test agency's case officer. */
export function testMetadata(over: Partial<Metadata> = {}): Metadata {
  return {
    kind: "memo",
    speed: "ordinary",
    secrecy: "none",
    dueDate: null,
    docNumber: null,
    receiptNumber: null,
    agency: CODE as Metadata["agency"],
    unit: asUnitId("U-STU"),
    caseOfficer: asPersonId("P-officer"),
    retention: "10",
    category: "學務",
    ...over,
  };
}

/** A plan with a single decision step by `decider`. */
export function decisionOnlyPlan(decider = "P-chief", level = 1): RoutingPlan {
  return {
    v: 1,
    stages: [{ kind: "single", step: { id: asStepId("decide"), type: "decide", assignee: { kind: "person", person: asPersonId(decider) } } }],
    decisionLevel: level,
    deputies: [],
  };
}

export function must<T>(r: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

export async function until(cond: () => boolean | Promise<boolean>, ms = 10_000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
