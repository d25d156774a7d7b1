// 發文字號 reservation on both stores: unique across two Store handles on one database (two server
// processes) under concurrent calls, the same number again for the same document, and the 代字.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseDispatchNumber, parseDocId, type DocId } from "@countersign/crdt-model";
import { freshDatabase, startPostgres, type Service } from "../../../tests/support/services.ts";
import { openSqliteStore } from "../storage/sqlite.ts";
import { openPostgresStore } from "../storage/postgres.ts";
import { SETTINGS } from "../storage/settings.ts";
import type { Store } from "../storage/types.ts";
import { checkDispatchPrefix, defaultDispatchPrefix, dispatchPrefix, dispatchReservation, reserveDispatchNumber, reservedFor, setDispatchPrefix } from "./numbers.ts";

const docId = (s: string): DocId => {
  const d = parseDocId(s);
  if (!d.ok) throw new Error(d.reason);
  return d.value;
};
const at = new Date("2026-03-02T01:00:00Z"); // ROC 115, 2026-03-02 in Taipei

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

let pgServer: Service | undefined;
beforeAll(async () => {
  pgServer = await startPostgres();
}, 120_000);
afterAll(async () => {
  await pgServer?.stop();
});

/** Two handles on one database: what two server processes sharing the agency's store hold. */
const engines: Record<string, () => Promise<[Store, Store]>> = {
  sqlite: async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-numbers-"));
    const file = path.join(dir, "store.db");
    const a = openSqliteStore(file);
    const b = openSqliteStore(file);
    cleanups.push(async () => {
      await a.close();
      await b.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    return [a, b];
  },
  postgres: async () => {
    const db = await freshDatabase(pgServer!.url);
    const a = await openPostgresStore(db.url);
    const b = await openPostgresStore(db.url);
    cleanups.push(async () => {
      await a.close();
      await b.close();
      await db.drop();
    });
    return [a, b];
  },
};

for (const [name, open] of Object.entries(engines)) {
  describe(`發文字號 on ${name}`, () => {
    it("never hands one number to two documents, however many ask at once through two store handles", async () => {
      const [a, b] = await open();
      const docs = Array.from({ length: 30 }, (_, i) => docId(`disp-${i}`));
      const got = await Promise.all(docs.map((doc, i) => reserveDispatchNumber(i % 2 ? a : b, { prefix: "示教", doc, now: at })));
      const numbers = got.map((r) => (r.ok ? r.value.number : r.reason));
      expect(new Set(numbers).size).toBe(30);
      for (const n of numbers) expect(parseDispatchNumber(n).ok).toBe(true);
      expect(got.map((r) => (r.ok ? r.value.serial : 0)).sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(numbers).toContain("示教字第1150000001號");
      // Each is recorded against its document, whichever handle reserved it.
      for (const [i, r] of got.entries()) {
        if (!r.ok) throw new Error(r.reason);
        expect((await dispatchReservation(i % 2 ? b : a, r.value.number))?.doc).toBe(docs[i]);
        expect(r.value.date).toBe("2026-03-02");
        expect(r.value.year).toBe(115);
      }
    });

    it("answers a document that asks again with its number, and a new day's date", async () => {
      const [a, b] = await open();
      const doc = docId("disp-again");
      const first = await reserveDispatchNumber(a, { prefix: "示教", doc, now: at });
      const again = await reserveDispatchNumber(b, { prefix: "示教", doc, now: new Date("2026-03-03T02:00:00Z") });
      if (!first.ok || !again.ok) throw new Error("not reserved");
      expect(again.value.number).toBe(first.value.number);
      expect(again.value.date).toBe("2026-03-03");
      expect((await reservedFor(a, doc))?.date).toBe("2026-03-03");
      const other = await reserveDispatchNumber(a, { prefix: "示教", doc: docId("disp-other"), now: at });
      expect(other.ok && other.value.serial).toBe(2);
    });

    it("restarts the serial in a new ROC year and refuses a prefix that makes no 發文字號", async () => {
      const [a] = await open();
      await reserveDispatchNumber(a, { prefix: "示教", doc: docId("y1"), now: at });
      const next = await reserveDispatchNumber(a, { prefix: "示教", doc: docId("y2"), now: new Date("2026-12-31T16:30:00Z") }); // 2027-01-01 in Taipei
      expect(next.ok && next.value.number).toBe("示教字第1160000001號");
      const bad = await reserveDispatchNumber(a, { prefix: "ABC", doc: docId("y3"), now: at });
      expect(!bad.ok && bad.code).toBe("dispatch.prefix");
      expect(await dispatchReservation(a, "示教字第1150000099號")).toBeUndefined();
    });

    it("takes the 代字 from the agency's setting, else from its name", async () => {
      const [a] = await open();
      await a.setSetting(SETTINGS.name, "示範市政府教育局");
      expect(await dispatchPrefix(a)).toBe("示範");
      expect((await setDispatchPrefix(a, "示教")).ok).toBe(true);
      expect(await dispatchPrefix(a)).toBe("示教");
      const refused = await setDispatchPrefix(a, "示教字第");
      expect(!refused.ok && refused.code).toBe("dispatch.prefix");
      expect(await dispatchPrefix(a)).toBe("示教");
    });
  });
}

describe("代字", () => {
  it("is one to ten Han characters; the default is the name's first two", () => {
    expect(checkDispatchPrefix("府教").ok).toBe(true);
    expect(checkDispatchPrefix("").ok).toBe(false);
    expect(checkDispatchPrefix("A1").ok).toBe(false);
    expect(defaultDispatchPrefix("Test Agency 測試局")).toBe("測試");
    expect(defaultDispatchPrefix(undefined)).toBe("發");
  });
});
