// One send path, in Chromium against a real demo agency: a signature made with the live connection
// open goes out once — one update frame on the relay's socket, acknowledged by the relay (message
// 100), and no batch sync, no listing after it — and leaves the local queue on that acknowledgement.
// Offline, the inbox moves the document at once (its row derived from the local copy), and once
// back online the change reaches the server.
import { describe, expect, it } from "vitest";
import type { Page, WebSocket as PwSocket } from "playwright-core";
import { useDemoAgency, T, enrollDemoPerson, synced, openDoc, docStatus, act } from "./demo-session.ts";

const agency = useDemoAgency();
const pageErrors: string[] = [];
const people = new Map<string, { page: Page }>();

/** Each demo person enrolls once per run (a one-time code works once) and keeps their context. */
async function person(who: string): Promise<{ page: Page; offline: (on: boolean) => Promise<void> }> {
  let known = people.get(who) as { page: Page; offline: (on: boolean) => Promise<void> } | undefined;
  if (!known) {
    const p = await enrollDemoPerson(agency.browser, agency.server.base, who, { errors: pageErrors });
    known = { page: p.page, offline: (on) => p.context.setOffline(on) };
    people.set(who, known);
  }
  return known;
}

interface Traffic {
  /** Sync frames carrying an update (y-websocket sync step 2 or update) sent on the document's socket. */
  updates: number;
  /** The relay's acknowledgements (RELAY_ACK_MESSAGE 100) received, accepted ones. */
  acks: number;
  /** The update frames' payloads (hex): none is sent twice. */
  payloads: string[];
  /** POST /api/sync, and the listings (GET /api/docs, /api/inbox). */
  syncs: number;
  listings: number;
  /** Requests to the API made since watching and not yet answered, and when the traffic last changed (ms since the epoch). */
  inflight: Set<unknown>;
  lastChange: number;
}

/** Counts the traffic of `page` for document `doc` from now on. */
function watch(page: Page, doc: string): Traffic {
  const t: Traffic = { updates: 0, payloads: [], acks: 0, syncs: 0, listings: 0, inflight: new Set(), lastChange: Date.now() };
  const changed = () => (t.lastChange = Date.now());
  const bytes = (p: string | Buffer) => (typeof p === "string" ? Buffer.from(p) : p);
  page.on("websocket", (ws: PwSocket) => {
    if (!ws.url().includes(`/sync/${doc}`)) return;
    ws.on("framesent", (f) => {
      const b = bytes(f.payload);
      if (b[0] === 0 && (b[1] === 1 || b[1] === 2)) {
        changed();
        t.updates++;
        t.payloads.push(b.toString("hex"));
      }
    });
    ws.on("framereceived", (f) => {
      const b = bytes(f.payload);
      if (b[0] === 100 && b[1] === 1 && b[b.length - 1] === 1) {
        changed();
        t.acks++;
      }
    });
  });
  const api = (r: { url(): string }) => new URL(r.url()).pathname.startsWith("/api/");
  // Requests made before watching (the previous page's) are not counted: a set, not a counter.
  const done = (r: { url(): string }) => {
    if (t.inflight.delete(r)) changed();
  };
  page.on("requestfinished", done);
  page.on("requestfailed", done);
  page.on("request", (r) => {
    if (api(r)) {
      t.inflight.add(r);
      changed();
    }
    const u = new URL(r.url());
    if (u.pathname === "/api/sync" && r.method() === "POST") t.syncs++;
    if (u.pathname === "/api/docs" || u.pathname === "/api/inbox") t.listings++;
  });
  return t;
}

/** Rows in the local queue (the app's IndexedDB), read in the page. */
const queued = (page: Page) =>
  page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name ?? "").filter((n) => n.startsWith("countersign:"));
    let count = 0;
    for (const name of names) {
      const db = await new Promise<IDBDatabase>((ok, no) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => no(r.error);
      });
      if (db.objectStoreNames.contains("pending")) {
        count += await new Promise<number>((ok) => {
          const r = db.transaction("pending").objectStore("pending").count();
          r.onsuccess = () => ok(r.result);
        });
      }
      db.close();
    }
    return count;
  });

