import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import * as Y from "yjs";
import { CountersignDocument, derive, type DocId } from "@countersign/crdt-model";
import { openSqliteStore } from "../storage/sqlite.ts";
import { AgencyServer } from "./server.ts";
import { parseDemoCodes, readDemoCodes } from "./demo.ts";
import { populate } from "../../../tests/integration/support/agency-server.ts";
import { main, type Io } from "../cli/main.ts";
import { DEMO_AGENCY } from "../cli/demo.ts";
import { DEMO_PEER } from "../cli/demo-peer.ts";
import { loadAgency } from "../identity/agency.ts";
import { resolvePassphrase } from "../identity/passphrase.ts";
import { buildTrustStore } from "../identity/trust.ts";
import { localExchange } from "../exchange/local.ts";

const FILE = ["# 測試教育局 (A-TEST) — demo enrollment codes, one use each", "P-chief\t測試chief\tsupervisor\tAAAA-BBBB-CCCC-DDDD", "broken line", "P-ghost\t不存在\tcase-officer,bogus\tEEEE-FFFF-GGGG-HHHH", ""].join("\n");

describe("demo listing", () => {
  it("parses the demo-codes.txt lines, skipping comments, malformed lines and unknown roles", () => {
    expect(parseDemoCodes(FILE)).toEqual([
      { person: "P-chief", name: "測試chief", roles: ["supervisor"], code: "AAAA-BBBB-CCCC-DDDD" },
      { person: "P-ghost", name: "不存在", roles: ["case-officer"], code: "EEEE-FFFF-GGGG-HHHH" },
    ]);
  });

  it("has no envelope for a demo directory made before the demo had a peer", async () => {
    const dir = mkdtempSync(join(tmpdir(), "countersign-oldemo-"));
    writeFileSync(join(dir, "demo-codes.txt"), FILE);
    expect(await readDemoCodes(dir)).toMatchObject({ envelope: null, people: [{ person: "P-chief" }, { person: "P-ghost" }] });
  });

  it("is undefined for a data directory without demo-codes.txt", async () => {
    expect(await readDemoCodes(mkdtempSync(join(tmpdir(), "countersign-nodemo-")))).toBeUndefined();
  });
});

describe("GET /api/demo", () => {
  const servers: AgencyServer[] = [];
  let demoUrl = "";
  let plainUrl = "";
  beforeAll(async () => {
    const start = async (withDemo: boolean) => {
      const dir = mkdtempSync(join(tmpdir(), "countersign-demo-api-"));
      if (withDemo) writeFileSync(join(dir, "demo-codes.txt"), FILE);
      const store = openSqliteStore(join(dir, "countersign.db"));
      const { agency } = await populate(store);
      const demo = await readDemoCodes(dir);
      const server = new AgencyServer({ store, agency, log: pino({ level: "silent" }), port: 0, host: "127.0.0.1", demo, checkAnswers: true });
      servers.push(server);
      return `http://127.0.0.1:${await server.start()}/api/demo`;
    };
    demoUrl = await start(true);
    plainUrl = await start(false);
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
  });

  it("lists the demo people with their unit and one-time code, without a login", async () => {
    const res = await fetch(demoUrl);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      agency: { code: "A-TEST", name: "測試教育局" },
      people: [
        { person: "P-chief", name: "測試chief", roles: ["supervisor"], code: "AAAA-BBBB-CCCC-DDDD", unit: "U-STU", unitName: "學務科" },
        { person: "P-ghost", name: "不存在", roles: ["case-officer"], code: "EEEE-FFFF-GGGG-HHHH", unit: null, unitName: null },
      ],
      envelope: null,
    });
  });

  it("This demo agency has no envelope file from another agency. (404 when the directory has none)", async () => {
    const res = await fetch(`${demoUrl}/envelope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, code: "http.not-found", reason: "This demo agency has no envelope file from another agency." });
  });

  it("This agency is not a demo agency. (404 for the envelope of a real agency)", async () => {
    const res = await fetch(`${plainUrl}/envelope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, code: "http.not-found", reason: "This agency is not a demo agency." });
  });

  it("This agency is not a demo agency. (404 without demo-codes.txt)", async () => {
    const res = await fetch(plainUrl);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, code: "http.not-found", reason: "This agency is not a demo agency." });
  });
});

