// Convergence across the whole system in Chromium (issue 11): 200 documents edited offline on two
// devices of the case officer (two browser contexts, each with its own local database) and on the
// server (a third client of hers), then reconciled by the app itself when the network returns. Every
// device's copy ends with the same content and state vector as the server's, and every device's
// index row with the same derived state (status, holders, participants, 主旨) as the server's index.
// The offline edits go through the app's own LocalStore (the bench bundle, tests/bench/app/page),
// queued as the app queues any local change; the reconcile is the app's sync, started by `online`.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { CountersignDocument, asDocId, asPersonId, asStepId, fromBase64, toBase64, type Metadata, type RoutingPlan } from "@countersign/crdt-model";
import { useDemoAgency, enrollDemoPerson, readLocal, type Person } from "./demo-session.ts";
import { pageBundle } from "../bench/app/page-bundle.ts";
import { testMetadata } from "../integration/support/agency-server.ts";
import type { Bench } from "../bench/app/page/entry.ts";

declare global {
  interface Window {
    __bench: Bench;
  }
}

const agency = useDemoAgency();
const AGENCY = "A-DEMO-EDU";
const OFFICER = "chen";
const N = 200;

const plan = (): RoutingPlan => ({
  v: 1,
  stages: [
    { kind: "single", step: { id: asStepId("review"), type: "review", assignee: { kind: "person", person: asPersonId("lin") }, label: "科長核稿" } },
    { kind: "single", step: { id: asStepId("decide"), type: "decide", assignee: { kind: "person", person: asPersonId("lin") }, label: "決行" } },
  ],
  decisionLevel: 3,
  deputies: [],
});

const metadata = (): Metadata => testMetadata({ agency: AGENCY as Metadata["agency"], caseOfficer: asPersonId(OFFICER) });

/** The app's login token of this page's tab: the server-side client acts as the same person. */
const tokenOf = (page: Page) =>
  page.evaluate(() => {
    for (let i = 0; i < sessionStorage.length; i++) {
      const k = sessionStorage.key(i)!;
      if (k.startsWith("countersign:token:")) return (JSON.parse(sessionStorage.getItem(k)!) as { token: string }).token;
    }
    throw new Error("no login token in this tab");
  });

interface ServerRow {
  doc: string;
  subject: string;
  status: string;
  holders: string[];
  participants: string[];
}

/** The case officer's third client: POST /api/sync and the listing, with her token. */
function serverClient(base: string, token: string) {
  const call = async <T,>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  type Answer = { pushed: { doc: string; ok: boolean; reason?: string }[]; docs: { doc: string; update: string }[] };
  return {
    sync: (body: unknown) => call<Answer>("/api/sync", body),
    /** The server's copies of `ids`, whole. */
    async copies(ids: string[]): Promise<Map<string, CountersignDocument>> {
      const res = await call<Answer>("/api/sync", { v: 1, push: [], have: ids.map((doc) => ({ doc, sv: "AA==" })) });
      const out = new Map<string, CountersignDocument>();
      for (const d of res.docs) {
        const r = CountersignDocument.fromUpdate(fromBase64(d.update));
        if (!r.ok) throw new Error(r.reason);
        out.set(d.doc, r.value);
      }
      return out;
    },
    /** The server's index rows of this person's documents (the participation listing, every page). */
    async rows(): Promise<Map<string, ServerRow>> {
      const out = new Map<string, ServerRow>();
      let after = "";
      for (;;) {
        const page = await call<{ docs: ServerRow[]; next?: string | null }>(`/api/docs${after ? `?after=${encodeURIComponent(after)}` : ""}`);
        for (const r of page.docs) out.set(r.doc, r);
        if (!page.next) return out;
        after = page.next;
      }
    },
  };
}

const itemTexts = (doc: CountersignDocument): string[] => {
  const out: string[] = [];
  const walk = (xs: ReturnType<CountersignDocument["body"]>) => xs.forEach((x) => (out.push(x.text), walk(x.children)));
  walk(doc.body("explanation"));
  return out;
};

/** A device's index rows of `ids` and the length of its queue, read raw from its local database. */
async function localRows(page: Page, ids: string[]) {
  const rows = await readLocal<ServerRow>(page, "docs", ids);
  return { rows, pending: (await readLocal(page, "pending")).length };
}

/** The first device: the case officer enrolled from the demo list, her inbox open, the bench bundle injected. */
async function firstDevice(bundle: string, errors: string[]): Promise<Person> {
  const who = await enrollDemoPerson(agency.browser, agency.server.base, OFFICER, { width: 1280, errors, bypassCSP: true });
  await who.page.addScriptTag({ content: bundle });
  return who;
}

/**
 * Her second device: the demo's code is spent, so the administrator hands out a new one
 * (POST /api/people/:id/enrollment-code) and she types it on the home page of another context.
 */
