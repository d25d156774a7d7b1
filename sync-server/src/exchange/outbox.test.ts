// The outbox worker on a real SQLite store, its clock driven by the test: attempts against a port
// nobody listens on (a real refused connection), back-off growth and cap, giving up, and final
// refusals. Deliveries that succeed are in tests/integration/exchange-flows-delivery.test.ts.
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { asAgencyCode, asDocId, ok } from "@countersign/crdt-model";
import { openSqliteStore } from "../storage/sqlite.ts";
import type { Store } from "../storage/types.ts";
import { OutboxWorker } from "./outbox.ts";

let store: Store;
let closedPort: number;
const PEER = asAgencyCode("B-DOWN");
const NO_URL = asAgencyCode("C-FILES");

beforeAll(async () => {
  store = openSqliteStore(join(mkdtempSync(join(tmpdir(), "countersign-outbox-")), "countersign.db"));
  // A port that was free a moment ago and is closed now: connecting is refused at once.
  closedPort = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
  const peer = { name: "x", caPem: "", fingerprint: "0".repeat(64), delegation: null, revokedSerials: [], addedAt: new Date(0).toISOString(), removedAt: null };
  await store.putPeer({ ...peer, code: PEER, url: `http://127.0.0.1:${closedPort}` });
  await store.putPeer({ ...peer, code: NO_URL, url: null });
});
afterAll(async () => {
  await store?.close();
});

function worker(clock: { t: number }, giveUpAfterMs = 7 * 24 * 3600_000) {
  return new OutboxWorker(
    { store, log: pino({ level: "silent" }), importReceipt: async () => ok(undefined), now: () => new Date(clock.t), random: () => 0.999 },
    { backoff: { baseMs: 1000, maxMs: 60_000 }, giveUpAfterMs, timeoutMs: 2000 },
  );
}

const item = async (envelope: string) => (await store.outbox({ limit: 1000 })).find((i) => i.envelope === envelope)!;
const envelope = (id: string, peer = PEER) => ({ envelope: id, peer, bytes: new Uint8Array([0x50, 0x4b, 3, 4, 1, 2, 3]), purpose: "countersign-request", answers: null, docs: [asDocId("d-1")], encrypted: false });

describe("the outbox worker", () => {
  it("records each failed attempt with its sentence and waits longer each time, never beyond the cap", async () => {
    const clock = { t: Date.parse("2026-01-02T00:00:00Z") };
    const w = worker(clock);
    await w.enqueue(envelope("env-backoff"));
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      expect(await w.tick()).toBe(1);
      const it = await item("env-backoff");
      expect(it.attempts).toBe(i + 1);
      expect(it.status).toBe("pending");
      expect(it.lastError).toMatch(/^The peer's server could not be reached \((ECONNREFUSED|.+)\)\.$/);
      waits.push(Date.parse(it.nextAttemptAt) - clock.t);
      // Not due yet: a tick before the next attempt time tries nothing.
      expect(await w.tick()).toBe(0);
      clock.t = Date.parse(it.nextAttemptAt);
    }
    // random() = 0.999: each wait is just under min(cap, base·2^attempt).
    expect(waits).toEqual([999, 1998, 3996, 7992, 15_984, 31_968, 59_940, 59_940]);
    await w.stop();
  });

  it("Gave up after … attempts over … hours; the last error: … — an item undelivered past the limit fails and is logged", async () => {
    const clock = { t: Date.parse("2026-02-01T00:00:00Z") };
    const w = worker(clock, 3600_000);
    await w.enqueue(envelope("env-giveup"));
    await w.tick();
    clock.t += 3600_000;
    await w.tick();
    const it = await item("env-giveup");
    expect(it.status).toBe("failed");
    expect(it.lastError).toMatch(/^Gave up after 2 attempts over 1 hours; the last error: The peer's server could not be reached/);
    const log = await store.exchanges({ peer: PEER, direction: "out" });
    expect(log.find((r) => r.envelope === "env-giveup" && r.status === "failed")?.detail).toBe(it.lastError);
    // A failed item is not tried again, unless someone asks.
    clock.t += 10 * 3600_000;
    expect(await w.tick()).toBe(0);
    expect(await w.retryNow("env-giveup")).toBe(true);
    expect((await item("env-giveup")).status).toBe("pending");
    expect(await w.tick()).toBe(1);
    await w.stop();
  });

  it("… has no server address; deliver the envelope as a file. — failed at the first attempt, not retried", async () => {
    const clock = { t: Date.parse("2026-03-01T00:00:00Z") };
    const w = worker(clock);
    await w.enqueue(envelope("env-nourl", NO_URL));
    await w.tick();
    expect(await item("env-nourl")).toMatchObject({ status: "failed", attempts: 1, lastError: "C-FILES has no server address; deliver the envelope as a file." });
    await w.stop();
  });

  it("the log keeps the purpose and documents of the queued line on later lines", async () => {
    const lines = (await store.exchanges({ peer: NO_URL, direction: "out" })).filter((r) => r.envelope === "env-nourl");
    expect(lines.map((r) => r.status).sort()).toEqual(["failed", "queued"]);
    for (const r of lines) expect(r).toMatchObject({ purpose: "countersign-request", docs: ["d-1"], size: 7 });
    // The failed line carries the refusal's code, which the app explains it by.
    expect(lines.find((r) => r.status === "failed")?.code).toBe("federation.url");
  });
});
