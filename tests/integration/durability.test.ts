import { afterAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as Y from "yjs";
import { CountersignDocument, asDocId } from "@countersign/crdt-model";
import { openSqliteStore } from "@countersign/sync-server";
import { PASSPHRASE, decisionOnlyPlan, loginOverHttp, must, populate, provider, testMetadata, until, type RunningAgency } from "./support/agency-server.ts";

// Durability: the server is SIGKILLed while a client writes; after a restart, every update that was
// acknowledged is there. "Acknowledged" = seen by another client: the relay forwards an update only
// after the store has committed it (synchronous=FULL), so a relayed update is on disk.

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function serve(dir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["bin/countersign.js", "serve", "--data", dir, "--port", String(port), "--host", "127.0.0.1", "--no-app", "--passphrase-file", join(dir, "pass")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  await until(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok === true, 20_000, "server up");
  return child;
}

describe("durability", () => {
  it("SIGKILL while a client writes: after restart every acknowledged update is there", async () => {
    const dir = mkdtempSync(join(tmpdir(), "countersign-kill-"));
    const store = openSqliteStore(join(dir, "countersign.db"));
    const { people } = await populate(store);
    await store.close();
    writeFileSync(join(dir, "pass"), PASSPHRASE + "\n", { mode: 0o600 });
    const port = await freePort();
    let server = await serve(dir, port);
    const http = `http://127.0.0.1:${port}`;
    const a = { ws: `ws://127.0.0.1:${port}/sync` } as RunningAgency;
    const writerToken = await loginOverHttp(http, people.officer);
    const observerToken = await loginOverHttp(http, people.chief);

    const meta = testMetadata();
    const plan = decisionOnlyPlan();
    const created = must(CountersignDocument.create({ id: asDocId("kill-doc"), metadata: meta, subject: "", plan }));
    const wdoc = new Y.Doc();
    Y.applyUpdate(wdoc, created.encodeState());
    const writer = provider(a, "kill-doc", writerToken, wdoc);
    await until(() => writer.synced, 10_000, "writer synced");
    const observer = provider(a, "kill-doc", observerToken);
    await until(() => observer.synced, 10_000, "observer synced");

    const w = CountersignDocument.wrap(wdoc);
    const o = CountersignDocument.wrap(observer.doc);
    let i = 0;
    const typing = setInterval(() => w.insertSubject(w.subject().length, `${i++};`), 3);
    await until(() => o.subject().split(";").length > 150, 20_000, "150 acknowledged edits");
    server.kill("SIGKILL");
    clearInterval(typing);
    const acknowledged = o.subject().split(";").filter(Boolean);
    writer.destroy();
    observer.destroy();
    await new Promise((r) => server.once("exit", r));

    server = await serve(dir, port);
    const fresh = provider(a, "kill-doc", observerToken);
    await until(() => fresh.synced, 10_000, "fresh client synced");
    const restored = new Set(CountersignDocument.wrap(fresh.doc).subject().split(";"));
    const lost = acknowledged.filter((t) => !restored.has(t));
    expect(acknowledged.length).toBeGreaterThanOrEqual(150);
    expect(lost).toEqual([]);
    fresh.destroy();
    server.kill("SIGTERM");
  }, 90_000);
});
