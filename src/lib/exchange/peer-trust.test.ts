import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { peerTrust } from "./peer-trust.ts";
import type { Api } from "./api.ts";

// Node has no Web Storage; a Map-backed one with the same methods stands in for the browser's.
class MemoryStorage {
  private m = new Map<string, string>();
  getItem = (k: string) => this.m.get(k) ?? null;
  setItem = (k: string, v: string) => void this.m.set(k, String(v));
  removeItem = (k: string) => void this.m.delete(k);
  clear = () => this.m.clear();
}

const listing = (ca: string) => ({ peers: [{ ca, delegation: JSON.stringify({ agency: "A-KH" }) }] });

describe("peer trust on the document page", () => {
  beforeEach(() => void ((globalThis as { localStorage?: unknown }).localStorage = new MemoryStorage()));
  afterEach(() => void delete (globalThis as { localStorage?: unknown }).localStorage);

  it("the first open waits for the list and keeps it", async () => {
    const api = (async () => listing("PEM-1")) as unknown as Api;
    expect(await peerTrust("A-TN", api)).toEqual({ pems: ["PEM-1"], delegations: [{ agency: "A-KH" }] });
  });

  it("a list kept for less than ten minutes is used at once, and refreshed for the next open", async () => {
    await peerTrust("A-TN", (async () => listing("PEM-1")) as unknown as Api);
    let release!: () => void;
    const slow = (() => new Promise((resolve) => (release = () => resolve(listing("PEM-2"))))) as unknown as Api;
    // The server has not answered yet: the kept list is what the page gets.
    expect((await peerTrust("A-TN", slow)).pems).toEqual(["PEM-1"]);
    release();
    await new Promise((r) => setTimeout(r, 0));
    const never = (() => new Promise(() => undefined)) as unknown as Api;
    expect((await peerTrust("A-TN", never)).pems).toEqual(["PEM-2"]);
  });

  it("a list kept for longer waits for the server's answer", async () => {
    await peerTrust("A-TN", (async () => listing("PEM-1")) as unknown as Api);
    const later = Date.now() + 11 * 60_000;
    expect((await peerTrust("A-TN", (async () => listing("PEM-3")) as unknown as Api, later)).pems).toEqual(["PEM-3"]);
  });

  it("an unreachable server leaves the kept list in use", async () => {
    await peerTrust("A-TN", (async () => listing("PEM-1")) as unknown as Api);
    const down = (async () => {
      throw new Error("offline");
    }) as unknown as Api;
    expect((await peerTrust("A-TN", down, Date.now() + 11 * 60_000)).pems).toEqual(["PEM-1"]);
  });
});
