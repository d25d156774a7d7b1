import { describe, expect, it } from "vitest";
import { CODES } from "@countersign/crdt-model";
import { REFUSAL_MESSAGES, explain } from "./table.ts";

const CJK = /[\u3400-\u9fff]/;

describe("the refusal message table", () => {
  it("has a non-empty zh-TW and English message, and a way out, for every code in the catalogue", () => {
    const missing = CODES.filter((c) => !REFUSAL_MESSAGES[c]?.zh.trim() || !REFUSAL_MESSAGES[c]?.en.trim());
    expect(missing).toEqual([]);
    for (const c of CODES) expect(["retry", "re-enroll", "redownload", "none"]).toContain(REFUSAL_MESSAGES[c].way);
  });

  it("says every zh-TW message in Chinese characters, and every English one in English", () => {
    expect(CODES.filter((c) => !CJK.test(REFUSAL_MESSAGES[c].zh))).toEqual([]);
    // English may quote an official term (決行, 函), but it is not the Chinese message copied over.
    expect(CODES.filter((c) => REFUSAL_MESSAGES[c].en === REFUSAL_MESSAGES[c].zh || !/[A-Za-z]{3}/.test(REFUSAL_MESSAGES[c].en))).toEqual([]);
  });

  it("holds no message for a code that is not in the catalogue", () => {
    const known = new Set<string>(CODES);
    expect(Object.keys(REFUSAL_MESSAGES).filter((k) => !known.has(k))).toEqual([]);
  });

  it("answers in the locale asked for", () => {
    expect(explain("update.decided", "zh-TW")).toContain("決行");
    expect(explain("update.decided", "en")).toContain("decided");
  });
});
