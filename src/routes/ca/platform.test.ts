import { describe, expect, it } from "vitest";
import { platformOf } from "./platform.ts";

describe("the platform /ca opens first", () => {
  it("tells the four systems apart by their user agents, iPadOS by its touch points", () => {
    expect(platformOf("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15")).toBe("ios");
    expect(platformOf("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126 Mobile")).toBe("android");
    expect(platformOf("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Safari/605.1.15", 0)).toBe("mac");
    expect(platformOf("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Safari/605.1.15", 5)).toBe("ios");
    expect(platformOf("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126")).toBe("windows");
    expect(platformOf("Mozilla/5.0 (X11; Linux x86_64)")).toBeNull();
  });
});
