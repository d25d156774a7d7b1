// Issue 12, "also found": enrollment and login challenges are rate-limited per address and unanswered
// challenges are capped; the registry desk creates people only up to its own level and with the
// roles the agency lets it grant.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgency, type RunningAgency } from "./support/agency-server.ts";

let a: RunningAgency;
beforeAll(async () => {
  a = await startAgency({}, { gates: { challenge: { perAddressBurst: 5, perAddressPerSecond: 0.01 }, enroll: { perAddressBurst: 3, perAddressPerSecond: 0.01 }, maxChallenges: 1000 } });
});
afterAll(async () => {
  await a?.stop();
});

async function post(path: string, body: unknown, token?: string): Promise<{ status: number; json: Record<string, unknown>; retryAfter: string | null }> {
  const res = await fetch(`${a.http}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, retryAfter: res.headers.get("retry-after") };
}

describe("rate limits on the identity endpoints", () => {
  it("login challenges from one address are rate-limited with 429 and Retry-After, and the server keeps serving", async () => {
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await post("/api/login/challenge", {}));
    expect(answers.slice(0, 5).every((r) => r.status === 200)).toBe(true);
    const refused = answers[5]!;
    expect(refused.status).toBe(429);
    expect(refused.json.reason).toMatch(/^Too many login attempts from this address; try again in \d+ s\.$/);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect((await fetch(`${a.http}/healthz`)).status).toBe(200);
  });

  it("enrollment attempts from one address are rate-limited with 429", async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await post("/api/enroll", { code: "AAAA-BBBB-CCCC-DDDD", csr: "x" })).status);
    expect(statuses).toEqual([400, 400, 400, 429, 429]);
  });
});

describe("unanswered login challenges are capped", () => {
  it("past the cap a challenge is refused with 503 until the waiting ones expire", async () => {
    const small = await startAgency({}, { gates: { maxChallenges: 3 } });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await fetch(`${small.http}/api/login/challenge`, { method: "POST" })).status);
      expect(statuses).toEqual([200, 200, 200, 503, 503]);
      const r = await fetch(`${small.http}/api/login/challenge`, { method: "POST" });
      expect(((await r.json()) as { reason: string }).reason).toBe("Too many login challenges are waiting to be answered; try again in a minute.");
      expect(r.headers.get("retry-after")).toBe("60");
    } finally {
      await small.stop();
    }
  });
});

describe("the registry desk's reach when adding people", () => {
  const person = (over: Record<string, unknown>) => ({ id: `P-new-${Math.random().toString(36).slice(2, 8)}`, name: "新同仁", unit: "U-STU", level: 1, roles: ["case-officer"], ...over });

  it("the registry desk cannot create a person above its own level or with a role it may not grant (403 and the sentence)", async () => {
    const t = a.people.registry.token;
    expect(await post("/api/people", person({ level: 20 }), t)).toMatchObject({ status: 403, json: { code: "directory.not-permitted", reason: "The registry desk may add people up to its own level (1) only." } });
    expect(await post("/api/people", person({ roles: ["supervisor"] }), t)).toMatchObject({
      status: 403,
      json: { code: "directory.not-permitted", reason: 'The registry desk may grant only the roles this agency lets it grant (case-officer); "supervisor" needs an administrator.' },
    });
    expect(await post("/api/people", person({ roles: ["admin"] }), t)).toMatchObject({ status: 403, json: { reason: "Only an administrator may grant the administrator role." } });
    const made = await post("/api/people", person({}), t);
    expect(made.status).toBe(200);
    expect(made.json).toMatchObject({ person: { level: 1, roles: ["case-officer"] } });
  });

  it("the roles the desk may grant are an agency setting that only an administrator changes", async () => {
    const res = await fetch(`${a.http}/api/directory/registry-roles`, { headers: { authorization: `Bearer ${a.people.registry.token}` } });
    expect(await res.json()).toEqual({ roles: ["case-officer"] });
    const put = await fetch(`${a.http}/api/directory/registry-roles`, {
      method: "PUT",
      headers: { authorization: `Bearer ${a.people.registry.token}`, "content-type": "application/json" },
      body: JSON.stringify({ roles: ["supervisor"] }),
    });
    expect(put.status).toBe(403);
  });
});
