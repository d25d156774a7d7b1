// Scale-out: two real `countersign serve` processes share one PostgreSQL store and fan updates out
// through one Redis. Stock y-websocket clients on each process see each other's edits live; a
// process SIGKILLed while a client writes through it loses no acknowledged update.
//
// "Acknowledged" here: seen by a client other than the writer, through either process. Process A
// relays an update to its other clients only after appendUpdate resolved (the PostgreSQL commit),
// and publishes it to Redis only then, so an edit that reached the observer on A or the one on B is
// committed. (The writer's own echo cannot be observed: its Y.Doc already holds the edit.)
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { pino } from "pino";
import {
  CountersignDocument,
  VerifyCache,
  asDocId,
  asPersonId,
  asStepId,
  asUnitId,
  parseCertificate,
  signerFromKey,
  toBase64,
  type DocId,
  type Metadata,
  type RoutingPlan,
  type SignerProfile,
} from "@countersign/crdt-model";
import { freePort, freshDatabase, killOnExit, startPostgres, startRedis, type Service } from "../support/services.ts";
import { openPostgresStore, type Store, RedisFanout, Rooms, loadAgency, enroll, issueEnrollmentCode, loginMessage, x509, addPerson, addUnit } from "@countersign/sync-server";
import { CODE, PASSPHRASE, must, provider, until, type Member, type RunningAgency } from "./support/agency-server.ts";

const SYSTEM = { system: true } as const;
let pgServer: Service | undefined;
let redis: Service | undefined;
let db: { url: string; drop(): Promise<void> } | undefined;
let store: Store | undefined;
let dir: string;
const procs: { child: ChildProcess; port: number; output: () => string }[] = [];
const clients: { destroy(): void | Promise<void> }[] = [];
let officer: Member;
let chief: Member;
let A: { port: number; child: ChildProcess };
let B: { port: number; child: ChildProcess };

const ws = (port: number) => ({ ws: `ws://127.0.0.1:${port}/sync` }) as RunningAgency;
const http = (port: number) => `http://127.0.0.1:${port}`;

/** Runs the countersign command to completion; resolves with its exit code and output. */
function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ["bin/countersign.js", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, out })));
}

/** `countersign serve` on the shared store and Redis, up once /healthz answers. */
async function serve(port: number): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ["bin/countersign.js", "serve", "--store", db!.url, "--fanout", redis!.url, "--port", String(port), "--host", "127.0.0.1", "--no-app", "--passphrase-file", join(dir, "pass")],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  killOnExit(child);
  let output = "";
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  procs.push({ child, port, output: () => output });
  const health = async () => {
    if (child.exitCode !== null) throw new Error(`serve on ${port} exited: ${output}`);
    const r = await fetch(`${http(port)}/healthz`).catch(() => undefined);
    return r?.ok === true && ((await r.json()) as { store: string }).store === "postgres";
  };
  await until(health, 30_000, `serve on ${port} up`);
  return { port, child };
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once("exit", r));
  child.kill(signal);
  await gone;
}

/** A person added and enrolled in-process against the shared store (key → CSR → certificate). */
async function member(id: string, level: number, roles: ("case-officer" | "supervisor")[]): Promise<Member> {
  const agency = must(await loadAgency(store!, PASSPHRASE));
  must(await addPerson(store!, SYSTEM, { id, name: `測試${id}`, unit: "U-STU", level, roles }));
  const code = must(await issueEnrollmentCode(store!, SYSTEM, id));
  const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: "CN=x", keys, signingAlgorithm: { name: "ECDSA", hash: "SHA-256" } });
  const enrolled = must(await enroll(store!, agency, { code: code.code, csrPem: csr.toString("pem") }));
  const cert = must(parseCertificate(enrolled.certificatePem));
  return { signer: signerFromKey(cert, enrolled.profile as SignerProfile, "ES256", keys.privateKey), token: "", privateKey: keys.privateKey };
}

