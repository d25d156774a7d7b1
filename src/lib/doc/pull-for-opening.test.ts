// Opening a document this device does not hold, against a scripted server on fake-indexeddb: a
// refusal is told from a network failure, with the server's own code.
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { asDocId } from "@countersign/crdt-model";
import { ApiError, Unreachable } from "$lib/api/client.ts";
import type { BatchResponse } from "$lib/api/types.ts";
import { LocalStore } from "$lib/local/local-store.ts";
import type { Api } from "$lib/local/sync.ts";
import { pullForOpening } from "./pull-for-opening.ts";

let n = 0;
const freshStore = () => new LocalStore("A-DEMO", `pull${++n}`);

/** A server that denies `denied` in batch sync and answers its receipts route with `receipts`. */
function server(denied: string[], receipts: () => unknown): Api {
  return (async (path: string) => {
    if (path === "/api/sync") return { v: 1, pushed: [], docs: [], denied: denied.map(asDocId) } satisfies BatchResponse;
    if (path.endsWith("/receipts")) return receipts();
    throw new Error(path);
  }) as Api;
}

describe("asking the server for a document to open", () => {
  it("a denial is a refusal with the server's code and reason, not a network failure", async () => {
    const api = server(["demo-020"], () => {
      throw new ApiError(404, "There is no such document for you.", "http.not-found");
    });
    expect(await pullForOpening(freshStore(), api, "demo-020")).toEqual({
      kind: "refused",
      refusal: { ok: false, code: "http.not-found", reason: "There is no such document for you." },
    });
  });

  it("denied its content but shown its receipts: the summary only", async () => {
    expect(await pullForOpening(freshStore(), server(["demo-021"], () => ({ receipts: [] })), "demo-021")).toEqual({ kind: "metadata" });
  });

  it("not denied: pulled", async () => {
    expect(await pullForOpening(freshStore(), server([], () => ({ receipts: [] })), "demo-022")).toEqual({ kind: "pulled" });
  });

  it("a server that cannot be reached, or a gateway's 502 page, is a network failure", async () => {
    const down = (async () => {
      throw new Unreachable();
    }) as Api;
    expect(await pullForOpening(freshStore(), down, "demo-023")).toEqual({ kind: "unreachable" });
    const gateway = server(["demo-024"], () => {
      throw new ApiError(502, "HTTP 502");
    });
    expect(await pullForOpening(freshStore(), gateway, "demo-024")).toEqual({ kind: "unreachable" });
  });
});
