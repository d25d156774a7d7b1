import { describe, expect, it } from "vitest";
import { fillMessage, messagePieces } from "./message-format.ts";

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

describe("messagePieces", () => {
  it("keeps the data apart from the interface's words", () => {
    expect(messagePieces("en", "Hello, {name}: {n} {n:item|items}", { n: 2 }, { name: "陳承辦" })).toEqual([
      { text: "Hello, ", data: false },
      { text: "陳承辦", data: true },
      { text: ": 2 items", data: false },
    ]);
    expect(messagePieces("zh-TW", "{name}，您好", {}, { name: "陳承辦" })).toEqual([
      { text: "陳承辦", data: true },
      { text: "，您好", data: false },
    ]);
  });
});
