// The demo's six months of history (demo-history*.ts): the plan is deterministic for a seed and
// "now" and spread as the follow-up desk needs it; stored through real relay rooms on a real SQLite
// store, every chain verifies and the agency's receipts carry the historical times.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { asDocId, CountersignDocument, derive, officeCalendar, taipeiDay, timeFactsOf, VerifyCache, type Incoming, type TimeFacts, type WorkflowState } from "@countersign/crdt-model";
import { Deadlines } from "../deadline/service.ts";
import { TrustCache } from "../http/trust-cache.ts";
import { runInit } from "./init.ts";
import { dbPath } from "./data-dir.ts";
import { addDemoDirectory, DEMO_AGENCY } from "./demo-directory.ts";
import { createDemoPeer, DEMO_PEER } from "./demo-peer.ts";
import { createDemoHistory, demoCalendarYears, historyNotBefore, storedSteps, V3_READY, type HistoryResult } from "./demo-history.ts";
import { historySpread, planHistory, type PlannedDoc } from "./demo-history-plan.ts";
import { openSqliteStore } from "../storage/sqlite.ts";
import type { DocIndexRow, EntryReceipt, Store } from "../storage/types.ts";
import { resolvePassphrase } from "../identity/passphrase.ts";
import { loadAgency } from "../identity/agency.ts";
import { buildTrustStore } from "../identity/trust.ts";

const cal = officeCalendar(demoCalendarYears());
/** A Friday afternoon in Taipei (15:00), inside the demo's imported year 115. */
const NOW = new Date("2026-11-27T07:00:00Z");

describe("the history plan", () => {
  it("is the same for the same seed and now, and another for another seed", () => {
    const a = planHistory({ now: NOW, seed: 115, calendar: cal });
    const b = planHistory({ now: NOW, seed: 115, calendar: cal });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(planHistory({ now: NOW, seed: 116, calendar: cal }))).not.toBe(JSON.stringify(a));
  });

  // Today's date too: `countersign demo` plans relative to the real now.
  for (const [name, now] of [
    ["a fixed Friday", NOW],
    ["today", new Date()],
    ["a Monday morning", new Date("2026-10-12T01:00:00Z")],
  ] as const) {
    it(`gives the follow-up desk every case (${name})`, () => {
      const docs = planHistory({ now, seed: 115, calendar: cal });
      const s = historySpread(docs, cal, now);
      expect(s.documents).toBeGreaterThanOrEqual(150);
      expect(s.documents).toBeLessThanOrEqual(300);
      expect(s.received).toBeGreaterThanOrEqual(15);
      expect(s.late).toBeGreaterThanOrEqual(15);
      expect(s.extended).toBeGreaterThanOrEqual(5);
      expect(s.refused).toBeGreaterThanOrEqual(1);
      expect(s.project).toBe(1);
      expect(s.paper).toBeGreaterThanOrEqual(10);
      expect(s.secret).toBeGreaterThanOrEqual(2);
      expect(s.openOverdue).toBeGreaterThanOrEqual(3);
      expect(s.dueSoon).toBeGreaterThanOrEqual(1);
      // Every unit that drafts has documents, and every step lies before now, in order.
      expect(new Set(docs.map((d) => d.unit))).toEqual(new Set(["U-STU", "U-PER", "U-ACC"]));
      for (const d of docs) {
        const times = d.steps.map((st) => st.at.getTime());
        expect(times.every((t, i) => t < now.getTime() && (i === 0 || t > times[i - 1]!)), d.id).toBe(true);
        expect(taipeiDay(d.steps[0]!.at)).toBe(d.startDay);
      }
    });
  }
});

