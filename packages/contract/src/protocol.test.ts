import { describe, expect, it } from "vitest";
import { MIN_PROTOCOL, PROTOCOL, outdatedClient } from "./protocol.ts";

describe("outdatedClient: which announced protocols the server refuses", () => {
  it("refuses only a number below the minimum", () => {
    expect(outdatedClient("1", 2)).toBe(true);
    expect(outdatedClient("2", 2)).toBe(false);
    expect(outdatedClient(" 3 ", 2)).toBe(false);
  });

  it("takes a client that announces nothing or something unreadable (older apps never announced)", () => {
    expect(outdatedClient(undefined, 2)).toBe(false);
    expect(outdatedClient(null, 2)).toBe(false);
    expect(outdatedClient("", 2)).toBe(false);
    expect(outdatedClient("v1", 2)).toBe(false);
    expect(outdatedClient("1.5", 2)).toBe(false);
  });

  it("takes this build's own protocol", () => {
    expect(MIN_PROTOCOL).toBeLessThanOrEqual(PROTOCOL);
    expect(outdatedClient(String(PROTOCOL))).toBe(false);
  });
});
