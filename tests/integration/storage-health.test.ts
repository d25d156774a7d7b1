// Issue 12, "also found": with a store that cannot be written, /healthz must say so (503), requests
// that need a write answer 503 with a sentence (not 500), and once the store can be written again,
// writes resume without a restart.
//
// How the store is made read-only: the pentest's case is a server started while its database file
// could not be written — SQLite then opens the connection read-only and keeps it so. Tests here run
// as root, where chmod does not stop writes, so the store is opened with its test-only fault
// (SqliteFaults.readOnly: every connection gets PRAGMA query_only, and writes fail with
// SQLITE_READONLY exactly as on a read-only file). Clearing the fault plays the administrator fixing
// the file: the next reconnect gets a writable connection.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { openSqliteStore, AgencyServer, verifyToken, issueTicket } from "@countersign/sync-server";
import type { SqliteFaults } from "../../sync-server/src/storage/sqlite.ts";
import { BLOB_REFS_SETTING } from "../../sync-server/src/http/blob-refs.ts";
import { WebSocket } from "ws";
import { loginOverHttp, must, populate, tokenFor, until } from "./support/agency-server.ts";

describe("storage that cannot be written", () => {
  it("a read-only store makes /healthz answer 503 and logins 503 with a sentence; writes resume without a restart once it can be written", async () => {
    const dir = mkdtempSync(join(tmpdir(), "countersign-health-"));
    const file = join(dir, "countersign.db");
    const setup = openSqliteStore(file);
    const { agency, people } = await populate(setup);
    await setup.setSetting(BLOB_REFS_SETTING, new Date().toISOString());
    await setup.close();
    // A second, writable connection to the same file: what an officer's earlier login left behind.
    const writable = openSqliteStore(file);

    const faults: SqliteFaults = { readOnly: true };
    const store = openSqliteStore(file, faults);
    const server = new AgencyServer({ store, agency, log: pino({ level: "silent" }), port: 0, host: "127.0.0.1", limits: { healthMs: 200 } });
    const http = `http://127.0.0.1:${await server.start()}`;
    try {
      const health = await fetch(`${http}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ ok: false, writable: false, reason: expect.stringMatching(/^The store cannot be written: /) });

      const challenge = await fetch(`${http}/api/login/challenge`, { method: "POST" });
      expect(challenge.status).toBe(503);
      expect(await challenge.json()).toEqual({ ok: false, code: "http.unavailable", reason: "The agency's storage cannot be written at the moment; try again shortly." });
      // Reads still work.
      expect((await fetch(`${http}/api/agency`)).status).toBe(200);
      // A WebSocket whose ticket cannot be spent (a write) is told to come back (4503), not refused for good.
      const session = must(await verifyToken(agency, await tokenFor(writable, agency, people.officer)));
      const { ticket } = await issueTicket({ putChallenge: async () => true }, agency, session);
      const ws = new WebSocket(`${http.replace("http", "ws")}/sync/any-doc?ticket=${encodeURIComponent(ticket)}`);
      const closed = await new Promise<{ code: number; reason: string }>((r) => ws.on("close", (code, reason) => r({ code, reason: reason.toString() })));
      expect(closed).toEqual({ code: 4503, reason: "The server cannot check logins at the moment; try again shortly." });

      // The administrator fixes the file: no restart, the server's own health check reconnects.
      faults.readOnly = false;
      await until(async () => (await fetch(`${http}/healthz`)).status === 200, 10_000, "healthy again");
      expect(await (await fetch(`${http}/healthz`)).json()).toMatchObject({ ok: true, writable: true });
      expect(await loginOverHttp(http, people.officer)).toMatch(/\./);
    } finally {
      await server.stop();
      await writable.close();
    }
  });
});
