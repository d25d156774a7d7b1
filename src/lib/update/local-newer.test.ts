// A local database written by a newer build, on fake-indexeddb with real Dexie: Dexie 4 opens it
// with this build's lower version without an error (its connection says the version found), raw IndexedDB
// refuses it (VersionError); both are reported with the versions, the database left as it was.
import "fake-indexeddb/auto";
import Dexie from "dexie";
import { describe, expect, it } from "vitest";
import { localNewerReported, onLocalNewer, reportIfNewer, reportIfOpenedNewer, reportLocalNewer } from "./local-newer.ts";

describe("a local database newer than this build", () => {
  it("is recognised from Dexie's VersionError and reported with the version found, the database left as it was", async () => {
    const name = `update-newer-${Date.now()}`;
    const newer = new Dexie(name);
    newer.version(7).stores({ docs: "doc", added: "id" });
    await newer.open();
    await newer.table("added").put({ id: 1, kept: true });
    newer.close();

    const seen: unknown[] = [];
    onLocalNewer((n) => seen.push(n));
    // Dexie opens it anyway: the check right after opening catches it.
    const older = new Dexie(name);
    older.version(4).stores({ docs: "doc" });
    await older.open();
    expect(older.verno).toBe(4); // Dexie's own number does not tell
    expect(reportIfOpenedNewer(older, 4)).toBe(true);
    older.close();
    expect(seen).toEqual([{ db: name, found: 7, known: 4 }]);

    // Raw IndexedDB at this build's version refuses with a VersionError, reported the same way.
    const error = await new Promise<unknown>((resolve) => {
      const req = indexedDB.open(name, 40);
      req.onsuccess = () => {
        req.result.close();
        resolve(null);
      };
      req.onerror = () => resolve(req.error);
    });
    expect((error as DOMException).name).toBe("VersionError");
    expect(await reportIfNewer(error, name, 4)).toBe(true);
    expect(localNewerReported()).toEqual({ db: name, found: 7, known: 4 });

    // Untouched: the newer build still reads its row.
    const again = new Dexie(name);
    again.version(7).stores({ docs: "doc", added: "id" });
    expect(await again.table("added").get(1)).toEqual({ id: 1, kept: true });
    again.close();
  });

  it("is not claimed for other errors or an older or equal version", async () => {
    expect(await reportIfNewer(new Error("quota"), "x", 4)).toBe(false);
    expect(reportLocalNewer("x", 4, 4)).toBe(false);
    expect(reportLocalNewer("x", 3, 4)).toBe(false);
    expect(reportIfOpenedNewer({ name: "x", backendDB: () => ({ version: 40 }) }, 4)).toBe(false);
  });
});
