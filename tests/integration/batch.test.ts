import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CountersignDocument, asDocId, fromBase64, toBase64 } from "@countersign/crdt-model";
import { startAgency, must, testMetadata, type RunningAgency } from "./support/agency-server.ts";

let a: RunningAgency;
beforeAll(async () => {
  a = await startAgency({ maxLoaded: 200 });
});
afterAll(async () => {
  await a?.stop();
});

const meta = testMetadata();

async function post(body: unknown, token = a.people.officer.token): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${a.http}/api/sync`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("batch sync", () => {
  const N = 1000;
  const local = new Map<string, CountersignDocument>();

  it(`pushes ${N} offline-created documents in one request and a fresh device pulls them all back`, async () => {
    for (let i = 0; i < N; i++) {
      const id = `batch-${i}`;
      local.set(id, must(CountersignDocument.create({ id: asDocId(id), metadata: meta, subject: `第${i}件`, plan: a.plan() })));
    }
    const pushed = await post({ v: 1, push: [...local].map(([doc, d]) => ({ doc, update: toBase64(d.encodeState()) })) });
    expect(pushed.status).toBe(200);
    const results = pushed.json.pushed as { ok: boolean }[];
    expect(results).toHaveLength(N);
    expect(results.every((r) => r.ok)).toBe(true);

    const empty = toBase64(new Uint8Array([0])); // the empty state vector
    const pulled = await post({ v: 1, have: [...local.keys()].map((doc) => ({ doc, sv: empty })) });
    const docs = pulled.json.docs as { doc: string; update: string }[];
    expect(docs).toHaveLength(N);
    for (const d of docs) {
      const copy = must(CountersignDocument.fromUpdate(fromBase64(d.update)));
      expect(copy.subject()).toBe(local.get(d.doc)!.subject());
      // The device now holds what the server added (the 文號 it wrote into each new document).
      must(local.get(d.doc)!.applyUpdate(fromBase64(d.update)));
    }
    // Memory stays bounded: the pull answered from storage, and pushes beyond the limit were unloaded.
    expect(a.server.rooms.size).toBeLessThanOrEqual(200 + 16); // unloading runs alongside loading
  }, 120_000);

  it("a device that is up to date gets only the documents that changed", async () => {
    const changed = local.get("batch-7")!;
    const sv = new Map([...local].map(([doc, d]) => [doc, d.stateVector()]));
    changed.setSubject("第7件（修正）");
    expect((await post({ v: 1, push: [{ doc: "batch-7", update: toBase64(changed.encodeState(sv.get("batch-7"))) }] })).status).toBe(200);
    const pulled = await post({ v: 1, have: [...sv].map(([doc, s]) => ({ doc, sv: toBase64(s) })) });
    expect((pulled.json.docs as { doc: string }[]).map((d) => d.doc)).toEqual(["batch-7"]);
  });

  it("documents the user takes no part in are listed as denied, not returned", async () => {
    const r = await post({ v: 1, have: [{ doc: "batch-1", sv: "AA==" }] }, a.people.mail.token);
    expect(r.json.docs).toEqual([]);
    expect(r.json.denied).toEqual(["batch-1"]);
  });
});

describe("bad input to the batch endpoint", () => {
  it("The request body is not valid JSON.", async () => {
    const r = await post("{nope");
    expect(r.status).toBe(400);
    expect(r.json.reason).toBe("The request body is not valid JSON.");
  });

  it("The request is malformed: … (a bad document id)", async () => {
    const r = await post({ v: 1, have: [{ doc: "../../etc/passwd", sv: "AA==" }] });
    expect(r.status).toBe(400);
    expect(r.json.reason).toMatch(/^The request is malformed: A document id may hold only .* \(at have\.0\.doc\)\.$/);
  });

  it("The update is malformed: … — refused per document, nothing stored, the server keeps serving", async () => {
    const d = must(CountersignDocument.create({ id: asDocId("batch-garbage"), metadata: meta, subject: "x", plan: a.plan() }));
    const update = d.encodeState();
    const r = await post({ v: 1, push: [{ doc: "batch-garbage", update: toBase64(update.slice(0, update.length - 9)) }] });
    expect(r.status).toBe(200);
    const [res] = r.json.pushed as { ok: boolean; reason: string }[];
    expect(res!.ok).toBe(false);
    expect(res!.reason).toMatch(/^The update (is malformed|does not create document)/);
    expect(await a.store.readUpdates(asDocId("batch-garbage"))).toEqual([]);
    expect((await fetch(`${a.http}/healthz`)).status).toBe(200);
  });

  it("A login token is required. — and an expired or forged token is refused", async () => {
    const none = await fetch(`${a.http}/api/sync`, { method: "POST", body: "{}" });
    expect(none.status).toBe(401);
    expect(((await none.json()) as { reason: string }).reason).toBe("A login token is required.");
    const forged = await post({ v: 1 }, a.people.officer.token.slice(0, -3) + "AAA");
    expect(forged.status).toBe(401);
  });

  it("refusals are counted in the metrics", async () => {
    const text = await (await fetch(`${a.http}/metrics`)).text();
    expect(text).toMatch(/countersign_refusals_total\{class="unauthenticated"\} [1-9]/);
    expect(text).toMatch(/countersign_refusals_total\{class="bad-request"\} [1-9]/);
  });
});