async function secondDevice(bundle: string, errors: string[]): Promise<Person> {
  const admin = await enrollDemoPerson(agency.browser, agency.server.base, "admin", { width: 1280, errors });
  const res = await fetch(`${agency.server.base}/api/people/${OFFICER}/enrollment-code`, { method: "POST", headers: { authorization: `Bearer ${await tokenOf(admin.page)}` } });
  expect(res.status).toBe(200);
  const { code } = (await res.json()) as { code: string };
  await admin.context.close();
  const context = await agency.browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${agency.server.base}/`);
  await page.getByLabel("啟用碼").fill(code);
  await page.getByRole("button", { name: "註冊此裝置" }).click();
  await page.waitForURL(/\/inbox$/, { timeout: 30_000 });
  await expect.poll(() => page.getByTestId("sync-state").getAttribute("data-mode"), { timeout: 60_000 }).toBe("synced");
  await page.addScriptTag({ content: bundle });
  return { context, page };
}

/** When the device's last sync completed (its local meta), or null. */
const lastSynced = async (page: Page) => (await readLocal<{ value: string }>(page, "meta", ["lastSyncedAt"]))[0]?.value ?? null;

/** Waits for a sync completed after `since` (the header reads 已同步 from before it, too). */
async function syncedAfter(who: Person, since: string | null): Promise<void> {
  await expect.poll(async () => (await lastSynced(who.page)) !== since && (await who.page.getByTestId("sync-state").getAttribute("data-mode")) === "synced", { timeout: 120_000 }).toBe(true);
}

/** Reloads the inbox (its start sync is a full one), waits for that sync, and injects the bundle again. */
async function resync(who: Person, bundle: string): Promise<void> {
  const since = await lastSynced(who.page);
  await who.page.reload();
  await syncedAfter(who, since);
  await who.page.addScriptTag({ content: bundle });
}

describe("convergence in the browser", () => {
  it(`${N} documents edited offline on two devices and on the server converge: every copy and index row as the server's`, { timeout: 300_000 }, async () => {
    const errors: string[] = [];
    const bundle = await pageBundle();
    const a = await firstDevice(bundle, errors);
    const b = await secondDevice(bundle, errors);
    const server = serverClient(agency.server.base, await tokenOf(a.page));

    // The case officer drafts them elsewhere (one batch); both devices download them.
    const ids = Array.from({ length: N }, (_, i) => `conv-${String(i).padStart(3, "0")}`);
    const created = await server.sync({
      v: 1,
      push: ids.map((id, i) => {
        const made = CountersignDocument.create({ id: asDocId(id), metadata: metadata(), subject: `收斂測試第${i}件`, plan: plan() });
        if (!made.ok) throw new Error(made.reason);
        made.value.addItem("explanation", null, "依據本局計畫辦理。");
        return { doc: id, update: toBase64(made.value.encodeState()) };
      }),
      have: [],
    });
    expect(created.pushed.filter((p) => !p.ok)).toEqual([]);
    for (const who of [a, b]) await resync(who, bundle);
    for (const who of [a, b]) expect((await localRows(who.page, ids)).rows.filter((r) => !r).length).toBe(0);

    // Offline: each device adds an item to every document, through the app's local store (queued).
    for (const [who, tag] of [[a, "甲裝置離線補充。"], [b, "乙裝置離線補充。"]] as const) {
      await who.context.setOffline(true);
      const queued = await who.page.evaluate(([agencyCode, person, docs, text]) => window.__bench.editOffline(agencyCode, person, [...docs], text), [AGENCY, OFFICER, ids, tag] as const);
      expect(queued).toBe(N);
    }
    // Meanwhile the server's copies change: the third client rewrites every 主旨.
    const before = await server.copies(ids);
    const wantSubject = new Map<string, string>();
    const push = ids.map((id) => {
      const doc = before.get(id)!;
      const sv = doc.stateVector();
      const subject = `${doc.subject()}（另一裝置修正）`;
      doc.setSubject(subject);
      wantSubject.set(id, subject);
      return { doc: id, update: toBase64(doc.encodeState(sv)) };
    });
    const edited = await server.sync({ v: 1, push, have: [] });
    expect(edited.pushed.filter((p) => !p.ok)).toEqual([]);

    // The network returns: each app reconciles on its own (its `online` sync), then once more so
    // that each holds what the other sent after its sync.
    const since = await Promise.all([a, b].map((who) => lastSynced(who.page)));
    for (const who of [a, b]) await who.context.setOffline(false);
    for (const [i, who] of [a, b].entries()) await syncedAfter(who, since[i]!);
    for (const who of [a, b]) await resync(who, bundle);

    const copies = await server.copies(ids);
    const rows = await server.rows();
    for (const [name, who] of [["甲", a], ["乙", b]] as const) {
      const states = await who.page.evaluate(([agencyCode, person, docs]) => window.__bench.states(agencyCode, person, [...docs]), [AGENCY, OFFICER, ids] as const);
      const wrong: string[] = [];
      for (const st of states) {
        const c = copies.get(st.id)!;
        const items = itemTexts(c);
        if (st.subject !== wantSubject.get(st.id) || c.subject() !== st.subject) wrong.push(`${st.id} 主旨 ${st.subject}`);
        if (!items.includes("甲裝置離線補充。") || !items.includes("乙裝置離線補充。")) wrong.push(`${st.id}: the server lacks an offline item (${items.join("/")})`);
        if (JSON.stringify(st.items) !== JSON.stringify(items)) wrong.push(`${st.id}: items ${st.items.join("/")} ≠ the server's ${items.join("/")}`);
        if (st.sv !== toBase64(c.stateVector())) wrong.push(`${st.id}: state vector differs from the server's`);
      }
      const local = await localRows(who.page, ids);
      expect(local.pending, `device ${name}: changes left unsent`).toBe(0);
      for (const [i, r] of local.rows.entries()) {
        const s = rows.get(ids[i]!)!;
        const pick = (x: ServerRow) => ({ subject: x.subject, status: x.status, holders: [...x.holders].sort(), participants: [...x.participants].sort() });
        if (!r || JSON.stringify(pick(r)) !== JSON.stringify(pick(s))) wrong.push(`${ids[i]}: index row ${JSON.stringify(r && pick(r))} ≠ the server's ${JSON.stringify(pick(s))}`);
      }
      expect(wrong.slice(0, 5), `device ${name}: ${wrong.length} differences`).toEqual([]);
    }
    await a.page.screenshot({ path: "test-results/convergence-inbox-a.png" });
    expect(errors).toEqual([]);
    await a.context.close();
    await b.context.close();
  });
});
