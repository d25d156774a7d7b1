// The client side of the relay's acknowledgements: which frames are numbered, what each covers, and
// that only an accepted acknowledgement of a known frame clears anything.
import { describe, expect, it } from "vitest";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { LiveAcks, readAck, sentFrame, type SentFrame } from "./live-ack.ts";

const frame = (type: number, sub: number, body: number[] = []) => {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, type);
  encoding.writeVarUint(e, sub);
  encoding.writeVarUint8Array(e, new Uint8Array(body));
  return encoding.toUint8Array(e);
};
const ack = (v: number, n: number, ok: number, extra: number[] = []) => decoding.createDecoder(new Uint8Array([v, n, ok, ...extra]));

describe("live acknowledgements", () => {
  it("numbers sync step 2 and update frames only; a step 2 covers the changes made up to its tick, an update its own bytes", () => {
    expect(sentFrame(frame(0, 0, [1, 2]))).toBeNull(); // step 1: a state vector, nothing to acknowledge
    expect(sentFrame(frame(1, 0))).toBeNull(); // awareness
    expect(sentFrame(frame(0, 1, [9]), 7)).toEqual({ kind: "full", tick: 7 });
    expect(sentFrame(frame(0, 2, [4, 5, 6]))).toEqual({ kind: "update", bytes: new Uint8Array([4, 5, 6]) });
    expect(sentFrame("text")).toBeNull();
  });

  it("reads version 1 and ignores fields a later version appends; an unknown version 0 is not read", () => {
    expect(readAck(ack(1, 3, 1))).toEqual({ n: 3, accepted: true });
    expect(readAck(ack(2, 3, 0, [42, 43]))).toEqual({ n: 3, accepted: false });
    expect(readAck(ack(0, 3, 1))).toBeNull();
  });

  it("hands over what an accepted frame covered, once; a refused or unknown frame clears nothing; a new socket starts at 1", () => {
    const got: SentFrame[] = [];
    const acks = new LiveAcks((f) => got.push(f));
    const sent: unknown[] = [];
    class Base {
      constructor(readonly url: string) {}
      send(d: unknown) {
        sent.push(d);
      }
    }
    const Socket = acks.wrap(Base);
    const s = new Socket("ws://x");
    s.send(frame(0, 0, [0])); // step 1
    s.send(frame(0, 2, [1])); // 1
    s.send(frame(0, 2, [2])); // 2
    expect(sent).toHaveLength(3);
    acks.handler(null, ack(1, 2, 0)); // refused
    acks.handler(null, ack(1, 1, 1));
    acks.handler(null, ack(1, 1, 1)); // again: already handed over
    acks.handler(null, ack(1, 9, 1)); // never sent
    expect(got).toEqual([{ kind: "update", bytes: new Uint8Array([1]) }]);
    const again = new Socket("ws://x");
    again.send(frame(0, 2, [3]));
    acks.handler(null, ack(1, 1, 1));
    expect(got.at(-1)).toEqual({ kind: "update", bytes: new Uint8Array([3]) });
  });
});
