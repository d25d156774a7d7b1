import { describe, expect, it } from "vitest";
import * as encoding from "lib0/encoding";
import * as decoding from "lib0/decoding";
import { bindPresence, MAX_PRESENCE_STATE, type Shown } from "./presence.ts";

const officer: Shown = { person: "P-chen", name: "陳承辦", unit: "學務科" };

function encode(states: { client: number; clock: number; state: unknown }[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, states.length);
  for (const s of states) {
    encoding.writeVarUint(e, s.client);
    encoding.writeVarUint(e, s.clock);
    encoding.writeVarString(e, JSON.stringify(s.state));
  }
  return encoding.toUint8Array(e);
}

function decode(u: Uint8Array): { client: number; clock: number; state: unknown }[] {
  const d = decoding.createDecoder(u);
  const n = decoding.readVarUint(d);
  return Array.from({ length: n }, () => ({ client: decoding.readVarUint(d), clock: decoding.readVarUint(d), state: JSON.parse(decoding.readVarString(d)) }));
}

const nobodyElse = () => false;

describe("presence bound to the connection", () => {
  it("a claimed name and unit are replaced by the connection's person; the colour and other fields stay", () => {
    const r = bindPresence(encode([{ client: 5, clock: 2, state: { user: { name: "王局長", unit: "局長室", color: "#12ab34" }, field: "subject" } }]), officer, nobodyElse, () => 0);
    expect(r.ok && decode(r.value.update)).toEqual([{ client: 5, clock: 2, state: { user: { name: "陳承辦", unit: "學務科", person: "P-chen", color: "#12ab34" }, field: "subject" } }]);
  });

  it("a colour that is not a colour is dropped, and a state without user still shows the person", () => {
    const r = bindPresence(encode([{ client: 5, clock: 1, state: { user: { color: "red;background:url(x)" } } }, { client: 6, clock: 1, state: {} }]), officer, nobodyElse, () => 0);
    expect(r.ok && decode(r.value.update).map((s) => s.state)).toEqual([{ user: { name: "陳承辦", unit: "學務科", person: "P-chen" } }, { user: { name: "陳承辦", unit: "學務科", person: "P-chen" } }]);
  });

  it("another connection's client: an echo or a removal is dropped quietly, a newer state is dropped and reported", () => {
    const theirs = (c: number) => c === 9;
    const echo = bindPresence(encode([{ client: 9, clock: 3, state: { user: { name: "x" } } }, { client: 5, clock: 1, state: {} }]), officer, theirs, () => 3);
    expect(echo.ok && echo.value.clients).toEqual([5]);
    expect(echo.ok && echo.value.spoof).toBeUndefined();
    const removal = bindPresence(encode([{ client: 9, clock: 4, state: null }]), officer, theirs, () => 3);
    expect(removal.ok && removal.value.spoof).toBeUndefined();
    const spoof = bindPresence(encode([{ client: 9, clock: 4, state: { user: { name: "王局長" } } }]), officer, theirs, () => 3);
    expect(spoof.ok && spoof.value).toMatchObject({ clients: [], spoof: "The presence of Yjs client 9 belongs to another connection." });
  });

  it("refuses what is not a JSON object, a state too large, and bytes that do not decode", () => {
    expect(bindPresence(encode([{ client: 1, clock: 1, state: [1, 2] }]), officer, nobodyElse, () => 0)).toEqual({ ok: false, code: "relay.presence", reason: "A presence state must be a JSON object or null." });
    expect(bindPresence(encode([{ client: 1, clock: 1, state: { pad: "x".repeat(MAX_PRESENCE_STATE) } }]), officer, nobodyElse, () => 0)).toEqual({
      ok: false,
      code: "relay.presence",
      reason: `A presence state may hold at most ${MAX_PRESENCE_STATE} characters.`,
    });
    expect(bindPresence(new Uint8Array([3, 1]), officer, nobodyElse, () => 0)).toEqual({ ok: false, code: "relay.presence", reason: "The awareness update is malformed." });
  });
});
