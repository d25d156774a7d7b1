import { describe, expect, it } from "vitest";
import { ApiError, Unreachable } from "$lib/api/client.ts";
import { PROBE, counted, initialLink, linkAfter, linkOf, modeOf, probeDelay, reachedBy, syncedText, waitingText, type LinkEvent, type LinkState } from "./status.ts";

const run = (from: LinkState, ...events: LinkEvent[]): LinkState => events.reduce(linkAfter, from);
const none = { docs: 0, uploads: 0 };

describe("the link: this device, then the agency server", () => {
  it("starts from what the browser says, the server not asked yet (shown as online until a request fails)", () => {
    expect(linkOf(initialLink(true))).toBe("online");
    expect(linkOf(initialLink(false))).toBe("offline");
    expect(initialLink(true).server).toBe("unknown");
  });

  it("a failed request with a network is the server's state: unreachable, counting failures for the probe's back-off", () => {
    const s = run(initialLink(true), "unreachable", "unreachable");
    expect(linkOf(s)).toBe("unreachable");
    expect(s.failures).toBe(2);
  });

  it("any answer flips unreachable back to online at once and forgets the back-off", () => {
    const s = run(initialLink(true), "unreachable", "unreachable", "answered");
    expect(linkOf(s)).toBe("online");
    expect(s).toEqual({ device: true, server: "answers", failures: 0 });
  });

  it("offline comes first: the device offline is said even when the server was unreachable before", () => {
    expect(linkOf(run(initialLink(true), "unreachable", "device-offline"))).toBe("offline");
  });

  it("requests failing while the device is offline say nothing of the server", () => {
    const s = run(initialLink(true), "answered", "device-offline", "unreachable", "unreachable");
    expect(s).toEqual({ device: false, server: "answers", failures: 0 });
    expect(linkOf(run(s, "device-online"))).toBe("online");
  });

  it("an answer arriving as the device goes offline does not make it online", () => {
    expect(linkOf(run(initialLink(true), "device-offline", "answered"))).toBe("offline");
  });

  it("back online, the server is asked again rather than assumed down", () => {
    const s = run(initialLink(true), "unreachable", "device-offline", "device-online");
    expect(s).toEqual({ device: true, server: "unknown", failures: 0 });
    expect(linkOf(s)).toBe("online");
  });
});

describe("what a failed call says of the server", () => {
  it("no connection or a gateway's error page: not reached; the server's own refusal or error: it answered", () => {
    expect(reachedBy(new Unreachable())).toBe(false);
    expect(reachedBy(new ApiError(502, "HTTP 502"))).toBe(false);
    expect(reachedBy(new ApiError(504, "HTTP 504"))).toBe(false);
    expect(reachedBy(new ApiError(503, "The store cannot be written.", "server.internal"))).toBe(true);
    expect(reachedBy(new ApiError(404, "There is no such document for you.", "http.not-found"))).toBe(true);
    expect(reachedBy(new ApiError(401, "expired", "token.expired"))).toBe(true);
    expect(reachedBy(new TypeError("a bug"))).toBe(null);
  });
});

describe("the probe of an unreachable server", () => {
  it("waits between half and all of a doubling that never passes a second, so the status follows within about one", () => {
    expect(probeDelay(0, () => 0)).toBe(PROBE.baseMs / 2);
    expect(probeDelay(1, () => 1)).toBe(500);
    for (const failures of [2, 3, 10, 1000]) {
      expect(probeDelay(failures, () => 0)).toBe(PROBE.maxMs / 2);
      expect(probeDelay(failures, () => 1)).toBe(PROBE.maxMs);
    }
    expect(PROBE.maxMs).toBeLessThanOrEqual(1_000);
  });

  it("a hidden tab asks every 30 s only", () => {
    expect(probeDelay(1, () => 0, true)).toBe(PROBE.hiddenMs);
    expect(PROBE.hiddenMs).toBe(30_000);
  });
});

describe("the header's mode", () => {
  const at = new Date("2026-12-05T13:45:00Z");
  it("offline and unreachable come before anything under way or waiting", () => {
    expect(modeOf("offline", { syncing: true, waiting: { docs: 3, uploads: 1 }, lastSyncedAt: at })).toBe("offline");
    expect(modeOf("unreachable", { syncing: true, waiting: { docs: 3, uploads: 0 }, lastSyncedAt: at })).toBe("unreachable");
  });
  it("online: a sync under way, then what waits, then when it last synced", () => {
    expect(modeOf("online", { syncing: true, waiting: none, lastSyncedAt: at })).toBe("syncing");
    expect(modeOf("online", { syncing: false, waiting: { docs: 0, uploads: 1 }, lastSyncedAt: at })).toBe("pending");
    expect(modeOf("online", { syncing: false, waiting: none, lastSyncedAt: at })).toBe("synced");
    expect(modeOf("online", { syncing: false, waiting: none, lastSyncedAt: null })).toBe("never");
  });
});

describe("counting what waits", () => {
  it("English plurals come from Intl.PluralRules: 1 change, 2 changes, 0 changes", () => {
    const forms = { one: "{n} change", other: "{n} changes" };
    expect(counted("en", 1, forms)).toBe("1 change");
    expect(counted("en", 2, forms)).toBe("2 changes");
    expect(counted("en", 0, forms)).toBe("0 changes");
    expect(counted("zh-TW", 1, { other: "{n} 筆" })).toBe("1 筆");
  });

  it("counts documents with changes (not keystrokes) and attachments apart, and says nothing when nothing waits", () => {
    expect(waitingText("en", { docs: 1, uploads: 0 })).toBe("Changes in 1 document not yet sent");
    expect(waitingText("en", { docs: 2, uploads: 1 })).toBe("Changes in 2 documents and 1 attachment not yet sent");
    expect(waitingText("en", { docs: 0, uploads: 3 })).toBe("3 attachments not yet sent");
    expect(waitingText("zh-TW", { docs: 1, uploads: 0 })).toBe("1 份公文的變更待送出");
    expect(waitingText("zh-TW", { docs: 2, uploads: 1 })).toBe("2 份公文的變更、1 個附件待送出");
    expect(waitingText("en", none)).toBe("");
    expect(waitingText("zh-TW", none)).toBe("");
  });

  it("synced at a time: the ROC date and the time in Taiwan", () => {
    expect(syncedText("zh-TW", new Date("2026-12-05T13:45:00Z"))).toBe("已同步 115/12/05 21:45");
    expect(syncedText("en", new Date("2026-01-01T16:05:00Z"))).toBe("Synced 115/01/02 00:05");
  });
});
