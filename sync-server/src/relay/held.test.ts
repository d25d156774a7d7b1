// What an envelope import writes after its own transaction (relay/held.ts): every new entry's
// receipt and every document's index row, for all documents at once, with the relay's rules kept.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import type { CountersignDocument, DocId, EntryId } from "@countersign/crdt-model";
import { federate, makeAgency, storedDocument, type TestAgency } from "../../tests/support/exchange-agencies.ts";
import { localExchange } from "../exchange/local.ts";
import type { Store } from "../storage/types.ts";

let a: TestAgency;
let b: TestAgency;
let c: TestAgency;

beforeAll(async () => {
  [a, b, c] = await Promise.all([makeAgency("A-TN-EDU", "臺南市政府教育局"), makeAgency("A-KH-EDU", "高雄市政府教育局"), makeAgency("A-CY-EDU", "嘉義市政府教育處")]);
  await federate(a, b, c);
});
afterAll(async () => {
  await Promise.all([a, b, c].map((x) => x?.stop()));
});

async function envelopeOf(to: TestAgency, docs: CountersignDocument[]): Promise<Uint8Array> {
  const r = await a.exchange.exportEnvelope({ docs: docs.map((d) => d.id), to: to.agency.code, purpose: "countersign-request" });
  if (!r.ok) throw new Error(r.reason);
  return r.value.bytes;
}

const receiptOf = (json: unknown) => JSON.parse(json as string) as { receivedAt: string; signature: string };

describe("receipts and index rows of an import", () => {
  it("an envelope of several documents puts every new entry's receipt in the store and in its document, keeping a sighting recorded earlier, and indexes every document", async () => {
    const docs = [await storedDocument(a), await storedDocument(a), await storedDocument(a)];
    const [seen] = [...docs[0]!.rawEntries().keys()] as EntryId[];
    const earlier = { doc: docs[0]!.id, entry: seen!, receivedAt: "2020-01-01T00:00:00.000Z", signature: "ZWFybGllcg==" };
    await b.store.recordReceipt(earlier);

    const r = await b.exchange.importEnvelope(await envelopeOf(b, docs), "file");
    expect(r).toMatchObject({ ok: true, value: { status: "imported" } });
    for (const d of docs) {
      const entries = [...d.rawEntries().keys()];
      const stored = await b.store.receipts(d.id);
      expect(stored.map((x) => x.entry).sort()).toEqual([...entries].sort());
      const room = await b.rooms.get(d.id);
      const inDoc = room.doc.rawReceipts();
      for (const x of stored) expect(receiptOf(inDoc.get(x.entry))).toMatchObject({ receivedAt: x.receivedAt, signature: x.signature });
      // The import's update, then one update holding all the receipts.
      expect((await b.store.readUpdates(d.id)).length).toBe(2);
      expect((await b.store.getIndex(d.id))?.doc).toBe(d.id);
    }
    expect(receiptOf((await b.rooms.get(docs[0]!.id)).doc.rawReceipts().get(seen!))).toMatchObject({ receivedAt: earlier.receivedAt });
  });

  it("a failure to write the index rows is logged for each document, and the receipts are still written", async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino(
      { level: "info" },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
          done();
        },
      }),
    );
    // The real store, except that index rows cannot be written (a disk that fills up at that moment).
    const store = new Proxy(c.store, {
      get: (t, k) => (k === "putIndexes" ? () => Promise.reject(new Error("database or disk is full")) : Reflect.get(t, k, t)),
    }) as Store;
    const local = localExchange(store, c.agency, log);
    try {
      const docs = [await storedDocument(a), await storedDocument(a)];
      const r = await local.exchange.importEnvelope(await envelopeOf(c, docs), "file");
      expect(r).toMatchObject({ ok: true, value: { status: "imported" } });
      const failed = lines.filter((l) => l["msg"] === "imported update not applied to its room").map((l) => l["doc"] as DocId);
      expect(failed.sort()).toEqual(docs.map((d) => d.id).sort());
      for (const d of docs) {
        expect(await c.store.getIndex(d.id)).toBeUndefined();
        expect((await c.store.receipts(d.id)).length).toBe(d.rawEntries().size);
        expect((await local.rooms.get(d.id)).doc.rawReceipts().size).toBe(d.rawEntries().size);
      }
    } finally {
      await local.close();
    }
  });
});
