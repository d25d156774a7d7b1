import { describe, expect, it } from "vitest";
import { localDatabaseNewer, verdictOf, type RunningVersion } from "./version.ts";

const running: RunningVersion = { app: "1796500269034", protocol: 2, minProtocol: 2 };

describe("verdictOf: the server's version against the page's own build", () => {
  it("says nothing when the server serves this build, or no app at all", () => {
    expect(verdictOf(running, { app: "1796500269034", protocol: 2, minProtocol: 1 })).toEqual({ kind: "current" });
    expect(verdictOf(running, { app: null, protocol: 2, minProtocol: 2 })).toEqual({ kind: "current" });
  });

  it("announces another build when the protocols agree, newer or rolled back alike (names are opaque)", () => {
    expect(verdictOf(running, { app: "1796500999999", protocol: 2, minProtocol: 2 })).toEqual({ kind: "available", served: "1796500999999" });
    expect(verdictOf(running, { app: "1700000000000", protocol: 2, minProtocol: 2 })).toEqual({ kind: "available", served: "1700000000000" });
    // A newer server protocol that still takes this app's: only announced, the page keeps syncing.
    expect(verdictOf(running, { app: "b", protocol: 3, minProtocol: 2 })).toEqual({ kind: "available", served: "b" });
  });

  it("stops writing when the server no longer takes this app's protocol", () => {
    expect(verdictOf(running, { app: "b", protocol: 3, minProtocol: 3 })).toEqual({ kind: "incompatible", served: "b", why: "app-too-old" });
    // Even if the server names this very build: the protocol decides, not the name.
    expect(verdictOf(running, { app: running.app, protocol: 3, minProtocol: 3 }).kind).toBe("incompatible");
  });

  it("stops writing when the server speaks a protocol older than this app talks to", () => {
    expect(verdictOf(running, { app: "old", protocol: 1, minProtocol: 1 })).toEqual({ kind: "incompatible", served: "old", why: "server-too-old" });
    expect(verdictOf(running, { app: null, protocol: 1, minProtocol: 1 })).toEqual({ kind: "incompatible", served: null, why: "server-too-old" });
  });
});

describe("localDatabaseNewer", () => {
  it("is true only for a schema newer than this build knows", () => {
    expect(localDatabaseNewer(3, 2)).toBe(true);
    expect(localDatabaseNewer(2, 2)).toBe(false);
    expect(localDatabaseNewer(1, 2)).toBe(false);
    expect(localDatabaseNewer(Number.NaN, 2)).toBe(false);
  });
});
