// The attachment and envelope-exchange behaviour every Store must have (issue 5): one suite, run by
// sqlite.test.ts and postgres.test.ts against their own stores, as store-contract.ts is.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { AgencyCode, DocId, PersonId, Sha256Hex } from "@countersign/crdt-model";
import { bytes, doc, person, storesOpenedPerTest, type StoreUnderTest } from "./store-contract.ts";
import type { ExchangeRecord, ImportBatch, OutboxItem, PeerAgency, Store } from "../../src/storage/types.ts";

export const hashOf = (b: Uint8Array): Sha256Hex => createHash("sha256").update(b).digest("hex") as Sha256Hex;
const agency = (s: string) => s as AgencyCode;

export function record(over: Partial<ExchangeRecord> = {}): ExchangeRecord {
  return {
    envelope: "env-1",
    direction: "in",
    peer: "A-B",
    purpose: "countersign-request",
    answers: null,
    docs: [doc("d1")],
    sha256: "ab".repeat(32),
    size: 100,
    status: "imported",
    detail: null,
    at: "2026-01-02T03:04:05.000Z",
    ...over,
  };
}

export function batch(envelope: string, over: Partial<ImportBatch> = {}): ImportBatch {
  const attachment = new TextEncoder().encode(`attachment of ${envelope}`);
  return {
    record: record({ envelope, docs: [doc("d1"), doc("d2")] }),
    updates: [
      { doc: doc("d1"), update: bytes(1, 1) },
      { doc: doc("d2"), update: bytes(2, 2) },
      { doc: doc("d1"), update: bytes(1, 2) },
    ],
    blobs: [{ sha256: hashOf(attachment), data: attachment }],
    envelope: new TextEncoder().encode(`envelope ${envelope}`),
    ...over,
  };
}

function outboxItem(envelope: string, over: Partial<OutboxItem> = {}): OutboxItem {
  return {
    envelope,
    peer: agency("A-B"),
    data: new TextEncoder().encode(envelope),
    attempts: 0,
    nextAttemptAt: "2026-01-01T00:00:00.000Z",
    lastError: null,
    status: "pending",
    createdAt: "2026-01-01T00:00:00.000Z",
    ...over,
  };
}

