import { describe, expect, it } from "vitest";
import type { Code } from "@countersign/crdt-model";
import { ApiError, Unreachable } from "$lib/api/client.ts";
import { explain } from "$lib/refusals/table.ts";
import { problemFor, problemOf } from "./problems.ts";
import { normalizeCode, pemToBase64 } from "./webcrypto.ts";

describe("enrollment codes as people type them", () => {
  it("accepts lower case, spaces and look-alike digits, and refuses what cannot be a code", () => {
    expect(normalizeCode("abcd efgh jklm npqr")).toBe("ABCD-EFGH-JKLM-NPQR");
    expect(normalizeCode("ABCD-EFGH-JKLM-NPQ0")).toBe("ABCD-EFGH-JKLM-NPQO"); // 0 → O
    expect(normalizeCode("ABC")).toBeUndefined();
    expect(normalizeCode("ABCD-EFGH-JKLM-NPQ9")).toBeUndefined(); // 9 is not in the alphabet
  });
});

describe("problems in plain zh-TW with a way out, chosen by the server's code", () => {
  const refused = (status: number, code: Code, reason: string) => new ApiError(status, reason, code);

  it("a revoked certificate asks to re-enroll, keeping the server's sentence", () => {
    const p = problemOf(refused(401, "login.revoked", "The certificate has been revoked."));
    expect(p).toEqual({ code: "login.revoked", wayOut: "re-enroll", detail: "The certificate has been revoked." });
    expect(explain(p.code, "zh-TW")).toContain("重新註冊");
  });
  it("an expired certificate asks to re-enroll", () => {
    const p = problemOf(refused(401, "login.expired", "The certificate is not valid at this time."));
    expect(p).toMatchObject({ code: "login.expired", wayOut: "re-enroll" });
    expect(explain(p.code, "zh-TW")).toContain("已過期");
  });
  it("a used code explains that codes work once", () => {
    expect(explain(problemOf(refused(400, "enroll.code", "The enrollment code is unknown, already used or expired.")).code, "zh-TW")).toContain("只能使用一次");
  });
  it("the sentence alone decides nothing: a reworded sentence with the same code means the same", () => {
    expect(problemOf(refused(401, "login.revoked", "Your certificate was revoked on 1 May.")).code).toBe("login.revoked");
  });
  it("an unreachable server is not an error: work offline, retry later", () => {
    expect(problemOf(new Unreachable())).toEqual({ code: "net.unreachable", wayOut: "retry" });
  });
  it("a refusal without a code this app knows keeps the server's sentence as the detail", () => {
    expect(problemOf(new ApiError(500, "boom"))).toEqual({ code: "http.unrecognised", wayOut: "retry", detail: "boom" });
  });
  it("a problem named by the app itself takes its way out from the table", () => {
    expect(problemFor("enroll.code-malformed")).toEqual({ code: "enroll.code-malformed", wayOut: "none" });
    expect(problemFor("local.identity", "NotFoundError: gone")).toEqual({ code: "local.identity", wayOut: "re-enroll", detail: "NotFoundError: gone" });
  });
});

describe("pemToBase64", () => {
  it("takes the base64 body of a PEM certificate", () => {
    expect(pemToBase64("-----BEGIN CERTIFICATE-----\nMIIB\nAAAA\n-----END CERTIFICATE-----\n")).toBe("MIIBAAAA");
  });
});
