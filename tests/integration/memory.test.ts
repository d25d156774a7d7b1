import { afterAll, describe, expect, it } from "vitest";
import type { ChildProcess } from "node:child_process";
import { CountersignDocument, asDocId, fromBase64, toBase64 } from "@countersign/crdt-model";
import { decisionOnlyPlan, loginOverHttp, must, testMetadata } from "./support/agency-server.ts";
import { freePort, memoryOf, preparedDataDir, serveProcess } from "./support/serve-process.ts";

// Memory stays bounded however many documents are touched: rooms nobody is connected to are unloaded
// (least recently used first past --max-loaded), and reads of unloaded documents are answered from
// storage without loading them.
//
// The bound, with the default --max-loaded 2000, measured: a loaded room (the document, a shadow
// copy for validation, awareness, derived state) keeps ~52 KiB of live heap for an ordinary 簽, so
// 2,000 rooms are ~105 MiB over a ~20 MiB heap baseline. V8 grows its heap lazily up to its limit,
// so resident memory is set by that limit: the server runs with --max-old-space-size=256 (as
// `npm start` does; README), plus ~150 MiB native (Node, OpenSSL, SQLite's page cache). Bound: 450 MiB
// after touching 10,000 documents — without unloading, 10,000 rooms would need ~520 MiB of heap alone.
const BOUND_MB = 450;
const HEAP_FLAG = "--max-old-space-size=256";
const DOCS = Number(process.env.MEMORY_DOCS ?? 10_000);

let server: ChildProcess | undefined;
afterAll(() => server?.kill("SIGKILL"));

const meta = testMetadata();
const plan = decisionOnlyPlan();

describe("memory", () => {
  it(`touching ${DOCS} documents keeps the server under ${BOUND_MB} MiB resident`, async () => {
    const { dir, people } = await preparedDataDir();
    const port = await freePort();
    server = await serveProcess(dir, port, [], [HEAP_FLAG]);
    const http = `http://127.0.0.1:${port}`;
    const token = await loginOverHttp(http, people.officer);
    const post = async (body: unknown) => {
      const res = await fetch(`${http}/api/sync`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
      expect(res.status).toBe(200);
      return (await res.json()) as { pushed: { ok: boolean }[]; docs: { doc: string; update: string }[] };
    };
    const baseline = memoryOf(server.pid!);
    for (let start = 0; start < DOCS; start += 500) {
      const push = [];
      for (let i = start; i < Math.min(DOCS, start + 500); i++) {
        const d = must(CountersignDocument.create({ id: asDocId(`m-${i}`), metadata: meta, subject: `記憶體測試第${i}件：有關本市國民中學學生獎懲實施要點修正一案，簽請核示。`, plan }));
        for (let k = 0; k < 5; k++) d.addItem("explanation", null, `說明第${k}點：依據教育部函辦理，請各校轉知所屬教職員工。`);
        push.push({ doc: `m-${i}`, update: toBase64(d.encodeState()) });
      }
      const r = await post({ v: 1, push });
      expect(r.pushed.every((p) => p.ok)).toBe(true);
    }
    // Read every document back, in batches, as reconnecting devices would.
    let pulled = 0;
    for (let start = 0; start < DOCS; start += 1000) {
      const have = [];
      for (let i = start; i < Math.min(DOCS, start + 1000); i++) have.push({ doc: `m-${i}`, sv: "AA==" });
      const r = await post({ v: 1, have });
      pulled += r.docs.length;
      if (start === 0) expect(must(CountersignDocument.fromUpdate(fromBase64(r.docs[0]!.update))).body("explanation")).toHaveLength(5);
    }
    expect(pulled).toBe(DOCS);
    const health = (await (await fetch(`${http}/healthz`)).json()) as { rooms: number };
    const mem = memoryOf(server.pid!);
    console.log(JSON.stringify({ docs: DOCS, roomsLoaded: health.rooms, baselineRssMb: Math.round(baseline.rssMb), rssMb: Math.round(mem.rssMb), peakMb: Math.round(mem.peakMb), boundMb: BOUND_MB }));
    // Unloading runs alongside loading, so a handful of rooms may be over the limit for a moment.
    expect(health.rooms).toBeLessThanOrEqual(2000 + 16);
    expect(mem.peakMb).toBeLessThan(BOUND_MB);
  }, 300_000);
});