/** Challenge from one process, login at the other: both read and write the same store. */
async function login(m: Member, challengeAt: number, loginAt: number): Promise<string> {
  const { nonce } = (await (await fetch(`${http(challengeAt)}/api/login/challenge`, { method: "POST" })).json()) as { nonce: string };
  const signature = toBase64(await m.signer.sign(loginMessage(nonce)));
  const res = await fetch(`${http(loginAt)}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ nonce, certificate: toBase64(m.signer.certDer), signature, alg: "ES256" }),
  });
  const body = (await res.json()) as { token?: string; reason?: string };
  if (!body.token) throw new Error(body.reason ?? `login failed with ${res.status}`);
  return body.token;
}

function connect(port: number, doc: string, token: string, ydoc?: Y.Doc) {
  const p = provider(ws(port), doc, token, ydoc);
  clients.push(p);
  return p;
}

/** The document as PostgreSQL holds it, read by this test's own connection. */
async function stored(doc: string): Promise<CountersignDocument> {
  const ydoc = new Y.Doc();
  const ups = await store!.readUpdates(asDocId(doc));
  if (ups.length) Y.applyUpdate(ydoc, Y.mergeUpdates(ups.map((u) => u.data)));
  return CountersignDocument.wrap(ydoc);
}

async function draft(id: string, subject: string): Promise<Y.Doc> {
  const metadata: Metadata = {
    kind: "memo", speed: "ordinary", secrecy: "none", dueDate: null, docNumber: null, receiptNumber: null,
    agency: CODE as Metadata["agency"], unit: asUnitId("U-STU"), caseOfficer: asPersonId("P-officer"), retention: "10", category: "學務",
  };
  const plan: RoutingPlan = {
    v: 1,
    stages: [{ kind: "single", step: { id: asStepId("decide"), type: "decide", assignee: { kind: "person", person: asPersonId("P-chief") } } }],
    decisionLevel: 1,
    deputies: [],
  };
  const ydoc = new Y.Doc();
  Y.applyUpdate(ydoc, must(CountersignDocument.create({ id: asDocId(id), metadata, subject, plan })).encodeState());
  return ydoc;
}

const marks = (d: CountersignDocument): string[] => d.subject().split(";").filter(Boolean);

beforeAll(async () => {
  // Both settled before either failure is thrown, so afterAll stops whichever did start.
  const [p, r] = await Promise.allSettled([startPostgres(), startRedis()]);
  if (p.status === "fulfilled") pgServer = p.value;
  if (r.status === "fulfilled") redis = r.value;
  if (p.status === "rejected") throw p.reason;
  if (r.status === "rejected") throw r.reason;
  db = await freshDatabase(p.value.url);
  dir = mkdtempSync(join(tmpdir(), "countersign-scale-"));
  writeFileSync(join(dir, "pass"), PASSPHRASE + "\n", { mode: 0o600 });
  const init = await cli(["init", "--store", db.url, "--data", dir, "--agency-code", CODE, "--agency-name", "測試教育局", "--passphrase-file", join(dir, "pass")]);
  if (init.code !== 0) throw new Error(`countersign init failed: ${init.out}`);

  store = await openPostgresStore(db.url);
  must(await addUnit(store, SYSTEM, { id: "U-STU", name: "學務科", parent: null }));
  officer = await member("P-officer", 1, ["case-officer"]);
  chief = await member("P-chief", 3, ["supervisor"]);
  [A, B] = await Promise.all([freePort().then(serve), freePort().then(serve)]);
  officer.token = await login(officer, A.port, B.port);
  chief.token = await login(chief, B.port, A.port);
}, 120_000);

afterAll(async () => {
  for (const c of clients) await c.destroy();
  for (const p of procs) await kill(p.child, "SIGKILL");
  await store?.close();
  await db?.drop();
  await redis?.stop();
  await pgServer?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe("two serve processes on one PostgreSQL store and one Redis", () => {
  it("edits made through either process reach the clients of the other live, and both converge", async () => {
    const writerDoc = await draft("scale-live", "主旨");
    const onA = connect(A.port, "scale-live", officer.token, writerDoc);
    await until(() => onA.synced, 10_000, "officer synced on A");
    await until(async () => (await store!.getIndex(asDocId("scale-live"))) !== undefined, 10_000, "index row in PostgreSQL");
    // The case officer's second device (the draft's text is his alone: crdt-model workflow/editing.ts).
    const onB = connect(B.port, "scale-live", officer.token);
    await until(() => onB.synced, 10_000, "officer's second device synced on B");

    const a = CountersignDocument.wrap(onA.doc);
    const b = CountersignDocument.wrap(onB.doc);
    await until(() => b.subject() === "主旨", 5000, "B's client has the draft");
    a.insertSubject(a.subject().length, "（A 改）");
    await until(() => b.subject() === "主旨（A 改）", 5000, "A's edit live at B's client");
    b.insertSubject(0, "【B】");
    await until(() => a.subject() === "【B】主旨（A 改）", 5000, "B's edit live at A's client");

    // Concurrent edits on both sides at once: every client and the store end in one state.
    for (let i = 0; i < 20; i++) {
      a.insertSubject(a.subject().length, `a${i};`);
      b.insertSubject(b.subject().length, `b${i};`);
    }
    const count = (t: string) => t.split(";").length - 1;
    await until(() => a.subject() === b.subject() && count(a.subject()) === 40, 10_000, "both clients converge");
    await until(async () => (await stored("scale-live")).subject() === a.subject(), 10_000, "PostgreSQL holds the converged text");
    expect(Y.encodeStateVector(onA.doc)).toEqual(Y.encodeStateVector(onB.doc));
  });

  it("SIGKILL of one process while a client writes through it: every acknowledged edit survives, and the rest arrive", async () => {
    const writerDoc = await draft("scale-kill", "");
    const writer = connect(A.port, "scale-kill", officer.token, writerDoc);
    await until(() => writer.synced, 10_000, "writer synced on A");
    await until(async () => (await store!.getIndex(asDocId("scale-kill"))) !== undefined, 10_000, "index row in PostgreSQL");
    const watchA = connect(A.port, "scale-kill", chief.token);
    const watchB = connect(B.port, "scale-kill", chief.token);
    await until(() => watchA.synced && watchB.synced, 10_000, "observers synced");

    const w = CountersignDocument.wrap(writerDoc);
    const seenA = CountersignDocument.wrap(watchA.doc);
    const seenB = CountersignDocument.wrap(watchB.doc);
    let typed = 0;
    const typing = setInterval(() => w.insertSubject(w.subject().length, `${typed++};`), 3);
    try {
      await until(() => marks(seenB).length > 150, 30_000, "150 edits acknowledged through B");
      await kill(A.child, "SIGKILL");
    } finally {
      clearInterval(typing);
    }
    const acknowledged = new Set([...marks(seenA), ...marks(seenB)]);
    expect(acknowledged.size).toBeGreaterThan(150);

    const missing = (have: string[]) => [...acknowledged].filter((m) => !have.includes(m));
    // In PostgreSQL, read directly.
    expect(missing(marks(await stored("scale-kill")))).toEqual([]);
    // Through B, to a client that connects now. An edit A stored and relayed to its own observer
    // but died before publishing reaches B's room once B sees A go silent (heartbeats, ≤ 4 s) and
    // catches the room up from the store; until then B's room may lack it.
    const fresh = connect(B.port, "scale-kill", officer.token);
    await until(() => fresh.synced, 10_000, "fresh client synced on B");
    const viaB = CountersignDocument.wrap(fresh.doc);
    await until(() => missing(marks(viaB)).length === 0, 10_000, "every acknowledged edit visible through B").catch((e: Error) => {
      throw new Error(`${e.message}: lacking ${missing(marks(viaB)).join(",")}`);
    });

    // A comes back on its port; the writer's client reconnects by itself and sends what was never
    // acknowledged, and B's observer receives every edit ever typed, through the fan-out.
    A = await serve(A.port);
    const all = Array.from({ length: typed }, (_, i) => String(i));
    await until(() => all.every((m) => marks(seenB).includes(m)), 30_000, "every typed edit reaches B's observer").catch(async (e: Error) => {
      const inStore = marks(await stored("scale-kill"));
      const lacking = (have: string[]) => all.filter((m) => !have.includes(m)).slice(0, 10).join(",");
      throw new Error(`${e.message}; typed ${typed}; B's observer lacks ${lacking(marks(seenB))}; the store lacks ${lacking(inStore)}; ${procs.map((p) => `serve ${p.port}: ${p.output().slice(-1500)}`).join("\n")}`);
    });
    const again = connect(A.port, "scale-kill", chief.token);
    await until(() => again.synced, 10_000, "fresh client synced on restarted A");
    expect(new Set(marks(CountersignDocument.wrap(again.doc)))).toEqual(new Set(all));
    expect(new Set(marks(await stored("scale-kill")))).toEqual(new Set(all));
  }, 120_000);
});

