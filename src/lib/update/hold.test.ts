import { describe, expect, it } from "vitest";
import { heldCount, heldSettled, holdReload } from "./hold.ts";

describe("holdReload", () => {
  it("holds until each write settles, fulfilled or rejected, and passes the write's result through", async () => {
    let finish!: (v: number) => void;
    let fail!: (e: Error) => void;
    const a = holdReload(new Promise<number>((r) => (finish = r)));
    const b = holdReload(new Promise<number>((_, r) => (fail = r)));
    b.catch(() => undefined);
    expect(heldCount()).toBe(2);
    let settled = false;
    const all = heldSettled().then(() => (settled = true));
    finish(7);
    expect(await a).toBe(7);
    expect(settled).toBe(false);
    fail(new Error("cut"));
    await all;
    expect(settled).toBe(true);
    expect(heldCount()).toBe(0);
  });
});
