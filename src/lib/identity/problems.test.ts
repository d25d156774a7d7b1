import { describe, expect, it } from "vitest";
import { ApiError, Unreachable } from "$lib/api/client.ts";
import { MESSAGES } from "$lib/i18n.ts";
import { problemOf } from "./problems.ts";
import { normalizeCode, pemToBase64 } from "./webcrypto.ts";

describe("enrollment codes as people type them", () => {
  it("accepts lower case, spaces and look-alike digits, and refuses what cannot be a code", () => {
    expect(normalizeCode("abcd efgh jklm npqr")).toBe("ABCD-EFGH-JKLM-NPQR");
    expect(normalizeCode("ABCD-EFGH-JKLM-NPQ0")).toBe("ABCD-EFGH-JKLM-NPQO"); // 0 → O
    expect(normalizeCode("ABC")).toBeUndefined();
    expect(normalizeCode("ABCD-EFGH-JKLM-NPQ9")).toBeUndefined(); // 9 is not in the alphabet
  });
});

describe("problems in plain zh-TW with a way out", () => {
  it("a revoked certificate asks to re-enroll", () => {
    const p = problemOf(new ApiError(401, "The certificate has been revoked."));
    expect(p).toEqual({ key: "pRevoked", wayOut: "re-enroll", detail: "The certificate has been revoked." });
    expect(MESSAGES["zh-TW"][p.key]).toContain("重新註冊");
  });
  it("an expired certificate asks to re-enroll, keeping the server's sentence", () => {
    const p = problemOf(new ApiError(401, "The certificate is not valid at this time."));
    expect(p).toEqual({ key: "pCertExpired", wayOut: "re-enroll", detail: "The certificate is not valid at this time." });
    expect(MESSAGES["zh-TW"][p.key]).toContain("已過期");
  });
  it("a used code explains that codes work once", () => {
    expect(MESSAGES["zh-TW"][problemOf(new ApiError(400, "The enrollment code is unknown, already used or expired.")).key]).toContain("只能使用一次");
  });
  it("an unreachable server is not an error: work offline, retry later", () => {
    expect(problemOf(new Unreachable())).toEqual({ key: "pUnreachable", wayOut: "retry" });
  });
  it("an unknown refusal keeps the server's sentence as the detail", () => {
    expect(problemOf(new ApiError(500, "boom"))).toEqual({ key: "pServer", wayOut: "retry", detail: "boom" });
  });
});

describe("pemToBase64", () => {
  it("takes the base64 body of a PEM certificate", () => {
    expect(pemToBase64("-----BEGIN CERTIFICATE-----\nMIIB\nAAAA\n-----END CERTIFICATE-----\n")).toBe("MIIBAAAA");
  });
});
