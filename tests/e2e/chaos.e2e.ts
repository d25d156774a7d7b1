// Chaos test of the whole system: the demo agency on PostgreSQL, served by two `countersign serve`
// processes that share rooms through Redis, and two Chromium browsers with two officers each.
//
// Browser 1 stays online: 陳承辦 submits drafts through server 1, 黃主任 (人事室) countersigns
// through server 2. Browser 2 is offline the whole time: 林科長 approves and decides, 吳主任 (會計室)
// countersigns — in parallel (並會) with 黃主任 on two of the documents. While all four sign, server 1
// is SIGKILLed and started again. Then browser 2 comes online. At the end:
//   - everything a browser had acknowledged when server 1 died (an entry shown with the agency's
//     receipt time, or a local change no longer waiting in the queue) is in PostgreSQL;
//   - every document in the store verifies (every entry valid, no findings), and the server's index
//     row says the status the chain derives;
//   - every browser's local copy of every document equals the store's (same Yjs state: structs and
//     deletions), with nothing waiting to be sent;
//   - each signing step taken reached the store and left the document in the expected state.
// Random choices (which act the kill interrupts, how long the server stays down, the order each
// officer works through their documents) come from a seed printed at the start: CHAOS_SEED=N replays.
import { describe, expect, it, beforeAll, afterAll } from "vitest";
import * as Y from "yjs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { CountersignDocument, asDocId, derive, fromBase64, type TrustStore } from "@countersign/crdt-model";
import { buildTrustStore } from "@countersign/sync-server";
import { launchChromium } from "./support.ts";
import { T, act, enrollDemoPerson, openDoc, synced } from "./demo-session.ts";
import { AGENCY, startScaledOutDemo, type ScaledOutDemo } from "./scaled-out-demo.ts";
import { Rng } from "../../packages/crdt-model/tests/support/rng.ts";

const SEED = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));

