// The client over fetch answers the server could give: parsed with the contract, refusals by code.
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, Unreachable, callApi, callRoute } from "./client.ts";

const answer = (status: number, body: unknown) => vi.fn(async () => new Response(typeof body === "string" ? body : JSON.stringify(body), { status }));
const AGENCY = { code: "A-DEMO", name: "示範機關", ca: "-----BEGIN CERTIFICATE-----", receiptKey: "-----BEGIN PUBLIC KEY-----" };

afterEach(() => vi.unstubAllGlobals());

describe("callApi", () => {
  it("returns the answer parsed with its route's schema (unknown fields dropped)", async () => {
    vi.stubGlobal("fetch", answer(200, { ...AGENCY, extra: 1 }));
    expect(await callApi("/api/agency")).toEqual(AGENCY);
  });

  it("refuses an answer that does not have the route's shape, with http.unexpected-answer", async () => {
    vi.stubGlobal("fetch", answer(200, { code: "A-DEMO" }));
    const e = await callApi("/api/agency").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 200, code: "http.unexpected-answer" });
  });

  it("carries a refusal's status, code and sentence; a code this app does not know is http.unrecognised", async () => {
    vi.stubGlobal("fetch", answer(401, { ok: false, code: "token.expired", reason: "The token has expired." }));
    expect(await callApi("/api/me", { token: "t" }).catch((x: unknown) => x)).toMatchObject({ status: 401, code: "token.expired", reason: "The token has expired." });
    vi.stubGlobal("fetch", answer(400, { ok: false, code: "from.the-future", reason: "Something new." }));
    expect(await callApi("/api/me").catch((x: unknown) => x)).toMatchObject({ status: 400, code: "http.unrecognised", reason: "Something new." });
    vi.stubGlobal("fetch", answer(502, "<html>bad gateway</html>"));
    expect(await callApi("/api/me").catch((x: unknown) => x)).toMatchObject({ status: 502, code: "http.unrecognised", reason: "HTTP 502" });
  });

  it("tells an unreachable server apart from a refusal", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("network"))));
    expect(await callApi("/api/agency").catch((x: unknown) => x)).toBeInstanceOf(Unreachable);
  });

  it("calls only routes of the contract", async () => {
    vi.stubGlobal("fetch", answer(200, {}));
    await expect(callApi("/api/nothing")).rejects.toThrow(/is not a route of the agency server's API/);
  });

  it("callRoute fills the path's parameters and the query, and sends the route's method", async () => {
    const f = answer(200, { receipts: [] });
    vi.stubGlobal("fetch", f);
    expect(await callRoute("receipts", { params: { id: "doc-1" }, token: "t" })).toEqual({ receipts: [] });
    expect(f.mock.calls[0]).toMatchObject(["/api/docs/doc-1/receipts", { method: "GET" }]);
    vi.stubGlobal("fetch", answer(200, { docs: [], next: null }));
    await callRoute("inbox", { query: { after: "d1", limit: undefined } });
  });
});
