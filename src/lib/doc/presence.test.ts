import { describe, expect, it } from "vitest";
import { colorFor, moveCaret, textChange } from "./presence.ts";

describe("textChange", () => {
  it("finds the one range an input event changed", () => {
    expect(textChange("主旨", "主旨")).toBeNull();
    expect(textChange("請核示", "請鈞長核示")).toEqual({ index: 1, remove: 0, insert: "鈞長" });
    expect(textChange("請鈞長核示", "請核示")).toEqual({ index: 1, remove: 2, insert: "" });
    expect(textChange("abc", "aXc")).toEqual({ index: 1, remove: 1, insert: "X" });
    expect(textChange("", "新")).toEqual({ index: 0, remove: 0, insert: "新" });
  });

  it("inserting a repeated character stays a pure insert", () => {
    expect(textChange("aa", "aaa")).toEqual({ index: 2, remove: 0, insert: "a" });
  });
});

describe("moveCaret", () => {
  it("keeps the caret with the text around it when someone else edits", () => {
    expect(moveCaret(2, "abcd", "Xabcd")).toBe(3); // inserted before: moves right
    expect(moveCaret(2, "abcd", "abcdX")).toBe(2); // after: stays
    expect(moveCaret(3, "abcd", "ad")).toBe(1); // inside a deletion: to its end
    expect(moveCaret(4, "abcd", "bcd")).toBe(3);
  });
});

describe("colorFor", () => {
  it("gives a person the same colour every time", () => {
    expect(colorFor("chen")).toBe(colorFor("chen"));
    expect(colorFor("chen")).toMatch(/^#[0-9a-f]{6}$/);
  });
});