describe("the command line with --store and --fanout", () => {
  it("refuses a second init, a database with no agency, and a Redis it cannot reach, each in one line", async () => {
    const pass = join(dir, "pass");
    const again = await cli(["init", "--store", db!.url, "--data", dir, "--agency-code", CODE, "--agency-name", "x", "--passphrase-file", pass]);
    expect(again).toMatchObject({ code: 1, out: expect.stringContaining("already initialized") });
    const empty = await freshDatabase(pgServer!.url);
    try {
      const none = await cli(["serve", "--store", empty.url, "--port", "0", "--no-app", "--passphrase-file", pass]);
      expect(none).toMatchObject({ code: 1, out: expect.stringContaining("holds no agency") });
    } finally {
      await empty.drop();
    }
    const noRedis = await cli(["serve", "--store", db!.url, "--fanout", `redis://127.0.0.1:${await freePort()}`, "--port", "0", "--no-app", "--passphrase-file", pass]);
    expect(noRedis).toMatchObject({ code: 1, out: expect.stringContaining("Redis fan-out could not start") });
    const usage = await cli(["serve", "--store", "mysql://x", "--passphrase-file", pass]);
    expect(usage).toMatchObject({ code: 2, out: expect.stringContaining("must be a PostgreSQL URL") });
  }, 60_000);
});

