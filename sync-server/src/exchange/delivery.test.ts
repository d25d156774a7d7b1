import { describe, expect, it } from "vitest";
import { backoffDelay, deliveryUrl } from "./delivery.ts";
import { parseRetryAfter } from "./http-contract.ts";
import { ReceiveGate } from "./http-gate.ts";

describe("delivery back-off", () => {
  const o = { baseMs: 1000, maxMs: 60_000 };

  it("waits a random time below base·2^attempt, never above the cap", () => {
    expect(backoffDelay(0, o, () => 0.999)).toBe(999);
    expect(backoffDelay(3, o, () => 0.5)).toBe(4000);
    expect(backoffDelay(30, o, () => 0.999)).toBe(59_940);
    expect(backoffDelay(1000, o, () => 0.999)).toBeLessThan(60_000);
  });

  it("spreads retries of many senders over the whole window (full jitter)", () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const waits = Array.from({ length: 2000 }, () => backoffDelay(4, o, random));
    expect(Math.min(...waits)).toBeLessThan(1600);
    expect(Math.max(...waits)).toBeGreaterThan(14_400);
  });

  it("never waits less than 10 ms, so a retry loop cannot spin", () => {
    expect(backoffDelay(0, o, () => 0)).toBe(10);
  });
});

describe("peer addresses", () => {
  it("appends the delivery path to the peer's base address", () => {
    const u = deliveryUrl("https://docs.example.gov.tw/countersign/");
    expect(u.ok && u.value.href).toBe("https://docs.example.gov.tw/countersign/api/exchange/envelopes");
  });

  it("refuses an address that is not http(s) or carries a password", () => {
    expect(deliveryUrl("ftp://x.example")).toEqual({ ok: false, code: "federation.url", reason: 'The peer\'s address "ftp://x.example" is not an http(s) address.' });
    expect(deliveryUrl("https://u:p@x.example").ok).toBe(false);
    expect(deliveryUrl("not a url").ok).toBe(false);
  });

  it("reads Retry-After in seconds and as an HTTP date", () => {
    const now = new Date("2026-01-02T03:04:05Z");
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter("Fri, 02 Jan 2026 03:04:15 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

describe("the receiving endpoint's gate", () => {
  it("slows down an address that sends more than its burst, and lets it back as tokens return", () => {
    let t = 0;
    const gate = new ReceiveGate({ perAddressBurst: 3, perAddressPerSecond: 1, inFlight: 100 }, () => t);
    for (let i = 0; i < 3; i++) {
      const g = gate.enter("10.0.0.1");
      expect(g.ok).toBe(true);
      if (g.ok) g.release();
    }
    const refused = gate.enter("10.0.0.1");
    expect(refused).toMatchObject({ ok: false, retryAfterS: 1 });
    expect(gate.enter("10.0.0.2").ok).toBe(true);
    t += 1000;
    expect(gate.enter("10.0.0.1").ok).toBe(true);
  });

  it("charges refused envelopes more than accepted ones", () => {
    const gate = new ReceiveGate({ perAddressBurst: 10, perAddressPerSecond: 0.001, refusalCost: 5, inFlight: 100 }, () => 0);
    for (let i = 0; i < 2; i++) {
      const g = gate.enter("garbage");
      expect(g.ok).toBe(true);
      if (g.ok) g.release();
      gate.penalize("garbage");
    }
    expect(gate.enter("garbage").ok).toBe(false);
  });

  it("holds the number of imports in flight to its cap, whoever sends them", () => {
    const gate = new ReceiveGate({ inFlight: 2 }, () => 0);
    const a = gate.enter("a");
    const b = gate.enter("b");
    const c = gate.enter("c");
    expect([a.ok, b.ok, c.ok]).toEqual([true, true, false]);
    if (a.ok) a.release();
    if (a.ok) a.release(); // twice changes nothing
    expect(gate.enter("c").ok).toBe(true);
    expect(gate.enter("d").ok).toBe(false);
  });

  it("forgets the least recently seen addresses past its limit", () => {
    const gate = new ReceiveGate({ perAddressBurst: 1, perAddressPerSecond: 0.0001, inFlight: 1000, maxAddresses: 2 }, () => 0);
    for (const a of ["x", "y", "z"]) {
      const g = gate.enter(a);
      if (g.ok) g.release();
    }
    // "x" was forgotten, so it starts with a full bucket again; "z" is still remembered.
    expect(gate.enter("x").ok).toBe(true);
    expect(gate.enter("z").ok).toBe(false);
  });
});
