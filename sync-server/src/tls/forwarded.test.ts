import { request } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { TrustedProxies, clientAddress, normalizeAddress } from "./forwarded.ts";
import { RedirectServer, hostOf, redirectLocation } from "./redirect.ts";

const trust = (s: string): TrustedProxies => {
  const t = TrustedProxies.parse(s);
  if (!t.ok) throw new Error(t.reason);
  return t.value;
};

describe("--trust-proxy", () => {
  it("takes addresses and CIDR ranges, v4 and v6", () => {
    const t = trust("127.0.0.1, 10.0.0.0/8,fd00::/8");
    expect(["127.0.0.1", "10.20.30.40", "fd00::5"].map((a) => t.has(a))).toEqual([true, true, true]);
    expect(["127.0.0.2", "11.0.0.1", "::1", "garbage"].map((a) => t.has(a))).toEqual([false, false, false, false]);
  });

  it("refuses what is not an address or range, in one sentence", () => {
    for (const bad of ["", ",", "proxy.lan", "10.0.0.0/33", "10.0.0.0/8/1", "::1/129", "10.0.0.1/x"]) expect(TrustedProxies.parse(bad), bad).toMatchObject({ ok: false, code: "tls.trust-proxy" });
  });
});

describe("the client's address", () => {
  const t = trust("127.0.0.1,10.0.0.0/8");

  it("is the TCP peer's without --trust-proxy, whatever X-Forwarded-For says", () => {
    expect(clientAddress("203.0.113.9", "198.51.100.1", undefined)).toBe("203.0.113.9");
    expect(clientAddress("::ffff:127.0.0.1", "198.51.100.1", undefined)).toBe("127.0.0.1");
  });

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", () => {
    expect(clientAddress("203.0.113.9", "198.51.100.1", t)).toBe("203.0.113.9");
  });

  it("from a trusted proxy, is the right-most address that is not a trusted proxy", () => {
    expect(clientAddress("127.0.0.1", "198.51.100.1", t)).toBe("198.51.100.1");
    // The client wrote 1.2.3.4 itself; the proxy appended the address it really saw.
    expect(clientAddress("127.0.0.1", "1.2.3.4, 198.51.100.1", t)).toBe("198.51.100.1");
    // Two trusted hops (an edge proxy at 10.0.0.5, then the local one).
    expect(clientAddress("::ffff:127.0.0.1", "1.2.3.4, 198.51.100.1, 10.0.0.5", t)).toBe("198.51.100.1");
    expect(clientAddress("127.0.0.1", ["1.2.3.4", "198.51.100.1"], t)).toBe("198.51.100.1");
  });

  it("stops at a malformed entry and keeps the last address a trusted proxy wrote", () => {
    expect(clientAddress("127.0.0.1", "198.51.100.1, junk, 10.0.0.5", t)).toBe("10.0.0.5");
    expect(clientAddress("127.0.0.1", "junk", t)).toBe("127.0.0.1");
  });

  it("is the left-most when every hop is trusted, and the peer when there is no header", () => {
    expect(clientAddress("127.0.0.1", "10.0.0.7, 10.0.0.5", t)).toBe("10.0.0.7");
    expect(clientAddress("127.0.0.1", undefined, t)).toBe("127.0.0.1");
  });

  it("normalizes mapped IPv4, brackets and ports", () => {
    expect(["::ffff:10.1.2.3", "[::1]:443", "10.1.2.3:5000", " ::1 "].map(normalizeAddress)).toEqual(["10.1.2.3", "::1", "10.1.2.3", "::1"]);
  });
});

describe("the plain-HTTP port that only redirects", () => {
  it("sends the same host and path to https on the TLS port", () => {
    expect(redirectLocation("box.school.lan:8080", "/inbox?tab=todo", 8443)).toBe("https://box.school.lan:8443/inbox?tab=todo");
    expect(redirectLocation("192.168.1.10", "/", 443)).toBe("https://192.168.1.10/");
    expect(redirectLocation("[fd00::1]:80", "/ca", 443)).toBe("https://[fd00::1]/ca");
    expect(redirectLocation("box.lan", "http://evil.example/x?y", 443)).toBe("https://box.lan/x?y");
    expect(hostOf("evil.example/x")).toBeNull();
    expect(redirectLocation(undefined, "/", 443)).toBeNull();
  });

  const server = new RedirectServer(8443);
  afterAll(() => server.stop());

  // node:http, not fetch: fetch will not send a Host header of our choosing.
  const ask = (port: number, path: string, host: string, method = "GET") =>
    new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path, method, headers: { host } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, location: res.headers.location });
      });
      req.on("error", reject);
      req.end(method === "POST" ? "{}" : undefined);
    });

  it("answers 301 over real HTTP, and 400 for a request naming no usable host", async () => {
    const port = await server.start(0, "127.0.0.1");
    expect(await ask(port, "/docs/demo-001?x=1", "countersign.school.test")).toEqual({ status: 301, location: "https://countersign.school.test:8443/docs/demo-001?x=1" });
    // Nothing of the API is answered in the clear: a POST is redirected too, never handled.
    expect(await ask(port, "/api/login", "countersign.school.test:80", "POST")).toEqual({ status: 301, location: "https://countersign.school.test:8443/api/login" });
    expect((await ask(port, "/", "bad host")).status).toBe(400);
  });
});
