import { describe, expect, it } from "vitest";
import { PAPER_REASONS, PAPER_REASON_LABELS, paperSuggestions } from "./exclusions.ts";

describe("paperSuggestions", () => {
  it("suggests nothing for an ordinary document, or when nothing is known", () => {
    expect(paperSuggestions({})).toEqual([]);
    expect(paperSuggestions({ secrecy: "none", pages: 15, retention: 10, certificates: false, photos: false })).toEqual([]);
  });

  it("names each reason of the exclusion list that applies, in the list's order", () => {
    expect(paperSuggestions({ secrecy: "confidential" })).toEqual(["secret"]);
    expect(paperSuggestions({ pages: 16 })).toEqual(["pages"]);
    expect(paperSuggestions({ retention: 11 })).toEqual(["retention"]);
    expect(paperSuggestions({ retention: "permanent" })).toEqual(["retention"]);
    expect(
      paperSuggestions({ offlineAgency: true, tender: true, photos: true, unscannable: true, certificates: true, retention: 30, pages: 200, secrecy: "absolute" }),
    ).toEqual([...PAPER_REASONS]);
  });

  it("ignores what is not a page count", () => {
    expect(paperSuggestions({ pages: Number.NaN })).toEqual([]);
    expect(paperSuggestions({ pages: null })).toEqual([]);
  });

  it("every reason has its label", () => {
    for (const r of PAPER_REASONS) expect(PAPER_REASON_LABELS[r]).toBeTruthy();
  });
});
