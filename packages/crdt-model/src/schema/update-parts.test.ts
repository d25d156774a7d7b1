import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CountersignDocument } from "./document.ts";
import { updateParts } from "./update-parts.ts";
import type { Sha256Hex } from "../ids.ts";
import { agency } from "../../tests/fixture.ts";
import { createSampleDocument } from "../sample/document.ts";
import { Rng } from "../../tests/support/rng.ts";

/** A second replica of `doc`, writing under its own Yjs client id. */
function replica(doc: CountersignDocument, clientId: number): CountersignDocument {
  const ydoc = new Y.Doc();
  ydoc.clientID = clientId;
  Y.applyUpdate(ydoc, doc.encodeState());
  return CountersignDocument.wrap(ydoc);
}

/** The update one edit of `doc` produces. */
function edit(doc: CountersignDocument, fn: (d: CountersignDocument) => void): Uint8Array {
  const before = doc.stateVector();
  fn(doc);
  return doc.encodeState(before);
}

const pendingOf = (doc: Y.Doc) => doc.store as unknown as { pendingStructs: unknown; pendingDs: unknown };

describe("updateParts: the parts an update writes, told without applying it", () => {
  it("names the text part of a typing edit and the part of every other kind of edit, as the applied copy reports it", async () => {
    const server = createSampleDocument(await agency());
    const item = server.body("explanation")[0]!;
    const client = replica(server, 77);
    const cases: [string, (d: CountersignDocument) => void][] = [
      ["body", (d) => void d.setItemText("explanation", item.id, "改寫的說明")],
      ["subject", (d) => d.setSubject("新的主旨")],
      ["body", (d) => void d.addItem("measures", null, "新的辦法")],
      ["meta", (d) => void d.setMetadata({ kind: "letter" })],
      ["attachments", (d) => void d.addAttachment({ sha256: "a".repeat(64) as Sha256Hex, name: "附件.pdf", size: 3, mime: "application/pdf" })],
    ];
    for (const [part, fn] of cases) {
      const update = edit(client, fn);
      const told = updateParts(server.ydoc, Y.decodeUpdate(update));
      expect(told, part).toBeDefined();
      const applied = replica(server, 1).applyTracked(update);
      if (!applied.ok) throw new Error(applied.reason);
      expect([...told!.parts], part).toEqual([...applied.value.touched]);
      expect([...told!.parts]).toEqual([part]);
      expect(told!.changes).toBe(true);
      server.applyUpdate(update);
      // Sent again: nothing new.
      const again = updateParts(server.ydoc, Y.decodeUpdate(update));
      expect(again?.changes, `${part} again`).toBe(false);
    }
  });

  it("cannot tell (undefined) an update that builds on one the document lacks, or deletes what it does not hold", async () => {
    const server = createSampleDocument(await agency());
    const item = server.body("explanation")[0]!;
    const client = replica(server, 78);
    const first = edit(client, (d) => void d.setItemText("explanation", item.id, "第一次"));
    const second = edit(client, (d) => void d.setItemText("explanation", item.id, "第二次"));
    expect(updateParts(server.ydoc, Y.decodeUpdate(second))).toBeUndefined();
    // A deletion of structs the server does not hold (only the delete set of `second`).
    const deletesOnly = Y.encodeStateAsUpdate(new Y.Doc());
    const ds = Y.mergeUpdates([deletesOnly, Y.diffUpdate(second, Y.encodeStateVectorFromUpdate(second))]);
    expect(updateParts(server.ydoc, Y.decodeUpdate(ds))).toBeUndefined();
    expect(updateParts(server.ydoc, Y.decodeUpdate(first))?.parts).toEqual(new Set(["body"]));
  });

  it("whenever it answers, Yjs integrates the whole update (nothing pending) and it names every part the update changed", async () => {
    const rng = new Rng(Number(process.env.UPDATE_PARTS_SEED ?? 5));
    const rnd = () => rng.next();
    const a = await agency();
    const server = createSampleDocument(a);
    const clients = [replica(server, 101), replica(server, 102), replica(server, 103)];
    const queue: { from: number; update: Uint8Array }[] = [];
    let answered = 0;
    for (let round = 0; round < 250; round++) {
      const k = Math.floor(rnd() * clients.length);
      const c = clients[k]!;
      const items = c.body("explanation");
      const pick = rnd();
      const update = edit(c, (d) => {
        if (pick < 0.4 && items.length) d.setItemText("explanation", items[Math.floor(rnd() * items.length)]!.id, `第${round}次`);
        else if (pick < 0.55) d.addItem("explanation", null, `新的第${round}項`);
        else if (pick < 0.7) d.setSubject(`主旨${round}`);
        else if (pick < 0.8) d.setMetadata({ speed: rnd() < 0.5 ? "urgent" : "ordinary" });
        else if (items.length) d.deleteItemText("explanation", items[0]!.id, 0, 1);
      });
      queue.push({ from: k, update });
      // Deliver out of order now and then: some updates reach the server before what they build on.
      while (queue.length && (rnd() < 0.6 || queue.length > 4)) {
        const at = rnd() < 0.3 ? queue.length - 1 : 0;
        const [next] = queue.splice(at, 1);
        const told = updateParts(server.ydoc, Y.decodeUpdate(next!.update));
        const copy = replica(server, 1);
        const applied = copy.applyTracked(next!.update);
        if (!applied.ok) throw new Error(applied.reason);
        if (told) {
          answered++;
          const p = pendingOf(copy.ydoc);
          expect(p.pendingStructs ?? p.pendingDs ?? null, `round ${round}`).toBeNull();
          for (const part of applied.value.touched) expect(told.parts.has(part), `round ${round}: ${part}`).toBe(true);
        }
        if (!pendingOf(copy.ydoc).pendingStructs && !pendingOf(copy.ydoc).pendingDs) server.applyUpdate(next!.update);
        else queue.push(next!); // the server waits for what it builds on
        copy.ydoc.destroy();
        for (const other of clients) if (other !== clients[next!.from]) Y.applyUpdate(other.ydoc, next!.update);
      }
    }
    expect(answered).toBeGreaterThan(60);
  });
});
