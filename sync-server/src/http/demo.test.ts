import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { openSqliteStore } from "../storage/sqlite.ts";
import { AgencyServer } from "./server.ts";
import { parseDemoCodes, readDemoCodes } from "./demo.ts";
import { populate } from "../../../tests/integration/support/agency-server.ts";

const FILE = ["# 測試教育局 (A-TEST) — demo enrollment codes, one use each", "P-chief\t測試chief\tsupervisor\tAAAA-BBBB-CCCC-DDDD", "broken line", "P-ghost\t不存在\tcase-officer,bogus\tEEEE-FFFF-GGGG-HHHH", ""].join("\n");

describe("demo listing", () => {
  it("parses the demo-codes.txt lines, skipping comments, malformed lines and unknown roles", () => {
    expect(parseDemoCodes(FILE)).toEqual([
      { person: "P-chief", name: "測試chief", roles: ["supervisor"], code: "AAAA-BBBB-CCCC-DDDD" },
      { person: "P-ghost", name: "不存在", roles: ["case-officer"], code: "EEEE-FFFF-GGGG-HHHH" },
    ]);
  });

  it("is undefined for a data directory without demo-codes.txt", async () => {
    expect(await readDemoCodes(mkdtempSync(join(tmpdir(), "countersign-nodemo-")))).toBeUndefined();
  });
});

describe("GET /api/demo", () => {
  const servers: AgencyServer[] = [];
  let demoUrl = "";
  let plainUrl = "";
  beforeAll(async () => {
    const start = async (withDemo: boolean) => {
      const dir = mkdtempSync(join(tmpdir(), "countersign-demo-api-"));
      if (withDemo) writeFileSync(join(dir, "demo-codes.txt"), FILE);
      const store = openSqliteStore(join(dir, "countersign.db"));
      const { agency } = await populate(store);
      const demo = await readDemoCodes(dir);
      const server = new AgencyServer({ store, agency, log: pino({ level: "silent" }), port: 0, host: "127.0.0.1", demo });
      servers.push(server);
      return `http://127.0.0.1:${await server.start()}/api/demo`;
    };
    demoUrl = await start(true);
    plainUrl = await start(false);
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
  });

  it("lists the demo people with their unit and one-time code, without a login", async () => {
    const res = await fetch(demoUrl);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      agency: { code: "A-TEST", name: "測試教育局" },
      people: [
        { person: "P-chief", name: "測試chief", roles: ["supervisor"], code: "AAAA-BBBB-CCCC-DDDD", unit: "U-STU", unitName: "學務科" },
        { person: "P-ghost", name: "不存在", roles: ["case-officer"], code: "EEEE-FFFF-GGGG-HHHH", unit: null, unitName: null },
      ],
    });
  });

  it("This agency is not a demo agency. (404 without demo-codes.txt)", async () => {
    const res = await fetch(plainUrl);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "This agency is not a demo agency." });
  });
});
