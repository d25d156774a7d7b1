// A page closed in the middle of a batch sync, in Chromium against a real demo agency: the device
// holds an unsent edit and has forgotten what it holds of every document (so the server sends them
// all whole); the page closes as the server's answer arrives, while the app stores it. Reopened:
// nothing lost (the edit reaches the server, once), nothing applied twice (the resent documents add
// no stored rows), and the next sync completes.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { useDemoAgency, T, enrollDemoPerson, synced, openDoc, readLocal } from "./demo-session.ts";

const agency = useDemoAgency();
const pageErrors: string[] = [];

/** The app's local database, read raw: rows per store, and per document in `updates`. */
async function local(page: Page) {
  const [docs, pending, updates] = await Promise.all([readLocal<{ doc: string; sv: string | null }>(page, "docs"), readLocal(page, "pending"), readLocal<{ doc: string }>(page, "updates")]);
  const perDoc: Record<string, number> = {};
  for (const u of updates) perDoc[u!.doc] = (perDoc[u!.doc] ?? 0) + 1;
  return { docs: docs.length, withSv: docs.filter((d) => d!.sv).length, pending: pending.length, updates: updates.length, perDoc };
}

/** Forgets every document's state vector in the local index: the next sync asks for them whole. */
const forgetStateVectors = (page: Page) =>
  page.evaluate(async () => {
    const name = (await indexedDB.databases()).map((d) => d.name ?? "").find((n) => n.startsWith("countersign:"))!;
    const db = await new Promise<IDBDatabase>((ok) => {
      const r = indexedDB.open(name);
      r.onsuccess = () => ok(r.result);
    });
    await new Promise<void>((ok) => {
      const tx = db.transaction("docs", "readwrite");
      const store = tx.objectStore("docs");
      const c = store.openCursor();
      c.onsuccess = () => {
        const cur = c.result;
        if (!cur) return;
        cur.update({ ...(cur.value as object), sv: null });
        cur.continue();
      };
      tx.oncomplete = () => ok();
    });
    db.close();
  });

describe("a page closed during a batch sync", () => {
  it("reopened: the unsent edit reaches the server once, the resent documents store nothing twice, the next sync completes", async () => {
    const chen = await enrollDemoPerson(agency.browser, agency.server.base, "chen", { errors: pageErrors });
    const doc = "demo-009"; // a draft of chen's
    const mark = `（離線補充${Date.now() % 100000}）`;

    // Offline: an edit waits in the queue.
    await openDoc(chen.page, agency.server.base, doc, { live: false });
    await chen.context.setOffline(true);
    const subject = chen.page.getByTestId("field-subject");
    await subject.click();
    await subject.press("Control+End");
    await subject.pressSequentially(mark);
    // Each keystroke is queued as it is stored (asynchronously): the edit is whole in the queue
    // before the page goes (a page closed within milliseconds of typing loses the last keys).
    let queuedNow = -1;
    await expect
      .poll(async () => {
        const before = queuedNow;
        await chen.page.waitForTimeout(500);
        queuedNow = (await local(chen.page)).pending;
        return queuedNow > 0 && queuedNow === before;
      }, T)
      .toBe(true);
    await chen.page.goto("about:blank").catch(() => undefined);
    const before = await (async () => {
      const p = await chen.context.newPage();
      await p.goto(`${agency.server.base}/inbox`).catch(() => undefined); // served by the service worker offline
      await p.getByTestId("sync-state").waitFor(T);
      await forgetStateVectors(p);
      const s = await local(p);
      await p.close();
      return s;
    })();
    expect(before.pending).toBeGreaterThan(0);
    // (The edited document's row may have been derived again by that page's start, state vector and all.)
    expect(before.withSv).toBeLessThanOrEqual(1);

    // Online again; the page closes as the server's first batch answer arrives.
    const cut = await chen.context.newPage();
    let answered = 0;
    await cut.route("**/api/sync", async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response });
      answered++;
      setTimeout(() => void cut.close().catch(() => undefined), 20);
    });
    await chen.context.setOffline(false);
    await cut.goto(`${agency.server.base}/inbox`);
    await expect.poll(() => answered, { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => cut.isClosed(), T).toBe(true);

    // Reopened: the next sync completes; nothing lost, nothing stored twice.
    const again = await chen.context.newPage();
    await again.goto(`${agency.server.base}/inbox`);
    await synced(again);
    // The sync on start sends every document's state vector; on a busy machine the header may say
    // synced after the push of the queue and before that answer is stored.
    let after = await local(again);
    await expect
      .poll(async () => {
        after = await local(again);
        return { pending: after.pending, withSv: after.withSv };
      }, { timeout: 30_000 })
      .toEqual({ pending: 0, withSv: after.docs });
    // The documents sent again whole added no stored row (a document may only have been merged).
    for (const [d, n] of Object.entries(after.perDoc)) expect({ d, rows: n <= (before.perDoc[d] ?? 0) || d === doc }).toEqual({ d, rows: true });
    expect(after.updates).toBeLessThanOrEqual(before.updates + 1);

    // The server has the edit, once.
    const lin = await enrollDemoPerson(agency.browser, agency.server.base, "lin", { errors: pageErrors });
    await openDoc(lin.page, agency.server.base, doc, { live: false });
    await expect.poll(() => lin.page.getByTestId("field-subject").inputValue(), T).toContain(mark);
    const text = await lin.page.getByTestId("field-subject").inputValue();
    expect(text.split(mark).length - 1).toBe(1);
    await again.screenshot({ path: "test-results/batch-close-reopened-375.png", fullPage: true });
    expect(pageErrors.filter((e) => !/closed|Target page/i.test(e))).toEqual([]);
  }, 120_000);
});
