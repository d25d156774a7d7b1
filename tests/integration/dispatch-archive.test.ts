// Issue 9 against a real agency server: 發文 and 歸檔 as the mail room and the archives do them, the
// routes, who opens what (both ways, per role), and raw forged entries sent over the y-websocket
// protocol — each refused with its code, the stored document left exactly as it was.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CountersignDocument, asDocId, asPersonId, asUnitId } from "@countersign/crdt-model";
import { decisionOnlyPlan, must, startAgency, testMetadata, until, type RunningAgency } from "./support/agency-server.ts";
import { openRaw, type WireRefusal } from "./support/raw-client.ts";
import { filingHelpers } from "./support/filing.ts";

let a: RunningAgency;
beforeAll(async () => {
  a = await startAgency({ idleMs: 400 });
}, 60_000);
afterAll(async () => {
  await a?.stop();
});

const { storedState, snapshot, send, act, edit, document, api, reserve, admitted, archivesPerson, admittedWith, FILE_NUMBER, freshId } = filingHelpers(() => a);

describe("發文 and 歸檔 through the relay", () => {
  it("the mail room dispatches under the number it reserved; the archives file it; then it is read-only", async () => {
    const id = await document("decided");
    const { number, date } = await reserve(id);
    expect(number).toMatch(/字第\d{10}號$/);
    expect((await reserve(id)).number).toBe(number); // the same number again while it is not used
    expect(await act(id, "mail", { action: { kind: "dispatch", number, date }, step: null, opinion: "發文。" })).toEqual([]);
    const dispatched = (await a.store.getIndex(asDocId(id)))!;
    expect(dispatched).toMatchObject({ status: "dispatched", docNumber: number, holders: ["role:archives"] });
    expect(dispatched.dispatchedAt).toBeTruthy();

    expect(await act(id, "archivist", { action: { kind: "archive", fileNumber: FILE_NUMBER, retention: 10 }, step: null })).toEqual([]);
    const archived = (await a.store.getIndex(asDocId(id)))!;
    expect(archived).toMatchObject({ status: "archived", fileNumber: FILE_NUMBER, retention: 10, docNumber: number, holders: [] });

    // Any edit of an archived document: a plain edit by its case officer, an entry by the archives.
    const before = await snapshot(id);
    expect((await edit(id, "officer", (d) => d.setSubject("歸檔後改主旨"))) as WireRefusal[]).toMatchObject([{ code: "update.archived" }]);
    expect(await snapshot(id)).toEqual(before);
    const again = await act(id, "archivist", { action: { kind: "archive", fileNumber: "115-0101-000012-001-00004", retention: "permanent" }, step: null });
    expect(again).not.toEqual([]);
    expect(await snapshot(id)).toEqual(before);
  });

  it("refuses a dispatch signed by someone without the mail-room role", async () => {
    const id = await document("decided");
    const { number, date } = await reserve(id);
    const before = await snapshot(id);
    const refused = await act(id, "officer", { action: { kind: "dispatch", number, date }, step: null });
    expect(refused).toMatchObject([{ code: "update.invalid-entry" }]);
    expect((refused as WireRefusal[])[0]!.reason).toMatch(/mail room/);
    expect(await snapshot(id)).toEqual(before);
  });

  it("refuses a dispatch whose 發文字號 has the wrong shape", async () => {
    const id = await document("decided");
    await reserve(id);
    const before = await snapshot(id);
    const refused = await act(id, "mail", { action: { kind: "dispatch", number: "示教第115001號", date: "2026-03-02" }, step: null });
    expect(refused).toMatchObject([{ code: "update.invalid-entry" }]);
    expect((refused as WireRefusal[])[0]!.reason).toMatch(/發文字號/);
    expect(await snapshot(id)).toEqual(before);
  });

  it("refuses a dispatch under a number this server never reserved, or reserved for another document", async () => {
    const id = await document("decided");
    const other = await document("decided");
    const { number: others, date } = await reserve(other);
    const before = await snapshot(id);
    const invented = await act(id, "mail", { action: { kind: "dispatch", number: "示教字第1159999999號", date }, step: null });
    expect(invented).toMatchObject([{ code: "relay.dispatch-number" }]);
    expect(await snapshot(id)).toEqual(before);
    const borrowed = await act(id, "mail", { action: { kind: "dispatch", number: others, date }, step: null });
    expect(borrowed).toMatchObject([{ code: "relay.dispatch-number" }]);
    expect(await snapshot(id)).toEqual(before);
  });

  it("refuses archiving a document that is neither dispatched, filed (存查) nor on paper", async () => {
    // A document the registry desk registered to the archives person as its case officer (they open
    // it as such; the archives never draft one themselves, relay.creator): the model's rule refuses.
    const own = freshId("own");
    const registered = must(CountersignDocument.create({ id: asDocId(own), metadata: testMetadata({ kind: "letter", unit: asUnitId("U-SEC"), caseOfficer: asPersonId("P-archivist") }), subject: "登記給檔管的來文", plan: decisionOnlyPlan("P-chief", 1) }));
    expect(await send(own, "registry", registered.encodeState(), { creates: true })).toEqual([]);
    const before = await snapshot(own);
    const refused = await act(own, "archivist", { action: { kind: "archive", fileNumber: FILE_NUMBER, retention: 10 }, step: null });
    expect(refused).toMatchObject([{ code: "update.invalid-entry" }]);
    expect((refused as WireRefusal[])[0]!.reason).toMatch(/dispatched, filed with 存查 or handled on paper/);
    expect(await snapshot(own)).toEqual(before);
    // Someone else's documents in review or waiting for the mail room: the archives do not even get in.
    for (const id of [await document("submitted"), await document("decided")]) {
      const was = await snapshot(id);
      expect(await act(id, "archivist", { action: { kind: "archive", fileNumber: FILE_NUMBER, retention: 10 }, step: null })).toBe("closed");
      expect(await snapshot(id)).toEqual(was);
    }
  });

  it("refuses a 檔號 of the wrong shape", async () => {
    const id = await document("decided");
    const { number, date } = await reserve(id);
    expect(await act(id, "mail", { action: { kind: "dispatch", number, date }, step: null })).toEqual([]);
    const before = await snapshot(id);
    const refused = await act(id, "archivist", { action: { kind: "archive", fileNumber: "115-01", retention: 10 }, step: null });
    expect(refused).toMatchObject([{ code: "update.invalid-entry" }]);
    expect((refused as WireRefusal[])[0]!.reason).toMatch(/檔號/);
    expect(await snapshot(id)).toEqual(before);
  });
});

