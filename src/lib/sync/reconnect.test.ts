import { afterEach, describe, expect, it, vi } from "vitest";
import type { WebsocketProvider } from "y-websocket";
import { attachJitteredReconnect } from "./reconnect.ts";

/** The part of a y-websocket provider the reconnection uses: its events, its socket, connect(). */
function fakeProvider() {
  const handlers = new Map<string, Set<(arg: never) => void>>();
  const p = {
    ws: null as object | null,
    connect: vi.fn(() => void (p.ws = {})),
    on: (ev: string, f: (arg: never) => void) => void (handlers.get(ev) ?? handlers.set(ev, new Set()).get(ev)!).add(f),
    off: (ev: string, f: (arg: never) => void) => void handlers.get(ev)?.delete(f),
    emit: (ev: string, arg: unknown) => {
      for (const f of handlers.get(ev) ?? []) (f as (a: unknown) => void)(arg);
    },
    /** The server closed the connection with `code`. */
    close(code: number) {
      p.ws = null;
      p.emit("closed", { code });
    },
  };
  return p;
}

afterEach(() => void vi.useRealTimers());

describe("reconnecting the live socket", () => {
  it("backs off while the server is down, and now() reconnects at once when it answers again", () => {
    vi.useFakeTimers();
    const p = fakeProvider();
    const r = attachJitteredReconnect(p as unknown as WebsocketProvider, { baseMs: 1_000, maxMs: 15_000, random: () => 1 });
    for (let i = 0; i < 4; i++) {
      p.close(1006);
      vi.advanceTimersByTime(2 ** i * 1_000);
      expect(p.connect).toHaveBeenCalledTimes(i + 1);
    }
    p.close(1006); // the next try is 15 s away (capped from 16 s)
    vi.advanceTimersByTime(5_000);
    expect(p.connect).toHaveBeenCalledTimes(4);
    r.now();
    expect(p.connect).toHaveBeenCalledTimes(5);
    // The scheduled try was cancelled, and the back-off starts again from the first step.
    vi.advanceTimersByTime(15_000);
    expect(p.connect).toHaveBeenCalledTimes(5);
    p.close(1006);
    vi.advanceTimersByTime(1_000);
    expect(p.connect).toHaveBeenCalledTimes(6);
    r();
  });

  it("now() does nothing while a socket is open or connecting, nor after a refusal", () => {
    vi.useFakeTimers();
    const p = fakeProvider();
    const r = attachJitteredReconnect(p as unknown as WebsocketProvider, { baseMs: 1_000, maxMs: 15_000, random: () => 1 });
    p.ws = {};
    r.now();
    expect(p.connect).not.toHaveBeenCalled();
    p.close(4403); // "you do not take part in this document": final
    r.now();
    vi.advanceTimersByTime(60_000);
    expect(p.connect).not.toHaveBeenCalled();
    r();
  });
});