describe("the demo's peer agency and its countersign request (countersign demo)", () => {
  const io = (): Io & { lines: string[]; errors: string[] } => {
    const lines: string[] = [];
    const errors: string[] = [];
    return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
  };
  let dir = "";
  let envelope: Uint8Array;
  beforeAll(async () => {
    dir = join(mkdtempSync(join(tmpdir(), "countersign-demo-peer-")), "demo");
    const made = io();
    expect(await main(["demo", "--data", dir], made)).toBe(0);
    expect(made.errors).toEqual([]);
    envelope = new Uint8Array(readFileSync(join(dir, "demo-envelope.csenv")));
  }, 60_000);

  it("demo-codes.txt mentions the envelope file on a comment line the listing skips", async () => {
    const text = readFileSync(join(dir, "demo-codes.txt"), "utf8");
    expect(text).toMatch(/^# 高雄市示範教育局 \(A-DEMO-KH\) .*demo-envelope\.csenv/m);
    expect((await readDemoCodes(dir))?.people.map((p) => p.person)).toEqual(["chen", "li", "lin", "huang", "wu", "wang", "chou", "tsai", "hsu", "admin"]);
  });

  it("the envelope verifies against the demo agency's trust list (countersign envelope verify exits 0)", async () => {
    const out = io();
    expect(await main(["envelope", "verify", "--data", dir, join(dir, "demo-envelope.csenv")], out)).toBe(0);
    expect(out.lines.join("\n")).toMatch(new RegExp(`^valid: env-\\S+ from ${DEMO_PEER.code} to ${DEMO_AGENCY.code} \\(countersign-request\\), 1 document$`, "m"));
  });

  it("imports once into the demo agency, its countersign step held by the demo agency, and GET /api/demo/envelope serves it", async () => {
    const store = openSqliteStore(join(dir, "countersign.db"));
    const pass = await resolvePassphrase({ dataDir: dir });
    if (!pass.ok) throw new Error(pass.reason);
    const agency = await loadAgency(store, pass.value.passphrase);
    if (!agency.ok) throw new Error(agency.reason);
    const peer = await store.peer(DEMO_PEER.code);
    expect(peer).toMatchObject({ code: DEMO_PEER.code, name: DEMO_PEER.name, url: null, removedAt: null });
    expect(peer?.delegation).toBeTruthy();

    const x = localExchange(store, agency.value, pino({ level: "silent" }));
    let docId: DocId;
    try {
      const r = await x.exchange.importEnvelope(envelope, "file");
      if (!r.ok) throw new Error(r.reason);
      expect(r.value).toMatchObject({ status: "imported", from: DEMO_PEER.code, purpose: "countersign-request" });
      if (r.value.status !== "imported") return;
      expect(r.value.docs).toHaveLength(1);
      docId = r.value.docs[0]!;
      const again = await x.exchange.importEnvelope(envelope, "file");
      expect(again.ok && again.value.status).toBe("duplicate");
    } finally {
      await x.close();
    }
    const ydoc = new Y.Doc();
    for (const u of await store.readUpdates(docId)) Y.applyUpdate(ydoc, u.data);
    const doc = CountersignDocument.wrap(ydoc);
    expect(doc.subject()).toContain("聯合辦理");
    expect(doc.attachments()).toHaveLength(1);
    expect(await store.hasBlobs([doc.attachments()[0]!.sha256])).toEqual(new Set([doc.attachments()[0]!.sha256]));
    const trust = await buildTrustStore(store);
    if (!trust.ok) throw new Error(trust.reason);
    const state = await derive(doc, trust.value);
    expect(state.valid).toBe(true);
    expect(state.status).toBe("countersigning");
    expect(state.holders).toEqual([{ kind: "agency", agency: DEMO_AGENCY.code }]);
    expect(state.pending).toEqual([expect.objectContaining({ type: "countersign", assignee: { kind: "agency", agency: DEMO_AGENCY.code } })]);

    const server = new AgencyServer({ store, agency: agency.value, log: pino({ level: "silent" }), port: 0, host: "127.0.0.1", demo: await readDemoCodes(dir) });
    try {
      const base = `http://127.0.0.1:${await server.start()}`;
      const listing = (await (await fetch(`${base}/api/demo`)).json()) as { envelope: string | null };
      expect(listing.envelope).toBe("/api/demo/envelope");
      const res = await fetch(`${base}${listing.envelope}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/vnd.countersign.envelope+zip");
      expect(res.headers.get("content-disposition")).toBe('attachment; filename="demo-envelope.csenv"');
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(envelope);
    } finally {
      await server.stop();
    }
  });
});
