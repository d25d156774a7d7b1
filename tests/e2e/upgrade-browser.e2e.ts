// Upgrades, the browser side (issue 16 item 5): a person's browser store made by an earlier release
// (tests/fixtures/upgrade/browser-*/, Chromium's own IndexedDB folder with the non-extractable
// device key, made by make-browser-fixture.sh) must open with today's app: the person is still
// enrolled, the old per-document databases move into the one local database (issue 11), every
// document of their local copy is there and verifies from the device alone, and the signature they
// made offline before the upgrade reaches the server and verifies there too. Today's server serves
// a copy of the same run's data directory. The fixture is never changed: the test copies it.
//
// What must stay true:
// - the documents are checked with the server's batch sync and live relay blocked (`/api/sync*`),
//   so they come from the upgraded local store, not from a fresh download; only then is the block
//   lifted and the queued signature allowed to leave;
// - all documents are verified from what the device holds — its migrated rows, the agency CA it
//   keeps, the delegation and deputy tables in its local meta, the peer CAs it keeps — read out of
//   the page's IndexedDB and verified with the same model the app bundles, against the same trust
//   open-verified.ts builds; opening each one through the UI took ~5 s a page under load (95 pages:
//   past 5 minutes), so only a few documents of different kinds are opened through the UI, to see
//   the page's own badges agree.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CountersignDocument, derive, fromBase64, TrustStore, verify, VerifyCache, type DocId } from "@countersign/crdt-model";
import { openSqliteStore } from "@countersign/sync-server";
import { TrustCache } from "../../sync-server/src/http/trust-cache.ts";
import { currentDoc } from "../../sync-server/src/exchange/docs.ts";
import { CHROMIUM, freePort } from "./support.ts";
import { T } from "./demo-session.ts";

const FIXTURES = new URL("../fixtures/upgrade/", import.meta.url).pathname;
const RELEASES = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name.startsWith("browser-"))
  .map((d) => d.name);

interface Manifest {
  origin: string;
  agency: string;
  person: string;
  /** The person's name as the app shows it. */
  name: string;
  docs: { doc: string; status: string }[];
  unsent: { doc: string; action: string; opinion: string };
  attached: { doc: string; name: string; bytes: number };
}

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function tempCopy(from: string, prefix: string): string {
  const parent = mkdtempSync(join(tmpdir(), prefix));
  temps.push(parent);
  const dir = join(parent, "copy");
  cpSync(from, dir, { recursive: true });
  return dir;
}

/** The data directory copied owner-only, as `countersign init` leaves one (git keeps files 0644). */
function serverCopy(release: string): string {
  const dir = tempCopy(join(FIXTURES, release, "server"), "countersign-upgrade-browser-data-");
  chmodSync(dir, 0o700);
  for (const f of readdirSync(dir)) if (statSync(join(dir, f)).isFile()) chmodSync(join(dir, f), 0o600);
  return dir;
}