const seeded = new Rng(SEED);
const random = (): number => seeded.next();
const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const shuffled = <X>(xs: readonly X[]): X[] => {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

type Who = "chen" | "huang" | "lin" | "wu";
interface Officer {
  who: Who;
  context: BrowserContext;
  page: Page;
  /** The server process (index) this browser context talks to. */
  server: number;
}

/** One signing step: who, on which document, which action, with which (unique) opinion. */
interface Step {
  who: Who;
  doc: string;
  kind: "submit" | "approve" | "countersign" | "decide";
  opinion: string;
  /** Typed at the end of 主旨 before signing (the case officer's draft, the reviewer's 核稿 correction). */
  edit?: string;
}

/** An entry a page showed: its action, the signer as shown ("unit name"), the opinion, and whether it showed a receipt. */
interface Shown {
  doc: string;
  action: string;
  signer: string;
  opinion: string;
  received: boolean;
}

let demo: ScaledOutDemo | undefined;
const browsers: Browser[] = [];
const officers = new Map<Who, Officer>();
const pageErrors: string[] = [];
/** Every entry any page showed with the agency's receipt time, keyed doc|action|signer|opinion. */
const acknowledged = new Map<string, Shown>();

const officer = (who: Who): Officer => officers.get(who)!;
const base = (o: Officer) => demo!.servers[o.server]!.base;

/** The entries on the open document page. */
async function shownEntries(page: Page): Promise<Shown[]> {
  const doc = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
  const rows = await page.locator('[data-testid="entry"]').evaluateAll((els) =>
    els.map((el) => ({
      action: el.getAttribute("data-action") ?? "",
      signer: el.querySelector(".head span")?.textContent?.trim() ?? "",
      opinion: el.querySelector('[data-testid="entry-opinion"]')?.textContent?.trim() ?? "",
      // Received means a receipt that verifies with the agency's receipt key (not one marked 無法驗證).
      received: el.querySelector('[data-testid="receipt"][data-receipt="valid"]') !== null,
    })),
  );
  return rows.map((r) => ({ doc, ...r }));
}

/** Notes every entry the page now shows as received by the agency. */
async function noteAcknowledged(page: Page): Promise<void> {
  for (const e of await shownEntries(page).catch(() => [])) if (e.received) acknowledged.set(`${e.doc}|${e.action}|${e.signer}|${e.opinion}`, e);
}

/** The document as the agency's PostgreSQL store holds it, read by this test's own connection. */
async function storedYDoc(doc: string): Promise<Y.Doc> {
  const ydoc = new Y.Doc();
  const ups = await demo!.store.readUpdates(asDocId(doc));
  for (const u of ups) Y.applyUpdate(ydoc, u.data);
  return ydoc;
}

/** What a browser context holds locally: each document's stored Yjs rows and the changes still queued. */
async function localCopies(page: Page, person: Who, pendingAfterMs = 0): Promise<{ docs: Record<string, string[] | null>; pending: { doc: string; update: string; refused: string | null }[] }> {
  return page.evaluate(
    async ({ agency, person, pendingAfterMs }) => {
      const b64 = (u: Uint8Array) => {
        let s = "";
        for (let i = 0; i < u.length; i += 0x4000) s += String.fromCharCode(...u.subarray(i, i + 0x4000));
        return btoa(s);
      };
      const open = (name: string) =>
        new Promise<IDBDatabase>((res, rej) => {
          const r = indexedDB.open(name);
          r.onsuccess = () => res(r.result);
          r.onerror = () => rej(r.error);
        });
      const all = <R,>(db: IDBDatabase, store: string) =>
        new Promise<R[]>((res, rej) => {
          const r = db.transaction(store, "readonly").objectStore(store).getAll();
          r.onsuccess = () => res(r.result as R[]);
          r.onerror = () => rej(r.error);
        });
      const index = await open(`countersign:${agency}:${person}`);
      const rows = await all<{ doc: string; access: string }>(index, "docs");
      // Every document's stored rows live in the index's own database (LocalDb.updates: { doc, update }).
      const stored = new Map<string, string[]>();
      for (const u of await all<{ doc: string; update: Uint8Array }>(index, "updates")) stored.set(u.doc, [...(stored.get(u.doc) ?? []), b64(u.update)]);
      const docs: Record<string, string[] | null> = {};
      for (const r of rows) {
        if (r.access !== "edit") continue;
        docs[r.doc] = stored.get(r.doc) ?? null;
      }
      // The queue is read after the copies: a change is written to its copy and queued by two
      // separate writes, so a queue read first could miss a change the copy already holds.
      await new Promise((r) => setTimeout(r, pendingAfterMs));
      const pending = await all<{ doc: string; update: Uint8Array; refused?: string }>(index, "pending");
      index.close();
      return { docs, pending: pending.map((p) => ({ doc: p.doc, update: b64(p.update), refused: p.refused ?? null })) };
    },
    { agency: AGENCY.code, person, pendingAfterMs },
  );
}

const ydocOf = (rows: readonly Uint8Array[]): Y.Doc => {
  const y = new Y.Doc();
  for (const r of rows) Y.applyUpdate(y, r);
  return y;
};

/** Entry ids, receipts and subject of a Yjs state, to say what differs when two copies do not converge. */
function summary(y: Y.Doc): string {
  const d = CountersignDocument.wrap(y);
  return `entries ${[...d.rawEntries().keys()].map((k) => k.slice(0, 8)).sort().join(",")}; receipts ${[...d.rawReceipts().keys()].map((k) => k.slice(0, 8)).sort().join(",")}; subject ${JSON.stringify(d.subject())}`;
}

/**
 * Everything `who`'s browser holds that is no longer waiting in its queue must be in the store: the
 * store's state plus the queued changes contains the whole local copy, structs and deletions.
 * Returns how many local copies were checked, and those for which that fails, with what differs.
 */
async function unackedLosses(who: Who): Promise<{ checked: number; problems: string[] }> {
  const o = officer(who);
  // The officer's page may be navigating (the signing goes on): read again after a navigation.
  let local: Awaited<ReturnType<typeof localCopies>> | undefined;
  for (let attempt = 0; !local; attempt++) {
    try {
      local = await localCopies(o.page, who, 500);
    } catch (e) {
      if (attempt >= 10) throw e;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  const problems: string[] = [];
  let checked = 0;
  for (const [doc, rows] of Object.entries(local.docs)) {
    if (!rows) continue;
    checked++;
    const mine = ydocOf(rows.map(fromBase64));
    const covered = await storedYDoc(doc);
    for (const p of local.pending.filter((x) => x.doc === doc)) Y.applyUpdate(covered, fromBase64(p.update));
    if (!Y.snapshotContainsUpdate(Y.snapshot(covered), Y.encodeStateAsUpdate(mine))) problems.push(`${who} ${doc}: local ${summary(mine)} | store+queue ${summary(covered)}`);
  }
  return { checked, problems };
}

async function waitForServiceWorker(page: Page): Promise<void> {
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), T).toBe(true);
}

/** Signs one step in the officer's page; online, waits a little for the receipt to show and notes it. */
async function sign(step: Step, online: boolean): Promise<void> {
  const o = officer(step.who);
  await openDoc(o.page, base(o), step.doc, { live: false });
  await expect.poll(() => o.page.getByTestId(`offer-${step.kind}`).count(), T).toBe(1);
  if (step.edit) {
    // Out for signing, the holder changes the text through an explicit 修改 (crdt-model mayEditText).
    if ((await o.page.getByTestId("revise").count()) > 0) await o.page.getByTestId("revise").click();
    const box = o.page.getByTestId("field-subject");
    await box.click();
    await box.press("Control+End"); // the end of the text: End alone stops at the end of a wrapped line
    await box.pressSequentially(step.edit);
    await expect.poll(() => box.inputValue(), T).toContain(step.edit);
  }
  await act(o.page, step.kind, step.opinion);
  if (!online) {
    expect(await o.page.getByTestId("sign-done").innerText()).toContain("目前離線");
    return;
  }
  // The receipt arrives within a second or two while the server is up; with server 1 down it
  // arrives later (the step stays queued), so this waits briefly and never fails.
  const until = Date.now() + 2000;
  while (Date.now() < until) {
    const mine = (await shownEntries(o.page).catch(() => [])).find((e) => e.opinion === step.opinion);
    if (mine?.received) break;
    await o.page.waitForTimeout(200);
  }
  await noteAcknowledged(o.page);
}

/** Enrolls the four officers from the home page's demo list, each in its browser, on its server. */
async function enrollAll(): Promise<void> {
  const cast: [Who, number, number][] = [
    ["chen", 0, 0],
    ["lin", 1, 0],
    ["huang", 0, 1],
    ["wu", 1, 1],
  ];
  await Promise.all(
    cast.map(async ([who, b, server]) => {
      const { context, page } = await enrollDemoPerson(browsers[b]!, demo!.servers[server]!.base, who, { errors: pageErrors }).catch(async (e: Error) => {
        const pages = browsers[b]!.contexts().flatMap((c) => c.pages());
        for (const [k, p] of pages.entries()) await p.screenshot({ path: `test-results/chaos-enroll-failed-${who}-${k}.png`, fullPage: true }).catch(() => undefined);
        throw new Error(`${who} could not enroll on server ${server + 1} (${pages.map((p) => p.url()).join(", ")}): ${e.message}\n${demo!.servers[server]!.output().slice(-2000)}`);
      });
      officers.set(who, { who, context, page, server });
      await waitForServiceWorker(page);
    }),
  );
}

beforeAll(async () => {
  console.log(`chaos seed ${SEED} (CHAOS_SEED=${SEED} replays it)`);
  // Chromium starts while the servers do; whatever started is closed by afterAll even if the rest failed.
  const launched = Promise.allSettled([launchChromium(), launchChromium()]);
  try {
    demo = await startScaledOutDemo((what, ms) => console.log(`chaos setup: ${what} in ${ms} ms`));
  } finally {
    for (const r of await launched) if (r.status === "fulfilled") browsers.push(r.value);
  }
  for (const r of await launched) if (r.status === "rejected") throw r.reason;
}, 120_000);

afterAll(async () => {
  for (const b of browsers) await b.close().catch(() => undefined);
  await demo?.stop();
}, 60_000);

describe("chaos: two browsers, two server processes on PostgreSQL and Redis, a relay killed mid-signing, a browser offline throughout", () => {
  it("every document verifies, every copy converges with the store, and nothing acknowledged is missing", async () => {
    const d = demo!;
    let t = Date.now();
    const lap = (what: string) => {
      console.log(`chaos: ${what} in ${Date.now() - t} ms`);
      t = Date.now();
    };
    await enrollAll();
    lap("four officers enrolled and synced");
    let n = 0;
    const opinion = (text: string) => `${text}（${++n}）`;
    // The demo's documents (cli/demo-docs.ts): drafts of chen's; submitted, waiting for lin's review;
    // approved, waiting for 人事室 and 會計室 in parallel; waiting for 會計室 only; waiting for lin's 決行.
    // Browser 2's officers have a step more than browser 1's, so they are still signing when server 1 dies.
    const online: Step[][] = [
      shuffled(["demo-001", "demo-009", "demo-017"]).map((doc) => ({ who: "chen", doc, kind: "submit", opinion: opinion("陳請核示。"), edit: `（承辦${n}）` })),
      shuffled(["demo-003", "demo-011", "demo-019"]).map((doc) => ({ who: "huang", doc, kind: "countersign", opinion: opinion("人事室敬會，無意見。") })),
    ];
    const offline: Step[][] = [
      shuffled([
        ...["demo-002", "demo-010"].map((doc): Step => ({ who: "lin", doc, kind: "approve", opinion: opinion("離線核稿，擬如擬。"), edit: `（核稿${n}）` })),
        ...["demo-005", "demo-013"].map((doc): Step => ({ who: "lin", doc, kind: "decide", opinion: opinion("如擬，離線決行。") })),
      ]),
      shuffled(["demo-003", "demo-011", "demo-004", "demo-012"]).map((doc) => ({ who: "wu", doc, kind: "countersign", opinion: opinion("會計室離線會辦，經費無誤。") })),
    ];
    // Server 1 dies at a random moment of one of chen's first two steps and stays down a while.
    const killAt = between(0, 1);
    const killDelay = between(0, 1500);
    const downFor = between(1500, 5000);
    console.log(`chaos plan: SIGKILL server 1 ${killDelay} ms into chen's step ${killAt + 1} (${online[0]![killAt]!.doc}), down ${downFor} ms; orders ${[...online, ...offline].map((s) => s.map((x) => x.doc).join(" ")).join(" | ")}`);

    // Browser 2 goes offline before it opens anything: it signs from its local copies only.
    for (const who of ["lin", "wu"] as const) await officer(who).context.setOffline(true);

    // The store as the agency trusts it (the demo people's certificates are registered by now).
    const trust: TrustStore = await buildTrustStore(d.store).then((r) => {
      if (!r.ok) throw new Error(r.reason);
      return r.value;
    });
    /** Whether the store holds the entry a page showed, valid, with the agency's receipt. */
    const inStore = async (e: Shown): Promise<boolean> => {
      const doc = CountersignDocument.wrap(await storedYDoc(e.doc));
      const st = await derive(doc, trust);
      const receipts = doc.rawReceipts();
      return st.timeline.some((t) => t.outcome !== "invalid" && t.action === e.action && t.opinion === e.opinion && t.signer !== null && e.signer.endsWith(t.signer.name) && receipts.has(t.id));
    };

    let killed: Promise<void> | undefined;
    const signing = new Set<string>();
    const atKill = { signing: [] as string[], acknowledged: 0, notStored: [] as Shown[], copies: 0, lost: [] as string[] };
    const chaos = async () => {
      atKill.signing = [...signing];
      await d.kill(0);
      // Checked while server 1 is down, before any browser can send anything again through it:
      // what browser 1 had acknowledged is in the store — entries shown with a receipt, and every
      // part of chen's local copies no longer waiting in his queue.
      for (const who of ["chen", "huang"] as const) await noteAcknowledged(officer(who).page);
      atKill.acknowledged = acknowledged.size;
      for (const e of acknowledged.values()) if (!(await inStore(e))) atKill.notStored.push(e);
      const losses = await unackedLosses("chen");
      atKill.copies = losses.checked;
      atKill.lost.push(...losses.problems);
      await officer("chen").page.screenshot({ path: "test-results/chaos-server-down-375.png", fullPage: true });
      await new Promise((r) => setTimeout(r, downFor));
      await d.restart(0);
    };
    const run = async (steps: Step[], isOnline: boolean) => {
      const who = steps[0]!.who;
      signing.add(who);
      for (const [k, step] of steps.entries()) {
        if (isOnline && step.who === "chen" && k === killAt) killed = new Promise((r) => setTimeout(r, killDelay)).then(chaos);
        await sign(step, isOnline);
      }
      signing.delete(who);
    };
    await Promise.all([...online.map((s) => run(s, true)), ...offline.map((s) => run(s, false))]);
    await killed;
    lap(`all ${n} steps signed, server 1 killed and restarted`);
    await officer("lin").page.screenshot({ path: "test-results/chaos-offline-signed-375.png", fullPage: true });

    // Both browsers were signing when server 1 died (chen always is: the kill comes during his step).
    console.log(`chaos: at the kill, ${atKill.signing.join(", ")} were signing; ${atKill.acknowledged} entries shown as received so far; chen held ${atKill.copies} local copies`);
    expect(atKill.signing).toContain("chen");
    expect(atKill.signing.filter((w) => w === "lin" || w === "wu").length).toBeGreaterThan(0);
    // Nothing acknowledged before the kill was lost by it.
    expect(atKill.notStored).toEqual([]);
    expect(atKill.copies).toBeGreaterThanOrEqual(30); // chen is the case officer of every demo document
    expect(atKill.lost).toEqual([]);

    // Browser 2 comes online: by itself (the browser's online event, no reload) it sends what was
    // signed offline, and its queue empties.
    await Promise.all(
      (["lin", "wu"] as const).map(async (who) => {
        const o = officer(who);
        await o.context.setOffline(false);
        await synced(o.page);
        await expect.poll(async () => (await localCopies(o.page, who)).pending.length, T).toBe(0);
      }),
    );
    lap("browser 2 back online, its offline work sent");
    // Then everyone syncs until the copies settle.
    const all = [...officers.values()];
    const settle = () =>
      Promise.all(
        all.map(async (o) => {
          await o.page.goto(`${base(o)}/inbox`); // a start of the app syncs
          await synced(o.page);
        }),
      );
    const held = new Map<Who, string[]>();
    const diverging = async (): Promise<string[]> => {
      const out: string[] = [];
      for (const o of all) {
        const local = await localCopies(o.page, o.who);
        held.set(o.who, Object.keys(local.docs));
        for (const p of local.pending) out.push(`${o.who} ${p.doc}: a change still queued${p.refused ? `, refused: ${p.refused}` : ""}`);
        for (const [doc, rows] of Object.entries(local.docs)) {
          if (!rows) {
            out.push(`${o.who} ${doc}: no local copy`);
            continue;
          }
          const mine = ydocOf(rows.map(fromBase64));
          const server = await storedYDoc(doc);
          if (!Y.equalSnapshots(Y.snapshot(mine), Y.snapshot(server))) out.push(`${o.who} ${doc}: local ${summary(mine)} | store ${summary(server)}`);
        }
      }
      return out;
    };
    let last: string[];
    const settleUntil = Date.now() + 45_000;
    for (;;) {
      await settle();
      last = await diverging();
      if (last.length === 0 || Date.now() > settleUntil) break;
    }
    expect(last).toEqual([]);
    // Not vacuous: each officer's local store holds copies, among them every document they signed.
    for (const o of all) expect(held.get(o.who)).toEqual(expect.arrayContaining([...online, ...offline].flat().filter((s) => s.who === o.who).map((s) => s.doc)));
    console.log(`chaos: local copies compared with the store: ${all.map((o) => `${o.who} ${held.get(o.who)!.length}`).join(", ")}`);
    lap("browser 2 online, every copy converged");

    // Every document in the store verifies, and its index row says what its chain derives.
    const rows = await d.store.queryIndex({});
    expect(rows.length).toBeGreaterThanOrEqual(33);
    const invalid: string[] = [];
    const statuses = new Map<string, string>();
    for (const row of rows) {
      const st = await derive(CountersignDocument.wrap(await storedYDoc(row.doc)), trust);
      statuses.set(row.doc, st.status);
      if (!st.valid) invalid.push(`${row.doc}: ${[...st.timeline.filter((t) => t.outcome === "invalid").map((t) => t.reason), ...st.findings].join(" ")}`);
      if (row.status !== st.status) invalid.push(`${row.doc}: index row says ${row.status}, the chain ${st.status}`);
    }
    expect(invalid).toEqual([]);

    // Every step reached the store, signed by the right person, and moved its document on.
    const steps = [...online, ...offline].flat();
    const notStored: Step[] = [];
    const names: Record<Who, string> = { chen: "陳承辦", huang: "黃主任", lin: "林科長", wu: "吳主任" };
    for (const s of steps) if (!(await inStore({ doc: s.doc, action: s.kind, signer: names[s.who], opinion: s.opinion, received: true }))) notStored.push(s);
    expect(notStored).toEqual([]);
    const editsLost: Step[] = [];
    for (const s of steps) if (s.edit && !CountersignDocument.wrap(await storedYDoc(s.doc)).subject().endsWith(s.edit)) editsLost.push(s);
    expect(editsLost).toEqual([]);
    const expected: Record<string, string> = {
      "demo-001": "in-review", "demo-009": "in-review", "demo-017": "in-review", // submitted: 科長核稿
      "demo-002": "countersigning", "demo-010": "countersigning", // approved offline: 人事室、會計室會辦
      "demo-003": "in-review", "demo-011": "in-review", // 並會 merged: 人事室 online + 會計室 offline, waiting for 決行
      "demo-019": "countersigning", // 人事室 only: 會計室 still to countersign
      "demo-004": "in-review", "demo-012": "in-review", // 會計室 offline: waiting for 決行
      "demo-005": "decided", "demo-013": "decided", // decided offline
    };
    expect(Object.fromEntries(Object.keys(expected).map((doc) => [doc, statuses.get(doc)]))).toEqual(expected);

    lap("every document verified, every step found in the store");
    // Every acknowledged entry any page showed, during the chaos and after, is in the store.
    await Promise.all(
      all.map(async (o) => {
        await openDoc(o.page, base(o), steps.find((s) => s.who === o.who)!.doc, { live: false });
        await noteAcknowledged(o.page);
      }),
    );
    const missing = [];
    for (const e of acknowledged.values()) if (!(await inStore(e))) missing.push(e);
    expect(missing).toEqual([]);
    // The pages were read right: each officer's first step is among what they showed as received.
    for (const o of all) {
      const first = steps.find((s) => s.who === o.who)!;
      expect([...acknowledged.values()].some((e) => e.doc === first.doc && e.opinion === first.opinion)).toBe(true);
    }

    // The case officer sees the decision signed offline, with both times, every badge valid.
    const chen = officer("chen").page;
    const decidedOffline = steps.find((s) => s.kind === "decide")!;
    await openDoc(chen, base(officer("chen")), decidedOffline.doc, { live: true });
    await expect.poll(() => chen.getByTestId("doc-status").getAttribute("data-status"), T).toBe("decided");
    const entry = chen.locator('[data-testid="entry"][data-action="decide"]');
    // Both times shown. The page says 離線簽署於 only when the receipt came well after the signing
    // (History.svelte, OFFLINE_GAP_MS): on a quiet machine the offline work can arrive sooner.
    await expect.poll(() => entry.innerText(), T).toMatch(/(離線)?簽署於 1\d\d\/\d\d\/\d\d \d\d:\d\d／機關簽收時間 1\d\d\/\d\d\/\d\d \d\d:\d\d/);
    expect(await entry.innerText()).toContain(decidedOffline.opinion);
    for (const b of await chen.getByTestId("badge").all()) expect(await b.getAttribute("data-valid")).toBe("true");
    await chen.screenshot({ path: "test-results/chaos-decided-offline-375.png", fullPage: true });
    const huang = officer("huang").page;
    await openDoc(huang, base(officer("huang")), "demo-003", { live: true });
    await expect.poll(() => huang.locator('[data-testid="entry"][data-action="countersign"]').count(), T).toBe(2);
    await huang.screenshot({ path: "test-results/chaos-parallel-countersign-375.png", fullPage: true });
    lap("the pages checked");
    expect(pageErrors).toEqual([]);
  }, 170_000);
});
