import { describe, expect, it } from "vitest";
import { fillMessage } from "./message-format.ts";

describe("fillMessage", () => {
  it("fills placeholders and leaves unknown ones", () => {
    expect(fillMessage("en", "Hello, {name} {x}", { name: "Chen" })).toBe("Hello, Chen {x}");
    expect(fillMessage("en", "no vars {n}")).toBe("no vars {n}");
  });
  it("chooses the English plural form by Intl.PluralRules: 1 document, 0 and 2 documents", () => {
    const m = "{n} {n:document|documents} waiting";
    expect(fillMessage("en", m, { n: 1 })).toBe("1 document waiting");
    expect(fillMessage("en", m, { n: 0 })).toBe("0 documents waiting");
    expect(fillMessage("en", m, { n: 2 })).toBe("2 documents waiting");
    expect(fillMessage("en", "{n} {n:person|people}", { n: "1" })).toBe("1 person");
  });
  it("zh-TW strings have one form", () => {
    expect(fillMessage("zh-TW", "{n} 件", { n: 1 })).toBe("1 件");
  });
});
