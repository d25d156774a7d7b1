// The demo's six months of history (demo-history*.ts): the plan is deterministic for a seed and
// "now" and spread as the follow-up desk needs it; stored through real relay rooms on a real SQLite
// store, every chain verifies and the agency's receipts carry the historical times.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CountersignDocument, derive, officeCalendar, taipeiDay, type WorkflowState } from "@countersign/crdt-model";
import { runInit } from "./init.ts";
import { dbPath } from "./data-dir.ts";
import { addDemoDirectory, DEMO_AGENCY } from "./demo-directory.ts";
import { createDemoHistory, demoCalendarYears, historyNotBefore, storedSteps, type HistoryResult } from "./demo-history.ts";
import { historySpread, planHistory, type PlannedDoc } from "./demo-history-plan.ts";
import { openSqliteStore } from "../storage/sqlite.ts";
import type { DocIndexRow, EntryReceipt } from "../storage/types.ts";
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
  const states = new Map<string, WorkflowState>();
  const receipts = new Map<string, EntryReceipt[]>();
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
      result = await createDemoHistory(store, agency.value, { now: NOW, calendar: cal });
      rows = await store.queryIndex({ limit: 1000 });
      const trust = await buildTrustStore(store);
      if (!trust.ok) throw new Error(trust.reason);
      for (const r of rows) {
        const ydoc = new Y.Doc();
        for (const u of await store.readUpdates(r.doc)) Y.applyUpdate(ydoc, u.data);
        states.set(r.doc, await derive(CountersignDocument.wrap(ydoc), trust.value));
        receipts.set(r.doc, await store.receipts(r.doc));
      }
    } finally {
      await store.close();
    }
  }, 180_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const planned = (id: string): PlannedDoc => result.docs.find((d) => d.id === id)!;

  it("stores every planned document, and every signed entry of each verifies", () => {
    expect(rows.map((r) => r.doc).sort()).toEqual(result.docs.map((d) => d.id).sort());
    for (const r of rows) {
      const s = states.get(r.doc)!;
      expect({ doc: r.doc, valid: s.valid, findings: s.findings }).toEqual({ doc: r.doc, valid: true, findings: [] });
    }
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
});
