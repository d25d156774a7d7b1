import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CountersignDocument, type DocumentPart } from "../schema/document.ts";
import { checkTextEdit } from "./text-edit.ts";
import { checkTransition } from "./ingest.ts";
import { decided, flow, type Flow } from "../../tests/fixture.ts";

function copy(doc: CountersignDocument): CountersignDocument {
  const ydoc = new Y.Doc();
  Y.applyUpdate(ydoc, doc.encodeState());
  return CountersignDocument.wrap(ydoc);
}

/** checkTransition on a text edit of `f`'s document, with `before` as the state before it. */
async function both(f: Flow, before: Awaited<ReturnType<Flow["state"]>>, fn: (d: CountersignDocument) => void) {
  const after = copy(f.doc);
  const sv = after.stateVector();
  fn(after);
  const tracked = copy(f.doc).applyTracked(after.encodeState(sv));
  if (!tracked.ok) throw new Error(tracked.reason);
  const touched: ReadonlySet<DocumentPart> = tracked.value.touched;
  const full = await checkTransition(f.doc, after, f.trust, { beforeState: before, touched });
  return { quick: checkTextEdit(before, touched), full, touched };
}

describe("checkTextEdit answers a text edit as checkTransition does, or not at all", () => {
  it("a draft: taken as it stands, with the state before it", async () => {
    const f = await flow();
    const state = await f.state();
    const item = f.doc.body("explanation")[0]!;
    for (const fn of [(d: CountersignDocument) => void d.setItemText("explanation", item.id, "改寫"), (d: CountersignDocument) => d.setSubject("新主旨")]) {
      const { quick, full, touched } = await both(f, state, fn);
      expect(quick).toEqual(full);
      expect(full.ok && full.value.state).toBe(state);
      expect([...touched].every((p) => p === "body" || p === "subject")).toBe(true);
    }
  });

  it("an archived document: refused with the same code and sentence", async () => {
    const f = await flow();
    const archived = { ...(await f.state()), status: "archived" as const };
    const { quick, full } = await both(f, archived, (d) => d.setSubject("歸檔後改"));
    expect(full.ok).toBe(false);
    expect(quick).toEqual(full);
  });

  it("a decided document: left to the full check (the content hash decides)", async () => {
    const f = await decided();
    const { quick, full } = await both(f, await f.state(), (d) => d.setSubject("決行後改"));
    expect(quick).toBeUndefined();
    expect(full.ok).toBe(false);
  });

  it("any other part: left to the full check", async () => {
    const f = await flow();
    expect(checkTextEdit(await f.state(), new Set<DocumentPart>(["body", "meta"]))).toBeUndefined();
    expect(checkTextEdit(await f.state(), new Set<DocumentPart>(["chain"]))).toBeUndefined();
  });
});
