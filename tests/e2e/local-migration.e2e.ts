// The move to one local database (issue 11 item 2), in Chromium against the demo agency: a person's
// copies are put back the way the earlier release kept them — one y-indexeddb database per document
// (an "updates" store of raw Yjs updates), an offline edit in the copy and in the queue, one copy
// damaged — and the app is started again. It moves every copy into the one database and deletes the
// old databases, keeps the damaged one aside and says so on that document only, and the offline edit
// reaches the server. (tests/e2e/upgrade-browser.e2e.ts does the same from a store the earlier
// release itself wrote.)
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CountersignDocument } from "@countersign/crdt-model";
import { useDemoAgency, T, enrollDemoPerson, synced } from "./demo-session.ts";

const agency = useDemoAgency();
const EDITED = "demo-009"; // a draft of chen's
const DAMAGED = "demo-001";
const MOVED = ["demo-002", "demo-003", "demo-004", "demo-005", EDITED];

const b64 = (u: Uint8Array): string => Buffer.from(u).toString("base64");

describe("moving an earlier release's per-document databases into one", () => {
  it("moves every copy, deletes the old databases, notes the damaged copy alone, and the offline edit reaches the server", async () => {
    const { context, page } = await enrollDemoPerson(agency.browser, agency.server.base, "chen");
    const index = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? "").find((n) => n.startsWith("countersign:"))!);
    const prefix = `countersign-doc:${index.slice("countersign:".length)}:`;

    // The edited document's stored state, to make the offline edit from in Node.
    const rows = await page.evaluate(
      async ({ index, doc }) => {
        const db = await new Promise<IDBDatabase>((res, rej) => {
          const r = indexedDB.open(index);
          r.onsuccess = () => res(r.result);
          r.onerror = () => rej(r.error);
        });
        const got = await new Promise<{ update: Uint8Array }[]>((res) => {
          const r = db.transaction("updates").objectStore("updates").index("doc").getAll(doc);
          r.onsuccess = () => res(r.result as { update: Uint8Array }[]);
        });
        db.close();
        return got.map((g) => Array.from(g.update));
      },
      { index, doc: EDITED },
    );
    const ydoc = new Y.Doc();
    for (const r of rows) Y.applyUpdate(ydoc, Uint8Array.from(r));
    const sv = Y.encodeStateVector(ydoc);
    const subject = `${CountersignDocument.wrap(ydoc).subject()}（搬移前離線修改）`;
    CountersignDocument.wrap(ydoc).setSubject(subject);
    const edit = b64(Y.encodeStateAsUpdate(ydoc, sv));

    // The app is closed (about:blank) while its store is put back the earlier release's way.
    await page.goto(`${agency.server.base}/healthz`);
    await page.evaluate(
      async ({ index, prefix, moved, damaged, edited, edit }) => {
        const from64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
        const open = (name: string, upgrade?: (db: IDBDatabase) => void) =>
          new Promise<IDBDatabase>((res, rej) => {
            const r = indexedDB.open(name);
            r.onupgradeneeded = () => upgrade?.(r.result);
            r.onsuccess = () => res(r.result);
            r.onerror = () => rej(r.error);
          });
        const done = (tx: IDBTransaction) =>
          new Promise<void>((res, rej) => {
            tx.oncomplete = () => res();
            tx.onerror = () => rej(tx.error);
          });
        const db = await open(index);
        for (const doc of [...moved, damaged]) {
          const rows = await new Promise<{ id: number; update: Uint8Array }[]>((res) => {
            const r = db.transaction("updates").objectStore("updates").index("doc").getAll(doc);
            r.onsuccess = () => res(r.result as { id: number; update: Uint8Array }[]);
          });
          // y-indexeddb's layout: "updates" (auto-increment keys, raw updates) and "custom".
          const old = await open(prefix + doc, (d) => {
            d.createObjectStore("updates", { autoIncrement: true });
            d.createObjectStore("custom");
          });
          const tx = old.transaction("updates", "readwrite");
          for (const r of rows) tx.objectStore("updates").add(r.update);
          tx.objectStore("updates").add(new Uint8Array([0, 0])); // the empty row y-indexeddb appended on every open
          if (doc === edited) tx.objectStore("updates").add(from64(edit));
          if (doc === damaged) tx.objectStore("updates").add(new TextEncoder().encode("garbage garbage garbage"));
          await done(tx);
          old.close();
          const del = db.transaction("updates", "readwrite");
          for (const r of rows) del.objectStore("updates").delete(r.id);
          await done(del);
        }
        const tx = db.transaction(["pending", "meta"], "readwrite");
        tx.objectStore("pending").add({ doc: edited, update: from64(edit), at: new Date().toISOString() });
        tx.objectStore("meta").delete("docStoresMigrated");
        await done(tx);
        db.close();
      },
      { index, prefix, moved: MOVED, damaged: DAMAGED, edited: EDITED, edit },
    );
    const oldNames = async () => (await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ""))).filter((n) => n.startsWith(prefix)).sort();
    expect(await oldNames()).toHaveLength(MOVED.length + 1);

    // The new version starts: everything moves in, the offline edit is sent.
    await page.goto(`${agency.server.base}/inbox`);
    await synced(page);
    await expect.poll(oldNames, T).toEqual([prefix + DAMAGED]); // kept aside for salvage
    await page.goto(`${agency.server.base}/docs/${EDITED}`);
    await page.getByTestId("doc-status").waitFor(T);
    await expect.poll(() => page.getByTestId("field-subject").inputValue(), T).toBe(subject);
    for (const doc of MOVED.filter((d) => d !== EDITED)) {
      await page.goto(`${agency.server.base}/docs/${doc}`);
      await expect.poll(() => page.getByTestId("doc-status").getAttribute("data-valid"), { ...T, message: doc }).toBe("true");
    }
    await page.goto(`${agency.server.base}/docs/${DAMAGED}`);
    await page.getByTestId("doc-damaged").waitFor(T);
    await page.screenshot({ path: "test-results/local-migration-damaged-375.png", fullPage: true });

    // The offline edit reached the server: its listing carries the new 主旨, and nothing waits.
    await page.goto(`${agency.server.base}/inbox`);
    await synced(page);
    const onServer = await page.evaluate(async (doc) => {
      const key = Object.keys(sessionStorage).find((k) => k.startsWith("countersign:token:"))!;
      const { token } = JSON.parse(sessionStorage.getItem(key)!) as { token: string };
      const r = await fetch("/api/docs", { headers: { authorization: `Bearer ${token}` } });
      return ((await r.json()) as { docs: { doc: string; subject: string }[] }).docs.find((d) => d.doc === doc)?.subject;
    }, EDITED);
    expect(onServer).toBe(subject);
    await page.screenshot({ path: "test-results/local-migration-inbox-375.png", fullPage: true });
    await context.close();
  }, 180_000);
});
