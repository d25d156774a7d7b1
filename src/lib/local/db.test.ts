// The local database found written by a newer build: reported for the update banner, never read or
// written (on fake-indexeddb, as Dexie 4 opens a higher version without an error).
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { Dexie } from "dexie";
import { LocalDb } from "./db.ts";
import { localNewerReported } from "$lib/update/local-newer.ts";

describe("the local database", () => {
  it("written by a newer build is reported and refused, its rows left as they were", async () => {
    const newer = new Dexie("t-newer-db");
    newer.version(9).stores({ docs: "doc, status, dueDate, updatedAt", pending: "++seq, doc", meta: "key", future: "id" });
    await newer.table("meta").put({ key: "from", value: "the future" });
    newer.close();

    const db = new LocalDb("t-newer-db");
    await expect(db.open()).rejects.toThrow(/newer version/);
    expect(localNewerReported()).toMatchObject({ db: "t-newer-db", known: db.verno });
    expect(localNewerReported()!.found).toBeGreaterThanOrEqual(9);

    const again = new Dexie("t-newer-db");
    again.version(9).stores({ docs: "doc, status, dueDate, updatedAt", pending: "++seq, doc", meta: "key", future: "id" });
    expect(await again.table("meta").get("from")).toEqual({ key: "from", value: "the future" });
    again.close();
  });
});
