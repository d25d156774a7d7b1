import { describe, expect, it } from "vitest";
import { fetchTicket } from "./ticket-socket.ts";

const answer = (status: number, body: string): typeof fetch => (async () => new Response(body, { status, headers: { "content-type": "application/json" } })) as typeof fetch;

describe("asking for a relay ticket", () => {
  it("gives the ticket", async () => {
    expect(await fetchTicket("", "tok", answer(200, JSON.stringify({ ticket: "t1", expiresAt: "2026-12-05T12:00:30Z" })))).toEqual({ ok: true, ticket: "t1" });
  });

  it("a refusal keeps the server's code: final (4401) for 401/403, decided by status and code, not the sentence", async () => {
    const r = await fetchTicket("", "tok", answer(401, JSON.stringify({ ok: false, code: "token.expired", reason: "The login token has expired." })));
    expect(r).toEqual({ ok: false, refused: true, code: "token.expired", reason: "The login token has expired." });
  });

  it("an unknown code, an answer that is not JSON, or no answer at all each get a code of their own", async () => {
    expect(await fetchTicket("", "tok", answer(500, JSON.stringify({ ok: false, code: "no.such", reason: "x" })))).toMatchObject({ refused: false, code: "http.unrecognised" });
    expect(await fetchTicket("", "tok", answer(502, "<html>Bad gateway</html>"))).toMatchObject({ refused: false, code: "http.unexpected-answer", reason: "HTTP 502" });
    const down = (async () => {
      throw new TypeError("fetch failed");
    }) as typeof fetch;
    expect(await fetchTicket("", "tok", down)).toMatchObject({ ok: false, refused: false, code: "net.unreachable" });
  });
});
