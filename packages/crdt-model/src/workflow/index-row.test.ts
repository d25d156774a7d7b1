import { describe, expect, it } from "vitest";
import { createSampleAgency } from "../sample/agency.ts";
import { act, buildDecidedSample, sampleMetadata } from "../sample/document.ts";
import { CountersignDocument } from "../schema/document.ts";
import { holderKey, indexRowOf, parseHolderKey } from "./index-row.ts";
import { derive } from "./derive.ts";
import { asAgencyCode, asDocId, asPersonId, asUnitId } from "../ids.ts";
import { addCalendarDays, calendarDaysBetween, taipeiDay } from "../deadline/iso-day.ts";

describe("holder keys", () => {
  it("write and read back person, unit, agency and role keys", () => {
    expect(holderKey({ kind: "person", person: asPersonId("P-1") })).toBe("person:P-1");
    expect(holderKey({ kind: "unit", unit: asUnitId("U-1") })).toBe("unit:U-1");
    expect(holderKey({ kind: "agency", agency: asAgencyCode("A-1") })).toBe("agency:A-1");
    expect(holderKey({ kind: "role", role: "mail-room", agency: asAgencyCode("A-1") })).toBe("role:mail-room");
    expect(parseHolderKey("role:archives")).toEqual({ ok: true, value: { kind: "role", id: "archives" } });
    const bad = parseHolderKey("group:x");
    expect(!bad.ok && bad.code).toBe("index.holder-key");
  });
});

describe("indexRowOf through a document's life", () => {
  it("carries the holders, numbers and dates: decided, 存查, 歸檔", async () => {
    const a = await createSampleAgency();
    const { doc, trust } = await buildDecidedSample(a);
    const decided = indexRowOf(doc, await derive(doc, trust), new Date());
    // A decided 簽 goes back to its case officer for 存查; the 文號 and 保存年限 are the metadata's.
    expect(decided).toMatchObject({ status: "decided", holders: [`person:${a.officer.profile.person}`], docNumber: "南市教學字第1150001234號", retention: 10, fileNumber: null, dispatchedAt: null });
    expect(decided.decidedAt).toBeTruthy();
    expect(decided.participants).toContain(`person:${a.director.profile.person}`);

    const closed = indexRowOf(doc, await act(doc, a.officer, trust, { action: { kind: "close" }, step: null, opinion: "存查。" }), new Date());
    expect(closed).toMatchObject({ status: "closed", holders: ["role:archives"] });

    const state = await act(doc, a.archivist, trust, { action: { kind: "archive", fileNumber: "115-0101-000012-001-00003", retention: "permanent" }, step: null });
    const archived = indexRowOf(doc, state, new Date());
    expect(archived).toMatchObject({ status: "archived", holders: [], fileNumber: "115-0101-000012-001-00003", retention: "permanent" });
    expect(archived.archivedAt).toBe(state.timeline.find((t) => t.id === state.archive!.entry)!.at);
    expect(archived.participants).toContain(`person:${a.archivist.profile.person}`);
  });
});

describe("indexRowOf's numbers of a registered letter", () => {
  it("carries the 收文號, and the 來文字號 (metadata.incoming) as its number for search while it has no 文號 of ours", async () => {
    const a = await createSampleAgency();
    const { doc, trust } = await buildDecidedSample(a);
    const incoming = { from: "臺南市政府", number: "府教字第1150009999號", receivedOn: "2026-11-23" };
    const letter = CountersignDocument.create({ id: asDocId("in-letter"), metadata: { ...sampleMetadata(a), docNumber: null, receiptNumber: "1150000042", incoming }, subject: "來文" });
    if (!letter.ok) throw new Error(letter.reason);
    const row = indexRowOf(letter.value, await derive(letter.value, trust), new Date());
    expect(row).toMatchObject({ receiptNumber: "1150000042", docNumber: "府教字第1150009999號" });
    // The 文號 the server wrote wins over it; a document without either has none.
    expect(indexRowOf(doc, await derive(doc, trust), new Date()).docNumber).toBe("南市教學字第1150001234號");
  });
});

describe("indexRowOf's due date", () => {
  it("is the 限辦日期 in force: an approved 展期 moves it, a pending one does not (the inbox shows the row's)", async () => {
    const a = await createSampleAgency();
    const { doc, trust } = await buildDecidedSample(a);
    expect(indexRowOf(doc, await derive(doc, trust), new Date()).dueDate).toBe("2026-12-04"); // the stated date
    // Later than the stated date and than today (entries claim the real clock); beyond the default
    // 30 days only as 專案管制.
    const today = taipeiDay(new Date());
    const until = addCalendarDays(today > "2026-12-04" ? today : "2026-12-04", 10);
    const project = calendarDaysBetween("2026-12-04", until) > 30 ? { project: true as const } : {};
    const asked = await act(doc, a.officer, trust, { action: { kind: "extend-request", until, reason: "需會商相關機關。", ...project }, step: null });
    expect(indexRowOf(doc, asked, new Date()).dueDate).toBe("2026-12-04");
    const request = asked.extensions.at(-1)!.request;
    const approved = await act(doc, a.director, trust, { action: { kind: "extend-decide", request, approved: true }, step: null });
    expect(approved.extensions.at(-1)?.decision?.approved).toBe(true);
    expect(indexRowOf(doc, approved, new Date()).dueDate).toBe(until);
  });
});
