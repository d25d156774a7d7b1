// The registry desk's routes against a real agency server: unique 收文號 under concurrent requests,
// the unit's documents for 分文/改分, and a signed 改分 the relay accepts from the unit's registry desk.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CountersignDocument, asDocId, asPersonId, asUnitId, derive, signAction, TrustStore, parseCertificate } from "@countersign/crdt-model";
import { provider, startAgency, testMetadata, until, must, type RunningAgency } from "./support/agency-server.ts";
import { formatReceiptNumber, rocYear } from "../../sync-server/src/http/registry-routes.ts";

let a: RunningAgency;
beforeAll(async () => {
  a = await startAgency();
});
afterAll(async () => {
  await a?.stop();
});

async function api(path: string, token: string, init: RequestInit = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${a.http}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function createDoc(id: string, unit: string, token: string): Promise<{ doc: CountersignDocument; close: () => void }> {
  const created = must(CountersignDocument.create({ id: asDocId(id), metadata: testMetadata({ unit: asUnitId(unit) }), subject: `來文 ${id}` }));
  const ydoc = new Y.Doc();
  Y.applyUpdate(ydoc, created.encodeState());
  const p = provider(a, id, token, ydoc);
  await until(() => p.synced, 10_000, "synced");
  return { doc: CountersignDocument.wrap(ydoc), close: () => p.destroy() };
}

describe("the registry desk's routes", () => {
  it("收文號 is the ROC year and a 7-digit sequence, and concurrent reservations never get the same one", async () => {
    const year = rocYear(new Date());
    expect(formatReceiptNumber(115, 42)).toBe("1150000042");
    const next = await api("/api/registry/receipt-numbers/next", a.people.registry.token);
    expect(next.json.receiptNumber).toBe(formatReceiptNumber(year, 1));
    const got = await Promise.all(Array.from({ length: 40 }, () => api("/api/registry/receipt-numbers", a.people.registry.token, { method: "POST", body: "{}" })));
    const numbers = got.map((r) => r.json.receiptNumber as string).sort();
    expect(new Set(numbers).size).toBe(40);
    expect(numbers[0]).toBe(formatReceiptNumber(year, 1));
    expect(numbers[39]).toBe(formatReceiptNumber(year, 40));
    expect((await api("/api/registry/receipt-numbers/next", a.people.registry.token)).json.receiptNumber).toBe(formatReceiptNumber(year, 41));
  });

  it("Only the registry desk may do this.", async () => {
    const r = await api("/api/registry/receipt-numbers", a.people.officer.token, { method: "POST", body: "{}" });
    expect(r).toEqual({ status: 403, json: { ok: false, code: "http.forbidden", reason: "Only the registry desk may do this." } });
    expect((await api("/api/registry/docs", a.people.chief.token)).status).toBe(403);
  });

  it("the registry desk lists its own unit's documents only, and its signed 改分 moves the case officer", async () => {
    const mine = await createDoc("reg-stu", "U-STU", a.people.registry.token);
    const other = await createDoc("reg-per", "U-PER", a.people.outsider.token);
    await until(async () => ((await api("/api/registry/docs", a.people.registry.token)).json.docs as unknown[]).length === 1, 5000, "index");
    const rows = (await api("/api/registry/docs", a.people.registry.token)).json.docs as { doc: string; caseOfficer: string }[];
    expect(rows.map((r) => r.doc)).toEqual(["reg-stu"]);
    expect(rows[0]!.caseOfficer).toBe("P-officer");

    const trust = new TrustStore({ cas: [must(parseCertificate(a.agency.caPem))] });
    must(await signAction(mine.doc, a.people.registry.signer, (await derive(mine.doc, trust)).heads, { action: { kind: "reassign", to: asPersonId("P-chief") }, step: null, opinion: "業務調整" }));
    await until(
      async () => ((await api("/api/registry/docs", a.people.registry.token)).json.docs as { caseOfficer: string }[])[0]?.caseOfficer === "P-chief",
      5000,
      "reassigned",
    );
    const inbox = (await api("/api/inbox", a.people.chief.token)).json.docs as { doc: string }[];
    expect(inbox.map((r) => r.doc)).toContain("reg-stu");
    mine.close();
    other.close();
  });
});
