import { describe, expect, it } from "vitest";
import { ApiError, Unreachable } from "$lib/api/client.ts";
import { decodeRelayRefusal, refusalFromBody, refusalOf, storedRefusal } from "./decode.ts";

describe("refusals as they reach the app", () => {
  it("decodes the relay's permission-denied JSON into its code and sentence", () => {
    const text = JSON.stringify({ v: 1, code: "update.decided", reason: "The update changes the content of a decided document." });
    expect(decodeRelayRefusal(text)).toEqual({ ok: false, code: "update.decided", reason: "The update changes the content of a decided document." });
  });

  it("keeps a relay text it cannot decode (an older relay, an unknown code) as relay.unreadable, with the text", () => {
    expect(decodeRelayRefusal("The update changes the content of a decided document.")).toEqual({
      ok: false,
      code: "relay.unreadable",
      reason: "The update changes the content of a decided document.",
    });
    expect(decodeRelayRefusal(JSON.stringify({ v: 1, code: "no.such-code", reason: "Something new." }))).toMatchObject({ code: "relay.unreadable", reason: "Something new." });
    expect(decodeRelayRefusal(JSON.stringify({ v: 2, code: "update.decided", reason: "x" })).code).toBe("relay.unreadable");
    expect(decodeRelayRefusal("null").code).toBe("relay.unreadable");
  });

  it("reads a JSON answer's code, and calls an unknown or missing one http.unrecognised", () => {
    expect(refusalFromBody({ ok: false, code: "relay.pending", reason: "Builds on changes." }, "x")).toEqual({ ok: false, code: "relay.pending", reason: "Builds on changes." });
    expect(refusalFromBody({ ok: false, reason: "Old server." }, "x")).toEqual({ ok: false, code: "http.unrecognised", reason: "Old server." });
    expect(refusalFromBody(null, "refused")).toEqual({ ok: false, code: "http.unrecognised", reason: "refused" });
  });

  it("turns thrown errors into the app's own codes", () => {
    expect(refusalOf(new Unreachable()).code).toBe("net.unreachable");
    const damaged = Object.assign(new Error("doc-1: garbage"), { name: "DamagedLocalCopy" });
    expect(refusalOf(damaged)).toEqual({ ok: false, code: "local.doc-damaged", reason: "doc-1: garbage" });
    expect(refusalOf(Object.assign(new Error("bad schema"), { name: "VersionError" })).code).toBe("local.db");
    expect(refusalOf(new TypeError("boom")).code).toBe("local.browser");
    expect(refusalOf(new ApiError(401, "The certificate has been revoked.", "login.revoked"))).toEqual({ ok: false, code: "login.revoked", reason: "The certificate has been revoked." });
  });

  it("reads a change refused in a batch sync back from the local queue", () => {
    expect(storedRefusal(undefined)).toBeNull();
    expect(storedRefusal({ refused: "r", refusedCode: "update.plan" })).toEqual({ ok: false, code: "update.plan", reason: "r" });
    expect(storedRefusal({ refused: "kept before codes" })).toEqual({ ok: false, code: "relay.unreadable", reason: "kept before codes" });
  });
});