describe("the history stored (countersign demo's first part)", () => {
  let root = "";
  let result: HistoryResult;
  let rows: DocIndexRow[] = [];
  const incomings = new Map<string, Incoming>();
  let exchanges: Awaited<ReturnType<Store["exchanges"]>> = [];
  const states = new Map<string, WorkflowState>();
  const receipts = new Map<string, EntryReceipt[]>();
  const facts = new Map<string, TimeFacts>();
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "countersign-history-"));
    const io = { out: () => {}, err: (l: string) => console.error(l) };
    expect(await runInit(["--data", root, "--agency-code", DEMO_AGENCY.code, "--agency-name", DEMO_AGENCY.name], io, { caNotBefore: historyNotBefore(NOW) })).toBe(0);
    const store = openSqliteStore(dbPath(root));
    try {
      const dir = await addDemoDirectory(store, DEMO_AGENCY.code);
      if (!dir.ok) throw new Error(dir.reason);
      const pass = await resolvePassphrase({ dataDir: root });
      if (!pass.ok) throw new Error(pass.reason);
      const agency = await loadAgency(store, pass.value.passphrase);
      if (!agency.ok) throw new Error(agency.reason);
      // As `countersign demo` does: the office calendar of 115 first (the time facts count with it).
      await store.putCalendar(demoCalendarYears().map((y) => ({ ...y, importedAt: NOW.toISOString(), source: "demo-calendar-115.csv" })));
      const peer = await createDemoPeer(store, DEMO_AGENCY, NOW, historyNotBefore(NOW));
      if (!peer.ok) throw new Error(peer.reason);
      // The server's time facts as rooms write them, with the model's derivation (deadline/compute.ts
      // swaps it in for the server), then the backfill for the peer's letters (imported elsewhere).
      const deadlines = new Deadlines({ store, agency: agency.value.code, now: () => NOW, compute: timeFactsOf });
      result = await createDemoHistory(store, agency.value, { now: NOW, calendar: cal, peer: peer.value, timeFacts: deadlines.roomFacts });
      const t = new TrustCache(store);
      await deadlines.backfill("missing", { trust: () => t.get(), cache: new VerifyCache() });
      exchanges = await store.exchanges({ direction: "in" });
      rows = await store.queryIndex({ limit: 1000 });
      const trust = await buildTrustStore(store);
      if (!trust.ok) throw new Error(trust.reason);
      for (const r of rows) {
        const ydoc = new Y.Doc();
        for (const u of await store.readUpdates(r.doc)) Y.applyUpdate(ydoc, u.data);
        states.set(r.doc, await derive(CountersignDocument.wrap(ydoc), trust.value));
        const meta = CountersignDocument.wrap(ydoc).metadata();
        if (meta.ok && meta.value.incoming) incomings.set(r.doc, meta.value.incoming);
        receipts.set(r.doc, await store.receipts(r.doc));
        const f = await store.getTimeFacts(r.doc);
        if (f) facts.set(r.doc, f);
      }
    } finally {
      await store.close();
    }
  }, 180_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const planned = (id: string): PlannedDoc => result.docs.find((d) => d.id === id)!;

  it("stores every planned document, and every signed entry of each verifies", () => {
    expect(rows.map((r) => r.doc).sort()).toEqual([...result.docs.map((d) => d.id), ...result.incoming.map((p) => p.id)].sort());
    for (const r of rows) {
      const s = states.get(r.doc)!;
      expect({ doc: r.doc, valid: s.valid, findings: s.findings }).toEqual({ doc: r.doc, valid: true, findings: [] });
    }
  });

  it("gives every registered 收文 its 來文機關, 來文字號 and 收文日期 as fields (metadata.incoming), none to the others", () => {
    const received = result.docs.filter((d) => d.origin === "received");
    expect(received.length).toBeGreaterThan(0);
    for (const d of received) {
      const got = incomings.get(d.id);
      expect({ doc: d.id, receivedOn: got?.receivedOn }).toEqual({ doc: d.id, receivedOn: d.startDay });
      expect(got!.from.length).toBeGreaterThan(0);
      expect(got!.number).toMatch(/^.+字第\d{3}\d{7}號$/);
    }
    expect(incomings.size).toBe(received.length);
  });

  it("ends each document as planned: closed (發文, 存查, or a paper document's 歸檔), archived, or open", () => {
    for (const d of result.docs) {
      const s = states.get(d.id)!;
      const last = storedSteps(d).at(-1)!.kind;
      const expected =
        last === "archive" ? "archived" : last === "dispatch" ? "dispatched" : last === "close" ? "closed" : d.steps.some((st) => st.kind === "switch-to-paper") ? "on-paper" : undefined;
      if (expected) expect({ doc: d.id, status: s.status }).toEqual({ doc: d.id, status: expected });
      else expect(["in-review", "countersigning"]).toContain(s.status);
    }
    const by = (status: string) => rows.filter((r) => r.status === status).length;
    expect(by("archived")).toBeGreaterThan(50);
    expect(by("dispatched") + by("closed")).toBeGreaterThan(10);
  });

  it("keeps the historical times: the server's receipts are those of the plan, not today's", () => {
    for (const d of result.docs) {
      const got = receipts.get(d.id)!;
      expect(got.length, d.id).toBe(states.get(d.id)!.timeline.filter((t) => t.outcome === "applied").length);
      const first = got.map((r) => r.receivedAt).sort()[0]!;
      expect({ doc: d.id, day: taipeiDay(first) }).toEqual({ doc: d.id, day: d.startDay });
      const lastPlanned = storedSteps(d).at(-1)!.at;
      const last = got.map((r) => r.receivedAt).sort().at(-1)!;
      expect({ doc: d.id, day: taipeiDay(last) }).toEqual({ doc: d.id, day: taipeiDay(lastPlanned) });
    }
    expect(planned("hist-001").startDay < taipeiDay(new Date(NOW.getTime() - 150 * 86_400_000))).toBe(true);
  });

  it("receives the peer's letters by electronic exchange on their days, each imported from its envelope and assigned (分文)", () => {
    expect(result.incoming.length).toBeGreaterThanOrEqual(5);
    for (const p of result.incoming) {
      const row = rows.find((r) => r.doc === p.id)!;
      expect(row).toMatchObject({ status: "dispatched", participants: [`person:${p.officer}`] });
      expect(states.get(p.id)!.valid).toBe(true);
      const got = receipts.get(p.id)!;
      expect(got.map((r) => r.receivedAt)).toEqual(got.map(() => p.arrival.toISOString()));
      expect(exchanges.filter((e) => e.docs.includes(asDocId(p.id))).map((e) => [e.peer, e.purpose, e.status, e.at])).toEqual([[DEMO_PEER.code, "dispatch", "imported", p.arrival.toISOString()]]);
    }
  });

  it("ends with every document's time facts written, from the historical receipts", () => {
    expect(facts.size).toBe(rows.length);
    for (const d of result.docs) {
      const f = facts.get(d.id)!;
      const stored = storedSteps(d);
      const closing = stored.find((st) => st.kind === "dispatch" || st.kind === "close" || (st.kind === "archive" && stored.some((x) => x.kind === "paper-record")));
      expect({ doc: d.id, startDay: f.startDay, origin: f.origin, incoming: f.incoming, mode: f.mode, closeDay: f.closeDay }).toEqual({
        doc: d.id,
        startDay: d.startDay,
        origin: d.origin,
        incoming: d.origin === "received" ? "paper" : null,
        mode: stored.some((st) => st.kind === "switch-to-paper") ? "paper" : "online",
        closeDay: closing ? taipeiDay(closing.at) : null,
      });
      expect({ doc: d.id, due: f.due }).toEqual({ doc: d.id, due: d.dueInForce });
      // Late as planned: a closing that carries 逾期原因, or one after a 逾期原因 was signed.
      if (closing) expect({ doc: d.id, overdue: f.overdue }).toEqual({ doc: d.id, overdue: stored.some((st) => st.reason !== undefined && st.kind !== "extend-request") });
    }
    // Counted where 分文 put them: the assigned officer and his unit here, never the sender's unit.
    for (const p of result.incoming) expect(facts.get(p.id)).toMatchObject({ origin: "received", incoming: "exchange", startDay: taipeiDay(p.arrival), caseOfficer: p.officer, unit: "U-STU" });
    const letters = result.docs.filter((d) => storedSteps(d).some((st) => st.kind === "dispatch"));
    expect(letters.every((d) => facts.get(d.id)!.outgoing === "exchange")).toBe(true);
  });

  it.runIf(V3_READY)("records 展期 (approved, refused, 專案管制) and 逾期原因 as the chain says", () => {
    let approved = 0;
    let refused = 0;
    let project = 0;
    let reasons = 0;
    for (const d of result.docs) {
      const s = states.get(d.id)!;
      const decisions = d.steps.filter((st) => st.kind === "extend-decide");
      expect(s.extensions.map((x) => x.decision?.approved ?? null), d.id).toEqual(decisions.map((st) => st.approved));
      approved += s.extensions.filter((x) => x.decision?.approved).length;
      refused += s.extensions.filter((x) => x.decision?.approved === false).length;
      if (s.projectControl) project++;
      // A closing after the due date in force, or an overdue open document noted, carries its reason.
      const given = d.steps.find((st) => st.reason !== undefined && st.kind !== "extend-request");
      expect(s.lateReason, d.id).toBe(given?.reason ?? null);
      if (s.lateReason) reasons++;
    }
    expect({ approved: approved >= 5, refused: refused >= 1, project, reasons: reasons >= 10 }).toEqual({ approved: true, refused: true, project: 1, reasons: true });
  });
});
