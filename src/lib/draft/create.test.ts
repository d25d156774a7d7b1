// Drafting a new 簽 or 函: the input checks (one sentence each), the document it makes, the default
// due dates by 速別, the relay's ingest rule accepting the creating update, and the local store
// (on fake-indexeddb) holding it, indexed and queued for the server.
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CountersignDocument, NO_DOC_ID, checkTransition, createSampleAgency, exportDiContent, officeCalendar, sampleTrust } from "@countersign/crdt-model";
import { LocalStore } from "$lib/local/local-store.ts";
import { createDraft, defaultDueDate, sectionsFor, type DraftInput } from "./create.ts";
import { saveNewDraft } from "./save.ts";

const agency = await createSampleAgency();
const me = agency.officer.profile;

const memo: DraftInput = {
  kind: "memo",
  speed: "ordinary",
  secrecy: "none",
  dueDate: "2026-11-30",
  category: "學務",
  subject: "  有關本科辦理學生獎懲一案，簽請核示。 ",
  items: { explanation: ["依據學生獎懲實施要點辦理。", "  ", "經查屬實。"], proposal: ["擬予嘉獎。"] },
};

function must<T>(r: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

describe("a new document from structure", () => {
  it("a 簽 has 說明 and 擬辦, a 函 說明 and 辦法, as the DI exporter expects", () => {
    expect(sectionsFor("memo")).toEqual(["explanation", "proposal"]);
    expect(sectionsFor("letter")).toEqual(["explanation", "measures"]);
  });

  it("makes a draft whose case officer, unit and agency are the author's, with the numbered items in order", () => {
    const doc = must(createDraft(memo, me, "doc-t1"));
    expect(doc.id).toBe("doc-t1");
    expect(must(doc.metadata())).toMatchObject({ kind: "memo", speed: "ordinary", dueDate: "2026-11-30", category: "學務", caseOfficer: me.person, unit: me.unit, agency: me.agency, docNumber: null });
    expect(doc.subject()).toBe("有關本科辦理學生獎懲一案，簽請核示。");
    expect(doc.body("explanation").map((i) => i.text)).toEqual(["依據學生獎懲實施要點辦理。", "經查屬實。"]);
    expect(doc.body("proposal").map((i) => i.text)).toEqual(["擬予嘉獎。"]);
    expect(doc.body("measures")).toEqual([]);
    expect(must(doc.plan())).toBeNull();
  });

  it("a 簽 drafted here exports as DI (the sections match its DTD)", () => {
    const doc = must(createDraft(memo, me));
    const content = must(doc.content());
    const di = must(exportDiContent(content, { agencyName: "臺南市政府教育局", signature: "陳承辦", date: "2026-11-21" }));
    expect(di.xml).toContain('段名="說明："');
    expect(di.xml).toContain('段名="擬辦："');
    expect(di.xml).toContain("經查屬實。");
  });

  const refusals: [string, Partial<DraftInput>][] = [
    ["A document needs a subject (主旨).", { subject: "   " }],
    ["A 簽 has no 辦法 section.", { items: { measures: ["一項辦法"] } }],
    ["The due date must be a real date.", { dueDate: "115/11/30" }],
    ["The speed must be 最速件, 速件 or 普通件.", { speed: "fast" as never }],
    ["A new document must be one of 簽, 函, 書函.", { kind: "announcement" as never }],
  ];
  for (const [reason, patch] of refusals)
    it(reason, () => {
      expect(createDraft({ ...memo, ...patch }, me)).toEqual({ ok: false, code: "draft.input", reason });
    });

  it("the default due date counts working days by 速別 on the office calendar, skipping weekends and holidays", () => {
    const cal = officeCalendar([]);
    expect(defaultDueDate(cal, "most-urgent", "2026-11-20")).toBe("2026-11-23"); // Friday → Monday (最速件)
    expect(defaultDueDate(cal, "urgent", "2026-11-20")).toBe("2026-11-25"); // 速件
    expect(defaultDueDate(cal, "ordinary", "2026-11-20")).toBe("2026-11-30"); // 普通件
    expect(defaultDueDate(cal, "most-urgent", "2026-12-31")).toBe("2027-01-04"); // 元旦 is a fixed holiday
  });

  it("the relay's ingest rule accepts the update that creates the document", async () => {
    const doc = must(createDraft(memo, me, "doc-t2"));
    const empty = CountersignDocument.wrap(new Y.Doc());
    const shadow = must(CountersignDocument.fromUpdate(doc.encodeState()));
    expect(empty.id).toBe(NO_DOC_ID);
    const r = await checkTransition(empty, shadow, sampleTrust(agency));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.state.status).toBe("draft");
  });
});

