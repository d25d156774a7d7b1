import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { machineHeap, maxMemoryArg, oldSpaceFlag, parseMaxMemory, planHeap, type Machine, type NodeState } from "./heap.ts";

const GiB = 1024 ** 3;
const box: Machine = { totalBytes: 8 * GiB };
const container: Machine = { totalBytes: 64 * GiB, limitBytes: 1 * GiB };
const fresh = (heapLimitMb: number, execArgv: string[] = [], nodeOptions?: string): NodeState => ({ execArgv, nodeOptions, heapLimitMb });

describe("the heap bound of countersign serve", () => {
  it("takes a quarter of a machine's memory, half of a container's limit, within 128 MiB – 4 GiB", () => {
    expect(machineHeap(box)).toEqual({ mb: 2048, why: "a quarter of this machine's 8.0 GiB" });
    expect(machineHeap(container)).toEqual({ mb: 512, why: "half of the container's 1.0 GiB memory limit" });
    expect(machineHeap({ totalBytes: 64 * GiB }).mb).toBe(4096);
    expect(machineHeap({ totalBytes: 64 * GiB }).why).toContain("at most 4096 MiB");
    expect(machineHeap({ totalBytes: 8 * GiB, limitBytes: 0.125 * GiB }).mb).toBe(128);
  });

  it("reads --max-memory in binary units and refuses anything else in one sentence", () => {
    expect(parseMaxMemory("512M", box)).toEqual({ ok: true, value: 512 });
    expect(parseMaxMemory("1.5G", box)).toEqual({ ok: true, value: 1536 });
    expect(parseMaxMemory("2GiB", box)).toEqual({ ok: true, value: 2048 });
    for (const bad of ["", "512", "lots", "-1G", "512K", "1T", "0x200M"]) {
      const r = parseMaxMemory(bad, box);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) {
        expect(r.code).toBe("server.max-memory");
        expect(r.reason).not.toContain("\n");
      }
    }
    expect(parseMaxMemory("64M", box)).toMatchObject({ ok: false, reason: expect.stringContaining("below the 128 MiB") });
    expect(parseMaxMemory("9G", box)).toMatchObject({ ok: false, reason: expect.stringContaining("more than the 8.0 GiB") });
    expect(parseMaxMemory("2G", container)).toMatchObject({ ok: false, reason: expect.stringContaining("the container may use") });
  });

  it("finds --max-memory and --max-old-space-size where a command line puts them", () => {
    expect(maxMemoryArg(["--data", "d", "--max-memory", "1G"])).toBe("1G");
    expect(maxMemoryArg(["--max-memory=768M", "--data", "d"])).toBe("768M");
    expect(maxMemoryArg(["--data", "d"])).toBeUndefined();
    expect(maxMemoryArg(["--max-memory"])).toBe("");
    expect(oldSpaceFlag({ execArgv: ["--max-old-space-size=300"], nodeOptions: "--max-old-space-size=200" })).toBe(300);
    expect(oldSpaceFlag({ execArgv: [], nodeOptions: "--trace-warnings --max_old_space_size=200" })).toBe(200);
    expect(oldSpaceFlag({ execArgv: ["--expose-gc"], nodeOptions: undefined })).toBeUndefined();
  });

  it("starts serve again only when the bound must change", () => {
    // --max-memory: again unless node already runs with it (the relaunched child).
    expect(planHeap("512M", fresh(2096), box)).toEqual({ ok: true, value: { mb: 512, why: "--max-memory 512M", relaunch: true } });
    expect(planHeap("512M", fresh(560, ["--max-old-space-size=512"]), box)).toEqual({ ok: true, value: { mb: 512, why: "--max-memory 512M", relaunch: false } });
    expect(planHeap("512X", fresh(2096), box).ok).toBe(false);
    // The machine's share: Node's default already within 10 % runs as it is; a container's lower limit does not.
    expect(planHeap(undefined, fresh(2096), box)).toEqual({ ok: true, value: { mb: 2096, why: "a quarter of this machine's 8.0 GiB; Node's default bound", relaunch: false } });
    expect(planHeap(undefined, fresh(4144), container)).toEqual({ ok: true, value: { mb: 512, why: "half of the container's 1.0 GiB memory limit", relaunch: true } });
    expect(planHeap(undefined, fresh(560, ["--max-old-space-size=512"]), container)).toEqual({ ok: true, value: { mb: 512, why: "half of the container's 1.0 GiB memory limit", relaunch: false } });
    // Someone else's flag stands.
    expect(planHeap(undefined, fresh(300, [], "--max-old-space-size=256"), box)).toEqual({ ok: true, value: { mb: 256, why: "node --max-old-space-size", relaunch: false } });
  });

  it("bin/countersign.js refuses a bad --max-memory in one line before opening anything", async () => {
    const root = join(import.meta.dirname, "../../..");
    const child = spawn(process.execPath, [join(root, "bin/countersign.js"), "serve", "--data", "/nonexistent", "--max-memory", "half"], { cwd: root });
    let err = "";
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    const code = await new Promise<number | null>((r) => child.on("exit", r));
    expect(code).toBe(2);
    expect(err).toBe('countersign serve: --max-memory takes a size such as 512M or 2G, not "half".\n');
  });
});
