import { describe, expect, it } from "vitest";
import { ACTION_LABELS, KIND_LABELS, ROLE_LABELS, SECRECY_LABELS, SECTION_LABELS, SPEED_LABELS, STATUS_LABELS } from "@countersign/crdt-model";
import { isTerm, term, terms } from "./glossary.ts";

const HAN = /\p{Script=Han}/u;

describe("glossary", () => {
  it("zh-TW is the model's own labels, unchanged", () => {
    expect(term("kind", "memo", "zh-TW")).toBe(KIND_LABELS.memo);
    expect(term("status", "draft", "zh-TW")).toBe(STATUS_LABELS.draft);
    expect(term("speed", "most-urgent", "zh-TW")).toBe("最速件");
  });
  it("English has every key of every table, with no Chinese left", () => {
    const tables = { kind: KIND_LABELS, speed: SPEED_LABELS, secrecy: SECRECY_LABELS, status: STATUS_LABELS, action: ACTION_LABELS, role: ROLE_LABELS, section: SECTION_LABELS } as const;
    for (const [kind, table] of Object.entries(tables)) {
      for (const key of Object.keys(table)) {
        const en = term(kind as keyof typeof tables, key, "en");
        expect(en, `${kind}.${key}`).not.toBe(key);
        expect(HAN.test(en), `${kind}.${key}: ${en}`).toBe(false);
      }
    }
  });
  it("the officers' words", () => {
    expect(term("kind", "memo", "en")).toBe("Memo");
    expect(term("kind", "letter", "en")).toBe("Letter");
    expect(term("speed", "urgent", "en")).toBe("Urgent");
    expect(term("action", "submit", "en")).toBe("Submit for review");
    expect(term("action", "countersign", "en")).toBe("Countersign");
    expect(term("status", "closed", "en")).toBe("Filed (no letter)");
    expect(term("section", "explanation", "en")).toBe("Explanation");
  });
  it("an unknown key is shown as it is; lists join as the locale writes them", () => {
    expect(isTerm("status", "nonsense")).toBe(false);
    expect(isTerm("status", "toString")).toBe(false);
    expect(term("status", "nonsense", "en")).toBe("nonsense");
    expect(terms("role", ["registry", "admin"], "en")).toBe("Registry desk, Administrator");
    expect(terms("role", ["registry", "admin"], "zh-TW")).toBe("登記桌、系統管理");
  });
});