describe("saving a new draft locally", () => {
  it("puts it in the local copy and the index, and queues its creating update for the server", async () => {
    const store = new LocalStore("A-TEST", "chen");
    const doc = must(createDraft(memo, me, "doc-t3"));
    expect(await saveNewDraft(store, doc)).toEqual({ ok: true });
    const row = await store.db.docs.get("doc-t3");
    expect(row).toMatchObject({ status: "draft", caseOfficer: me.person, holders: [`person:${me.person}`], speed: "ordinary", access: "edit", kind: "memo" });
    await expect.poll(() => store.db.pending.where("doc").equals("doc-t3").count()).toBe(1);
    // The queued update alone recreates the document (what the relay receives).
    const queued = (await store.db.pending.where("doc").equals("doc-t3").first())!.update;
    const there = must(CountersignDocument.fromUpdate(queued));
    expect(there.subject()).toBe(doc.subject());
    // Opening it again (as the document page does) finds the same content.
    const local = store.openDoc("doc-t3");
    await local.ready;
    expect(local.doc.body("explanation").map((i) => i.text)).toEqual(["依據學生獎懲實施要點辦理。", "經查屬實。"]);
    await local.release();
    await store.close();
  });

  it("A document doc-t4 already exists on this device.", async () => {
    const store = new LocalStore("A-TEST", "chen2");
    expect(await saveNewDraft(store, must(createDraft(memo, me, "doc-t4")))).toEqual({ ok: true });
    const other = must(createDraft({ ...memo, subject: "另一份" }, me, "doc-t4"));
    expect(await saveNewDraft(store, other)).toEqual({ ok: false, code: "draft.exists", reason: "A document doc-t4 already exists on this device." });
    const local = store.openDoc("doc-t4");
    await local.ready;
    expect(local.doc.subject()).toBe("有關本科辦理學生獎懲一案，簽請核示。");
    await local.release();
    await store.close();
  });
});

describe("a 函's recipients and the 保存年限 chosen on /new", () => {
  const letter: DraftInput = { ...memo, kind: "letter", items: { explanation: ["請查照。"] } };
  const roster = [
    { delivery: "original" as const, kind: "agency" as const, name: "示範市立示範國民中學", agencyCode: "A-DEMO-JHS" },
    { delivery: "copy" as const, kind: "unit" as const, name: "本局學務管理科", agencyCode: "A-DEMO-EDU", unitCode: "U-STU" },
  ];

  it("a letter keeps its 受文者 / 正本 / 副本 in the signed metadata; a 簽 has none", () => {
    expect(must(must(createDraft({ ...letter, recipients: roster }, me, "doc-r1")).metadata()).recipients).toEqual(roster);
    expect(must(must(createDraft({ ...memo, recipients: roster }, me, "doc-r2")).metadata()).recipients).toBeUndefined();
  });

  it("a recipient without its 機關代碼 is refused by the model's metadata rule", () => {
    const r = createDraft({ ...letter, recipients: [{ delivery: "original", kind: "agency", name: "某機關", agencyCode: "" }] }, me, "doc-r3");
    expect(r.ok).toBe(false);
  });

  it("keeps the 保存年限 as years or 永久, and refuses one out of range", () => {
    expect(must(must(createDraft({ ...memo, retention: "10" }, me, "doc-r4")).metadata()).retention).toBe("10");
    expect(must(must(createDraft({ ...memo, retention: "permanent" }, me, "doc-r5")).metadata()).retention).toBe("永久");
    expect(must(must(createDraft(memo, me, "doc-r6")).metadata()).retention).toBeNull();
    expect(createDraft({ ...memo, retention: "31" }, me, "doc-r7")).toMatchObject({ ok: false, code: "filing.retention" });
  });
});