describe("who opens what", () => {
  it("the mail room: a letter it holds yes; a draft of another unit no; a decided 簽 no", async () => {
    const letter = await document("decided");
    const foreignDraft = await document("draft", { unit: asUnitId("U-PER"), caseOfficer: asPersonId("P-outsider") }, "outsider");
    const memo = await document("decided", { kind: "memo" });
    expect(await admitted(letter, "mail")).toBe(true);
    expect(await admitted(foreignDraft, "mail")).toBe(false);
    expect(await admitted(memo, "mail")).toBe(false);
    const queue = (await api("/api/dispatch/queue", "mail")).json as { docs: { doc: string }[] };
    expect(queue.docs.map((d) => d.doc)).toContain(letter);
    expect(queue.docs.map((d) => d.doc)).not.toContain(memo);
    // A number is only for a letter waiting for the mail room.
    expect((await api("/api/dispatch/numbers", "mail", { method: "POST", body: { doc: memo } })).status).toBe(404);
  });

  it("the archives: dispatched yes; in review no; archived only through a recorded 調閱", async () => {
    const inReview = await document("submitted");
    const id = await document("decided");
    const { number, date } = await reserve(id);
    expect(await act(id, "mail", { action: { kind: "dispatch", number, date }, step: null })).toEqual([]);
    expect(await admitted(id, "mail")).toBe(true); // the mail room still opens what it dispatched
    expect(await admitted(id, "archivist")).toBe(true);
    expect(await admitted(inReview, "archivist")).toBe(false);
    const queue = (await api("/api/archive/queue", "archivist")).json as { docs: { doc: string }[] };
    expect(queue.docs.map((d) => d.doc)).toContain(id);

    expect(await act(id, "archivist", { action: { kind: "archive", fileNumber: "115-0202-000001-001-00001", retention: "permanent" }, step: null })).toEqual([]);
    // The archivist signed it, so takes part; another archives person opens it only through a 調閱.
    const second = await archivesPerson("P-archivist2");
    expect(await admittedWith(id, second)).toBe(false);
    const pull = async () =>
      (await (
        await fetch(`${a.http}/api/sync`, {
          method: "POST",
          headers: { authorization: `Bearer ${second}`, "content-type": "application/json" },
          body: JSON.stringify({ v: 1, have: [{ doc: id, sv: "AA==" }] }),
        })
      ).json()) as { docs: { doc: string }[]; denied: string[] };
    expect((await pull()).denied).toEqual([id]); // the batch sync, too, before a 調閱
    expect((await fetch(`${a.http}/api/archive/docs/${id}/views`, { method: "POST", headers: { authorization: `Bearer ${second}` } })).status).toBe(200);
    expect(await admittedWith(id, second)).toBe(true);
    expect((await pull()).docs.map((d) => d.doc)).toEqual([id]);
    // Reading is all a 調閱 allows: a change from that person is refused before the rules see it.
    const replica = new Y.Doc();
    Y.applyUpdate(replica, await storedState(id));
    const sv = Y.encodeStateVector(replica);
    CountersignDocument.wrap(replica).setSubject("調閱時改主旨");
    const c = await openRaw(a.ws, id, second);
    await until(() => c.frames.length > 0, 10_000, "admission");
    const before = await snapshot(id);
    c.update(Y.encodeStateAsUpdate(replica, sv));
    await until(() => c.refused().length > 0, 10_000, "the refusal");
    c.close();
    expect(c.refused()[0]?.code).toBe("relay.read-only");
    expect(await snapshot(id)).toEqual(before);
    const seen = (await api("/api/archive/views", "archivist")).json as { views: { doc: string; person: string }[] };
    expect(seen.views[0]).toMatchObject({ doc: id, person: "P-archivist2" });
    const search = await api(`/api/archive/search?fileNumber=115-0202&year=115`, "archivist");
    expect((search.json as { docs: { doc: string }[] }).docs.map((d) => d.doc)).toContain(id);
    expect((await api(`/api/archive/search?subject=${encodeURIComponent("不存在的主旨")}`, "archivist")).json).toEqual({ docs: [] });

    // 調閱: the officer may not record one; recording opens the document for the archives person.
    expect((await api(`/api/archive/docs/${id}/views`, "officer", { method: "POST", body: {} })).json).toMatchObject({ code: "archive.forbidden" });
    expect((await api(`/api/archive/docs/${inReview}/views`, "archivist", { method: "POST", body: {} })).json).toMatchObject({ code: "archive.not-archived" });
    const viewed = await api(`/api/archive/docs/${id}/views`, "archivist", { method: "POST", body: {} });
    expect(viewed.json).toMatchObject({ ok: true });
    const views = (await api("/api/archive/views", "archivist")).json as { views: { doc: string; person: string; at: string }[] };
    expect(views.views[0]).toMatchObject({ doc: id, person: "P-archivist", at: (viewed.json as { at: string }).at });
    expect((await api("/api/archive/views", "mail")).json).toMatchObject({ code: "archive.forbidden" });
  });

  it("an archives person with the dispatched document open is let go once it is archived, until a 調閱", async () => {
    const id = await document("decided");
    const { number, date } = await reserve(id);
    expect(await act(id, "mail", { action: { kind: "dispatch", number, date }, step: null })).toEqual([]);
    const third = await archivesPerson("P-archivist3");
    const c = await openRaw(a.ws, id, third);
    await until(() => c.frames.length > 0, 10_000, "admission while role:archives holds it");
    expect(await act(id, "archivist", { action: { kind: "archive", fileNumber: "115-0303-000001-001-00001", retention: 5 }, step: null })).toEqual([]);
    expect((await c.closed).code).toBe(4403);
    expect(await admittedWith(id, third)).toBe(false);
  });

  it("the routes refuse a wrong role with their codes", async () => {
    expect((await api("/api/dispatch/queue", "archivist")).json).toMatchObject({ code: "dispatch.forbidden" });
    expect((await api("/api/dispatch/numbers", "officer", { method: "POST", body: { doc: "x-1" } })).json).toMatchObject({ code: "dispatch.forbidden" });
    expect((await api("/api/archive/queue", "mail")).json).toMatchObject({ code: "archive.forbidden" });
    expect((await api("/api/archive/search", "officer")).json).toMatchObject({ code: "archive.forbidden" });
  });
});
