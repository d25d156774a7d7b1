// The mail queue of both stores (migration 10): the same calls, the same answers, on a real SQLite file
// and a real PostgreSQL database — dedupe keys queued once (also within one call), due items by next
// attempt, updates, counts, and the reminders' candidates (open, controlled, not 專案管制, due by a day).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uncheckedFromStore, type TimeFacts } from "@countersign/crdt-model";
import { freshDatabase, startPostgres, type Service } from "../../../tests/support/services.ts";
import { openPostgresStore } from "./postgres.ts";
import { openSqliteStore } from "./sqlite.ts";
import type { MailItem, Store } from "./types.ts";

const d = uncheckedFromStore;
const AT = "2026-12-07T01:00:00.000Z";

const mail = (over: Partial<MailItem> = {}): MailItem => ({
  dedupe: null,
  to: ["a@example.gov.tw"],
  subject: "稽催通知單",
  text: "內文",
  html: "<p>內文</p>",
  kind: "notice",
  person: "person:P1",
  unit: "U1",
  docs: ["D1"],
  attempts: 0,
  nextAttemptAt: AT,
  lastError: null,
  status: "pending",
  sentAt: null,
  createdAt: AT,
  ...over,
});

function facts(doc: string, over: Partial<TimeFacts>): TimeFacts {
  return {
    doc: d.doc(doc),
    unit: d.unit("U1"),
    caseOfficer: d.person("P1"),
    kind: "letter",
    speed: "ordinary",
    secrecy: "none",
    origin: "received",
    incoming: "paper",
    outgoing: null,
    startedAt: "2026-11-30T01:00:00.000Z",
    startDay: "2026-11-30",
    controlled: true,
    baseDue: "2026-12-08",
    due: "2026-12-08",
    extensions: [],
    projectControl: false,
    closedAt: null,
    closeDay: null,
    closing: null,
    mode: "online",
    daysUsed: 1,
    overdue: false,
    lateReason: null,
    updatedAt: AT,
    ...over,
  };
}

function contract(name: string, open: () => Promise<{ store: Store; cleanup(): Promise<void> }>) {
  describe(`${name}: the mail queue`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, cleanup } = await open());
    });
    afterAll(async () => cleanup());

    it("queues, skips a dedupe key already queued, and answers what it added with ids", async () => {
      const added = await store.enqueueMail([mail({ dedupe: "reminder:P1:2026-12-07" }), mail({ dedupe: "reminder:P1:2026-12-07" }), mail()]);
      expect(added.map((m) => m.dedupe)).toEqual(["reminder:P1:2026-12-07", null]);
      expect(added.every((m) => Number.isInteger(m.id))).toBe(true);
      expect(await store.enqueueMail([mail({ dedupe: "reminder:P1:2026-12-07" })])).toEqual([]);
      expect(await store.mailCounts()).toEqual({ pending: 2, sent: 0, failed: 0 });
      const [first] = await store.mailQueue({ status: "pending", limit: 1 });
      expect(first).toEqual({ ...mail(), id: added[1]!.id });
    });

    it("claims due items by next attempt (claimed ones are not due again until the lease ends), and takes updates", async () => {
      const [a, b] = (await store.mailQueue()).reverse();
      await store.updateMail(a!.id!, { attempts: 1, nextAttemptAt: "2026-12-07T02:00:00.000Z", lastError: "down", status: "pending", sentAt: null });
      const LEASE = "2026-12-07T03:00:00.000Z";
      expect((await store.claimMail(AT, LEASE, 10)).map((m) => [m.id, m.nextAttemptAt])).toEqual([[b!.id, AT]]);
      expect(await store.claimMail(AT, LEASE, 10)).toEqual([]);
      expect((await store.claimMail("2026-12-07T02:00:00.000Z", LEASE, 10)).map((m) => m.id)).toEqual([a!.id]);
      expect((await store.claimMail(LEASE, "2026-12-07T04:00:00.000Z", 10)).map((m) => m.id)).toEqual([a!.id, b!.id]); // same time: by id
      const [x, y] = await Promise.all([store.claimMail("2026-12-07T04:00:00.000Z", "2026-12-07T05:00:00.000Z", 10), store.claimMail("2026-12-07T04:00:00.000Z", "2026-12-07T05:00:00.000Z", 10)]);
      expect([...x!, ...y!].map((m) => m.id).sort()).toEqual([a!.id, b!.id].sort());
      await store.updateMail(b!.id!, { attempts: 1, nextAttemptAt: AT, lastError: null, status: "sent", sentAt: AT });
      expect(await store.mailCounts()).toEqual({ pending: 1, sent: 1, failed: 0 });
      await expect(store.updateMail(999_999, { attempts: 1, nextAttemptAt: AT, lastError: null, status: "sent", sentAt: AT })).rejects.toThrow();
    });

    it("lists the reminders' candidates: open, controlled, not 專案管制, due by the day, with the index row's subject, numbers and holders", async () => {
      for (const doc of ["D-soon", "D-late", "D-far", "D-closed", "D-proj", "D-free", "D-other"])
        await store.putIndex({
          doc: d.doc(doc),
          kind: "letter",
          subject: `主旨 ${doc}`,
          status: "in-review",
          secrecy: "none",
          unit: d.unit(doc === "D-other" ? "U2" : "U1"),
          caseOfficer: d.person("P1"),
          dueDate: null,
          participants: ["person:P1"],
          holders: ["person:P2", "unit:U1"],
          updatedAt: AT,
          receiptNumber: doc === "D-late" ? "1150000001" : null,
        });
      await store.putTimeFacts([
        facts("D-soon", {}),
        facts("D-late", { due: "2026-12-01" }),
        facts("D-far", { due: "2026-12-31" }),
        facts("D-closed", { due: "2026-12-01", closedAt: AT, closeDay: "2026-12-07", closing: "dispatch" }),
        facts("D-proj", { due: "2026-12-01", projectControl: true }),
        facts("D-free", { controlled: false, due: null, baseDue: null }),
        facts("D-other", { unit: d.unit("U2"), due: "2026-12-02" }),
      ]);
      const all = await store.mailCandidates("2026-12-09");
      expect(all.map((c) => c.doc)).toEqual(["D-late", "D-other", "D-soon"]);
      expect(all[0]).toEqual({ doc: "D-late", unit: "U1", caseOfficer: "P1", due: "2026-12-01", subject: "主旨 D-late", holders: ["person:P2", "unit:U1"], receiptNumber: "1150000001", docNumber: null });
      expect((await store.mailCandidates("2026-12-09", d.unit("U2"))).map((c) => c.doc)).toEqual(["D-other"]);
      expect((await store.mailCandidates("2026-12-01")).map((c) => c.doc)).toEqual(["D-late"]);
    });
  });
}

contract("SQLite", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cs-mail-"));
  const store = openSqliteStore(path.join(dir, "countersign.db"));
  return { store, cleanup: async () => (await store.close(), fs.rmSync(dir, { recursive: true, force: true })) };
});

let server: Service | undefined;
contract("PostgreSQL", async () => {
  server = await startPostgres();
  const db = await freshDatabase(server.url);
  const store = await openPostgresStore(db.url);
  return {
    store,
    cleanup: async () => {
      await store.close();
      await db.drop();
      await server?.stop();
    },
  };
});