export function describeExchangeContract(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  const open = storesOpenedPerTest(makeStore);
  const data = async (s: Store, d: string) => (await s.readUpdates(doc(d))).map((u) => Array.from(u.data));

  describe(`${name} attachments`, () => {
    it("refuses an attachment whose name is not the SHA-256 of its bytes, and stores nothing", async () => {
      const s = await open();
      const b = bytes(1, 2, 3);
      const wrong = hashOf(bytes(1, 2, 4));
      await expect(s.putBlob(wrong, b)).rejects.toThrow(/hash to .* not to the name it was given/);
      await expect(s.putBlob(hashOf(b).toUpperCase() as Sha256Hex, b)).rejects.toThrow(/not to the name/);
      expect(await s.getBlob(wrong)).toBeUndefined();
      expect(await s.hasBlobs([wrong, hashOf(b)])).toEqual(new Set());
    });

    it("stores the same attachment twice as once, gives its bytes back, and says which of a list it holds", async () => {
      const s = await open();
      const big = bytes(9, 1, 2, 3, 9);
      const b = big.subarray(1, 4);
      const h = hashOf(b);
      await s.putBlob(h, b);
      await s.putBlob(h, bytes(1, 2, 3));
      const got = await s.getBlob(h);
      expect(Array.from(got!)).toEqual([1, 2, 3]);
      expect(Buffer.isBuffer(got)).toBe(false);
      const other = hashOf(bytes(7));
      expect(await s.hasBlobs([h, other])).toEqual(new Set([h]));
      expect(await s.hasBlobs([])).toEqual(new Set());
      const empty = new Uint8Array(0);
      await s.putBlob(hashOf(empty), empty);
      expect((await s.getBlob(hashOf(empty)))!.length).toBe(0);
    });
  });

  describe(`${name} envelope import`, () => {
    it("imports an envelope's updates, attachments, bytes and log line together", async () => {
      const s = await open();
      const b = batch("env-1");
      const r = await s.importEnvelope(b);
      if (!r.imported) throw new Error("expected an import");
      expect(r.seqs).toHaveLength(3);
      expect(r.seqs[0]!).toBeLessThan(r.seqs[2]!);
      expect(await data(s, "d1")).toEqual([[1, 1], [1, 2]]);
      expect((await s.readUpdates(doc("d1"))).map((u) => u.seq)).toEqual([r.seqs[0], r.seqs[2]]);
      expect(await data(s, "d2")).toEqual([[2, 2]]);
      expect(Array.from((await s.getBlob(b.blobs[0]!.sha256))!)).toEqual(Array.from(b.blobs[0]!.data));
      expect(Array.from((await s.envelopeBytes("env-1"))!)).toEqual(Array.from(b.envelope));
      const logged = await s.importedEnvelope("env-1");
      expect(logged).toEqual({ ...b.record, seq: expect.any(Number) });
      expect(await s.exchanges()).toEqual([logged]);
      expect(await s.importedEnvelope("env-2")).toBeUndefined();
      expect(await s.envelopeBytes("env-2")).toBeUndefined();
    });

    it("leaves no update, no attachment and no log line when an import fails in the middle", async () => {
      const s = await open();
      const good = new TextEncoder().encode("good");
      const bad = new TextEncoder().encode("bad");
      const b = batch("env-1", {
        blobs: [
          { sha256: hashOf(good), data: good },
          { sha256: hashOf(good), data: bad },
        ],
      });
      await expect(s.importEnvelope(b)).rejects.toThrow(/not to the name it was given/);
      expect(await s.hasDoc(doc("d1"))).toBe(false);
      expect(await s.hasDoc(doc("d2"))).toBe(false);
      expect(await s.hasBlobs([hashOf(good), hashOf(bad)])).toEqual(new Set());
      expect(await s.exchanges()).toEqual([]);
      expect(await s.importedEnvelope("env-1")).toBeUndefined();
      expect(await s.envelopeBytes("env-1")).toBeUndefined();
      // Nothing of the failed attempt stands in the way of the envelope arriving whole.
      expect((await s.importEnvelope(batch("env-1"))).imported).toBe(true);
    });

    it("imports an envelope once: a second import writes nothing and returns the first record", async () => {
      const s = await open();
      const first = await s.importEnvelope(batch("env-1"));
      expect(first.imported).toBe(true);
      const again = batch("env-1", {
        record: record({ envelope: "env-1", at: "2026-02-01T00:00:00.000Z" }),
        updates: [{ doc: doc("d3"), update: bytes(3) }],
        envelope: bytes(0),
      });
      const second = await s.importEnvelope(again);
      expect(second).toEqual({ imported: false, first: await s.importedEnvelope("env-1") });
      if (second.imported) throw new Error("expected a duplicate");
      expect(second.first.at).toBe("2026-01-02T03:04:05.000Z");
      expect(await s.hasDoc(doc("d3"))).toBe(false);
      expect(await data(s, "d1")).toEqual([[1, 1], [1, 2]]);
      expect(await s.exchanges()).toHaveLength(1);
      expect(Array.from((await s.envelopeBytes("env-1"))!)).toEqual(Array.from(batch("env-1").envelope));
    });

    it("imports an envelope once when several imports of it run at the same time", async () => {
      const s = await open();
      const results = await Promise.all(Array.from({ length: 5 }, () => s.importEnvelope(batch("env-1"))));
      expect(results.filter((r) => r.imported)).toHaveLength(1);
      expect(await data(s, "d1")).toEqual([[1, 1], [1, 2]]);
      expect(await s.exchanges()).toHaveLength(1);
    });

    it("loses nothing when updates to the same documents are appended while an import runs", async () => {
      const s = await open();
      const appends = Array.from({ length: 20 }, (_, i) => s.appendUpdate(doc(i % 2 ? "d1" : "d2"), bytes(100 + i)));
      const imported = s.importEnvelope(batch("env-1"));
      const more = Array.from({ length: 20 }, (_, i) => s.appendUpdate(doc(i % 2 ? "d1" : "d2"), bytes(200 + i)));
      const seqs = await Promise.all([...appends, ...more]);
      const i = await imported;
      if (!i.imported) throw new Error("expected an import");
      const all = [...seqs, ...i.seqs];
      expect(new Set(all).size).toBe(43);
      const read = [...(await s.readUpdates(doc("d1"))), ...(await s.readUpdates(doc("d2")))];
      expect(read.map((u) => u.seq).sort((x, y) => x - y)).toEqual([...all].sort((x, y) => x - y));
      // The import's updates of one document keep their order.
      const d1 = (await data(s, "d1")).filter((d) => d[0] === 1);
      expect(d1).toEqual([[1, 1], [1, 2]]);
    });

    it("refuses an import record that is not an imported envelope coming in, and writes nothing", async () => {
      const s = await open();
      await expect(s.importEnvelope(batch("env-1", { record: record({ status: "refused" }) }))).rejects.toThrow(/direction "in", status "imported"/);
      await expect(s.importEnvelope(batch("env-1", { record: record({ envelope: null }) }))).rejects.toThrow(/needs the envelope's id/);
      expect(await s.hasDoc(doc("d1"))).toBe(false);
      expect(await s.exchanges()).toEqual([]);
    });
  });

  describe(`${name} exchange log`, () => {
    it("finds log lines by peer, document, direction and status, newest first, up to a limit", async () => {
      const s = await open();
      const seqs = [
        await s.logExchange(record({ envelope: "e1", status: "refused", detail: "The signature does not verify.", docs: [doc("d1")] })),
        await s.logExchange(record({ envelope: null, status: "refused", peer: null, docs: [], detail: "The file is not a ZIP archive." })),
        await s.logExchange(record({ envelope: "e2", direction: "out", status: "exported", peer: "A-C", docs: [doc("d1"), doc("d2")] })),
        await s.logExchange(record({ envelope: "e3", direction: "out", status: "queued", peer: "A-B", docs: [doc("d2")] })),
      ];
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      const envs = async (q?: Parameters<Store["exchanges"]>[0]) => (await s.exchanges(q)).map((r) => r.envelope);
      expect(await envs()).toEqual(["e3", "e2", null, "e1"]);
      expect(await envs({ peer: "A-B" })).toEqual(["e3", "e1"]);
      expect(await envs({ doc: doc("d1") })).toEqual(["e2", "e1"]);
      expect(await envs({ doc: doc("d2"), direction: "out", peer: "A-C" })).toEqual(["e2"]);
      expect(await envs({ direction: "in" })).toEqual([null, "e1"]);
      expect(await envs({ status: "refused" })).toEqual([null, "e1"]);
      expect(await envs({ status: "refused", peer: "A-B" })).toEqual(["e1"]);
      expect(await envs({ status: "imported" })).toEqual([]);
      expect(await envs({ limit: 2 })).toEqual(["e3", "e2"]);
      expect(await envs({ doc: doc("none") })).toEqual([]);
      const [newest] = await s.exchanges({ limit: 1 });
      expect(newest).toEqual({ ...record({ envelope: "e3", direction: "out", status: "queued", peer: "A-B", docs: [doc("d2")] }), seq: seqs[3] });
      await s.logExchange(record({ envelope: "e3", direction: "out", status: "delivered", peer: "A-B", docs: [doc("d2")] }));
      expect((await s.exchanges({ envelope: "e3" })).map((r) => r.status)).toEqual(["delivered", "queued"]);
      expect(await envs({ envelope: "e3", direction: "in" })).toEqual([]);
    });

    it("keeps the bytes of an envelope sent, never of one refused or a duplicate", async () => {
      const s = await open();
      await s.logExchange(record({ envelope: "out-1", direction: "out", status: "exported" }), bytes(1, 2));
      await s.logExchange(record({ envelope: "forged", status: "refused" }), bytes(6, 6));
      await s.logExchange(record({ envelope: "dup", status: "duplicate" }), bytes(7, 7));
      expect(Array.from((await s.envelopeBytes("out-1"))!)).toEqual([1, 2]);
      expect(await s.envelopeBytes("forged")).toBeUndefined();
      expect(await s.envelopeBytes("dup")).toBeUndefined();
      // A refusal logged under an id does not make that id count as imported.
      expect(await s.importedEnvelope("forged")).toBeUndefined();
      expect((await s.importEnvelope(batch("forged"))).imported).toBe(true);
    });

    it("refuses a log line whose status does not fit its direction, and an imported line outside an import", async () => {
      const s = await open();
      await expect(s.logExchange(record({ status: "delivered" }))).rejects.toThrow(/"in" exchange record cannot have status "delivered"/);
      await expect(s.logExchange(record({ direction: "out", status: "refused" }))).rejects.toThrow(/"out" exchange record cannot have status "refused"/);
      await expect(s.logExchange(record())).rejects.toThrow(/logged by importEnvelope/);
      expect(await s.exchanges()).toEqual([]);
    });
  });

  describe(`${name} outbox`, () => {
    it("hands out pending envelopes whose next attempt is due, oldest first, comparing times as instants", async () => {
      const s = await open();
      await s.enqueueOutbox(outboxItem("late", { createdAt: "2026-01-01T03:00:00.000Z" }));
      await s.enqueueOutbox(outboxItem("early", { createdAt: "2026-01-01T09:30:00+08:00" })); // 01:30Z
      await s.enqueueOutbox(outboxItem("future", { createdAt: "2026-01-01T00:00:00.000Z", nextAttemptAt: "2026-01-01T12:00:00.000Z" }));
      await s.enqueueOutbox(outboxItem("done", { createdAt: "2026-01-01T00:00:00.000Z", status: "delivered" }));
      await s.enqueueOutbox(outboxItem("given-up", { createdAt: "2026-01-01T00:00:00.000Z", status: "failed" }));
      const due = async (now: string, limit = 10) => (await s.dueOutbox(now, limit)).map((o) => o.envelope);
      expect(await due("2026-01-01T10:00:00.000Z")).toEqual(["early", "late"]);
      expect(await due("2026-01-01T10:00:00.000Z", 1)).toEqual(["early"]);
      // 20:00+08:00 is 12:00Z: the future item's attempt is due from that instant on.
      expect(await due("2026-01-01T19:59:59+08:00")).toEqual(["early", "late"]);
      expect(await due("2026-01-01T20:00:00+08:00")).toEqual(["future", "early", "late"]);
      expect(await due("2025-12-31T23:59:59.000Z")).toEqual([]);
      const [first] = await s.dueOutbox("2026-01-02T00:00:00.000Z", 1);
      expect(first).toEqual(outboxItem("future", { createdAt: "2026-01-01T00:00:00.000Z", nextAttemptAt: "2026-01-01T12:00:00.000Z" }));
    });

    it("records each delivery attempt, keeps the first of two enqueues, and lists the outbox newest first", async () => {
      const s = await open();
      await s.enqueueOutbox(outboxItem("e1"));
      await s.enqueueOutbox(outboxItem("e1", { data: bytes(9), peer: agency("A-X") }));
      await s.enqueueOutbox(outboxItem("e2", { createdAt: "2026-01-01T00:00:01.000Z" }));
      await s.updateOutbox("e1", { attempts: 1, nextAttemptAt: "2026-01-01T00:05:00.000Z", lastError: "The peer answered 503.", status: "pending" });
      expect(await s.dueOutbox("2026-01-01T00:01:00.000Z", 10)).toEqual([outboxItem("e2", { createdAt: "2026-01-01T00:00:01.000Z" })]);
      await s.updateOutbox("e2", { attempts: 1, nextAttemptAt: "2026-01-01T00:00:01.000Z", lastError: null, status: "delivered" });
      expect(await s.dueOutbox("2026-01-02T00:00:00.000Z", 10)).toEqual([
        outboxItem("e1", { attempts: 1, nextAttemptAt: "2026-01-01T00:05:00.000Z", lastError: "The peer answered 503." }),
      ]);
      expect((await s.outbox()).map((o) => [o.envelope, o.status])).toEqual([["e2", "delivered"], ["e1", "pending"]]);
      expect((await s.outbox({ status: "pending" })).map((o) => o.envelope)).toEqual(["e1"]);
      expect((await s.outbox({ limit: 1 })).map((o) => o.envelope)).toEqual(["e2"]);
      await expect(s.updateOutbox("nope", { attempts: 1, nextAttemptAt: "2026-01-01T00:00:00Z", lastError: null, status: "failed" })).rejects.toThrow(
        /no envelope nope in the outbox/,
      );
    });
  });

  describe(`${name} federation and assignments`, () => {
    it("keeps peers by agency code, replacing one on a second put", async () => {
      const s = await open();
      const b: PeerAgency = {
        code: agency("A-B"),
        name: "乙機關",
        caPem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        fingerprint: "cd".repeat(32),
        url: null,
        delegation: null,
        revokedSerials: [],
        addedAt: "2026-01-01T00:00:00.000Z",
        removedAt: null,
      };
      await s.putPeer({ ...b, code: agency("A-C"), name: "丙機關" });
      await s.putPeer(b);
      const changed = { ...b, url: "https://b.example", delegation: '{"v":1}', revokedSerials: ["0a", "0b"], removedAt: "2026-02-01T00:00:00.000Z" };
      await s.putPeer(changed);
      expect(await s.peer(agency("A-B"))).toEqual(changed);
      expect((await s.peers()).map((p) => p.code)).toEqual(["A-B", "A-C"]);
      expect(await s.peer(agency("A-Z"))).toBeUndefined();
    });

    it("makes the latest assignment of a document the current one, and lists a person's current ones", async () => {
      const s = await open();
      const a = (d: string, p: string, at: string) => ({ doc: doc(d), person: person(p), by: person("p-desk"), at, envelope: d === "d1" ? "env-1" : null });
      await s.putAssignment(a("d1", "p-chen", "2026-01-01T00:00:00.000Z"));
      await s.putAssignment(a("d2", "p-chen", "2026-01-01T00:01:00.000Z"));
      await s.putAssignment(a("d1", "p-lin", "2026-01-01T00:02:00.000Z"));
      await s.putAssignment(a("d3", "p-lin", "2026-01-01T00:03:00.000Z"));
      expect(await s.assignment(doc("d1"))).toEqual(a("d1", "p-lin", "2026-01-01T00:02:00.000Z"));
      expect(await s.assignment(doc("none"))).toBeUndefined();
      const docsOf = async (p: string) => (await s.assignmentsOf(person(p) as PersonId)).map((x) => x.doc as DocId);
      expect(await docsOf("p-chen")).toEqual(["d2"]);
      expect(await docsOf("p-lin")).toEqual(["d3", "d1"]);
      expect(await docsOf("p-none")).toEqual([]);
    });
  });
}