describe("RedisFanout in one process, on the same PostgreSQL and Redis", () => {
  const silent = pino({ level: "silent" });
  const unused = () => Promise.reject(new Error("not used by fan-out"));
  /** Rooms as a server process holds them; `afterRead` runs between the load's read and its end. */
  function roomsOver(afterRead: () => Promise<void> = async () => undefined): Rooms {
    const s = store!;
    const slow = new Proxy(s, {
      get: (t, k) =>
        k === "readUpdates"
          ? async (d: DocId) => {
              const read = await t.readUpdates(d);
              await afterRead();
              return read;
            }
          : Reflect.get(t, k, t),
    });
    return new Rooms({ store: slow, trust: unused, signReceipt: unused, cache: new VerifyCache(), now: () => new Date(), compactAfter: 1000 }, { idleMs: 60_000, maxLoaded: 100 });
  }
  /** A process's fan-out with its rooms; stopped after the test. */
  async function proc(rooms: Rooms, heartbeatMs?: number): Promise<RedisFanout> {
    const f = new RedisFanout({ url: redis!.url, agency: "FANOUT-TEST", log: silent, store: store!, heartbeatMs });
    await f.start();
    f.attach(rooms);
    clients.push({ destroy: () => f.stop().then(() => rooms.closeAll()) });
    return f;
  }
  /** Text edits by one writer; each returned update builds on the previous one. */
  function writer() {
    const y = new Y.Doc();
    return (text: string): Uint8Array => {
      const before = Y.encodeStateVector(y);
      y.getText("subject").insert(y.getText("subject").length, text);
      return Y.encodeStateAsUpdate(y, before);
    };
  }

  it("applies another process's update to a loaded room, and skips its own", async () => {
    const doc = asDocId("fan-basic");
    const [roomsA, roomsB] = [roomsOver(), roomsOver()];
    const [a, b] = [await proc(roomsA), await proc(roomsB)];
    const [roomA, roomB] = [await roomsA.get(doc), await roomsB.get(doc)];
    const edit = writer();
    const u = edit("一");
    await store!.appendUpdate(doc, u);
    roomA.doc.applyUpdate(u); // what A's ingest does before publishing
    a.publish(doc, u);
    await until(() => roomB.doc.subject() === "一", 5000, "B applies A's update");
    await new Promise((r) => setTimeout(r, 100));
    expect(a.counts.received).toBe(0);
    expect(b.counts).toMatchObject({ received: 1, applied: 1 });
    expect(roomA.doc.subject()).toBe("一");
  });

  it("applies an update that arrives while the room loads after the load, so the load cannot hide it", async () => {
    const doc = asDocId("fan-loading");
    const edit = writer();
    await store!.appendUpdate(doc, edit("舊"));
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const roomsB = roomsOver(() => gate);
    const a = await proc(roomsOver());
    const b = await proc(roomsB);
    const loading = roomsB.get(doc); // reads the store now (without the next update), then waits
    await new Promise((r) => setTimeout(r, 100));
    const u2 = edit("新");
    await store!.appendUpdate(doc, u2);
    a.publish(doc, u2);
    await until(() => b.counts.received === 1, 5000, "B receives the update during the load");
    release();
    const room = await loading;
    await until(() => room.doc.subject() === "舊新", 5000, "the update applied after the load");
  });

  it("catches a room up from the store when a message was lost (a process died between commit and publish)", async () => {
    const doc = asDocId("fan-lost");
    const edit = writer();
    await store!.appendUpdate(doc, edit("甲"));
    const roomsB = roomsOver();
    const a = await proc(roomsOver());
    const b = await proc(roomsB);
    const room = await roomsB.get(doc);
    await store!.appendUpdate(doc, edit("乙")); // committed, never published
    const u3 = edit("丙");
    await store!.appendUpdate(doc, u3);
    a.publish(doc, u3);
    await until(() => room.doc.subject() === "甲乙丙", 5000, "B's room caught up");
    expect(b.counts.caughtUp).toBe(1);
  });

  it("catches a room up from the store when a process that sent it updates goes silent", async () => {
    const doc = asDocId("fan-silent");
    const edit = writer();
    const roomsB = roomsOver();
    const a = await proc(roomsOver(), 100);
    const b = await proc(roomsB, 100);
    const room = await roomsB.get(doc);
    const u1 = edit("一");
    await store!.appendUpdate(doc, u1);
    a.publish(doc, u1);
    await until(() => room.doc.subject() === "一", 5000, "B applies A's first update");
    await store!.appendUpdate(doc, edit("二")); // committed; then A dies before publishing
    await a.stop();
    await until(() => room.doc.subject() === "一二", 5000, "B's room caught up after A went silent");
    expect(b.counts.caughtUp).toBe(1);
  });
});
