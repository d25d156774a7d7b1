import "fake-indexeddb/auto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CountersignDocument, asDocId, asPersonId, asUnitId, derive, signAction, TrustStore, parseCertificate } from "@countersign/crdt-model";
import { provider, startAgency, testMetadata, until, must, CODE, type RunningAgency } from "./support/agency-server.ts";
import { signToken, verifyToken, type DocIndexRow } from "@countersign/sync-server";
import { TOKEN_REFUSALS } from "../../sync-server/src/identity/login.ts";
import { LocalStore } from "../../src/lib/local/local-store.ts";
import { syncOnce, type Api } from "../../src/lib/local/sync.ts";

let a: RunningAgency;
beforeAll(async () => {
  a = await startAgency();
});
afterAll(async () => {
  await a?.stop();
});

async function api(path: string, token: string | null, init: RequestInit = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${a.http}${path}`, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), "content-type": "application/json" } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("the JSON API", () => {
  it("the inbox lists what waits for me, served from the index kept as updates arrive", async () => {
    const meta = testMetadata({ speed: "urgent", dueDate: "2026-12-01" });
    const created = must(CountersignDocument.create({ id: asDocId("inbox-doc"), metadata: meta, subject: "請核示", plan: a.plan() }));
    const ydoc = new Y.Doc();
    Y.applyUpdate(ydoc, created.encodeState());
    const p = provider(a, "inbox-doc", a.people.officer.token, ydoc);
    await until(() => p.synced);
    const doc = CountersignDocument.wrap(ydoc);
    const trust = new TrustStore({ cas: [must(parseCertificate(a.agency.caPem))] });
    must(await signAction(doc, a.people.officer.signer, (await derive(doc, trust)).heads, { action: { kind: "submit" }, step: null }));
    await until(async () => ((await api("/api/inbox", a.people.chief.token)).json.docs as unknown[]).length === 1, 5000, "inbox");
    const [row] = (await api("/api/inbox", a.people.chief.token)).json.docs as { doc: string; status: string; dueDate: string }[];
    expect(row).toMatchObject({ doc: "inbox-doc", status: "in-review", dueDate: "2026-12-01" });
    expect((await api("/api/inbox", a.people.officer.token)).json.docs).toEqual([]);
    p.destroy();
  });

  it("GET /api/deputies lists the deputy arrangements in force or to come, not the ended ones", async () => {
    const now = Date.now();
    const at = (days: number) => new Date(now + days * 86_400_000).toISOString();
    const ended = { principal: "P-chief", deputy: "P-officer", from: at(-10), until: at(-5) };
    const current = { principal: "P-chief", deputy: "P-officer", from: at(-1), until: at(1) };
    const coming = { principal: "P-director", deputy: "P-chief", from: at(3), until: at(6) };
    for (const d of [ended, coming, current]) await a.store.putDeputy(d as never);
    const r = await api("/api/deputies", a.people.officer.token);
    expect(r).toEqual({ status: 200, json: { deputies: [current, coming] } });
    expect((await api("/api/deputies", null)).status).toBe(401);
  });

  it("GET /api/me answers who the token speaks for", async () => {
    const r = await api("/api/me", a.people.registry.token);
    expect(r.json).toMatchObject({ person: "P-registry", unit: "U-STU", roles: ["registry"], agency: CODE });
  });

  it("the registry desk adds a person to its own unit and gets a one-time enrollment code", async () => {
    const r = await api("/api/people", a.people.registry.token, {
      method: "POST",
      body: JSON.stringify({ id: "P-new", name: "新進人員", unit: "U-STU", level: 1, roles: ["case-officer"] }),
    });
    expect(r.status).toBe(200);
    expect((r.json.enrollment as { code: string }).code).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
  });

  it("The registry desk may add people to its own unit only.", async () => {
    const r = await api("/api/people", a.people.registry.token, {
      method: "POST",
      body: JSON.stringify({ id: "P-other", name: "他科人員", unit: "U-PER", level: 1, roles: ["case-officer"] }),
    });
    expect(r).toEqual({ status: 403, json: { ok: false, code: "directory.other-unit", reason: "The registry desk may add people to its own unit only." } });
  });

  it("The request is malformed: … — a person without roles", async () => {
    const r = await api("/api/people", a.people.registry.token, { method: "POST", body: JSON.stringify({ id: "P-x", name: "x", unit: "U-STU", level: 1 }) });
    expect(r.status).toBe(400);
    expect(r.json.reason).toMatch(/^The request is malformed: .*\(at roles\)\.$/);
  });

  it(`${TOKEN_REFUSALS.expired}`, async () => {
    const s = must(await verifyToken(a.agency, a.people.officer.token));
    const old = await signToken(a.agency, { ...s, expiresAt: new Date(Date.now() - 60_000).toISOString() }, new Date(Date.now() - 3600_000));
    const r = await api("/api/me", old);
    expect(r).toEqual({ status: 401, json: { ok: false, code: "token.expired", reason: TOKEN_REFUSALS.expired } });
  });

  it("There is no such API route.", async () => {
    expect((await api("/api/nothing", a.people.officer.token)).status).toBe(404);
  });
});

describe("listings read in pages (GET /api/docs and /api/inbox)", () => {
  let small: RunningAgency;
  beforeAll(async () => {
    small = await startAgency({ list: 3 });
    const row = (doc: string, o: Partial<DocIndexRow> = {}): DocIndexRow => ({
      doc: asDocId(doc),
      kind: "memo",
      subject: `主旨 ${doc}`,
      status: "in-review",
      secrecy: "none",
      unit: asUnitId("U-STU"),
      caseOfficer: asPersonId("P-officer"),
      dueDate: null,
      participants: ["person:P-officer"],
      holders: ["person:P-officer"],
      // Update times out of id order: the pages follow ids, not times.
      updatedAt: `2026-11-${String(20 - Number(doc.slice(-1))).padStart(2, "0")}T00:00:00.000Z`,
      ...o,
    });
    await small.store.putIndexes([
      ...["page-0", "page-1", "page-2", "page-4", "page-5", "page-6", "page-7"].map((d) => row(d)),
      // Secret, and the officer is not named: filtered out of its page, which is still not the last.
      row("page-3", { secrecy: "secret", participants: ["unit:U-STU"], holders: ["unit:U-STU"] }),
    ]);
  });
  afterAll(async () => {
    await small?.stop();
  });
  const get = async (path: string) => {
    const res = await fetch(`${small.http}${path}`, { headers: { authorization: `Bearer ${small.people.officer.token}` } });
    return { status: res.status, json: (await res.json()) as { docs: { doc: string }[]; next: string | null; code?: string; reason?: string } };
  };

  for (const path of ["/api/docs", "/api/inbox"]) {
    it(`${path} lists every document in the caller's scope across pages of the server's page size, in id order, with a next cursor until the last`, async () => {
      const seen: string[] = [];
      const pages: (string | null)[] = [];
      let next: string | null = "";
      while (next !== null) {
        const r = await get(next ? `${path}?after=${encodeURIComponent(next)}` : path);
        expect(r.status).toBe(200);
        expect(r.json.docs.length).toBeLessThanOrEqual(3);
        seen.push(...r.json.docs.map((d) => d.doc));
        next = r.json.next;
        pages.push(next);
      }
      expect(seen).toEqual(["page-0", "page-1", "page-2", "page-4", "page-5", "page-6", "page-7"]);
      expect(pages).toEqual(["page-2", "page-5", null]);
    });
  }

  it("the app's sync reads every page into its local index, and drops a document only once a complete listing leaves it out", async () => {
    const store = new LocalStore(CODE, "P-officer");
    const app: Api = async <T>(path: string, o?: { body?: unknown }): Promise<T> => {
      const res = await fetch(`${small.http}${path}`, {
        method: o?.body === undefined ? "GET" : "POST",
        headers: { authorization: `Bearer ${small.people.officer.token}`, "content-type": "application/json" },
        body: o?.body === undefined ? undefined : JSON.stringify(o.body),
      });
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
      return (await res.json()) as T;
    };
    const held = async () => (await store.db.docs.toCollection().primaryKeys()).map(String).sort();
    await syncOnce(store, app);
    expect(await held()).toEqual(["page-0", "page-1", "page-2", "page-4", "page-5", "page-6", "page-7"]);

    // The officer is taken off page-5: it leaves their scope, and the next complete listing says so.
    const row = (await small.store.getIndex(asDocId("page-5")))!;
    // (Indexed now, as the server stamps every row it writes: the next listing, read since the
    // previous one's cursor, sees the change.)
    await small.store.putIndex({ ...row, participants: ["person:P-chief"], holders: ["person:P-chief"], updatedAt: new Date().toISOString() });
    await syncOnce(store, app);
    expect(await held()).toEqual(["page-0", "page-1", "page-2", "page-4", "page-6", "page-7"]);
    await store.close();
  });

  it("a client may ask for smaller pages than the server's, never larger ones", async () => {
    expect((await get("/api/docs?limit=2")).json).toMatchObject({ next: "page-1" });
    expect((await get("/api/docs?limit=50")).json.docs).toHaveLength(3);
  });

  it("The request is malformed: … — a page size that is not a positive number", async () => {
    const r = await get("/api/docs?limit=zero");
    expect(r.status).toBe(400);
    expect(r.json.reason).toMatch(/^The request is malformed: .*\(at limit\)\.$/);
    expect(r.json.code).toBe("http.malformed-request");
  });
});