async function serve(dir: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ["bin/countersign.js", "serve", "--data", dir, "--port", String(port), "--host", "127.0.0.1"], { stdio: ["ignore", "ignore", "inherit"] });
  for (const until = Date.now() + 90_000; ; ) {
    const up = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (up) break;
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}`);
    if (Date.now() > until) throw new Error("serve did not answer within 90 s");
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The person's token from the page's sessionStorage, to ask the server as the app does. */
async function serverDocs(page: Page): Promise<Map<string, string>> {
  const rows = await page.evaluate(async () => {
    const key = Object.keys(sessionStorage).find((k) => k.startsWith("countersign:token:"))!;
    const { token } = JSON.parse(sessionStorage.getItem(key)!) as { token: string };
    const r = await fetch("/api/docs", { headers: { authorization: `Bearer ${token}` } });
    return ((await r.json()) as { docs: { doc: string; status: string }[] }).docs;
  });
  return new Map(rows.map((r) => [r.doc, r.status]));
}

/** What the device holds, read from the page's IndexedDB and localStorage as the app left them. */
interface DeviceCopy {
  /** Names of IndexedDB databases still there (the old per-document ones must be gone). */
  databases: string[];
  /** The local index: document and access. */
  index: { doc: string; access: string }[];
  /** Every document's stored Yjs rows (base64), from the one database's `updates` table. */
  rows: Record<string, string[]>;
  /** The queue of unsent changes, by document. */
  pending: string[];
  /** Attachment bytes kept on the device (base64), by SHA-256. */
  blobs: Record<string, string>;
  meta: Record<string, string>;
  /** localStorage: the agency info (with its CA) and the peer agencies' trust the app keeps. */
  agency: string | null;
  peers: string | null;
}

async function deviceCopy(page: Page, agency: string, person: string): Promise<DeviceCopy> {
  return page.evaluate(
    async ({ agency, person }) => {
      const b64 = (u: Uint8Array) => {
        let s = "";
        for (let i = 0; i < u.length; i += 0x4000) s += String.fromCharCode(...u.subarray(i, i + 0x4000));
        return btoa(s);
      };
      const db = await new Promise<IDBDatabase>((res, rej) => {
        const r = indexedDB.open(`countersign:${agency}:${person}`);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const all = <R,>(store: string) =>
        new Promise<R[]>((res, rej) => {
          const r = db.transaction(store, "readonly").objectStore(store).getAll();
          r.onsuccess = () => res(r.result as R[]);
          r.onerror = () => rej(r.error);
        });
      try {
        const rows: Record<string, string[]> = {};
        for (const u of await all<{ doc: string; update: Uint8Array }>("updates")) (rows[u.doc] ??= []).push(b64(u.update));
        const blobs: Record<string, string> = {};
        for (const b of await all<{ sha256: string; data: Uint8Array }>("blobs")) blobs[b.sha256] = b64(b.data);
        const meta: Record<string, string> = {};
        for (const m of await all<{ key: string; value: string }>("meta")) meta[m.key] = m.value;
        return {
          databases: (await indexedDB.databases()).map((d) => d.name ?? ""),
          index: (await all<{ doc: string; access: string }>("docs")).map((r) => ({ doc: r.doc, access: r.access })),
          rows,
          pending: (await all<{ doc: string }>("pending")).map((p) => p.doc),
          blobs,
          meta,
          agency: localStorage.getItem("countersign:agency"),
          peers: localStorage.getItem(`countersign:peer-trust:${agency}`),
        };
      } finally {
        db.close();
      }
    },
    { agency, person },
  );
}

/** The trust open-verified.ts builds, from what the device keeps (nothing asked of the server). */
function deviceTrust(copy: DeviceCopy): TrustStore {
  const tables = (key: string) => (copy.meta[key] ? [JSON.parse(copy.meta[key]) as unknown] : []);
  const ca = (JSON.parse(copy.agency ?? "null") as { ca?: string } | null)?.ca;
  expect(ca, "the agency CA kept on the device").toBeTruthy();
  const peers = copy.peers ? (JSON.parse(copy.peers) as { pems: string[]; delegations: unknown[] }) : { pems: [], delegations: [] };
  const trust = TrustStore.fromPem([ca!, ...peers.pems], [...tables("delegation"), ...peers.delegations], tables("deputies"));
  if (!trust.ok) throw new Error(`device trust: ${trust.reason}`);
  return trust.value;
}

/**
 * Opens a document by a link inside the app, so SvelteKit navigates without reloading the page (a
 * reload per document restarts the whole app: minutes for a hundred documents on a loaded machine),
 * and waits until that document's page shows its status, verified.
 */
async function openInApp(page: Page, doc: string): Promise<void> {
  await page.evaluate((href) => {
    const a = document.createElement("a");
    a.href = href;
    document.querySelector("main")!.appendChild(a);
    a.click();
    a.remove();
  }, `/docs/${doc}`);
  const shown = page.locator(`[data-testid="doc"][data-doc="${doc}"]`);
  await shown.waitFor(T);
  // Not in the local store (and the server not asked): the page says so instead of a status.
  await expect.poll(async () => (await shown.getByTestId("doc-missing").count()) + (await shown.getByTestId("doc-status").count()), T).toBe(1);
  expect(await shown.getByTestId("doc-missing").count(), `${doc} is missing from the upgraded store`).toBe(0);
  await expect.poll(() => shown.getByTestId("doc-status").getAttribute("data-valid"), { ...T, message: doc }).toBe("true");
}

describe.each(RELEASES)("a browser store made by %s", (release) => {
  it("opens with today's app: still enrolled, every document there and verifying offline from the device, the unsent signature sent and verified by the server", async () => {
    const manifest = JSON.parse(readFileSync(join(FIXTURES, release, "manifest.json"), "utf8")) as Manifest;
    const fixed = new URL(manifest.origin).host;
    const data = serverCopy(release);
    const profile = tempCopy(join(FIXTURES, release, "profile"), "countersign-upgrade-browser-profile-");
    mkdirSync("test-results", { recursive: true });
    const server = await serve(data);
    let context: BrowserContext | undefined;
    try {
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        viewport: { width: 375, height: 900 },
        // The store belongs to the fixed origin (IndexedDB is per origin, port included); localhost
        // keeps it a secure context, and the mapping sends it to today's server on its free port.
        args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", `--host-resolver-rules=MAP ${fixed} 127.0.0.1:${server.port}`],
      });
      const page = context.pages()[0] ?? (await context.newPage());
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));

      // The device alone: no batch sync, no live relay (its ticket is /api/sync/ticket).
      const blocked: string[] = [];
      await context.route(/\/api\/sync/, (route) => {
        blocked.push(route.request().url());
        return route.abort("connectionrefused");
      });

      await page.goto(`${manifest.origin}/`);
      // Still enrolled after the upgrade: the home page welcomes the person, no enrollment asked.
      await page.getByTestId("enrolled").waitFor({ timeout: 30_000 });
      expect(await page.getByTestId("enrolled").innerText()).toContain(manifest.name);
      await page.screenshot({ path: `test-results/upgrade-browser-${release}-home-375.png` });

      // Issue 11: the old per-document databases have moved into the one local database.
      const started = Date.now();
      const oldPrefix = `countersign-doc:${manifest.agency}:${manifest.person}:`;
      let copy = await deviceCopy(page, manifest.agency, manifest.person);
      await expect
        .poll(async () => {
          copy = await deviceCopy(page, manifest.agency, manifest.person);
          return { migrated: copy.meta["docStoresMigrated"] !== undefined, left: copy.databases.filter((n) => n.startsWith(oldPrefix)) };
        }, { timeout: 60_000 })
        .toEqual({ migrated: true, left: [] });

      // Every document of the person is in the local index and has its rows in the one database,
      // and each verifies from the device alone: its rows, against the trust the device keeps.
      const indexed = new Map(copy.index.map((r) => [r.doc, r.access]));
      const trust = deviceTrust(copy);
      const deviceCache = new VerifyCache();
      const onDevice = new Map<string, number>();
      for (const { doc, status } of manifest.docs) {
        expect(indexed.get(doc), `${doc} in the local index`).toBe("edit");
        const rows = copy.rows[doc] ?? [];
        expect(rows.length, `${doc} has its rows in the one local database`).toBeGreaterThan(0);
        const ydoc = new Y.Doc();
        for (const r of rows) Y.applyUpdate(ydoc, fromBase64(r));
        const d = CountersignDocument.fromUpdate(Y.encodeStateAsUpdate(ydoc));
        if (!d.ok) throw new Error(`${doc}: the local copy does not read: ${d.reason}`);
        const state = await derive(d.value, trust, { cache: deviceCache });
        expect(state.report.entries.filter((e) => !e.valid).map((e) => `${e.id}: ${e.reason}`), doc).toEqual([]);
        // The offline signature is in the device's copy already: that document moved on from its status then.
        expect(state.status, doc).toBe(doc === manifest.unsent.doc ? "in-review" : status);
        onDevice.set(doc, state.report.entries.length);
        if (doc === manifest.attached.doc) {
          // The scan attached before the upgrade: referenced by the copy, its bytes kept on the device.
          const ref = d.value.attachments().find((a) => a.name === manifest.attached.name);
          expect(ref?.size, `${doc} references ${manifest.attached.name}`).toBe(manifest.attached.bytes);
          const bytes = fromBase64(copy.blobs[ref!.sha256] ?? "");
          expect(bytes.length, `${doc}: the attachment's bytes on the device`).toBe(manifest.attached.bytes);
          expect(createHash("sha256").update(bytes).digest("hex")).toBe(ref!.sha256);
        }
      }
      expect(copy.pending, "the unsent signature is still queued").toContain(manifest.unsent.doc);
      console.log(`upgrade (browser): ${manifest.docs.length} documents found migrated and verified from the device in ${Date.now() - started} ms`);

      // A few documents of different kinds open through the app's own page and show every badge valid,
      // as many as the device verified: the one with the attachment, the one with the unsent signature
      // (below), and the first of some other statuses.
      const kinds = ["archived", "dispatched", "countersigning", "closed"];
      const opened = [manifest.attached.doc, ...kinds.map((k) => manifest.docs.find((d) => d.status === k && d.doc !== manifest.attached.doc && d.doc !== manifest.unsent.doc)?.doc)].filter((d): d is string => d !== undefined);
      for (const doc of opened) {
        await openInApp(page, doc);
        const valid = await page.locator('[data-testid="badge"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-valid")));
        expect(valid.filter((v) => v === "false"), doc).toEqual([]);
        expect(valid.length, doc).toBe(onDevice.get(doc));
      }
      await page.screenshot({ path: `test-results/upgrade-browser-${release}-opened-375.png`, fullPage: true });
      expect(blocked.length).toBeGreaterThan(0); // the app did try to sync: the block was real

      // The signature made offline before the upgrade is still here, waiting.
      const u = manifest.unsent;
      await openInApp(page, u.doc);
      await expect.poll(() => page.getByTestId("doc-status").getAttribute("data-status"), T).toBe("in-review");
      const unsentBadges = await page.locator('[data-testid="badge"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-valid")));
      expect(unsentBadges.filter((v) => v === "false"), u.doc).toEqual([]);
      expect(unsentBadges.length, u.doc).toBe(onDevice.get(u.doc));
      const mine = page.locator(`[data-testid="entry"][data-action="${u.action}"]`).filter({ hasText: u.opinion });
      await expect.poll(() => mine.count(), T).toBe(1);
      await expect.poll(() => page.getByTestId("sync-waiting").getAttribute("data-count"), T).toBe("1");
      await page.screenshot({ path: `test-results/upgrade-browser-${release}-waiting-375.png`, fullPage: true });

      // The server is reachable again: the queued signature leaves, and the server derives from it.
      await context.unroute(/\/api\/sync/);
      await page.reload();
      await expect.poll(() => page.getByTestId("sync-state").getAttribute("data-mode"), { timeout: 30_000 }).toBe("synced");
      await expect.poll(async () => (await serverDocs(page)).get(u.doc), { timeout: 30_000 }).toBe("in-review");
      const onServer = await serverDocs(page);
      for (const { doc } of manifest.docs) expect(onServer.has(doc), doc).toBe(true);
      expect(await mine.innerText()).toMatch(/簽章有效/);
      await page.screenshot({ path: `test-results/upgrade-browser-${release}-sent-375.png`, fullPage: true });
      expect(errors).toEqual([]);
      await context.close();
      context = undefined;
      await server.stop();

      // The server's own verification of what it now holds: every chain valid, the same entries the
      // device showed, and the offline signature one more on its document.
      const store = openSqliteStore(join(data, "countersign.db"));
      try {
        const trust = await new TrustCache(store).get();
        const cache = new VerifyCache();
        for (const { doc } of manifest.docs) {
          const d = await currentDoc(store, undefined, doc as DocId);
          expect(d, doc).toBeDefined();
          const report = await verify(d!, trust, { cache });
          expect(report.entries.filter((e) => !e.valid).map((e) => `${e.id}: ${e.reason}`), doc).toEqual([]);
          expect(report.entries.length, doc).toBe(onDevice.get(doc));
        }
        const sent = (await verify((await currentDoc(store, undefined, u.doc as DocId))!, trust, { cache })).entries.find((e) => e.opinion === u.opinion);
        expect(sent).toMatchObject({ valid: true, action: u.action, signer: { person: manifest.person } });
      } finally {
        await store.close();
      }
    } finally {
      await context?.close();
      await server.stop();
    }
  }, 150_000);
});