describe("one send path", () => {
  it("a signature goes out once: one update frame acknowledged by the relay, no batch sync and no listing after it; the queue empties", async () => {
    const chen = await person("chen");
    const doc = "demo-009"; // a draft: chen is its case officer
    await openDoc(chen.page, agency.server.base, doc, { live: false });
    const traffic = watch(chen.page, doc);
    // Opened after watching: the socket (and its handshake) is seen from its start.
    await openDoc(chen.page, agency.server.base, doc, { live: true });
    await expect.poll(() => queued(chen.page), T).toBe(0);
    // The page load's own sync (listing, then POST /api/sync) and the handshake's acknowledgement
    // finish before counting starts: on a busy machine they ran into the counted window.
    await synced(chen.page);
    await expect
      .poll(() => ({ synced: traffic.syncs >= 1, inflight: traffic.inflight.size, quiet: Date.now() - traffic.lastChange > 1_500 }), T)
      .toEqual({ synced: true, inflight: 0, quiet: true });
    const handshake = { ...traffic, payloads: [...traffic.payloads] };

    await act(chen.page, "submit", "陳請核示。");
    await expect.poll(() => docStatus(chen.page), T).toBe("in-review");
    // The old path synced at once and again 3 s later: wait past both.
    await chen.page.waitForTimeout(5_000);
    const sent = { updates: traffic.updates - handshake.updates, acks: traffic.acks - handshake.acks, syncs: traffic.syncs - handshake.syncs, listings: traffic.listings - handshake.listings };
    // The signature is one action; Yjs may carry it as more than one update (one per transaction),
    // each sent once and acknowledged once; no batch sync and no listing follow.
    const payloads = traffic.payloads.slice(handshake.payloads.length);
    expect(new Set(payloads).size).toBe(payloads.length);
    expect(sent.updates).toBeGreaterThanOrEqual(1);
    expect(sent.updates).toBeLessThanOrEqual(2);
    expect(sent).toEqual({ updates: sent.updates, acks: sent.updates, syncs: 0, listings: 0 });
    expect(await queued(chen.page)).toBe(0);
    await synced(chen.page);
    await chen.page.screenshot({ path: "test-results/send-once-375.png", fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it("offline, a submission moves the document out of 待辦 at once (derived on the device); back online it reaches the server", async () => {
    const chen = await person("chen");
    const page = chen.page;
    const doc = "demo-017"; // a draft of chen's
    await page.goto(`${agency.server.base}/inbox`);
    await page.locator(`[data-testid="inbox-row"][data-doc="${doc}"]`).waitFor(T);
    await openDoc(page, agency.server.base, doc, { live: false });
    await chen.offline(true);
    await act(page, "submit", "陳請核示。");
    await expect.poll(() => docStatus(page), T).toBe("in-review");
    await page.goBack();
    await page.getByTestId("tab-todo").waitFor(T);
    // The device's index row: derived from its copy (the server's says draft).
    await expect
      .poll(
        () =>
          page.evaluate(async (d) => {
            const name = (await indexedDB.databases()).map((x) => x.name ?? "").find((n) => n.startsWith("countersign:"))!;
            const db = await new Promise<IDBDatabase>((ok) => {
              const r = indexedDB.open(name);
              r.onsuccess = () => ok(r.result);
            });
            const row = await new Promise<{ status: string; derivedAt?: string } | undefined>((ok) => {
              const r = db.transaction("docs").objectStore("docs").get(d);
              r.onsuccess = () => ok(r.result as { status: string; derivedAt?: string } | undefined);
            });
            db.close();
            return `${row?.status} ${row?.derivedAt ? "derived" : "server"}`;
          }, doc),
        T,
      )
      .toBe("in-review derived");
    await page.getByTestId("tab-todo").click();
    // Off the 待辦 list at once, and still under 承辦中, in review.
    await expect.poll(() => page.locator(`[data-testid="inbox-row"][data-doc="${doc}"]`).count(), T).toBe(0);
    await page.getByTestId("tab-mine").click();
    await page.locator(`[data-testid="inbox-row"][data-doc="${doc}"]`).waitFor(T);
    await page.screenshot({ path: "test-results/send-once-offline-inbox-375.png", fullPage: true });
    expect(await queued(page)).toBeGreaterThan(0);

    await chen.offline(false);
    await expect.poll(() => queued(page), { timeout: 30_000 }).toBe(0);
    await synced(page);
    // The server has it: another person's fresh device lists it in review.
    const lin = await person("lin");
    await openDoc(lin.page, agency.server.base, doc, { live: false });
    await expect.poll(() => docStatus(lin.page), T).toBe("in-review");
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
