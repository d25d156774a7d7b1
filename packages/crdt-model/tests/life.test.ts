import { describe, expect, it } from "vitest";
import { ARCHIVE, DISPATCH, SAMPLE_STEPS, decided, flow, reasonOf, tick, toDecision, type Flow } from "./fixture.ts";
import { CountersignDocument } from "../src/schema/document.ts";
import { checkTransition } from "../src/workflow/ingest.ts";
import { parseEntry } from "../src/chain/types.ts";
import { awaitsArchive, awaitsDispatch } from "../src/workflow/state.ts";

// The document's life after 決行: 發文 → 歸檔 for a letter, 存查 → 歸檔 for a 簽, 改紙本 → 線上補登
// → 歸檔 for a document handled on paper; and 歸檔 closes the record for everyone.

function copy(doc: CountersignDocument): CountersignDocument {
  const r = CountersignDocument.fromUpdate(doc.encodeState());
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

const versionOf = (f: Flow, id: string) => {
  const e = parseEntry(f.doc.rawEntries().get(id), id);
  if (!e.ok) throw new Error(e.reason);
  return e.value.entry.payload.v;
};

describe("a letter: 發文, then 歸檔", () => {
  it("a decided letter waits on the mail room, is dispatched with its 發文字號, then archived with 檔號 and 保存年限", async () => {
    const f = await decided({ letter: true });
    let s = await f.state();
    expect(s.holders).toEqual([{ kind: "role", role: "mail-room", agency: f.a.ca.agency }]);
    expect(awaitsDispatch({ status: s.status, kind: "letter" })).toBe(true);

    const d = await f.sign(f.a.mailRoom, { action: { ...DISPATCH }, step: null, at: tick() });
    expect(versionOf(f, d)).toBe(2);
    s = await f.state();
    expect(s.status).toBe("dispatched");
    expect(s.dispatch).toEqual({ entry: d, number: DISPATCH.number, date: DISPATCH.date });
    expect(s.holders).toEqual([{ kind: "role", role: "archives", agency: f.a.ca.agency }]);
    expect(awaitsArchive({ status: s.status, holders: ["role:archives"] })).toBe(true);

    const a = await f.sign(f.a.archivist, { action: { ...ARCHIVE }, step: null, at: tick() });
    s = await f.state();
    expect(s.status).toBe("archived");
    expect(s.archive).toEqual({ entry: a, fileNumber: ARCHIVE.fileNumber, retention: 10 });
    expect(s.holders).toEqual([]);
    expect(s.valid).toBe(true);
  });

  it("A 發文 must carry the 發文字號 the agency server assigned and the 發文日期 (entry version 2).", async () => {
    const f = await decided({ letter: true });
    const id = await f.sign(f.a.mailRoom, { action: { kind: "dispatch" }, step: null, at: tick() });
    expect(versionOf(f, id)).toBe(1);
    expect(await reasonOf(f, id)).toBe("A 發文 must carry the 發文字號 the agency server assigned and the 發文日期 (entry version 2).");
  });

  it("a 發文字號 of the wrong shape is refused with a sentence saying what a 發文字號 is", async () => {
    const f = await decided({ letter: true });
    const id = await f.sign(f.a.mailRoom, { action: { kind: "dispatch", number: "1150000001", date: "2026-12-05" }, step: null, at: tick() });
    expect(await reasonOf(f, id)).toMatch(/^The 發文字號 "1150000001" is not 代字 \+ 字第/);
  });

  it("a 發文日期 that is no calendar date is refused", async () => {
    const f = await decided({ letter: true });
    const id = await f.sign(f.a.mailRoom, { action: { ...DISPATCH, date: "2026-02-30" }, step: null, at: tick() });
    expect(await reasonOf(f, id)).toBe("The 發文日期 2026-02-30 is not a calendar date.");
  });

  it("Only the mail room may dispatch the document. (the case officer tries)", async () => {
    const f = await decided({ letter: true });
    const id = await f.sign(f.a.officer, { action: { ...DISPATCH }, step: null, at: tick() });
    expect(await reasonOf(f, id)).toBe("Only the mail room may dispatch the document.");
  });

  it("The document was already dispatched.", async () => {
    const f = await decided({ letter: true });
    await f.sign(f.a.mailRoom, { action: { ...DISPATCH }, step: null, at: tick() });
    const id = await f.sign(f.a.mailRoom, { action: { ...DISPATCH, number: "示教字第1150000002號" }, step: null, at: tick() });
    expect(await reasonOf(f, id)).toBe("The document was already dispatched.");
  });

  it("Only a decided document can be dispatched.", async () => {
    const f = await flow({ letter: true });
    await toDecision(f);
    const id = await f.sign(f.a.mailRoom, { action: { ...DISPATCH }, step: null, at: tick() });
    expect(await reasonOf(f, id)).toBe("Only a decided document can be dispatched.");
  });

  it("A decided letter is dispatched (發文), not filed with 存查.", async () => {
    const f = await decided({ letter: true });
    const id = await f.sign(f.a.officer, { action: { kind: "close" }, step: null, at: tick() });
    expect(await reasonOf(f, id)).toBe("A decided letter is dispatched (發文), not filed with 存查.");
  });
});

describe("a 簽: 存查, then 歸檔", () => {
  it("a decided 簽 goes back to its case officer, who files it with 存查; the archives take it from there", async () => {
    const f = await decided();
    let s = await f.state();
    expect(s.holders).toEqual([{ kind: "person", person: f.a.officer.profile.person }]);
    expect(awaitsDispatch({ status: s.status, kind: "memo" })).toBe(false);
    const c = await f.sign(f.a.officer, { action: { kind: "close" }, step: null, opinion: "存查。", at: tick() });
    expect(versionOf(f, c)).toBe(2);
    s = await f.state();
    expect(s.status).toBe("closed");
    expect(s.closed).toEqual({ entry: c });
    expect(s.holders).toEqual([{ kind: "role", role: "archives", agency: f.a.ca.agency }]);
    await f.sign(f.a.archivist, { action: { ...ARCHIVE, retention: "permanent" }, step: null, at: tick() });
    s = await f.state();
    expect(s.status).toBe("archived");
    expect(s.archive?.retention).toBe("permanent");
    expect(s.valid).toBe(true);
  });

  it("Only a letter (函, 書函, 開會通知單, 公告, 令) is dispatched; another decided document is filed with 存查.", async () => {
    const f = await decided();
    const id = await f.sign(f.a.mailRoom, { action: { ...DISPATCH }, step: null, at: tick() });
    expect(await reasonOf(f, id)).toBe("Only a letter (函, 書函, 開會通知單, 公告, 令) is dispatched; another decided document is filed with 存查.");
  });

  it("Only the case officer may file the document with 存查.", async () => {
    const f = await decided();
    const id = await f.sign(f.a.chief, { action: { kind: "close" }, step: null, at: tick() });
    expect(await reasonOf(f, id)).toBe("Only the case officer may file the document with 存查.");
  });

  it("Only a decided document can be filed with 存查.", async () => {
    const f = await flow();
    await toDecision(f);
    const id = await f.sign(f.a.officer, { action: { kind: "close" }, step: null, at: tick() });
    expect(await reasonOf(f, id)).toBe("Only a decided document can be filed with 存查.");
  });
});

describe("歸檔", () => {
  it("Only a document that was dispatched, filed with 存查 or handled on paper can be archived.", async () => {
    const f = await decided();
    const id = await f.sign(f.a.archivist, { action: { ...ARCHIVE }, step: null, at: tick() });
    expect(await reasonOf(f, id)).toBe("Only a document that was dispatched, filed with 存查 or handled on paper can be archived.");
  });

  it("Only the archives may archive the document.", async () => {
    const f = await decided();
    await f.sign(f.a.officer, { action: { kind: "close" }, step: null, at: tick() });
    const id = await f.sign(f.a.officer, { action: { ...ARCHIVE }, step: null, at: tick() });
    expect(await reasonOf(f, id)).toBe("Only the archives may archive the document.");
  });

  it("a 檔號 of the wrong shape is refused, naming the part that is wrong", async () => {
    const f = await decided();
    await f.sign(f.a.officer, { action: { kind: "close" }, step: null, at: tick() });
    const id = await f.sign(f.a.archivist, { action: { ...ARCHIVE, fileNumber: "115-0101-ab-001-00001" }, step: null, at: tick() });
    expect(await reasonOf(f, id)).toBe('The 檔號\'s 案次號 "ab" must be 1 to 6 digits.');
  });

  it("A 歸檔 must carry the 檔號 and the 保存年限 (entry version 2).", async () => {
    const f = await decided();
    await f.sign(f.a.officer, { action: { kind: "close" }, step: null, at: tick() });
    const id = await f.sign(f.a.archivist, { action: { kind: "archive", fileNumber: "115/010101/1" }, step: null, at: tick() });
    expect(await reasonOf(f, id)).toBe("A 歸檔 must carry the 檔號 and the 保存年限 (entry version 2).");
  });

  it("The document is archived; nothing more may be signed on it.", async () => {
    const f = await decided();
    await f.sign(f.a.officer, { action: { kind: "close" }, step: null, at: tick() });
    await f.sign(f.a.archivist, { action: { ...ARCHIVE }, step: null, at: tick() });
    const id = await f.sign(f.a.archivist, { action: { ...ARCHIVE, fileNumber: "115-0101-000009-001-00001" }, step: null, at: tick() });
    expect(await reasonOf(f, id)).toBe("The document is archived; nothing more may be signed on it.");
  });

  it("after 歸檔 the relay refuses any change, even a plain edit (update.archived)", async () => {
    const f = await decided();
    await f.sign(f.a.officer, { action: { kind: "close" }, step: null, at: tick() });
    await f.sign(f.a.archivist, { action: { ...ARCHIVE }, step: null, at: tick() });
    const before = await f.state();
    const edited = copy(f.doc);
    edited.setSubject("歸檔後改過的主旨");
    const r = await checkTransition(f.doc, edited, f.trust);
    expect(r.ok ? null : r.code).toBe("update.archived");
    const fast = await checkTransition(f.doc, edited, f.trust, { beforeState: before, touched: new Set(["subject"]) });
    expect(fast.ok ? null : fast.code).toBe("update.archived");
    const nothing = await checkTransition(f.doc, copy(f.doc), f.trust, { beforeState: before, touched: new Set() });
    expect(nothing.ok).toBe(true);
  });
});

describe("paper: 改紙本 → 線上補登 → 歸檔", () => {
  async function onPaper(): Promise<Flow> {
    const f = await flow();
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    await f.sign(f.a.officer, { action: { kind: "switch-to-paper", reason: "附件為實體樣品，改以紙本陳核。" }, step: null, at: tick() });
    return f;
  }

  it("a paper document is recorded online by its case officer, then archived; its content is fixed by the 線上補登", async () => {
    const f = await onPaper();
    let s = await f.state();
    expect(s.holders).toEqual([{ kind: "person", person: f.a.officer.profile.person }]);
    expect(awaitsArchive({ status: s.status, holders: ["person:" + f.a.officer.profile.person] })).toBe(false);
    const early = await f.sign(f.a.archivist, { action: { ...ARCHIVE }, step: null, at: tick() });
    expect(await reasonOf(f, early)).toBe("A document handled on paper is archived after its 線上補登.");

    f.doc.setSubject("紙本決行後補登");
    const r = await f.sign(f.a.officer, { action: { kind: "paper-record", reason: "紙本已決行，補登掃描檔。" }, step: null, at: tick() });
    s = await f.state();
    expect(s.paperRecord?.entry).toBe(r);
    expect(s.holders).toEqual([{ kind: "role", role: "archives", agency: f.a.ca.agency }]);

    const edited = copy(f.doc);
    edited.setSubject("補登後又改");
    const refused = await checkTransition(f.doc, edited, f.trust, { beforeState: s, touched: new Set(["subject"]) });
    expect(refused.ok ? null : refused.code).toBe("update.decided");

    await f.sign(f.a.archivist, { action: { ...ARCHIVE }, step: null, at: tick() });
    s = await f.state();
    expect(s.status).toBe("archived");
    // Only the early 歸檔 attempt stays invalid; nothing else is wrong with the document.
    expect(s.timeline.filter((t) => t.outcome === "invalid").map((t) => t.id)).toEqual([early]);
    expect(s.findings).toEqual([]);
  });

  it("Only the case officer or the registry desk may record a paper document online (線上補登).", async () => {
    const f = await onPaper();
    const id = await f.sign(f.a.chief, { action: { kind: "paper-record", reason: "補登。" }, step: null, at: tick() });
    expect(await reasonOf(f, id)).toBe("Only the case officer or the registry desk may record a paper document online (線上補登).");
  });

  it("Only a document switched to paper can be recorded online (線上補登).", async () => {
    const f = await decided();
    const id = await f.sign(f.a.officer, { action: { kind: "paper-record", reason: "補登。" }, step: null, at: tick() });
    expect(await reasonOf(f, id)).toBe("The action comes after the decision.");
    const g = await flow();
    const id2 = await g.sign(g.a.officer, { action: { kind: "paper-record", reason: "補登。" }, step: null, at: tick() });
    expect(await reasonOf(g, id2)).toBe("Only a document switched to paper can be recorded online (線上補登).");
  });
});

describe("steps are claimed only by the entries that answer them", () => {
  it("A reclassify answers no step; its entry must name none.", async () => {
    const f = await flow();
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    const id = await f.sign(f.a.officer, { action: { kind: "reclassify", secrecy: "confidential" }, step: SAMPLE_STEPS.review, opinion: "提高密等。", at: tick() });
    expect(await reasonOf(f, id)).toBe("A reclassify answers no step; its entry must name none.");
  });

  it("A 決行 step is never signed late.", async () => {
    // Before any decision nothing has been passed over: neither the 決行 step nor a review ahead may be
    // "signed late" (that would mark the 決行 done without a decision).
    const g = await flow();
    const plan = g.doc.plan();
    if (!plan.ok || !plan.value) throw new Error("no plan");
    g.doc.setPlan({ ...plan.value, stages: [plan.value.stages[0]!, plan.value.stages[2]!] });
    await g.sign(g.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    const early = await g.sign(g.a.director, { action: { kind: "late-sign", reason: "先補簽決行。" }, step: SAMPLE_STEPS.decide, at: tick() });
    expect(await reasonOf(g, early)).toBe("Only a step passed over by the decision, or on a paper document, can be signed late.");
    const review = await g.sign(g.a.chief, { action: { kind: "late-sign", reason: "尚未輪到。" }, step: SAMPLE_STEPS.review, at: tick() });
    expect(await reasonOf(g, review)).toBe("Only a step passed over by the decision, or on a paper document, can be signed late.");
  });

  it("The case officer may not return his own document; he withdraws it (取回).", async () => {
    const f = await flow();
    const plan = f.doc.plan();
    if (!plan.ok || !plan.value) throw new Error("no plan");
    // A plan whose review step names the case officer's own unit: he is an assignee of it, yet may not act.
    const review = { ...plan.value.stages[0]!, step: { ...(plan.value.stages[0] as { step: object }).step, assignee: { kind: "unit", unit: f.a.officer.profile.unit } } };
    f.doc.setPlan({ ...plan.value, stages: [review as typeof plan.value.stages[0], plan.value.stages[2]!] });
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    const id = await f.sign(f.a.officer, { action: { kind: "return", to: null }, step: SAMPLE_STEPS.review, at: tick() });
    expect(await reasonOf(f, id)).toBe("The case officer may not return his own document; he withdraws it (取回).");
  });
});
